import { planOf } from "./support/plan";
import { ServiceScaling, ServiceScalingArgs } from "../components/service-scaling";

const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

const API: ServiceScalingArgs = { namespace: "stock-analysis-system", serviceName: "stock-analysis-api", minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 };

async function expectRejected(args: ServiceScalingArgs, message: RegExp): Promise<void> {
  await planOf(
    () => {
      expect(() => new ServiceScaling("svc", args)).toThrow(message);
    },
    { stack: "production" },
  );
}

async function accepted(args: ServiceScalingArgs) {
  return planOf(() => void new ServiceScaling("svc", args), { stack: "production" });
}

describe("ServiceScaling", () => {
  it("scales stock-analysis-api 3 to 10 at 70 % CPU on its Deployment (runbook 001)", async () => {
    const plan = await accepted(API);
    const hpa = plan.one(HPA);
    expect(hpa.inputs.metadata).toMatchObject({ name: "stock-analysis-api-hpa", namespace: "stock-analysis-system" });
    expect((hpa.inputs.metadata as any).labels).toMatchObject({ "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" });
    expect(hpa.inputs.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "stock-analysis-api" },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    });
  });

  it("scales backend-relayer 3 to 20 on 70 % CPU and 80 % memory (runbook 002)", async () => {
    const plan = await accepted({ namespace: "intendly", serviceName: "backend-relayer", minReplicas: 3, maxReplicas: 20, targetCpuUtilization: 70, targetMemoryUtilization: 80 });
    expect((plan.one(HPA).inputs.spec as any).metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
    ]);
  });

  it("waits 300 s before scaling down and bounds both directions so the count does not flap", async () => {
    const behavior = ((await accepted(API)).one(HPA).inputs.spec as any).behavior;
    expect(behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 300, selectPolicy: "Min", policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] });
    expect(behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: 60,
      selectPolicy: "Max",
      policies: [
        { type: "Pods", value: 4, periodSeconds: 60 },
        { type: "Percent", value: 100, periodSeconds: 60 },
      ],
    });
  });

  it("keeps at most one pod down during a drain by default, selecting the Deployment's pods", async () => {
    const pdb = (await accepted(API)).one(PDB);
    expect(pdb.inputs.metadata).toMatchObject({ name: "stock-analysis-api-pdb", namespace: "stock-analysis-system" });
    expect(pdb.inputs.spec).toEqual({ selector: { matchLabels: { app: "stock-analysis-api" } }, unhealthyPodEvictionPolicy: "AlwaysAllow", maxUnavailable: 1 });
  });

  it("uses minAvailable and a custom selector when given", async () => {
    const pdb = (await accepted({ ...API, disruptionBudget: { minAvailable: 2 }, selector: { "app.kubernetes.io/name": "api" } })).one(PDB);
    expect(pdb.inputs.spec).toMatchObject({ minAvailable: 2, selector: { matchLabels: { "app.kubernetes.io/name": "api" } } });
    expect((pdb.inputs.spec as any).maxUnavailable).toBeUndefined();
  });

  it("creates only the PDB for a service whose count the pipeline owns", async () => {
    const plan = await accepted({ namespace: "intendly", serviceName: "websocket-server", minReplicas: 4, maxReplicas: 4, autoscale: false });
    expect(plan.ofType(HPA)).toHaveLength(0);
    expect(plan.ofType(PDB)).toHaveLength(1);
  });

  // Validation: one rejected and one accepted case each.
  it("rejects minReplicas above maxReplicas", async () => {
    await expectRejected({ ...API, minReplicas: 11 }, /^production: ServiceScaling\.minReplicas: 11 — must not exceed maxReplicas \(10\)/);
  });
  it("accepts minReplicas equal to 2 below maxReplicas", async () => {
    expect(((await accepted({ ...API, minReplicas: 2 })).one(HPA).inputs.spec as any).minReplicas).toBe(2);
  });

  it("rejects a single replica when high availability is required", async () => {
    await expectRejected({ ...API, minReplicas: 1, requireHighAvailability: true }, /ServiceScaling\.minReplicas: 1 — must be at least 2 when requireHighAvailability is set/);
  });
  it("accepts a single replica when high availability is not required", async () => {
    expect(((await accepted({ ...API, minReplicas: 1 })).one(HPA).inputs.spec as any).minReplicas).toBe(1);
  });

  it("rejects a target outside 1-100", async () => {
    await expectRejected({ ...API, targetCpuUtilization: 0 }, /ServiceScaling\.targetCpuUtilization: 0 — must be an integer from 1 to 100/);
    await expectRejected({ ...API, targetMemoryUtilization: 150 }, /ServiceScaling\.targetMemoryUtilization: 150 — must be an integer from 1 to 100/);
  });
  it("accepts a target of 100", async () => {
    expect(((await accepted({ ...API, targetCpuUtilization: 100 })).one(HPA).inputs.spec as any).metrics[0].resource.target.averageUtilization).toBe(100);
  });

  it("rejects an autoscaled service without a target", async () => {
    await expectRejected({ ...API, targetCpuUtilization: undefined }, /ServiceScaling\.targetCpuUtilization: \(missing\) — an autoscaled service needs/);
  });
  it("accepts a memory-only target", async () => {
    const spec = (await accepted({ ...API, targetCpuUtilization: undefined, targetMemoryUtilization: 80 })).one(HPA).inputs.spec as any;
    expect(spec.metrics.map((m: any) => m.resource.name)).toEqual(["memory"]);
  });

  it("rejects a PDB that would block every drain", async () => {
    await expectRejected({ ...API, disruptionBudget: { minAvailable: 3 } }, /ServiceScaling\.disruptionBudget\.minAvailable: 3 — must be below minReplicas \(3\)/);
    await expectRejected({ ...API, disruptionBudget: { maxUnavailable: "0%" } }, /ServiceScaling\.disruptionBudget\.maxUnavailable: "0%" — must allow at least one pod/);
  });
  it("accepts a percentage PDB below minReplicas", async () => {
    expect(((await accepted({ ...API, disruptionBudget: { maxUnavailable: "25%" } })).one(PDB).inputs.spec as any).maxUnavailable).toBe("25%");
  });

  it("rejects a scale-down window shorter than the scale-up window", async () => {
    await expectRejected({ ...API, behavior: { scaleUpStabilizationSeconds: 300, scaleDownStabilizationSeconds: 0 } }, /ServiceScaling\.behavior\.scaleDownStabilizationSeconds: 0 — must be at least scaleUpStabilizationSeconds \(300\)/);
  });
  it("accepts a longer scale-down window for workers", async () => {
    const spec = (await accepted({ ...API, serviceName: "celery-worker", behavior: { scaleDownStabilizationSeconds: 600 } })).one(HPA).inputs.spec as any;
    expect(spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
  });

  it("rejects a scale-down step above 100 %", async () => {
    await expectRejected({ ...API, behavior: { scaleDownMaxPercent: 150 } }, /ServiceScaling\.behavior\.scaleDownMaxPercent: 150 — must be an integer from 1 to 100/);
  });

  it("rejects a Deployment name Kubernetes would refuse", async () => {
    await expectRejected({ ...API, serviceName: "Stock_API" }, /ServiceScaling\.serviceName: "Stock_API" — must be a Kubernetes Deployment name/);
  });
});
