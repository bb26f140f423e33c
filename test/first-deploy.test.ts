/**
 * Issue 14, "works on the first real pulumi up": the EKS cluster's access entries, deploy path,
 * StorageClass and create order; zones by ID; the versions table; and the config rules that refuse
 * each class of mistake before any resource is registered (a bad value and a good one for each).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { parse as parseYaml } from "yaml";
import * as aws from "@pulumi/aws";
import { EksCluster } from "../components/eks-cluster";
import { Network } from "../components/network";
import { accountZones } from "../preview/mocks";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile, LoadedStack } from "../preview/stack-files";
import { DEFAULT_VERSIONS, AWS_CLI_IMAGE, KUBECTL_IMAGE, POSTGRES_CLIENT_IMAGES, VERSIONS, acceptedVersions, supportStatus } from "../core/versions";
import { bucketNameProblem, globalBucketName, namePrefix } from "../core/names";
import { planOf } from "./support/plan";

const baseArgs = {
  clusterName: "stock-analysis-production",
  vpcId: "vpc-123",
  privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  nodeGroups: [{ name: "general", minSize: 5, maxSize: 20, desiredSize: 8 }],
};
const access = {
  admins: ["role/platform-admins"],
  deployRole: "arn:aws:iam::111122223333:role/ci/stock-analysis-deploy",
  readOnly: ["role/oncall-readonly"],
  groups: [{ principal: "role/stock-analysis-dr-operators", kubernetesGroups: ["stock-analysis-dr-operators"] }],
};

describe("EksCluster on a first pulumi up", () => {
  let plan: Awaited<ReturnType<typeof planOf>>;
  beforeAll(async () => {
    plan = await planOf(() => new EksCluster("cluster", { ...baseArgs, access, deployPath: { mode: "privateRunner", runnerCidrs: ["10.100.0.0/24"] }, storageReclaimPolicy: "Retain" }));
  });
  const urnOf = (type: string, name: string) => plan.one(type, name).urn;

  it("gives admins and the CI deploy role cluster admin, on-call read-only, and operators only their groups; the creator nothing hidden", () => {
    const cluster = plan.one("aws:eks/cluster:Cluster").inputs as any;
    expect(cluster.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    const entries = Object.fromEntries(plan.ofType("aws:eks/accessEntry:AccessEntry").map((e) => [e.inputs.principalArn, e.inputs.kubernetesGroups ?? []]));
    // role/<name> is expanded in the deploying account; a full ARN (with path) is kept as written.
    expect(entries).toEqual({
      "arn:aws:iam::123456789012:role/platform-admins": [],
      "arn:aws:iam::111122223333:role/ci/stock-analysis-deploy": [],
      "arn:aws:iam::123456789012:role/oncall-readonly": [],
      "arn:aws:iam::123456789012:role/stock-analysis-dr-operators": ["stock-analysis-dr-operators"],
    });
    const policies = Object.fromEntries(plan.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => [a.inputs.principalArn, [a.inputs.policyArn, (a.inputs.accessScope as any).type]]));
    expect(policies).toEqual({
      "arn:aws:iam::123456789012:role/platform-admins": ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster"],
      "arn:aws:iam::111122223333:role/ci/stock-analysis-deploy": ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster"],
      "arn:aws:iam::123456789012:role/oncall-readonly": ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "cluster"],
    });
  });

  it("opens 443 on the cluster security group to the private runners, and keeps the endpoint private", () => {
    expect((plan.one("aws:eks/cluster:Cluster").inputs as any).vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
    const rule = plan.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "deploy-path").inputs as any;
    expect(rule).toMatchObject({ cidrIpv4: "10.100.0.0/24", ipProtocol: "tcp", fromPort: 443, toPort: 443 });
    expect(rule.securityGroupId).toMatch(/^sg-/);
  });

  it("creates an encrypted gp3 default StorageClass with its own KMS key, which the EBS CSI role may use", () => {
    const sc = plan.one("kubernetes:storage.k8s.io/v1:StorageClass").inputs as any;
    const key = plan.one("aws:kms/key:Key", "volumes");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(sc).toMatchObject({ provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true, reclaimPolicy: "Retain", parameters: { type: "gp3", encrypted: "true" } });
    expect(sc.metadata).toEqual({ name: "gp3-encrypted", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } });
    expect(sc.parameters.kmsKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    const policy = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy", "ebs-csi-kms").inputs.policy as string);
    expect(policy.Statement.map((s: any) => s.Resource)).toEqual([sc.parameters.kmsKeyId, sc.parameters.kmsKeyId]);
    expect(policy.Statement[0].Condition).toEqual({ Bool: { "kms:GrantIsForAWSResource": "true" } });
  });

  it("creates the CNI and kube-proxy before the nodes, coredns and EBS CSI after them, and workloads after all of it", () => {
    const group = plan.one("aws:eks/nodeGroup:NodeGroup");
    expect(group.dependencies).toEqual(expect.arrayContaining([urnOf("aws:eks/addon:Addon", "vpc-cni"), urnOf("aws:eks/addon:Addon", "kube-proxy")]));
    expect(plan.one("aws:eks/addon:Addon", "vpc-cni").dependencies).not.toContain(group.urn);
    expect(plan.one("aws:eks/addon:Addon", "coredns").dependencies).toContain(group.urn);
    expect(plan.one("aws:eks/addon:Addon", "aws-ebs-csi-driver").dependencies).toContain(group.urn);
    const providers = Object.fromEntries(plan.ofType("pulumi:providers:kubernetes").map((p) => [p.name, p.dependencies]));
    const adminAssociations = plan.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((a) => String(a.inputs.policyArn).endsWith("AdminPolicy")).map((a) => a.urn);
    // Every Kubernetes call waits until the principal running `pulumi up` has its entry.
    expect(providers["cluster-k8s"]).toEqual(expect.arrayContaining(adminAssociations));
    expect(providers["cluster-k8s"]).not.toContain(group.urn);
    expect(providers["cluster-k8s-workloads"]).toEqual(expect.arrayContaining([...adminAssociations, group.urn, urnOf("aws:eks/addon:Addon", "coredns"), urnOf("aws:eks/addon:Addon", "aws-ebs-csi-driver")]));
  });

  it("opens the public endpoint to listed runner CIDRs only for mode publicRunnerCidrs, and adds no ingress rule", async () => {
    const p = await planOf(() => new EksCluster("cluster", { ...baseArgs, access, deployPath: { mode: "publicRunnerCidrs", runnerCidrs: ["198.51.100.16/28"] } }));
    expect((p.one("aws:eks/cluster:Cluster").inputs as any).vpcConfig).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.16/28"] });
    expect(p.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toHaveLength(0);
  });

  it("keeps EKS's creator-admin bootstrap when no principal is named (component default), and refuses impossible access", async () => {
    const p = await planOf(() => new EksCluster("cluster", baseArgs));
    expect((p.one("aws:eks/cluster:Cluster").inputs as any).accessConfig.bootstrapClusterCreatorAdminPermissions).toBe(true);
    expect(p.ofType("aws:eks/accessEntry:AccessEntry")).toHaveLength(0);
    await planOf(() => {
      expect(() => new EksCluster("a", { ...baseArgs, access: { admins: ["role/x"], readOnly: ["role/x"] } })).toThrow(/^test: EksCluster.access: "role\/x" — must name each principal once/);
      expect(() => new EksCluster("b", { ...baseArgs, access: { bootstrapCreatorAdmin: false } })).toThrow(/EksCluster.access: .* — must name an admin or deployRole/);
      expect(() => new EksCluster("c", { ...baseArgs, access: { admins: ["arn:aws:sts::123456789012:assumed-role/admin/me"] } })).toThrow(/must name IAM roles or users/);
      expect(() => new EksCluster("d", { ...baseArgs, access: { admins: ["role/x"], groups: [{ principal: "role/y", kubernetesGroups: ["system:masters"] }] } })).toThrow(/"system:masters" — must not start with "system:"/);
    });
  });
});

describe("Network zones by ID", () => {
  it("places subnets by zone ID and never in a zone ID EKS refuses", async () => {
    const plan = await planOf(() => new Network("net", { clusterName: "demo", availabilityZoneCount: 5 }), { region: "us-east-1" });
    const ids = plan.ofType("aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as any).tier === "private").map((s) => s.inputs.availabilityZoneId);
    expect(new Set(ids).size).toBe(5);
    expect(ids).not.toContain("use1-az3");
    expect(accountZones("us-east-1").map((z) => z.id)).toContain("use1-az3"); // the region has it; the lookup left it out
  });

  it("may use every zone for a VPC without a cluster", async () => {
    const plan = await planOf(() => new Network("net", { availabilityZoneCount: 6 }), { region: "us-east-1" });
    expect(plan.ofType("aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZoneId)).toContain("use1-az3");
  });

  it("answers like AWS: names and zone IDs do not line up one-to-one by letter", () => {
    const zones = accountZones("us-east-1");
    expect(zones.some((z, i) => z.id !== `use1-az${i + 1}`)).toBe(true);
    expect(accountZones("ap-southeast-2")[0].id).toMatch(/^apse2-az\d$/);
  });
});

describe("versions table (core/versions.ts)", () => {
  const DAY = "2026-11-30";
  it("judges EKS by AWS's calendar: 1.31 ended, 1.32/1.33 extended, 1.34 ending, 1.35 standard", () => {
    expect(supportStatus("eks", "1.31", DAY)).toMatchObject({ status: "ended", summary: "EKS 1.31: support ended 2026-11-26" });
    expect(supportStatus("eks", "1.32", DAY).status).toBe("extended");
    expect(supportStatus("eks", "1.33", DAY).status).toBe("extended");
    expect(supportStatus("eks", "1.34", DAY)).toMatchObject({ status: "ending", summary: "EKS 1.34: standard support ends 2026-12-02" });
    expect(supportStatus("eks", "1.35", DAY)).toMatchObject({ status: "standard", summary: "EKS 1.35: standard support until 2027-03-27" });
    expect(acceptedVersions("eks", DAY)).toEqual(["1.32", "1.33", "1.34", "1.35"]);
    expect(supportStatus("eks", "1.20", DAY).status).toBe("unknown");
  });

  it("defaults to versions in standard support: EKS 1.35, PostgreSQL 16 (17 offered), Redis OSS 7.1, Valkey 8.1", () => {
    expect(supportStatus("eks", DEFAULT_VERSIONS.eks, DAY).status).toBe("standard");
    expect(supportStatus("postgres", DEFAULT_VERSIONS.postgres, DAY).status).toBe("standard");
    expect(supportStatus("postgres", "17.2", DAY)).toMatchObject({ status: "standard", summary: "RDS PostgreSQL 17.2: standard support until 2030-02-28" });
    expect(supportStatus("postgres", "13", DAY).status).toBe("extended");
    expect(supportStatus("redis", DEFAULT_VERSIONS.redis, DAY).status).toBe("standard");
    expect(supportStatus("redis", "6.2", DAY).status).toBe("ending");
    expect(supportStatus("valkey", DEFAULT_VERSIONS.valkey, DAY).status).toBe("standard");
  });

  it("runs the job images on supported bases (no Amazon Linux 2, no Debian bookworm), each one in the table", () => {
    for (const image of [AWS_CLI_IMAGE, KUBECTL_IMAGE, ...Object.values(POSTGRES_CLIENT_IMAGES)]) expect([image, supportStatus("image", image, DAY).status]).toEqual([image, "standard"]);
    expect(supportStatus("image", "amazon/aws-cli:2.17.50", DAY).status).toBe("ended");
    expect(supportStatus("image", "postgres:16.6-bookworm", DAY).status).toBe("extended");
  });

  it("keeps one row per version and only ISO dates in order", () => {
    const keys = VERSIONS.map((v) => `${v.kind}/${v.name}/${v.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const v of VERSIONS) {
      for (const d of [v.released, v.standardEnds, v.extendedEnds]) if (d) expect(d).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (v.standardEnds && v.extendedEnds) expect(v.standardEnds < v.extendedEnds).toBe(true);
    }
  });
});

describe("names (core/names.ts)", () => {
  it("starts every name with <system>-<stack> and makes bucket names unique with account and region", () => {
    expect(namePrefix("stock-analysis", "production")).toBe("stock-analysis-production");
    expect(globalBucketName("stock-analysis-production", "backups", "123456789012", "us-east-1")).toBe("stock-analysis-production-backups-123456789012-us-east-1");
    expect(bucketNameProblem("stock-analysis-production", "backups", "ap-southeast-2")).toBeUndefined();
    expect(bucketNameProblem("a-very-long-system-name-x-production", "backups", "ap-southeast-2")).toMatch(/72 characters long; S3 allows 63 \(shorten the system name\)$/);
  });
});

describe("stack config: access, deploy path and system, refused before any resource is registered", () => {
  const root = path.join(__dirname, "..");
  const production = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
  const staging = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.staging.yaml"));
  type Raw = Record<string, string>;
  const edit = (raw: Raw, key: string, change: (v: any) => void): Raw => {
    const value = JSON.parse(raw[`runbook-infra:${key}`]);
    change(value);
    return { ...raw, [`runbook-infra:${key}`]: JSON.stringify(value) };
  };
  const parse = (stack: LoadedStack, raw: Raw) => parseStackConfig(stack.stack, raw, new Set(stack.secretKeys));

  const rejected: Array<[string, () => LoadedStack, (r: Raw) => Raw, RegExp]> = [
    ["production without admins", production, (r) => edit(r, "cluster", (c) => (c.access.admins = [])), /^production: runbook-infra:cluster.access.admins: \[\] — must list at least one admin principal in production/],
    ["production without the deploy role", production, (r) => edit(r, "cluster", (c) => delete c.access.deployRole), /^production: runbook-infra:cluster.access.deployRole: \(missing\) — must be set in production/],
    ["production relying on the creator", production, (r) => edit(r, "cluster", (c) => (c.access.bootstrapCreatorAdmin = true)), /^production: runbook-infra:cluster.access.bootstrapCreatorAdmin: true — must be false in production/],
    ["an STS session ARN", staging, (r) => edit(r, "cluster", (c) => (c.access.admins = ["arn:aws:sts::123456789012:assumed-role/admin/me"])), /^staging: runbook-infra:cluster.access.admins\[0\]: "arn:aws:sts::123456789012:assumed-role\/admin\/me" — must be an IAM role or user/],
    ["one principal twice", staging, (r) => edit(r, "cluster", (c) => (c.access.readOnly = ["role/platform-admins"])), /^staging: runbook-infra:cluster.access.readOnly\[0\]: "role\/platform-admins" — must appear once across cluster.access; already given at cluster.access.admins.0$/],
    ["a system: group", staging, (r) => edit(r, "cluster", (c) => (c.access.groups = [{ principal: "role/ops", kubernetesGroups: ["system:masters"] }])), /^staging: runbook-infra:cluster.access.groups\[0\].kubernetesGroups\[0\]: "system:masters" — must be a Kubernetes group name not starting with "system:"/],
    ["a DR operator group nobody is mapped to", production, (r) => edit(r, "cluster", (c) => (c.access.groups = [])), /^production: runbook-infra:dr.operatorGroup: "stock-analysis-dr-operators" — must be mapped to a principal in cluster.access.groups/],
    ["an application operator group nobody is mapped to", production, (r) => edit(r, "application", (a) => (a.operators = { group: "stock-analysis-operators" })), /^production: runbook-infra:application.operators.group: "stock-analysis-operators" — must be mapped to a principal in cluster.access.groups/],
    ["a private endpoint with no deploy path in production", production, (r) => edit(r, "cluster", (c) => delete c.deployPath), /^production: runbook-infra:cluster.deployPath: \(missing\) — must say how `pulumi up` reaches the private API endpoint/],
    ["a public CIDR for a private runner", production, (r) => edit(r, "cluster", (c) => (c.deployPath.runnerCidrs = ["203.0.113.0/24"])), /^production: runbook-infra:cluster.deployPath.runnerCidrs\[0\]: "203.0.113.0\/24" — must be a private range/],
    ["a private CIDR for public runners", staging, (r) => edit(r, "cluster", (c) => (c.deployPath = { mode: "publicRunnerCidrs", runnerCidrs: ["10.0.0.0/8"] })), /^staging: runbook-infra:cluster.deployPath.runnerCidrs\[0\]: "10.0.0.0\/8" — must be a public egress range/],
    ["a provider's whole range in production", production, (r) => edit(r, "cluster", (c) => (c.deployPath = { mode: "publicRunnerCidrs", runnerCidrs: ["20.0.0.0/11"] })), /^production: runbook-infra:cluster.deployPath.runnerCidrs\[0\]: "20.0.0.0\/11" — must be \/24 or narrower in production/],
    ["an unknown deploy mode", staging, (r) => edit(r, "cluster", (c) => (c.deployPath.mode = "vpn")), /^staging: runbook-infra:cluster.deployPath.mode: "vpn" — must be one of privateRunner, publicRunnerCidrs$/],
    ["production without a system", production, (r) => { const { "runbook-infra:system": _, ...rest } = edit(r, "tags", (t) => delete t.system); return rest; }, /^production: runbook-infra:system: \(missing\) — must be set in production/],
    ["a system name too long for a bucket", production, (r) => ({ ...edit(r, "tags", (t) => delete t.system), "runbook-infra:system": "stock-analysis-platform1" }), /^production: runbook-infra:system: "stock-analysis-platform1" — makes the bucket name .* 66 characters long; S3 allows 63/],
  ];
  it.each(rejected)("rejects %s", (_what, stack, change, expected) => {
    const s = stack();
    let message = "";
    try {
      parse(s, change(s.config));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(expected);
    expect(message).not.toContain("\n");
  });

  it("rejects a system name that makes the cache's replication group id longer than AWS allows (40)", () => {
    const s = staging();
    const { "runbook-infra:backups": _, ...raw }: Record<string, string> = { ...s.config, "runbook-infra:system": "stock-analysis-platform1" };
    expect(() => parseStackConfig("performance", raw, new Set(s.secretKeys))).toThrow(
      /^performance: runbook-infra:system: "stock-analysis-platform1" — makes the ElastiCache replication group id "stock-analysis-platform1-performance-redis" 42 characters long; AWS allows 40 \(shorten the system name\)$/,
    );
    expect(() => parseStackConfig("perf", raw, new Set(s.secretKeys))).not.toThrow();
  });

  it("accepts the stack files, staging on EKS's creator bootstrap without named principals, and runners with fixed public IPs", () => {
    const p = production();
    expect(parse(p, p.config).cluster.access.admins).toEqual(["role/platform-admins"]);
    const s = staging();
    expect(() => parse(s, edit(s.config, "cluster", (c) => (c.access = {})))).not.toThrow();
    expect(() => parse(s, edit(s.config, "cluster", (c) => delete c.deployPath))).not.toThrow(); // advisory in the pack outside production
    expect(parse(p, edit(p.config, "cluster", (c) => (c.deployPath = { mode: "publicRunnerCidrs", runnerCidrs: ["198.51.100.16/28"] }))).cluster.deployPath?.mode).toBe("publicRunnerCidrs");
    expect(parse(p, { ...p.config, "runbook-infra:system": "stock-analysis" }).system).toBe("stock-analysis");
  });
});

describe("the deploy path in the workflows (.github/workflows)", () => {
  const root = path.join(__dirname, "..");
  const workflow = (name: string) => parseYaml(fs.readFileSync(path.join(root, ".github", "workflows", name), "utf8"));
  const labelsOf = (stack: string) => {
    const file = loadStackFile("runbook-infra", path.join(root, `Pulumi.${stack}.yaml`));
    return parseStackConfig(stack, file.config, new Set(file.secretKeys)).cluster.deployPath?.runnerLabels;
  };

  it.each(["staging", "production"])("runs pulumi up for %s on the runners its stack file declares, after checking they reach the API", (stack) => {
    const deploy = workflow("deploy.yml");
    const job = Object.values(deploy.jobs as Record<string, any>).find((j) => String(j.name).startsWith(`pulumi up (${stack}`));
    expect(job["runs-on"]).toEqual(labelsOf(stack));
    const steps = job.steps.map((s: any) => s.run ?? s.uses);
    const preflight = steps.indexOf(`node scripts/deploy-preflight.mjs ${stack}`);
    expect(preflight).toBeGreaterThan(-1);
    expect(preflight).toBeLessThan(steps.findIndex((s: string) => s?.startsWith("pulumi/actions")));
  });

  it("previews pull requests in the cloud on the same runners, per stack", () => {
    const job = workflow("pull-request.yml").jobs["cloud-preview"];
    expect(job["runs-on"]).toBe(`\${{ fromJSON(format('["self-hosted","linux","runbook-deploy-{0}"]', matrix.stack)) }}`);
    for (const stack of ["staging", "production"]) expect(labelsOf(stack)).toEqual(["self-hosted", "linux", `runbook-deploy-${stack}`]);
  });
});

describe("scripts/deploy-preflight.mjs (the deploy job's first step)", () => {
  const root = path.join(__dirname, "..");
  /** Runs the script with a fake `aws` that answers describe-cluster the way `answer` says. */
  const run = (answer: string) => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-aws-"));
    fs.writeFileSync(path.join(bin, "aws"), `#!/bin/sh\n${answer}\n`, { mode: 0o755 });
    const result = spawnSync(process.execPath, ["scripts/deploy-preflight.mjs", "production"], { cwd: root, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 30_000 });
    fs.rmSync(bin, { recursive: true, force: true });
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  };

  it("lets the first deploy through when the cluster does not exist yet", () => {
    const r = run(`echo "An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation" >&2; exit 254`);
    expect(r.status).toBe(0);
    expect(r.out).toContain("cluster stock-analysis-production does not exist yet");
  });

  it("passes when the endpoint accepts a connection, and fails naming the deploy path when it does not", async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    const open = run(`echo https://127.0.0.1:${port}`);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(open.status).toBe(0);
    expect(open.out).toContain(`127.0.0.1:${port} is reachable from this runner`);
    const closed = run(`echo https://127.0.0.1:${port}`);
    expect(closed.status).toBe(1);
    expect(closed.out).toMatch(/cannot reach 127.0.0.1:\d+ \(cluster stock-analysis-production\)\. Run the job on the runners of cluster.deployPath \(10.100.0.0\/24\)/);
  });
});

describe("the offline mocks refuse what AWS refuses", () => {
  const refused = async (make: () => unknown) => {
    try {
      await planOf(make);
      return "(accepted)";
    } catch (error) {
      return String((error as Error).message ?? error);
    }
  };

  it("a replication group id over 40 characters, an EKS version past its support, a cluster subnet in use1-az3", async () => {
    expect(await refused(() => new aws.elasticache.ReplicationGroup("g", { replicationGroupId: "stock-analysis-platform1-production-redis", description: "d" }))).toMatch(
      /ReplicationGroupId "stock-analysis-platform1-production-redis" is 41 characters; at most 40/,
    );
    expect(await refused(() => new aws.eks.Cluster("c", { roleArn: "arn:aws:iam::123456789012:role/r", version: "1.31", vpcConfig: { subnetIds: ["s"] } }))).toMatch(/unsupported Kubernetes version 1.31 \(EKS creates 1.32, 1.33, 1.34, 1.35\)/);
    expect(await refused(() => new aws.ec2.Subnet("s", { vpcId: "v", cidrBlock: "10.0.0.0/24", availabilityZoneId: "use1-az3", tags: { "kubernetes.io/cluster/demo": "shared" } }))).toMatch(/EKS does not create clusters in use1-az3/);
  });

  it("accepts the same resources within AWS's rules", async () => {
    expect(await refused(() => new aws.elasticache.ReplicationGroup("g", { replicationGroupId: "stock-analysis-production-redis", description: "d" }))).toBe("(accepted)");
    expect(await refused(() => new aws.ec2.Subnet("s", { vpcId: "v", cidrBlock: "10.0.0.0/24", availabilityZoneId: "use1-az3" }))).toBe("(accepted)");
  });
});
