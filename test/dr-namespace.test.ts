import * as k8s from "@pulumi/kubernetes";
import { DrNamespace, DrNamespaceArgs, DrRestoreArgs } from "../components/dr-namespace";
import { planOf } from "./support/plan";

/** The backup bucket's replica in us-west-2, as the backups step hands it over. */
const replica = (over: Partial<DrRestoreArgs> = {}): DrRestoreArgs => ({
  bucketName: "runbook-infra-production-backups-us-west-2",
  bucketArn: "arn:aws:s3:::runbook-infra-production-backups-us-west-2",
  kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/replica",
  region: "us-west-2",
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
  oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
  ...over,
});
const provider = () => new k8s.Provider("cluster", { kubeconfig: "offline" });
const args = (over: Partial<DrNamespaceArgs> = {}): DrNamespaceArgs => ({
  primaryNamespace: "stock-analysis-system",
  provider: provider(),
  services: [
    { name: "stock-analysis-api", replicas: 5, maxReplicas: 10, targetCpuUtilization: 70, podRequests: { cpu: "500m", memory: "1Gi" } },
    { name: "celery-worker", replicas: 5, podRequests: { cpu: "1", memory: "2Gi" } },
  ],
  operatorGroup: "stock-analysis-dr-operators",
  restore: replica(),
  ...over,
});
const plan = (over: Partial<DrNamespaceArgs> = {}) =>
  planOf(
    () => {
      new DrNamespace("dr", args(over));
    },
    { stack: "production" },
  );

describe("DrNamespace (runbook 001: scale the DR deployments to 5 in stock-analysis-system-dr, restore the latest backup)", () => {
  it("creates stock-analysis-system-dr with Pod Security restricted and the DR labels", async () => {
    const p = await plan();
    const ns = p.one("kubernetes:core/v1:Namespace").inputs as any;
    expect(ns.metadata.name).toBe("stock-analysis-system-dr");
    expect(ns.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/part-of": "runbook-infra",
      "runbook.dev/role": "dr",
      "runbook.dev/primary-namespace": "stock-analysis-system",
    });
    expect(p.one("runbook:dr:DrNamespace")).toBeDefined();
  });

  it("holds each DR service at 5 replicas with an HPA floor of 5 and a PDB", async () => {
    const p = await plan();
    const hpas = p.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => (h.inputs as any).spec);
    expect(hpas).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scaleTargetRef: expect.objectContaining({ kind: "Deployment", name: "stock-analysis-api" }), minReplicas: 5, maxReplicas: 10 }),
        // maxReplicas defaults to twice the DR scale; CPU 70 % when no target is given
        expect.objectContaining({ scaleTargetRef: expect.objectContaining({ name: "celery-worker" }), minReplicas: 5, maxReplicas: 10, metrics: [expect.objectContaining({ resource: expect.objectContaining({ name: "cpu", target: { type: "Utilization", averageUtilization: 70 } }) })] }),
      ]),
    );
    expect(hpas).toHaveLength(2);
    const pdbs = p.ofType("kubernetes:policy/v1:PodDisruptionBudget").map((r) => r.inputs as any);
    expect(pdbs.map((pdb) => pdb.spec.selector.matchLabels.app).sort()).toEqual(["celery-worker", "stock-analysis-api"]);
    for (const pdb of pdbs) expect(pdb.spec.maxUnavailable).toBe(1);
  });

  it("sizes the quota for every service at its maximum plus 25 % surge and the restore pod", async () => {
    const p = await plan();
    const hard = (p.one("kubernetes:core/v1:ResourceQuota").inputs as any).spec.hard;
    // api: ceil(10 × 1.25) = 13 pods × 500m / 1Gi; workers: 13 × 1 / 2Gi; restore pod: 250m / 512Mi
    expect(hard).toMatchObject({ "requests.cpu": `${13 * 500 + 13 * 1000 + 250}m`, "requests.memory": `${(13 * 1 + 13 * 2) * 1024 + 512}Mi`, pods: "27" });
  });

  it("lets the operator group scale the deployments and trigger the restore, but not read Secrets", async () => {
    const p = await plan();
    const role = p.one("kubernetes:rbac.authorization.k8s.io/v1:Role").inputs as any;
    const binding = p.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs as any;
    expect(binding.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "stock-analysis-dr-operators" }]);
    expect(binding.roleRef).toMatchObject({ kind: "Role", name: "dr-operator" });
    const allows = (group: string, resource: string, verb: string) =>
      role.rules.some((r: any) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb) && !r.resourceNames);
    expect(allows("apps", "deployments/scale", "patch")).toBe(true);
    expect(allows("batch", "cronjobs", "get")).toBe(true);
    expect(allows("batch", "jobs", "create")).toBe(true);
    expect(allows("", "secrets", "get")).toBe(false);
    expect(allows("", "secrets", "list")).toBe(false);
    expect(role.rules.some((r: any) => r.verbs.includes("*") || r.resources.includes("*"))).toBe(false);
  });

  it("templates the restore with the backup capability's suspended restore CronJob, reading the DR-region replica", async () => {
    const p = await plan();
    const cron = p.one("kubernetes:batch/v1:CronJob").inputs as any;
    expect(cron.metadata).toMatchObject({ name: "postgres-restore", namespace: "stock-analysis-system-dr" });
    expect(cron.metadata.labels).toMatchObject({ "runbook.dev/backup": "postgres-restore", "runbook.dev/role": "dr", "app.kubernetes.io/managed-by": "pulumi" });
    expect(cron.spec).toMatchObject({ suspend: true, concurrencyPolicy: "Forbid" });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const env = [...pod.initContainers, ...pod.containers].flatMap((c: any) => c.env ?? []);
    expect(env).toEqual(expect.arrayContaining([{ name: "BACKUP_BUCKET", value: "runbook-infra-production-backups-us-west-2" }, { name: "AWS_REGION", value: "us-west-2" }]));
    expect(pod.containers[0].envFrom).toEqual([{ secretRef: { name: "postgres-connection" } }]);
    const role = p.one("aws:iam/rolePolicy:RolePolicy").inputs as any;
    const policy = JSON.parse(role.policy);
    expect(JSON.stringify(policy)).toMatch(/runbook-infra-production-backups-us-west-2/);
    expect(JSON.stringify(policy)).toMatch(/key\/replica/);
    expect(JSON.stringify(policy)).not.toMatch(/s3:PutObject/);
    const trust = JSON.parse((p.one("aws:iam/role:Role").inputs as any).assumeRolePolicy);
    expect(JSON.stringify(trust)).toMatch(/system:serviceaccount:stock-analysis-system-dr:postgres-restore/);
    expect(p.ofType("runbook:backup:PostgresBackupJobs")[0].parent).toBe(p.one("runbook:dr:DrNamespace").urn);
  });

  it("leaves the restore template out when no DR bucket is given", async () => {
    const p = await plan({ restore: undefined });
    expect(p.ofType("kubernetes:batch/v1:CronJob")).toHaveLength(0);
    expect((p.one("kubernetes:core/v1:ResourceQuota").inputs as any).spec.hard.pods).toBe("26");
  });

  it("puts every Kubernetes object on the given cluster provider", async () => {
    const p = await plan();
    for (const r of p.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) expect(r.provider).toMatch(/::cluster::/);
  });

  describe("rejects bad arguments (and accepts good ones)", () => {
    const cases: Array<[string, Partial<DrNamespaceArgs>, RegExp]> = [
      ["an invalid namespace", { primaryNamespace: "Stock_Analysis" }, /DrNamespace\.primaryNamespace: "Stock_Analysis" — must be a Kubernetes namespace name/],
      ["a namespace too long for the -dr suffix", { primaryNamespace: "a".repeat(61) }, /DrNamespace\.primaryNamespace: .* at most 60 characters/],
      ["no services", { services: [] }, /DrNamespace\.services: \[\] — must list at least one service/],
      ["zero replicas", { services: [{ name: "api", replicas: 0, podRequests: { cpu: "1", memory: "1Gi" } }] }, /DrNamespace\.services\[api\]\.replicas: 0 — must be an integer from 1 to 1000/],
      ["a maximum not above the DR scale", { services: [{ name: "api", replicas: 5, maxReplicas: 5, podRequests: { cpu: "1", memory: "1Gi" } }] }, /DrNamespace\.services\[api\]\.maxReplicas: 5 — must be an integer above replicas \(5\)/],
      ["a duplicate service", { services: [{ name: "api", replicas: 2, podRequests: { cpu: "1", memory: "1Gi" } }, { name: "api", replicas: 2, podRequests: { cpu: "1", memory: "1Gi" } }] }, /DrNamespace\.services\.name: "api" — must be a unique/],
      ["a malformed CPU request", { services: [{ name: "api", replicas: 2, podRequests: { cpu: "1 core", memory: "1Gi" } }] }, /DrNamespace\.services\[api\]\.podRequests\.cpu: "1 core" — must be a CPU quantity/],
      ["an operator group with spaces", { operatorGroup: "dr operators" }, /DrNamespace\.operatorGroup: "dr operators" — must be a Kubernetes group name/],
      ["every authenticated user as operators", { operatorGroup: "system:authenticated" }, /DrNamespace\.operatorGroup: "system:authenticated" — must be a Kubernetes group name .* not starting with system: or eks:/],
      ["a bad restore connection Secret name", { restore: replica({ connectionSecretName: "PG_CONN" }) }, /DrNamespace\.restore\.connectionSecretName: "PG_CONN" — must be a Kubernetes Secret name/],
      ["a surge above 100 %", { surgePercent: 150 }, /DrNamespace\.surgePercent: 150 — must be an integer from 0 to 100/],
    ];
    it.each(cases)("rejects %s", async (_, over, error) => {
      await planOf(() => expect(() => new DrNamespace("dr", args(over))).toThrow(error), { stack: "production" });
    });

    it("accepts a restore into a named Secret, which the operators may then write", async () => {
      const p = await plan({ restore: replica({ connectionSecretName: "postgres-dr-target" }), surgePercent: 0 });
      const cron = p.one("kubernetes:batch/v1:CronJob").inputs as any;
      expect(cron.spec.jobTemplate.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: "postgres-dr-target" } }]);
      const role = p.one("kubernetes:rbac.authorization.k8s.io/v1:Role").inputs as any;
      expect(role.rules).toEqual(expect.arrayContaining([expect.objectContaining({ resources: ["secrets"], resourceNames: ["postgres-dr-target"], verbs: ["update", "patch"] })]));
      expect((p.one("kubernetes:core/v1:ResourceQuota").inputs as any).spec.hard.pods).toBe(String(10 + 10 + 1));
    });
  });
});
