import * as pulumi from "@pulumi/pulumi";
import { planOf } from "./support/plan";
import { ClusterAutoscaling, ClusterAutoscalingArgs, CLUSTER_AUTOSCALER_CHART_VERSION, METRICS_SERVER_CHART_VERSION } from "../components/cluster-autoscaling";

const RELEASE = "kubernetes:helm.sh/v3:Release";

const ARGS: ClusterAutoscalingArgs = {
  clusterName: "runbook-infra-production",
  kubernetesVersion: "1.31",
  region: "us-east-1",
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
  oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
  nodeGroupAsgNames: pulumi.output(["eks-general-1a2b", "eks-batch-3c4d"]),
};

async function plan(args: ClusterAutoscalingArgs = ARGS) {
  return planOf(() => void new ClusterAutoscaling("autoscaling", args), { stack: "production" });
}

describe("ClusterAutoscaling", () => {
  it("installs metrics-server and the cluster autoscaler from pinned chart versions", async () => {
    const p = await plan();
    const metrics = p.one(RELEASE, "metrics-server");
    const autoscaler = p.one(RELEASE, "cluster-autoscaler");
    expect(metrics.inputs).toMatchObject({ chart: "metrics-server", version: METRICS_SERVER_CHART_VERSION, namespace: "kube-system", repositoryOpts: { repo: "https://kubernetes-sigs.github.io/metrics-server/" } });
    expect(autoscaler.inputs).toMatchObject({ chart: "cluster-autoscaler", version: CLUSTER_AUTOSCALER_CHART_VERSION, namespace: "kube-system", repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" } });
    for (const release of [metrics, autoscaler]) expect(release.inputs.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(autoscaler.dependencies).toContain(metrics.urn);
  });

  it("runs the autoscaler image of the cluster's Kubernetes minor, discovering this cluster's node groups", async () => {
    const values = (await plan()).one(RELEASE, "cluster-autoscaler").inputs.values as any;
    expect(values.image).toEqual({ repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: "v1.31.0" });
    expect(values.autoDiscovery).toEqual({ clusterName: "runbook-infra-production" });
    expect(values.awsRegion).toBe("us-east-1");
    expect(values.extraArgs).toMatchObject({ "balance-similar-node-groups": true, expander: "least-waste", "scale-down-unneeded-time": "10m" });
    expect(values.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(values.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(values.resources.requests).toBeDefined();
    expect(values.resources.limits).toBeDefined();
  });

  it("keeps two metrics-server replicas behind a disruption budget", async () => {
    const values = (await plan()).one(RELEASE, "metrics-server").inputs.values as any;
    expect(values.replicas).toBe(2);
    expect(values.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
  });

  it("gives the autoscaler an IRSA role bound to its service account", async () => {
    const p = await plan();
    const role = p.one("aws:iam/role:Role", "autoscaler");
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
    expect(trust.Statement[0].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"]).toBe("system:serviceaccount:kube-system:cluster-autoscaler");
    const sa = (p.one(RELEASE, "cluster-autoscaler").inputs.values as any).rbac.serviceAccount;
    expect(sa.name).toBe("cluster-autoscaler");
    expect(sa.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::123456789012:role\//);
  });

  it("lets the autoscaler resize only this cluster's node-group ASGs", async () => {
    const policy = JSON.parse((await plan()).one("aws:iam/rolePolicy:RolePolicy", "autoscaler").inputs.policy as string);
    const mutating = policy.Statement.filter((s: any) => s.Action.some((a: string) => /SetDesiredCapacity|TerminateInstance/.test(a)));
    expect(mutating).toHaveLength(1);
    expect(mutating[0].Condition).toEqual({ StringEquals: { "autoscaling:ResourceTag/k8s.io/cluster-autoscaler/runbook-infra-production": "owned" } });
    expect(mutating[0].Resource).toEqual([
      "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/eks-general-1a2b",
      "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/eks-batch-3c4d",
    ]);
    // Only read-only calls may use a wildcard resource.
    for (const statement of policy.Statement.filter((s: any) => s.Resource === "*"))
      for (const action of statement.Action) expect(action).toMatch(/:(Describe|Get)/);
  });

  it("rejects a chart version range", async () => {
    await planOf(() => {
      expect(() => new ClusterAutoscaling("a", { ...ARGS, clusterAutoscalerChartVersion: "^9.38" })).toThrow(/^test: ClusterAutoscaling\.clusterAutoscalerChartVersion: "\^9\.38" — must be an exact chart version/);
    });
  });
  it("accepts another exact chart version", async () => {
    const p = await plan({ ...ARGS, metricsServerChartVersion: "3.12.1" });
    expect(p.one(RELEASE, "metrics-server").inputs.version).toBe("3.12.1");
  });
  it("rejects a Kubernetes version that is not a minor version", async () => {
    await planOf(() => {
      expect(() => new ClusterAutoscaling("a", { ...ARGS, kubernetesVersion: "1.31.2" })).toThrow(/ClusterAutoscaling\.kubernetesVersion: "1\.31\.2" — must be a Kubernetes minor version/);
    });
  });
  it("rejects a scale-down threshold outside (0, 1]", async () => {
    await planOf(() => {
      expect(() => new ClusterAutoscaling("a", { ...ARGS, scaleDownUtilizationThreshold: 1.5 })).toThrow(/ClusterAutoscaling\.scaleDownUtilizationThreshold: 1\.5 — must be a fraction above 0 and at most 1/);
    });
  });
  it("accepts a scale-down threshold of 0.6", async () => {
    expect(((await plan({ ...ARGS, scaleDownUtilizationThreshold: 0.6 })).one(RELEASE, "cluster-autoscaler").inputs.values as any).extraArgs["scale-down-utilization-threshold"]).toBe(0.6);
  });
  it("rejects zero metrics-server replicas and a malformed scale-down delay", async () => {
    await planOf(() => {
      expect(() => new ClusterAutoscaling("a", { ...ARGS, metricsServerReplicas: 0 })).toThrow(/ClusterAutoscaling\.metricsServerReplicas: 0 — must be an integer from 1 to 5/);
      expect(() => new ClusterAutoscaling("a", { ...ARGS, scaleDownUnneededTime: "ten minutes" })).toThrow(/ClusterAutoscaling\.scaleDownUnneededTime: "ten minutes" — must be a Go duration/);
    });
  });
  it("accepts one metrics-server replica (no budget then) and a 15m scale-down delay", async () => {
    const p = await plan({ ...ARGS, metricsServerReplicas: 1, scaleDownUnneededTime: "15m" });
    expect((p.one(RELEASE, "metrics-server").inputs.values as any).podDisruptionBudget.enabled).toBe(false);
    expect((p.one(RELEASE, "cluster-autoscaler").inputs.values as any).extraArgs["scale-down-unneeded-time"]).toBe("15m");
  });
});
