/**
 * The package as another team gets it: `npm pack`, install the tarball into a fresh project together with the
 * newest @pulumi/* releases the peer ranges allow, and run a program that composes Network, EksCluster,
 * PostgresDatabase and IrsaRole under mocks — once as plain JavaScript compiled with strict consumer settings
 * (noUncheckedIndexedAccess, exactOptionalPropertyTypes, nodenext resolution through the exports map), once
 * through the ts-node that @pulumi/pulumi's language host registers (type-checked, as `pulumi up` would).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
let work: string;
let tarball: string;
let contents: string[];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: "false" } });
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "runbook-consumer-"));
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], ROOT).replace(/^[^[]*/s, ""));
  tarball = path.join(work, packed[0].filename);
  contents = packed[0].files.map((f: { path: string }) => f.path);
  const peers = manifest.peerDependencies as Record<string, string>;
  fs.writeFileSync(
    path.join(work, "package.json"),
    JSON.stringify({ name: "consumer", version: "1.0.0", private: true, dependencies: { "runbook-infra": `file:${tarball}`, ...peers, typescript: manifest.devDependencies.typescript } }, null, 2),
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], work);
  for (const file of ["index.ts", "tsconfig.json", "run-under-mocks.js"]) fs.copyFileSync(path.join(__dirname, "consumer", file), path.join(work, file));
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the built JavaScript, declarations, maps, the scripts the CronJobs mount and the docs — nothing else", () => {
  for (const file of ["dist/components/index.js", "dist/components/index.d.ts", "dist/components/network.js", "dist/components/network.d.ts", "dist/components/network.js.map", "dist/core/errors.js", "scripts/backup/pg-backup.sh", "scripts/monitoring/monitoring-role.sql", "scripts/maintenance/pg-maintenance.sh", "README.md", "LICENSE", "CHANGELOG.md", "package.json"])
    expect(contents).toContain(file);
  const outside = contents.filter((f) => !/^(dist\/(core|components|monitoring)\/|scripts\/backup\/[^/]+\.sh$|scripts\/monitoring\/[^/]+\.(sh|sql)$|scripts\/maintenance\/[^/]+\.sh$|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(f));
  expect(outside).toEqual([]);
  expect(contents.some((f) => /^(test|docs|examples|stacks|preview|policies|\.github)\//.test(f))).toBe(false);
});

test("every component has its own entry (`runbook-infra/<file>`) that resolves to a shipped file, plus the barrel", () => {
  const components = fs.readdirSync(path.join(ROOT, "components")).filter((f) => f.endsWith(".ts") && f !== "index.ts").map((f) => f.slice(0, -3));
  const script = `for (const n of ${JSON.stringify(["", ...components])}) console.log(require.resolve(n ? "runbook-infra/" + n : "runbook-infra"))`;
  const resolved = run(process.execPath, ["-e", script], work).trim().split("\n");
  expect(resolved.map((f) => path.relative(path.join(work, "node_modules/runbook-infra"), f))).toEqual([
    "dist/components/index.js",
    ...components.map((n) => `dist/components/${n}.js`),
  ]);
  for (const n of components) expect(contents).toContain(`dist/components/${n}.d.ts`);
});

test("peer dependencies: the newest @pulumi/pulumi the range allows is what got installed, and only one copy", () => {
  const installed = JSON.parse(fs.readFileSync(path.join(work, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version as string;
  const newest = run("npm", ["view", `@pulumi/pulumi@${manifest.peerDependencies["@pulumi/pulumi"]}`, "version", "--json"], work);
  const versions = [JSON.parse(newest)].flat() as string[];
  expect(installed).toBe(versions[versions.length - 1]);
  expect(fs.existsSync(path.join(work, "node_modules/runbook-infra/node_modules/@pulumi/pulumi"))).toBe(false);
});

test("importing the package registers nothing (no side effects without a Pulumi engine)", () => {
  const out = run(process.execPath, ["-e", 'require("runbook-infra"); require("runbook-infra/network"); require("runbook-infra/postgres-database"); console.log("imported")'], work);
  expect(out.trim()).toBe("imported");
});

function expectProgramRan(stdout: string): void {
  const result = JSON.parse(stdout.trim().split("\n").pop()!);
  for (const type of ["runbook:network:Network", "runbook:eks:EksCluster", "runbook:data:PostgresDatabase", "runbook:iam:IrsaRole", "aws:ec2/vpc:Vpc", "aws:eks/cluster:Cluster", "aws:rds/instance:Instance", "aws:iam/role:Role"])
    expect(result.types).toContain(type);
  expect(result.outputs.clusterName).toBe("shop");
  expect(result.outputs.databaseEndpoint).toMatch(/rds\.amazonaws\.com/);
  expect(result.outputs.subnet).toEqual(expect.any(String));
}

test("plain node on the JavaScript that tsc compiled with strict consumer settings", () => {
  run(process.execPath, [path.join(work, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], work);
  expectProgramRan(run(process.execPath, ["run-under-mocks.js", "bin/index.js"], work));
}, 120_000);

test("the Pulumi CLI's own TypeScript loader (ts-node as the language host registers it, type-checked)", () => {
  expectProgramRan(run(process.execPath, ["run-under-mocks.js", "--ts", "index.ts"], work));
}, 120_000);
