/**
 * Containment, network half (issue 21 items 1 and 2): the flows each workload needs, derived from the
 * stack config; the NetworkPolicies the production plan carries, evaluated against the labels of the
 * pods the library's own CronJobs run; the quarantine label; the upstream schema and the pack's judges.
 */
import * as path from "node:path";
import { planOf, TestPlan } from "./support/plan";
import { asK8sObject, schemaErrors } from "./support/k8s-schema";
import { loadStackFile } from "../preview/stack-files";
import { parseStackConfig } from "../stacks/config/load";
import { stackNetworkFlows, ExtraWorkload } from "../model/network-flows";
import { EffectiveFlows, NON_PUBLIC_IPV4, kubernetesServiceIp, QUARANTINE_LABEL, RenderedPolicy, effectiveFlows, renderNetworkPolicies, selectorMatches } from "../core/network-flows";
import { NetworkPolicies } from "../components/network-policies";
import { evaluatePlan, Plan } from "../policies/evaluate";

const root = path.join(__dirname, "..");
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CRON = "kubernetes:batch/v1:CronJob";
const APP_NS = "stock-analysis-system";
const PRIVATE = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"];
const PUBLIC = ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"];

const production = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
const productionConfig = () => {
  const file = production();
  return parseStackConfig(file.stack, file.config, new Set(file.secretKeys));
};

// What each flow looks like in `effectiveFlows` output.
const DNS = [`TCP/53 namespace {"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}} pods {"matchLabels":{"k8s-app":"kube-dns"}}`, `UDP/53 namespace {"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}} pods {"matchLabels":{"k8s-app":"kube-dns"}}`];
const privatePort = (port: number) => PRIVATE.map((cidr) => `TCP/${port} ipBlock ${cidr}`);
const AWS_HTTPS = [`TCP/443 ipBlock 0.0.0.0/0 except ${NON_PUBLIC_IPV4.join(",")}`];
const PROMETHEUS = (port?: number) => `${port ? `TCP/${port}` : "*"} namespace {"matchLabels":{"kubernetes.io/metadata.name":"monitoring"}} pods {"matchLabels":{"app.kubernetes.io/name":"prometheus"}}`;
const sorted = (...groups: string[][]) => groups.flat().sort();

/** The exporters h17 declares through the hook (`ctx.networkWorkloads`), as the model receives them. */
const EXPORTERS: ExtraWorkload[] = [
  { namespace: APP_NS, name: "postgres-exporter", selector: { "app.kubernetes.io/name": "postgres-exporter" }, metricsPort: 9187, reaches: ["database"] },
  { namespace: APP_NS, name: "redis-exporter", selector: { "app.kubernetes.io/name": "redis-exporter" }, metricsPort: 9121, reaches: ["cache"] },
];

function policiesOf(plan: TestPlan, namespace: string): RenderedPolicy[] {
  return plan
    .ofType(NP)
    .filter((r) => (r.inputs.metadata as any).namespace === namespace)
    .map((r) => ({ name: (r.inputs.metadata as any).name, purpose: "", spec: r.inputs.spec as any }));
}

/** Pod labels of a CronJob in the plan (what its Jobs' pods carry). */
function podLabels(plan: TestPlan, cronJobName: string, namespace = APP_NS): Record<string, string> {
  const cron = plan.ofType(CRON).find((r) => (r.inputs.metadata as any).name === cronJobName && (r.inputs.metadata as any).namespace === namespace);
  if (!cron) throw new Error(`no CronJob ${namespace}/${cronJobName} in the plan`);
  return (cron.inputs.spec as any).jobTemplate.spec.template.metadata.labels;
}

let plan: TestPlan;
beforeAll(async () => {
  const file = production();
  plan = await planOf(() => require("../stacks/program").main(), { stack: "production", config: file.config, secretKeys: file.secretKeys });
}, 120_000);

describe("flows derived from the production stack config (model/network-flows.ts)", () => {
  const flows = () => stackNetworkFlows(productionConfig(), EXPORTERS);
  const inApp = (name: string) => flows().find((n) => n.namespace === APP_NS)!.workloads.find((w) => w.name === name)!;
  const egress = (name: string) => inApp(name).egress.map((f) => `${f.protocol}/${f.port} ${f.to}`).sort();

  it("governs the application namespace and its DR copy with default-deny and quarantine", () => {
    expect(flows().map((n) => [n.namespace, n.defaultDeny, n.quarantine])).toEqual([
      [APP_NS, true, true],
      [`${APP_NS}-dr`, true, true],
    ]);
  });

  it("gives each library workload exactly the egress it needs and no more", () => {
    expect(egress("postgres-backup")).toEqual(["TCP/443 aws-apis", "TCP/53 dns", "TCP/5432 database", "UDP/53 dns"]);
    expect(egress("postgres-restore")).toEqual(["TCP/443 aws-apis", "TCP/53 dns", "TCP/5432 database", "UDP/53 dns"]);
    expect(egress("k8s-config-backup")).toEqual(["TCP/443 aws-apis", "TCP/443 kube-api", "TCP/53 dns", "UDP/53 dns"]);
    expect(egress("postgres-exporter")).toEqual(["TCP/53 dns", "TCP/5432 database", "UDP/53 dns"]);
    expect(egress("redis-exporter")).toEqual(["TCP/53 dns", "TCP/6379 cache", "UDP/53 dns"]);
    // Jobs and exporters accept nothing but a scrape of their metrics port.
    expect(inApp("postgres-backup").ingress).toEqual([]);
    expect(inApp("postgres-exporter").ingress).toEqual([{ from: "prometheus", protocol: "TCP", port: 9187 }]);
  });

  it("drops a flow when the stack lacks its target: no database, no dump jobs and no 5432 anywhere", () => {
    const config = productionConfig();
    delete (config as any).database;
    const app = stackNetworkFlows(config, EXPORTERS).find((n) => n.namespace === APP_NS)!;
    expect(app.workloads.map((w) => w.name)).not.toEqual(expect.arrayContaining(["postgres-backup", "postgres-restore"]));
    expect(app.workloads.flatMap((w) => w.egress).some((f) => f.to === "database")).toBe(false);
    expect(app.workloads.find((w) => w.name === "postgres-exporter")!.egress.map((f) => f.to)).toEqual(["dns", "dns"]);
  });

  it("with the stack's own edge (issue 18), only the service behind it receives load-balancer traffic", () => {
    const config = productionConfig() as any;
    config.edge = { service: "stock-analysis-api", scheme: "internet-facing" };
    const app = stackNetworkFlows(config).find((n) => n.namespace === APP_NS)!;
    expect(app.loadBalancerSubnets).toBe("public");
    const fromLb = app.workloads.filter((w) => w.ingress.some((f) => f.from === "load-balancer")).map((w) => w.name);
    expect(fromLb).toEqual(["stock-analysis-api"]);
    // An internal load balancer's traffic comes from the private subnets; config can still open another service.
    config.edge.scheme = "internal";
    config.security.networkPolicies.services = { "stock-analysis-frontend": { ports: [], fromServices: [], database: false, cache: false, messaging: false, internetHttps: false, fromLoadBalancer: true } };
    const internal = stackNetworkFlows(config).find((n) => n.namespace === APP_NS)!;
    expect(internal.loadBalancerSubnets).toBe("private");
    expect(internal.workloads.filter((w) => w.ingress.some((f) => f.from === "load-balancer")).map((w) => w.name).sort()).toEqual(["stock-analysis-api", "stock-analysis-frontend"]);
  });

  it("gives the services of a stack with Kafka (data-aggregator) the MSK IAM port and STS, and nothing of Kafka without it", () => {
    const file = loadStackFile("runbook-infra", path.join(root, "examples/data-aggregator/Pulumi.production.yaml"));
    const config = parseStackConfig(file.stack, file.config, new Set(file.secretKeys));
    expect(config.messaging?.kafka).toBeDefined();
    const backend = stackNetworkFlows(config).find((n) => n.namespace === "dataaggregator")!.workloads.find((w) => w.name === "backend")!;
    expect(backend.egress.filter((f) => f.to === "messaging" || f.to === "aws-apis").map((f) => `${f.protocol}/${f.port} ${f.to}`)).toEqual(["TCP/9098 messaging", "TCP/443 aws-apis"]);
    // The backup jobs of the same stack never reach Kafka.
    for (const job of ["postgres-backup", "k8s-config-backup"]) expect(stackNetworkFlows(config)[0].workloads.find((w) => w.name === job)?.egress.some((f) => f.to === "messaging")).toBe(false);
    const api = stackNetworkFlows(productionConfig()).find((n) => n.namespace === APP_NS)!.workloads.find((w) => w.name === "stock-analysis-api")!;
    expect(api.egress.some((f) => f.to === "messaging" || f.to === "aws-apis")).toBe(false);
  });

  it("lets the service config narrow a service: the frontend reaches neither data store and only calls the API", () => {
    const config = productionConfig();
    config.security.networkPolicies.services = {
      "stock-analysis-frontend": { ports: [3000], fromLoadBalancer: true, fromServices: [], database: false, cache: false, messaging: false, internetHttps: false },
      "stock-analysis-api": { ports: [8001], fromLoadBalancer: true, fromServices: ["stock-analysis-frontend"], database: true, cache: true, messaging: false, internetHttps: false },
    };
    const workloads = stackNetworkFlows(config).find((n) => n.namespace === APP_NS)!.workloads;
    const policies = renderNetworkPolicies(workloads, { privateSubnetCidrs: PRIVATE, loadBalancerCidrs: PUBLIC });
    const frontend = effectiveFlows(policies, { app: "stock-analysis-frontend" });
    expect(frontend.egress).toEqual(sorted(DNS, [`TCP/8001 pods {"matchLabels":{"app":"stock-analysis-api"},"matchExpressions":[{"key":"${QUARANTINE_LABEL}","operator":"NotIn","values":["true"]}]}`]));
    const api = effectiveFlows(policies, { app: "stock-analysis-api" });
    expect(api.ingress).toEqual(
      sorted(
        PUBLIC.map((cidr) => `TCP/8001 ipBlock ${cidr}`),
        [`TCP/8001 pods {"matchLabels":{"app":"stock-analysis-frontend"},"matchExpressions":[{"key":"${QUARANTINE_LABEL}","operator":"NotIn","values":["true"]}]}`],
        [PROMETHEUS()],
      ),
    );
  });
});

describe("the production plan", () => {
  it("turns on the VPC CNI's network policy agent", () => {
    const cni = plan.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "vpc-cni")!;
    expect(JSON.parse(cni.inputs.configurationValues as string)).toEqual({ enableNetworkPolicy: "true" });
  });

  it("has default-deny, one allow policy per workload and the quarantine policy in each application namespace", () => {
    for (const namespace of [APP_NS, `${APP_NS}-dr`]) {
      const names = policiesOf(plan, namespace).map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(["default-deny", "quarantine"]));
      const deny = policiesOf(plan, namespace).find((p) => p.name === "default-deny")!;
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    }
    expect(policiesOf(plan, APP_NS).map((p) => p.name).sort()).toEqual(
      [
        "allow-celery-worker",
        "allow-k8s-config-backup",
        "allow-postgres-backup",
        "allow-postgres-restore",
        "allow-stock-analysis-api",
        "allow-stock-analysis-frontend",
        // Declared by the observability step through ctx.networkWorkloads (issue 17).
        "allow-database-maintenance",
        "allow-postgres-monitoring-role",
        "default-deny",
        "quarantine",
      ].sort(),
    );
    // The exporters run in the monitoring namespace, which the library does not own whole: allow policies only.
    expect(policiesOf(plan, "monitoring").map((p) => p.name).sort()).toEqual(["allow-postgres-exporter", "allow-redis-exporter"]);
    expect(policiesOf(plan, `${APP_NS}-dr`).map((p) => p.name).sort()).toEqual(["allow-celery-worker", "allow-postgres-restore", "allow-stock-analysis-api", "default-deny", "quarantine"]);
  });

  it("applies default-deny after the allow policies, so running pods never lose a needed flow mid-apply", () => {
    const deny = plan.ofType(NP).find((r) => (r.inputs.metadata as any).namespace === APP_NS && (r.inputs.metadata as any).name === "default-deny")!;
    const allows = plan.ofType(NP).filter((r) => (r.inputs.metadata as any).namespace === APP_NS && (r.inputs.metadata as any).name.startsWith("allow-"));
    expect(deny.dependencies).toEqual(expect.arrayContaining(allows.map((a) => a.urn)));
  });

  // Evaluated against the labels the library's own CronJobs put on their pods, not against the model's idea of them.
  it("lets the pods of the dump, restore and configuration-backup jobs send exactly what they need", () => {
    const policies = policiesOf(plan, APP_NS);
    const dump = effectiveFlows(policies, podLabels(plan, "postgres-backup-daily"));
    expect(dump.egressIsolated && dump.ingressIsolated).toBe(true);
    expect(dump.egress).toEqual(sorted(DNS, privatePort(5432), AWS_HTTPS));
    expect(dump.ingress).toEqual([]);
    expect(effectiveFlows(policies, podLabels(plan, "postgres-backup-hourly")).egress).toEqual(dump.egress);
    expect(effectiveFlows(policies, podLabels(plan, "postgres-restore")).egress).toEqual(sorted(DNS, privatePort(5432), AWS_HTTPS));
    const config = effectiveFlows(policies, podLabels(plan, "k8s-config-backup"));
    // The API ENIs in the private subnets and the `kubernetes` Service's ClusterIP (EKS picks 172.20.0.0/16 beside a 10.x VPC).
    expect(config.egress).toEqual(sorted(DNS, privatePort(443), ["TCP/443 ipBlock 172.20.0.1/32"], AWS_HTTPS));
    expect(config.egress.join("\n")).not.toMatch(/5432|6379/);
  });

  it("lets the exporters (issue 17, through the hook) reach their data store only, and only Prometheus scrape them", () => {
    const deploymentLabels = (name: string) => (plan.ofType("kubernetes:apps/v1:Deployment").find((d) => (d.inputs.metadata as any).namespace === "monitoring" && (d.inputs.spec as any).template.metadata.labels["app.kubernetes.io/name"] === name)!.inputs.spec as any).template.metadata.labels;
    const pg = effectiveFlows(policiesOf(plan, "monitoring"), deploymentLabels("postgres-exporter"));
    expect(pg.egress).toEqual(sorted(DNS, privatePort(5432)));
    expect(pg.ingress).toEqual([PROMETHEUS(9187)]);
    const redis = effectiveFlows(policiesOf(plan, "monitoring"), deploymentLabels("redis-exporter"));
    expect(redis.egress).toEqual(sorted(DNS, privatePort(6379)));
    expect(redis.ingress).toEqual([PROMETHEUS(9121)]);
    // The maintenance CronJob in the application namespace: the database, nothing else.
    expect(effectiveFlows(policiesOf(plan, APP_NS), podLabels(plan, "database-maintenance")).egress).toEqual(sorted(DNS, privatePort(5432)));
  });

  it("lets the DR namespace's restore job reach its database and S3, nothing else", () => {
    const flows = effectiveFlows(policiesOf(plan, `${APP_NS}-dr`), podLabels(plan, "postgres-restore", `${APP_NS}-dr`));
    expect(flows.egress).toEqual(sorted(DNS, privatePort(5432), AWS_HTTPS));
  });

  it("lets the API reach the database and cache, and receive from the load balancer's subnets and Prometheus only", () => {
    const api = effectiveFlows(policiesOf(plan, APP_NS), { app: "stock-analysis-api" });
    expect(api.egress).toEqual(sorted(DNS, privatePort(5432), privatePort(6379)));
    expect(api.ingress).toEqual(sorted(PUBLIC.map((cidr) => `* ipBlock ${cidr}`), [PROMETHEUS()]));
  });

  it("cuts a quarantined pod off from everything but Prometheus: no DNS, no database, no S3", () => {
    const policies = policiesOf(plan, APP_NS);
    for (const labels of [podLabels(plan, "postgres-backup-daily"), { app: "stock-analysis-api" }]) {
      const cut: EffectiveFlows = effectiveFlows(policies, { ...labels, [QUARANTINE_LABEL]: "true" });
      expect(cut.policies.sort()).toEqual(["default-deny", "quarantine"]);
      expect(cut.egressIsolated).toBe(true);
      expect(cut.egress).toEqual([]);
      expect(cut.ingress).toEqual([PROMETHEUS()]);
    }
    // Any other value of the label is not a quarantine.
    expect(effectiveFlows(policies, { app: "stock-analysis-api", [QUARANTINE_LABEL]: "false" }).egress).not.toEqual([]);
  });

  it("gives a pod nobody declared nothing at all", () => {
    const stray = effectiveFlows(policiesOf(plan, APP_NS), { app: "debug-shell" });
    expect(stray).toMatchObject({ policies: ["default-deny"], egressIsolated: true, ingressIsolated: true, egress: [], ingress: [] });
  });

  it("passes the upstream Kubernetes schemas (kubernetes-models), which reject a malformed policy", () => {
    const objects = plan.ofType(NP).map(asK8sObject);
    expect(objects.length).toBeGreaterThanOrEqual(13);
    expect(schemaErrors(objects)).toEqual([]);
    const broken = { ...objects[0], spec: { podSelector: {}, policyTypes: ["Ingress", "Outbound"], egress: [{ to: [{ ipBlock: { cidr: 10 } }] }] } };
    const errors = schemaErrors([broken]);
    expect(errors.join("\n")).toMatch(/policyTypes\/1 must be equal to one of the allowed values/);
    expect(errors.join("\n")).toMatch(/ipBlock\/cidr must be string/);
  });

  it("passes the pack's Kubernetes practice judges (labels, namespace) and its containment rules, which catch a policy without labels", () => {
    const asPlan = (resources = plan.resources): Plan => ({ project: "runbook-infra", stack: "production", environment: "production", resources } as Plan);
    const onPolicies = (violations: ReturnType<typeof evaluatePlan>) => violations.filter((v) => plan.ofType(NP).some((r) => r.urn === v.urn));
    expect(onPolicies(evaluatePlan(asPlan()))).toEqual([]);
    expect(evaluatePlan(asPlan()).filter((v) => ["k8s-namespace-default-deny", "data-tier-no-open-egress", "waf-public-load-balancer"].includes(v.policy))).toEqual([]);
    const unlabelled = plan.resources.map((r) => (r.type === NP ? { ...r, inputs: { ...r.inputs, metadata: { ...(r.inputs.metadata as object), labels: {} } } } : r));
    expect(onPolicies(evaluatePlan(asPlan(unlabelled))).map((v) => v.policy)).toContain("k8s-library-labels");
  });
});

describe("a workload another step adds to the application namespace", () => {
  // A job someone adds to the application namespace without declaring its flows.
  const maintenanceLabels = { "app.kubernetes.io/name": "nightly-report", "runbook.dev/scheduled-job": "nightly-report" };
  const maintenanceJob = {
    urn: "urn:pulumi:production::runbook-infra::kubernetes:batch/v1:CronJob::nightly-report",
    type: CRON,
    name: "nightly-report",
    parent: null,
    custom: true,
    inputs: { metadata: { name: "nightly-report", namespace: APP_NS }, spec: { jobTemplate: { spec: { template: { metadata: { labels: maintenanceLabels }, spec: { containers: [{ name: "m", image: "postgres:16.4-alpine" }] } } } } } },
    dependencies: [],
  };

  it("is flagged by the pack when nothing declares its flows (default-deny would leave it no network)", () => {
    const violations = evaluatePlan({ project: "runbook-infra", stack: "production", environment: "production", resources: [...plan.resources, maintenanceJob] } as Plan).filter((v) => v.policy === "k8s-workload-network-allowed");
    expect(violations.map((v) => v.message)).toEqual([`CronJob ${APP_NS}/nightly-report: no allow NetworkPolicy selects its pods, so default-deny leaves them no network`]);
    // The library's own workloads are all covered.
    expect(evaluatePlan({ project: "runbook-infra", stack: "production", environment: "production", resources: plan.resources } as Plan).filter((v) => v.policy === "k8s-workload-network-allowed")).toEqual([]);
  });

  it("gets exactly the database once declared through the hook (ctx.networkWorkloads)", () => {
    const extra: ExtraWorkload = { namespace: APP_NS, name: "nightly-report", selector: { "runbook.dev/scheduled-job": "nightly-report" }, reaches: ["database"] };
    const workloads = stackNetworkFlows(productionConfig(), [extra]).find((n) => n.namespace === APP_NS)!.workloads;
    const policies = renderNetworkPolicies(workloads, { privateSubnetCidrs: PRIVATE, loadBalancerCidrs: PUBLIC });
    const flows = effectiveFlows(policies, maintenanceLabels);
    expect(flows.egress).toEqual(sorted(DNS, privatePort(5432)));
    expect(flows.ingress).toEqual([]);
  });
});

describe("NetworkPolicies component arguments", () => {
  const addresses = { privateSubnetCidrs: PRIVATE, loadBalancerCidrs: PUBLIC };
  it("rejects a workload that selects every pod, in one line naming the argument", async () => {
    await planOf(() => {
      expect(
        () => new NetworkPolicies("np", { namespace: APP_NS, addresses, workloads: [{ name: "everything", description: "", selector: {}, egress: [{ to: "aws-apis", protocol: "TCP", port: 443 }], ingress: [] }] }),
      ).toThrow(/^test: NetworkPolicies\.workloads\[everything\]\.selector: \{\} — must select by at least one label/);
    });
  });

  it("rejects an address that is not an IPv4 CIDR and accepts the network's own", async () => {
    await planOf(() => {
      expect(() => new NetworkPolicies("np", { namespace: APP_NS, addresses: { ...addresses, privateSubnetCidrs: ["10.0.0.0"] }, workloads: [] })).toThrow(/NetworkPolicies\.addresses: "10\.0\.0\.0" — must hold IPv4 CIDRs/);
    });
    const ok = await planOf(() => void new NetworkPolicies("np", { namespace: APP_NS, addresses, workloads: [] }));
    expect(ok.ofType(NP).map((r) => (r.inputs.metadata as any).name).sort()).toEqual(["default-deny", "quarantine"]);
  });
});

describe("label selectors (core/network-flows.ts)", () => {
  it("name the kubernetes Service's ClusterIP EKS picks for the VPC's range", () => {
    expect(kubernetesServiceIp("10.0.0.0/16")).toBe("172.20.0.1");
    expect(kubernetesServiceIp("192.168.0.0/16")).toBe("10.100.0.1");
  });

  it("follow Kubernetes semantics for matchLabels and every operator", () => {
    expect(selectorMatches({}, { any: "thing" })).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "api" } }, { app: "api", tier: "web" })).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "api" } }, { app: "web" })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "k", operator: "In", values: ["a"] }] }, {})).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "k", operator: "NotIn", values: ["a"] }] }, {})).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "k", operator: "NotIn", values: ["a"] }] }, { k: "a" })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "k", operator: "Exists" }] }, { k: "" })).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "k", operator: "DoesNotExist" }] }, { k: "" })).toBe(false);
  });
});
