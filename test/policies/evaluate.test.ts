/**
 * The offline evaluator calls policies the way @pulumi/policy's analyzer does, and applies levels,
 * config and environment the way `pulumi preview --policy-pack ... --policy-pack-config ...` would.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluatePlan, loadPackConfig, PlanError } from "../../policies/evaluate";
import { compliantPlan, one, urnOf } from "./fixtures";

const DB = "aws:rds/instance:Instance";

function unencrypted() {
  const plan = compliantPlan();
  one(plan, DB).inputs.storageEncrypted = false;
  one(plan, DB).inputs.multiAz = false;
  return plan;
}

describe("evaluatePlan", () => {
  it("gives resource policies the analyzer's arguments", () => {
    const seen: Record<string, unknown>[] = [];
    const probe: ResourceValidationPolicy = {
      name: "probe",
      description: "records its arguments",
      enforcementLevel: "advisory",
      configSchema: { properties: { threshold: { type: "integer" } } },
      validateResource: (args, report) => {
        if (args.type !== DB) return;
        seen.push({ type: args.type, name: args.name, urn: args.urn, encrypted: args.props.storageEncrypted, parent: args.opts.parent, protect: args.opts.protect, tag: args.stackTags.get("environment"), config: args.getConfig(), isType: typeof args.isType, asType: typeof args.asType });
        report("seen");
      },
    };
    const violations = evaluatePlan(compliantPlan(), { policies: [probe], config: { probe: { enforcementLevel: "mandatory", threshold: 3 } } });
    expect(seen).toEqual([{ type: DB, name: "database-instance", urn: urnOf(DB, "database-instance"), encrypted: true, parent: undefined, protect: false, tag: "production", config: { threshold: 3 }, isType: "function", asType: "function" }]);
    expect(violations).toEqual([{ policy: "probe", level: "mandatory", urn: urnOf(DB, "database-instance"), message: "seen" }]);
  });

  it("gives stack policies linked resources, including the provider a resource was created with", () => {
    let drKeyProvider: string | undefined;
    let replicationDependsOnDb = false;
    const probe: StackValidationPolicy = {
      name: "stack-probe",
      description: "records links",
      enforcementLevel: "advisory",
      validateStack: (args) => {
        drKeyProvider = args.resources.find((r) => r.name === "database-dr-key")?.provider?.name;
        replicationDependsOnDb = !!args.resources.find((r) => r.name === "database-dr-backups")?.dependencies.some((d) => d.type === DB);
      },
    };
    expect(evaluatePlan(compliantPlan(), { policies: [probe] })).toEqual([]);
    expect(drKeyProvider).toBe("dr-region");
    expect(replicationDependsOnDb).toBe(true);
  });

  it("treats notApplicable() as no finding", () => {
    const skip: ResourceValidationPolicy = { name: "skip", description: "never applies", enforcementLevel: "mandatory", validateResource: (args) => args.notApplicable("not here") };
    expect(evaluatePlan(compliantPlan(), { policies: [skip] })).toEqual([]);
  });

  it("lets pack config disable a policy, lower it to advisory, or raise every policy with `all`", () => {
    expect(evaluatePlan(unencrypted(), { config: { "rds-storage-encrypted": "disabled" } }).map((v) => v.policy)).not.toContain("rds-storage-encrypted");
    expect(evaluatePlan(unencrypted(), { config: { "rds-storage-encrypted": { enforcementLevel: "advisory" } } }).find((v) => v.policy === "rds-storage-encrypted")?.level).toBe("advisory");
    const plan = compliantPlan();
    one(plan, DB).inputs.iamDatabaseAuthenticationEnabled = false;
    expect(evaluatePlan(plan).find((v) => v.policy === "rds-iam-authentication")?.level).toBe("advisory");
    expect(evaluatePlan(plan, { config: { all: "mandatory" } }).find((v) => v.policy === "rds-iam-authentication")?.level).toBe("mandatory");
  });

  it("reads policy properties from config, with the schema's defaults otherwise", () => {
    const plan = compliantPlan();
    one(plan, DB).inputs.backupRetentionPeriod = 14;
    expect(evaluatePlan(plan).filter((v) => v.policy === "rds-backup-retention")).toEqual([]);
    const strict = evaluatePlan(plan, { config: { "rds-backup-retention": { minimumDays: 30 } } }).filter((v) => v.policy === "rds-backup-retention");
    expect(strict.map((v) => [v.level, v.message])).toEqual([["mandatory", "backupRetentionPeriod is 14, below 30"]]);
  });

  it("makes graded policies mandatory in staging when configured with mandatoryIn", () => {
    const plan = unencrypted();
    plan.environment = "staging";
    expect(evaluatePlan(plan).find((v) => v.policy === "rds-multi-az")?.level).toBe("advisory");
    expect(evaluatePlan(plan, { config: { "rds-multi-az": { mandatoryIn: ["production", "staging"] } } }).find((v) => v.policy === "rds-multi-az")?.level).toBe("mandatory");
  });

  it("takes the environment from the option, then the plan, then resource tags, then the stack name, else production", () => {
    const level = (plan: ReturnType<typeof compliantPlan>, options = {}) => evaluatePlan(plan, options).find((v) => v.policy === "rds-multi-az")?.level;
    const plan = unencrypted();
    expect(level(plan)).toBe("mandatory");
    expect(level(plan, { environment: "staging" })).toBe("advisory");
    // Policy config wins over everything.
    expect(level(plan, { environment: "staging", config: { "rds-multi-az": { environment: "production" } } })).toBe("mandatory");
    delete plan.environment;
    one(plan, DB).inputs.tags.environment = "development";
    expect(level(plan)).toBe("advisory");
    delete one(plan, DB).inputs.tags.environment;
    expect(level(plan)).toBe("mandatory");
    const staging = JSON.parse(JSON.stringify(plan).replace(/urn:pulumi:production::/g, "urn:pulumi:staging::"));
    expect(level(staging)).toBe("advisory");
    const unknown = JSON.parse(JSON.stringify(plan).replace(/urn:pulumi:production::/g, "urn:pulumi:sandbox-7::"));
    expect(level(unknown)).toBe("mandatory");
  });

  it("lists mandatory violations before advisory ones", () => {
    const plan = unencrypted();
    one(plan, DB).inputs.iamDatabaseAuthenticationEnabled = false;
    const levels = evaluatePlan(plan, { environment: "staging" }).map((v) => v.level);
    expect(levels).toEqual([...levels].sort((a, b) => (a === b ? 0 : a === "mandatory" ? -1 : 1)));
    expect(levels).toContain("advisory");
    expect(levels).toContain("mandatory");
  });

  it("rejects a plan it cannot read with one line naming the problem", () => {
    expect(() => evaluatePlan({} as never)).toThrow(new PlanError("plan.resources: must be an array"));
    expect(() => evaluatePlan({ resources: [{ urn: "u", type: "", name: "n" }] } as never)).toThrow(/^plan.resources\[0\].type: "" — must be a non-empty string$/);
    expect(() => evaluatePlan(compliantPlan(), { environment: "prod-eu" })).toThrow(/^environment: "prod-eu" — must be one of production, staging, development$/);
  });

  it("rejects pack config for a policy or setting the pack does not have", () => {
    expect(() => evaluatePlan(compliantPlan(), { config: { "rds-encryption": "mandatory" } })).toThrow(/^config: "rds-encryption" — no such policy in the pack$/);
    expect(() => evaluatePlan(compliantPlan(), { config: { "rds-backup-retention": { minimumDay: 30 } } })).toThrow(/^config.rds-backup-retention.minimumDay: not a setting of this policy \(it has environment, minimumDays\)$/);
    expect(() => evaluatePlan(compliantPlan(), { config: { all: "strict" as never } })).toThrow(/^config.all.enforcementLevel: "strict" — must be one of/);
  });

  it("keeps a policy pack config per stack whose settings all exist in the pack", () => {
    for (const environment of ["production", "staging"]) {
      const config = loadPackConfig(environment);
      expect(config).toBeDefined();
      expect(evaluatePlan(compliantPlan(), { environment, config })).toEqual([]);
    }
    expect(loadPackConfig("production")?.["rds-backup-retention"]).toEqual({ minimumDays: 30 });
    expect(loadPackConfig("development")).toBeUndefined();
  });

  it("runs the stack policies on an empty plan without findings", () => {
    const plan = compliantPlan();
    plan.resources = [];
    expect(evaluatePlan(plan)).toEqual([]);
  });
});

describe("matching a bucket's settings to the bucket", () => {
  const { references } = jest.requireActual("../../policies/rules/common") as typeof import("../../policies/rules/common");
  const bucket = (name: string, props: Record<string, unknown> = {}) => ({ type: "aws:s3/bucket:Bucket", name, urn: `urn:${name}`, props, dependencies: [], propertyDependencies: {} }) as any;
  const setting = (props: Record<string, unknown>, dependencies: any[] = [], propertyDependencies = {}) => ({ type: "aws:s3/bucketVersioning:BucketVersioning", name: "v", urn: "urn:v", props, dependencies, propertyDependencies }) as any;
  const primary = bucket("backups", { bucket: "prod-backups" });
  const replica = bucket("backups-replica");

  it("uses the analyzer's property dependencies first", () => {
    expect(references(setting({}, [primary, replica], { bucket: [replica] }), replica, "bucket", ["bucket"])).toBe(true);
    expect(references(setting({}, [primary, replica], { bucket: [replica] }), primary, "bucket", ["bucket"])).toBe(false);
  });

  it("matches the bucket input to the physical name or the auto-name", () => {
    expect(references(setting({ bucket: "prod-backups" }), primary, "bucket", ["bucket"])).toBe(true);
    expect(references(setting({ bucket: "backups-replica-1a2b3c4d" }), replica, "bucket", ["bucket"])).toBe(true);
    expect(references(setting({ bucket: "backups-replica-1a2b3c4d" }), primary, "bucket", ["bucket"])).toBe(false);
  });

  it("falls back to a dependency only when it names one bucket", () => {
    expect(references(setting({ bucket: "unknown-name" }, [primary]), primary, "bucket", ["bucket"])).toBe(true);
    // A replication config depends on its source and its destination: the dependency alone cannot tell which it configures.
    expect(references(setting({ bucket: "unknown-name" }, [primary, replica]), replica, "bucket", ["bucket"])).toBe(false);
  });
});

describe("recovery objectives after an update", () => {
  it("reads meetsTargets from the component's outputs when its inputs are not there", () => {
    const plan = compliantPlan();
    const ro = one(plan, "runbook:dr:RecoveryObjectives");
    ro.inputs = { targets: { rtoMinutes: 240, rpoMinutes: 60 }, meetsTargets: false };
    expect(evaluatePlan(plan).filter((v) => v.policy === "stack-recovery-objectives-met").map((v) => v.message)).toEqual(["the component reports meetsTargets: false"]);
    ro.inputs.meetsTargets = true;
    expect(evaluatePlan(plan).filter((v) => v.policy === "stack-recovery-objectives-met")).toEqual([]);
  });
});
