/**
 * `--diff`: a base plan and a changed plan give exactly the expected create/update/replace/delete steps,
 * create-only inputs (one table, core/create-only.ts) make a replace, secrets show as [secret] only, and
 * the steps/changeSummary have the shape `pulumi preview --json` writes.
 */
import { CREATE_ONLY_INPUTS, forcesReplacement } from "../core/create-only";
import { diffPlans, renderDiff, renderDiffCounts, type DiffResource } from "../preview/diff";
import { previewDigestFields, previewStepSchema } from "./support/pulumi-preview-schema";

const STACK = "urn:pulumi:production::runbook-infra::";
const ROOT = `${STACK}pulumi:pulumi:Stack::runbook-infra-production`;
const DB_COMPONENT = `${STACK}pulumi:pulumi:Stack$runbook:data:PostgresDatabase::database`;

function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<DiffResource> = {}): DiffResource {
  const parent = extra.parent === undefined ? DB_COMPONENT : extra.parent;
  const parentType = parent === null ? "" : parent === ROOT ? "pulumi:pulumi:Stack$" : "runbook:data:PostgresDatabase$";
  return { urn: `${STACK}${parentType}${type}::${name}`, type, name, parent, custom: true, inputs, dependencies: [], ...extra };
}

function basePlan(): DiffResource[] {
  return [
    { urn: ROOT, type: "pulumi:pulumi:Stack", name: "runbook-infra-production", parent: null, custom: false, inputs: {} },
    { urn: DB_COMPONENT, type: "runbook:data:PostgresDatabase", name: "database", parent: ROOT, custom: false, inputs: {} },
    res("aws:rds/instance:Instance", "database-instance", { identifier: "runbook-infra-production-postgres", instanceClass: "db.r5.large", password: "[secret]", tags: { env: "production" } }, { secretDigests: { password: "aaaaaaaaaaaaaaaa" } }),
    res("aws:rds/parameterGroup:ParameterGroup", "database-params", { family: "postgres16", parameters: [{ name: "rds.force_ssl", value: "1" }] }),
    res("aws:kms/key:Key", "database-key", { enableKeyRotation: true }),
    res("aws:cloudwatch/logGroup:LogGroup", "database-log-upgrade", { name: "/aws/rds/instance/x/upgrade", retentionInDays: 365 }),
  ];
}

const byName = (plan: DiffResource[], name: string) => plan.find((r) => r.name === name)!;

describe("diffPlans", () => {
  it("gives exactly the expected steps for a changed plan", () => {
    const base = basePlan();
    const next = basePlan();
    byName(next, "database-instance").inputs.instanceClass = "db.r5.2xlarge"; // update
    byName(next, "database-params").inputs.family = "postgres17"; // create-only: replace
    next.splice(next.indexOf(byName(next, "database-log-upgrade")), 1); // delete
    next.push(res("aws:secretsmanager/secret:Secret", "database-credentials", { name: "rds/x/master" })); // create

    const diff = diffPlans(base, next);
    const ops = Object.fromEntries(diff.steps.map((s) => [s.urn.split("::").pop(), s.op]));
    expect(ops).toEqual({
      "runbook-infra-production": "same",
      database: "same",
      "database-instance": "update",
      "database-params": "replace",
      "database-key": "same",
      "database-credentials": "create",
      "database-log-upgrade": "delete",
    });
    expect(diff.changeSummary).toEqual({ same: 3, update: 1, replace: 1, create: 1, delete: 1 });
    expect(renderDiffCounts(diff)).toBe("1 to create, 1 to update, 1 to replace, 1 to delete, 2 unchanged");

    const update = diff.steps.find((s) => s.op === "update")!;
    expect(update.diffReasons).toEqual(["instanceClass"]);
    expect(update.detailedDiff).toEqual({ instanceClass: { kind: "update", inputDiff: true } });
    expect(update.oldState!.inputs.instanceClass).toBe("db.r5.large");
    expect(update.newState!.inputs.instanceClass).toBe("db.r5.2xlarge");

    const text = renderDiff(diff);
    expect(text).toContain('~  aws:rds/instance:Instance database-instance\n       instanceClass: "db.r5.large" → "db.r5.2xlarge"');
    expect(text).toContain("+- aws:rds/parameterGroup:ParameterGroup database-params  (replace: family)");
    expect(text).toContain("+  aws:secretsmanager/secret:Secret database-credentials");
    expect(text).toContain("-  aws:cloudwatch/logGroup:LogGroup database-log-upgrade");
    // Unchanged resources are counted, not listed.
    expect(text).not.toContain("database-key");
  });

  it("makes a rename of the RDS identifier a replace", () => {
    const next = basePlan();
    byName(next, "database-instance").inputs.identifier = "stock-analysis-production-postgres";
    const step = diffPlans(basePlan(), next).steps.find((s) => s.urn.endsWith("::database-instance"))!;
    expect(step.op).toBe("replace");
    expect(step.replaceReasons).toEqual(["identifier"]);
    expect(step.detailedDiff).toEqual({ identifier: { kind: "update-replace", inputDiff: true } });
  });

  it("shows a changed secret as [secret] only, and an unchanged one not at all", () => {
    const next = basePlan();
    byName(next, "database-instance").secretDigests = { password: "bbbbbbbbbbbbbbbb" };
    const diff = diffPlans(basePlan(), next);
    const step = diff.steps.find((s) => s.urn.endsWith("::database-instance"))!;
    expect(step.op).toBe("update");
    expect(step.diffReasons).toEqual(["password"]);
    const text = renderDiff(diff);
    expect(text).toContain("password: [secret] → [secret]");
    expect(text).not.toMatch(/aaaa|bbbb/);
    expect(JSON.stringify(diff.steps)).not.toMatch(/aaaa|bbbb/);
    expect(diffPlans(basePlan(), basePlan()).steps.every((s) => s.op === "same")).toBe(true);
  });

  it("lists added and removed nested inputs by path", () => {
    const next = basePlan();
    byName(next, "database-params").inputs.parameters = [{ name: "rds.force_ssl", value: "1" }, { name: "log_min_duration_statement", value: "500" }];
    delete byName(next, "database-instance").inputs.tags;
    const diff = diffPlans(basePlan(), next);
    const params = diff.changes.find((c) => c.name === "database-params")!;
    expect(params.op).toBe("update");
    expect(params.changes).toEqual([{ path: "parameters[1]", new: { name: "log_min_duration_statement", value: "500" }, replaces: false }]);
    const instance = diff.steps.find((s) => s.urn.endsWith("::database-instance"))!;
    expect(instance.detailedDiff).toEqual({ tags: { kind: "delete", inputDiff: true } });
  });

  it("treats a plan without a base as a first deployment: every resource is a create", () => {
    const diff = diffPlans([], basePlan());
    expect(diff.changeSummary).toEqual({ create: 6 });
    expect(diff.steps.every((s) => s.oldState === undefined && s.newState !== undefined)).toBe(true);
  });
});

describe("create-only inputs (core/create-only.ts)", () => {
  it("is one table keyed by well-formed type tokens", () => {
    for (const [type, paths] of Object.entries(CREATE_ONLY_INPUTS)) {
      expect(type).toMatch(/^(aws|kubernetes|random):[\w.\-/]+:\w+$/);
      expect(paths.length).toBeGreaterThan(0);
      expect(new Set(paths).size).toBe(paths.length);
    }
  });

  it.each([
    ["aws:rds/instance:Instance", "identifier", true],
    ["aws:rds/instance:Instance", "instanceClass", false],
    ["aws:rds/instance:Instance", "kmsKeyId", true],
    ["aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId", true],
    ["aws:elasticache/replicationGroup:ReplicationGroup", "nodeType", false],
    ["aws:eks/cluster:Cluster", "name", true],
    ["aws:eks/cluster:Cluster", "version", false],
    ["aws:eks/nodeGroup:NodeGroup", "instanceTypes[0]", true],
    ["aws:eks/nodeGroup:NodeGroup", "scalingConfig.desiredSize", false],
    ["aws:s3/bucket:Bucket", "bucket", true],
    ["aws:s3/bucket:Bucket", "tags.owner", false],
    ["kubernetes:core/v1:Namespace", "metadata.name", true],
    ["kubernetes:core/v1:Namespace", "metadata.labels.team", false],
    ["kubernetes:batch/v1:CronJob", "metadata.namespace", true],
    ["kubernetes:batch/v1:CronJob", "spec.schedule", false],
    ["random:index/randomPassword:RandomPassword", "length", true],
    ["aws:unknown/thing:Thing", "name", false],
  ])("%s %s → replace %s", (type, path, replaces) => {
    expect(forcesReplacement(type, path)).toBe(replaces);
  });
});

describe("Pulumi-shaped JSON", () => {
  it("validates against the fields of `pulumi preview --json` for every kind of step", () => {
    const next = basePlan();
    byName(next, "database-instance").inputs.instanceClass = "db.r5.2xlarge";
    byName(next, "database-params").inputs.family = "postgres17";
    next.pop();
    next.push(res("aws:secretsmanager/secret:Secret", "database-credentials", { name: "n" }, { provider: `${STACK}pulumi:pulumi:Stack$pulumi:providers:aws::dr-region::abc` }));
    const diff = diffPlans(basePlan(), next);
    expect(new Set(diff.steps.map((s) => s.op))).toEqual(new Set(["same", "update", "replace", "create", "delete"]));
    expect(() => previewDigestFields.parse({ steps: diff.steps, changeSummary: diff.changeSummary })).not.toThrow();
    // The schema is not a formality: a field the CLI does not write is refused.
    expect(() => previewStepSchema.parse({ ...diff.steps[0], operation: "create" })).toThrow();
  });
});
