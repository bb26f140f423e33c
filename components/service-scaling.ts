import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { checkService } from "../core/service-rules";
import { LIBRARY_LABELS } from "../core/labels";

export interface ScalingBehavior {
  /** Window (s) over which the HPA takes the lowest recent recommendation before adding pods. @default 60 */
  scaleUpStabilizationSeconds?: number;
  /** Most pods added per period. @default 4 */
  scaleUpMaxPods?: number;
  /** Most pods added per period as a percentage of the current count; the larger of pods/percent applies. @default 100 */
  scaleUpMaxPercent?: number;
  /** Length (s) of one scale-up period. @default 60 */
  scaleUpPeriodSeconds?: number;
  /** Window (s) over which the HPA takes the highest recent recommendation before removing pods. @default 300 */
  scaleDownStabilizationSeconds?: number;
  /** Most pods removed per period, percent of the current count. @default 50 */
  scaleDownMaxPercent?: number;
  /** Length (s) of one scale-down period. @default 60 */
  scaleDownPeriodSeconds?: number;
}

export interface ServiceScalingArgs {
  /** Namespace of the Deployment. No default. */
  namespace: pulumi.Input<string>;
  /** Name of the Deployment the application pipeline owns (apps/v1). No default. */
  serviceName: string;
  /** Fewest replicas. No default. */
  minReplicas: number;
  /** Most replicas. No default. */
  maxReplicas: number;
  /** Create the HPA; false leaves the count to the pipeline and creates only the PDB (then min = max). @default true */
  autoscale?: boolean;
  /** Target average CPU utilisation (percent of requests). @default none (at least one target is required when autoscaling) */
  targetCpuUtilization?: number;
  /** Target average memory utilisation (percent of requests). @default none */
  targetMemoryUtilization?: number;
  /** Refuse minReplicas < 2 (production). @default false */
  requireHighAvailability?: boolean;
  /** Pod labels of the Deployment, for the PDB selector. @default { app: serviceName } */
  selector?: Record<string, string>;
  /** HPA behaviour. @default see ScalingBehavior */
  behavior?: ScalingBehavior;
  /** PDB: exactly one of minAvailable / maxUnavailable. @default { maxUnavailable: 1 } */
  disruptionBudget?: { minAvailable?: number | string; maxUnavailable?: number | string };
  /** Extra labels on the HPA and PDB. @default {} */
  labels?: Record<string, string>;
  /** What serves the metrics API (the metrics-server release); the HPA is created after it. @default none */
  metricsApi?: pulumi.Resource;
}

const BEHAVIOR_DEFAULTS: Required<ScalingBehavior> = {
  scaleUpStabilizationSeconds: 60,
  scaleUpMaxPods: 4,
  scaleUpMaxPercent: 100,
  scaleUpPeriodSeconds: 60,
  scaleDownStabilizationSeconds: 300,
  scaleDownMaxPercent: 50,
  scaleDownPeriodSeconds: 60,
};

/**
 * Scaling for one service: an autoscaling/v2 HPA on its Deployment (CPU and/or memory targets, a
 * scale-down stabilisation window and bounded scale-up/scale-down steps so that a noisy metric does
 * not make the replica count flap) and a policy/v1 PodDisruptionBudget so that node drains (cluster
 * autoscaler scale-down, node upgrades) keep the service up. The Deployment itself is not created here.
 */
export class ServiceScaling extends pulumi.ComponentResource {
  public readonly hpa?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
  public readonly pdb: k8s.policy.v1.PodDisruptionBudget;
  public readonly hpaName?: pulumi.Output<string>;
  public readonly pdbName: pulumi.Output<string>;

  constructor(name: string, args: ServiceScalingArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.serviceName))
      rejectArg("ServiceScaling", "serviceName", args.serviceName, "must be a Kubernetes Deployment name (lowercase letters, digits and '-', at most 63)");
    for (const key of ["minReplicas", "maxReplicas"] as const)
      if (!Number.isInteger(args[key]) || args[key] < 1) rejectArg("ServiceScaling", key, args[key], "must be a positive integer");
    const behavior = { ...BEHAVIOR_DEFAULTS, ...args.behavior };
    for (const [key, value] of Object.entries(behavior)) {
      const min = key.includes("Stabilization") ? 0 : 1;
      const max = key.includes("Stabilization") ? 3600 : key === "scaleDownMaxPercent" ? 100 : key.endsWith("PeriodSeconds") ? 1800 : 1000;
      if (!Number.isInteger(value) || value < min || value > max) rejectArg("ServiceScaling", `behavior.${key}`, value, `must be an integer from ${min} to ${max}`);
    }
    const disruptionBudget = args.disruptionBudget ?? {};
    checkService({ ...args, behavior, disruptionBudget }, (field, value, allowed) => rejectArg("ServiceScaling", field, value, allowed));
    if (args.requireHighAvailability && args.minReplicas < 2)
      rejectArg("ServiceScaling", "minReplicas", args.minReplicas, "must be at least 2 when requireHighAvailability is set (production)");
    super("runbook:scaling:ServiceScaling", name, {}, opts);

    const labels = { ...LIBRARY_LABELS, "app.kubernetes.io/name": args.serviceName, ...args.labels };
    if (args.autoscale ?? true) {
      const metrics: k8s.types.input.autoscaling.v2.MetricSpec[] = [];
      if (args.targetCpuUtilization !== undefined)
        metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.targetCpuUtilization } } });
      if (args.targetMemoryUtilization !== undefined)
        metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: args.targetMemoryUtilization } } });
      this.hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
          metadata: { name: `${args.serviceName}-hpa`, namespace: args.namespace, labels },
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.serviceName },
            minReplicas: args.minReplicas,
            maxReplicas: args.maxReplicas,
            metrics,
            behavior: {
              scaleUp: {
                stabilizationWindowSeconds: behavior.scaleUpStabilizationSeconds,
                // "Max" lets a burst grow by whichever is larger (4 pods or 100 %), so small services still double quickly.
                selectPolicy: "Max",
                policies: [
                  { type: "Pods", value: behavior.scaleUpMaxPods, periodSeconds: behavior.scaleUpPeriodSeconds },
                  { type: "Percent", value: behavior.scaleUpMaxPercent, periodSeconds: behavior.scaleUpPeriodSeconds },
                ],
              },
              scaleDown: {
                stabilizationWindowSeconds: behavior.scaleDownStabilizationSeconds,
                selectPolicy: "Min",
                policies: [{ type: "Percent", value: behavior.scaleDownMaxPercent, periodSeconds: behavior.scaleDownPeriodSeconds }],
              },
            },
          },
        },
        // An HPA created before the metrics API exists reports "unknown" metrics and sends warning events.
        { parent: this, dependsOn: args.metricsApi ? [args.metricsApi] : [] },
      );
      this.hpaName = this.hpa.metadata.name;
    }

    const pdbSpec: k8s.types.input.policy.v1.PodDisruptionBudgetSpec = {
      selector: { matchLabels: args.selector ?? { app: args.serviceName } },
      // Pods that never became ready must not hold a node drain hostage.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    };
    if (disruptionBudget.minAvailable !== undefined) pdbSpec.minAvailable = disruptionBudget.minAvailable;
    else pdbSpec.maxUnavailable = disruptionBudget.maxUnavailable ?? 1;
    this.pdb = new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, { metadata: { name: `${args.serviceName}-pdb`, namespace: args.namespace, labels }, spec: pdbSpec }, { parent: this });
    this.pdbName = this.pdb.metadata.name;

    this.registerOutputs({ hpaName: this.hpaName, pdbName: this.pdbName });
  }
}
