import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { planOf } from "./support/plan";
import { AppNamespace } from "../components/app-namespace";
import { deployApplication, ApplicationOutputs } from "../stacks/application";
import { stackConfigSchema, type StackConfig } from "../stacks/config/schema";
import { refineApplication } from "../stacks/config/application";
import { loadStackFile } from "../preview/stack-files";
import type { StackContext } from "../stacks/context";

const NS = "kubernetes:core/v1:Namespace";
const QUOTA = "kubernetes:core/v1:ResourceQuota";
const LIMITS = "kubernetes:core/v1:LimitRange";

describe("AppNamespace", () => {
  it("enforces Pod Security restricted and labels the namespace for monitoring", async () => {
    const plan = await planOf(() => void new AppNamespace("app", { namespace: "stock-analysis-system" }), { stack: "production" });
    const ns = plan.one(NS);
    expect((ns.inputs.metadata as any).name).toBe("stock-analysis-system");
    expect((ns.inputs.metadata as any).labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
      "runbook.dev/monitoring": "enabled",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/part-of": "runbook-infra",
    });
  });

  it("creates the quota from its arguments, with no PVCs by default", async () => {
    const plan = await planOf(
      () => void new AppNamespace("app", { namespace: "stock-analysis-system", quota: { requestsCpu: "24", requestsMemory: "48Gi", limitsCpu: "48", limitsMemory: "96Gi", pods: 60 } }),
      { stack: "production" },
    );
    const quota = plan.one(QUOTA);
    expect((quota.inputs.metadata as any).namespace).toBe("stock-analysis-system");
    expect((quota.inputs.spec as any).hard).toEqual({
      "requests.cpu": "24",
      "requests.memory": "48Gi",
      "limits.cpu": "48",
      "limits.memory": "96Gi",
      pods: "60",
      persistentvolumeclaims: "0",
    });
  });

  it("gives every container default requests and limits, even without a quota", async () => {
    const plan = await planOf(() => void new AppNamespace("app", { namespace: "staging-app", limitRange: { maxCpu: "1", maxMemory: "4Gi" } }));
    expect(plan.ofType(QUOTA)).toHaveLength(0);
    expect((plan.one(LIMITS).inputs.spec as any).limits[0]).toEqual({
      type: "Container",
      defaultRequest: { cpu: "100m", memory: "128Mi" },
      default: { cpu: "500m", memory: "512Mi" },
      max: { cpu: "1", memory: "4Gi" },
    });
  });

  it("rejects a namespace name that Kubernetes would refuse", async () => {
    await planOf(() => {
      expect(() => new AppNamespace("app", { namespace: "Stock_Analysis" })).toThrow(/^test: AppNamespace\.namespace: "Stock_Analysis" — must be a Kubernetes namespace name/);
    });
  });
  it("rejects an invalid quota quantity and a quota limit below its request", async () => {
    await planOf(() => {
      expect(() => new AppNamespace("app", { namespace: "ns", quota: { requestsCpu: "24", requestsMemory: "48GB" } })).toThrow(/AppNamespace\.quota\.requestsMemory: "48GB" — must be a memory quantity/);
      expect(() => new AppNamespace("app", { namespace: "ns", quota: { requestsCpu: "24", requestsMemory: "48Gi", limitsCpu: "8" } })).toThrow(
        /AppNamespace\.quota\.limitsCpu: "8" — must be at least requestsCpu \(24\)/,
      );
    });
  });
  it("rejects a LimitRange default limit above its maximum", async () => {
    await planOf(() => {
      expect(() => new AppNamespace("app", { namespace: "ns", limitRange: { defaultLimitCpu: "2", maxCpu: "1" } })).toThrow(/AppNamespace\.limitRange\.defaultLimitCpu: "2" — must not exceed maxCpu \(1\)/);
    });
  });
});

/** A stack file's config, validated by the schema and the application's own rules (other areas' rules are theirs to test). */
function stackFileConfig(stack: string): StackConfig {
  const loaded = loadStackFile("runbook-infra", `Pulumi.${stack}.yaml`);
  const input: Record<string, unknown> = { region: loaded.config["aws:region"] };
  for (const [key, text] of Object.entries(loaded.config)) {
    if (!key.startsWith("runbook-infra:") || loaded.secretKeys.includes(key)) continue;
    const short = key.slice("runbook-infra:".length);
    input[short] = ["environment", "system", "drRegion", "domain"].includes(short) ? text : JSON.parse(text);
  }
  const config = stackConfigSchema.parse(input);
  refineApplication(config, (path, value, allowed) => {
    throw new Error(`${path.join(".")}: ${JSON.stringify(value)} — ${allowed}`);
  });
  return config;
}

/** The parts of StackContext this step reads, with a stand-in cluster (the EKS component is the lead's to test). */
function fakeContext(stack: string, config: StackConfig): StackContext {
  const provider = new k8s.Provider("cluster-k8s", { kubeconfig: "{}" });
  const cluster = {
    clusterName: pulumi.output(`runbook-infra-${stack}`),
    oidcProviderArn: pulumi.output("arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"),
    oidcIssuer: pulumi.output("oidc.eks.us-east-1.amazonaws.com/id/ABC"),
    nodeGroupAsgNames: pulumi.output(["eks-general-1234"]),
    provider,
    // Helm releases go through the provider that waits for nodes and coredns.
    workloadProvider: new k8s.Provider("cluster-k8s-workloads", { kubeconfig: "{}" }),
  };
  return { stack, prefix: `runbook-infra-${stack}`, config, secrets: {}, tags: { stack }, network: {} as any, cluster: cluster as any };
}

describe("deployApplication", () => {
  it("gives every production service of runbook 001 its HPA and PDB with the runbook's numbers", async () => {
    const config = stackFileConfig("production");
    let ctx!: StackContext;
    const plan = await planOf(
      () => {
        ctx = fakeContext("production", config);
        return deployApplication(ctx);
      },
      { stack: "production" },
    );
    const hpas = plan.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    const pdbs = plan.ofType("kubernetes:policy/v1:PodDisruptionBudget");
    const byTarget = Object.fromEntries(hpas.map((h) => [(h.inputs.spec as any).scaleTargetRef.name, h.inputs.spec as any]));
    expect(Object.keys(byTarget).sort()).toEqual(["celery-worker", "stock-analysis-api", "stock-analysis-frontend"]);
    expect(byTarget["stock-analysis-api"]).toMatchObject({ minReplicas: 3, maxReplicas: 10, metrics: [{ resource: { name: "cpu", target: { averageUtilization: 70 } } }] });
    expect(byTarget["celery-worker"]).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    expect(byTarget["stock-analysis-frontend"]).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    // HPAs report "unknown" until metrics-server serves the metrics API: they wait for it.
    const metricsServer = plan.one("kubernetes:helm.sh/v3:Release", "metrics-server");
    for (const hpa of hpas) expect(hpa.dependencies).toContain(metricsServer.urn);
    for (const hpa of hpas) expect((hpa.inputs.metadata as any).namespace).toBe("stock-analysis-system");
    expect(pdbs.map((p) => (p.inputs.spec as any).selector.matchLabels.app).sort()).toEqual(["celery-worker", "stock-analysis-api", "stock-analysis-frontend"]);
    expect(plan.one("kubernetes:helm.sh/v3:Release", "cluster-autoscaler").inputs.version).toMatch(/^\d+\.\d+\.\d+$/);

    const app = ctx.application as ApplicationOutputs;
    expect(app.namespaceName).toBe("stock-analysis-system");
    expect(Object.keys(app.scaling)).toHaveLength(3);
    // Every Kubernetes object goes to the cluster's provider, not to an ambient kubeconfig.
    for (const r of plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes"))
      expect(r.provider).toMatch(r.type.startsWith("kubernetes:helm.sh/") ? /pulumi:providers:kubernetes::cluster-k8s-workloads::/ : /pulumi:providers:kubernetes::cluster-k8s::/);
  });

  it("uses staging's own smaller numbers", async () => {
    const config = stackFileConfig("staging");
    const plan = await planOf(() => deployApplication(fakeContext("staging", config)), { stack: "staging" });
    const api = plan.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").find((h) => (h.inputs.spec as any).scaleTargetRef.name === "stock-analysis-api")!;
    expect(api.inputs.spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    expect((plan.one(QUOTA).inputs.spec as any).hard["requests.cpu"]).toBe("6");
  });

  it("installs only the cluster autoscaling when the stack has no application section", async () => {
    const config = stackFileConfig("staging");
    delete (config as any).application;
    const plan = await planOf(() => deployApplication(fakeContext("staging", config)), { stack: "staging" });
    expect(plan.ofType(NS)).toHaveLength(0);
    expect(plan.ofType("kubernetes:helm.sh/v3:Release")).toHaveLength(2);
  });
});
