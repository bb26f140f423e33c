/**
 * DR activation as a reviewed config change (issue 18, runbook 001 "DR Site Activation"): the DR stack
 * stands by small, and `dr.active: true` is one key whose whole effect shows in the plan — the replica
 * promoted, the node group and the DR services at the runbook's sizes, nothing else.
 */
import * as path from "node:path";
import { loadStackFile, LoadedStack } from "../preview/stack-files";
import { parseStackConfig } from "../stacks/config/load";
import { main } from "../stacks/program";
import { siteConfig, standbyFootprint } from "../model/standby";
import { recoveryReport } from "../model/recovery-report";
import { PostgresReadReplica } from "../components/postgres-read-replica";
import { planOf, TestPlan } from "./support/plan";

const root = path.join(__dirname, "..");
const drStack = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production-dr.yaml"));
const RDS = "aws:rds/instance:Instance";
const NODES = "aws:eks/nodeGroup:NodeGroup";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";

function withDr(stack: LoadedStack, edit: (dr: any) => void): LoadedStack {
  const dr = JSON.parse(stack.config["runbook-infra:dr"]);
  edit(dr);
  return { ...stack, config: { ...stack.config, "runbook-infra:dr": JSON.stringify(dr) } };
}
const planFor = (stack: LoadedStack) => planOf(() => main(), { stack: stack.stack, config: stack.config, secretKeys: stack.secretKeys, region: "us-west-2" });
const hpaMin = (plan: TestPlan) => Object.fromEntries(plan.ofType(HPA).map((h) => [(h.inputs as any).spec.scaleTargetRef.name, (h.inputs as any).spec.minReplicas]));

describe("the DR site standing by and activated", () => {
  let standing: TestPlan;
  let active: TestPlan;
  beforeAll(async () => {
    standing = await planFor(drStack());
    active = await planFor(withDr(drStack(), (dr) => (dr.active = true)));
  });

  it("stands by small: 3 nodes, 2 replicas per DR service, the database a replica of production's in us-east-1", () => {
    expect((standing.one(NODES).inputs as any).scalingConfig).toEqual({ minSize: 3, desiredSize: 3, maxSize: 20 });
    expect(hpaMin(standing)).toEqual({ "stock-analysis-api": 2, "celery-worker": 2 });
    const db = standing.one(RDS).inputs as any;
    expect(db.replicateSourceDb).toBe("arn:aws:rds:us-east-1:123456789012:db:stock-analysis-production-postgres");
    expect(db).toMatchObject({ identifier: "stock-analysis-production-dr-postgres", storageEncrypted: true, backupRetentionPeriod: 7, multiAz: false, publiclyAccessible: false });
    expect(db.kmsKeyId).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(standing.outputs).toMatchObject({ drActive: false, standbyDatabase: "replica" });
  });

  it("activates with dr.active: true — promotes the replica, runs the node group 5/20/8 and the API and workers at 5", () => {
    const db = active.one(RDS).inputs as any;
    expect(db.replicateSourceDb).toBeUndefined();
    expect(db).toMatchObject({ multiAz: true, tags: expect.objectContaining({ role: "promoted-replica" }) });
    expect((active.one(NODES).inputs as any).scalingConfig).toEqual({ minSize: 5, desiredSize: 8, maxSize: 20 });
    expect(hpaMin(active)).toEqual({ "stock-analysis-api": 5, "celery-worker": 5 });
    expect(active.outputs).toMatchObject({ drActive: true, databasePromoted: true });
    // DNS is not part of the change: the primary's failover records already point here.
    expect(active.ofType("aws:route53/record:Record").filter((r) => (r.inputs as any).failoverRoutingPolicies)).toEqual([]);
  });

  it("changes nothing else: the diff is the database, the node group, the HPAs and the stack outputs", () => {
    const byUrn = new Map(standing.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
    expect(active.resources.map((r) => r.urn).sort()).toEqual([...byUrn.keys()].sort());
    const changed = active.resources.filter((r) => byUrn.get(r.urn) !== JSON.stringify(r.inputs)).map((r) => `${r.type}::${r.name}`);
    expect(changed.sort()).toEqual(
      [
        `${RDS}::standby-database-replica-instance`,
        `${NODES}::cluster-general`,
        `${HPA}::service-stock-analysis-api-hpa`,
        `${HPA}::service-celery-worker-hpa`,
        "runbook:dr:StandbyDatabase::standby-database",
      ].sort(),
    );
  });
});

describe("DR activation: the pure parts", () => {
  const config = () => parseStackConfig("production-dr", drStack().config, new Set(drStack().secretKeys));

  it("computes both sizes from one config", () => {
    const idle = siteConfig(config());
    expect(idle.cluster.nodeGroups[0]).toMatchObject({ minSize: 3, desiredSize: 3, maxSize: 20 });
    const on = siteConfig({ ...config(), dr: { ...config().dr!, active: true } });
    expect(on.cluster.nodeGroups[0]).toMatchObject({ minSize: 5, desiredSize: 8 });
    expect(on.application!.services.map((s) => s.minReplicas)).toEqual([5, 5]);
  });

  it("reports what the site costs standing by and what it buys", () => {
    expect(standbyFootprint(config())).toEqual({ nodes: [{ group: "general", count: 3, instanceType: "m5.xlarge" }], database: "db.r5.large read replica", cache: "2 × cache.r5.large", replicasPerService: 2 });
    const report = recoveryReport(config());
    expect(report.rows.map((r) => r.scenario)).toEqual(["primary region loss (this site takes over)"]);
    expect(report.meetsTargets).toBe(true);
    expect(report.standby!.join("\n")).toMatch(/standing by runs: 3 × m5\.xlarge \(general\); database: db\.r5\.large read replica[\s\S]*standing by buys: RPO 5 min instead of 20 min/);
  });

  const rejected: Array<[string, (dr: any) => void, RegExp]> = [
    ["activation with no database to take over", (dr) => Object.assign(dr, { active: true, standby: { database: "none" } }), /dr\.active: true — needs dr\.standby\.database replica or restore/],
    ["a replica without the primary stack's name", (dr) => delete dr.primaryStack, /dr\.primaryStack: \(missing\) — must name the primary stack/],
    ["a DR site in the primary's region", (dr) => (dr.primaryRegion = "us-west-2"), /dr\.primaryRegion: "us-west-2" — must differ from aws:region/],
    ["failover records in the DR stack", (dr) => (dr.records = { name: "api.stockanalysis.com" }), /dr\.records: .* — must not be set in a DR stack/],
  ];
  it.each(rejected)("rejects %s", (_, edit, error) => {
    const stack = withDr(drStack(), edit);
    expect(() => parseStackConfig(stack.stack, stack.config, new Set(stack.secretKeys))).toThrow(error);
  });

  it("accepts a DR site standing by with no database yet (its first deploy, before production exists)", () => {
    const stack = withDr(drStack(), (dr) => (dr.standby = { database: "none" }));
    expect(parseStackConfig(stack.stack, stack.config, new Set(stack.secretKeys)).dr!.standby.database).toBe("none");
  });

  it("refuses dr.active on a primary stack", () => {
    const stack = loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
    const dr = JSON.parse(stack.config["runbook-infra:dr"]);
    dr.active = true;
    expect(() => parseStackConfig(stack.stack, { ...stack.config, "runbook-infra:dr": JSON.stringify(dr) }, new Set(stack.secretKeys))).toThrow(/dr\.active: true — is for a DR stack \(role: dr\)/);
  });

  it("refuses to promote a replica without automated backups", async () => {
    await planOf(
      () =>
        expect(
          () => new PostgresReadReplica("dr-replica", { sourceDbInstanceArn: "arn", kmsKeyArn: "k", parameterGroupName: "p", subnetGroupName: "s", securityGroupIds: ["sg-1"], promote: true }),
        ).toThrow(/PostgresReadReplica\.promote: true — needs backupRetentionDays ≥ 1/),
      { stack: "production-dr" },
    );
  });
});
