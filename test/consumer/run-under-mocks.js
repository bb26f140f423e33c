// Runs the consumer program under Pulumi's mock runtime, the way the Node.js language host would load it:
//   node run-under-mocks.js bin/index.js      plain `require` of the compiled JavaScript
//   node run-under-mocks.js --ts index.ts     through the ts-node that @pulumi/pulumi picks, registered with the
//                                             options its language host uses (tsconfig.json, type-checked)
// Prints one JSON line: the resource types registered and the stack outputs.
"use strict";
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");

const registered = [];
pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push(args.type);
      const state = { ...args.inputs, arn: `arn:aws:mock:us-east-1:123456789012:${args.name}`, id: `${args.name}-id` };
      if (args.type === "aws:eks/cluster:Cluster")
        Object.assign(state, {
          endpoint: "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
          certificateAuthority: { data: "Y2E=" },
          identities: [{ oidcs: [{ issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF" }] }],
          vpcConfig: { ...(args.inputs.vpcConfig ?? {}), clusterSecurityGroupId: "sg-cluster" },
        });
      if (args.type === "aws:rds/instance:Instance") Object.assign(state, { endpoint: "shop-db.abc.us-east-1.rds.amazonaws.com:5432", address: "shop-db.abc.us-east-1.rds.amazonaws.com", port: 5432 });
      return { id: `${args.name}-id`, state };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
          return { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az1", "use1-az2", "use1-az4"], state: "available" };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/ci", userId: "AIDA" };
        case "aws:index/getRegion:getRegion":
          return { name: "us-east-1", region: "us-east-1" };
        default:
          throw new Error(`no mock answer for invoke ${args.token}`);
      }
    },
  },
  "consumer",
  "dev",
  true,
);

async function main() {
  const args = process.argv.slice(2);
  let program;
  if (args[0] === "--ts") {
    // What @pulumi/pulumi/cmd/run does for a TypeScript program (CommonJS path): the ts-node and TypeScript that
    // typeScriptRequireStrings() names, the project's tsconfig.json, type-checking on.
    const tsutils = require("@pulumi/pulumi/tsutils");
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
    require(tsnodeRequire).register({
      compiler: typescriptRequire,
      transpileOnly: undefined,
      project: "tsconfig.json",
      skipProject: false,
      compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
    });
    program = path.resolve(args[1]);
  } else {
    program = path.resolve(args[0]);
  }
  const exported = require(program);
  const outputs = {};
  for (const [key, value] of Object.entries(exported)) {
    outputs[key] = await new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v)));
  }
  process.stdout.write(`${JSON.stringify({ types: registered, outputs })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
