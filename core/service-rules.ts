import { podsOf } from "./quantities";

/**
 * Rules of one service that hold whatever the environment. Shared with the ServiceScaling component
 * (which reports through `rejectArg`) so that config and component never disagree.
 * `report(field, value, allowed)` is called for the first broken rule only.
 */
export interface ServiceRules {
  minReplicas: number;
  maxReplicas: number;
  autoscale?: boolean;
  targetCpuUtilization?: number;
  targetMemoryUtilization?: number;
  disruptionBudget?: { minAvailable?: number | string; maxUnavailable?: number | string };
  behavior?: { scaleUpStabilizationSeconds?: number; scaleDownStabilizationSeconds?: number };
}

export function checkService(service: ServiceRules, report: (field: string, value: unknown, allowed: string) => void): void {
  const { minReplicas, maxReplicas } = service;
  if (minReplicas > maxReplicas) return report("minReplicas", minReplicas, `must not exceed maxReplicas (${maxReplicas})`);
  const autoscale = service.autoscale ?? true;
  if (autoscale && service.targetCpuUtilization === undefined && service.targetMemoryUtilization === undefined)
    return report("targetCpuUtilization", undefined, "an autoscaled service needs targetCpuUtilization and/or targetMemoryUtilization (1–100)");
  if (autoscale && minReplicas === maxReplicas)
    return report("maxReplicas", maxReplicas, `must exceed minReplicas (${minReplicas}) for an autoscaled service; set autoscale: false for a fixed count`);
  if (!autoscale && minReplicas !== maxReplicas)
    return report("maxReplicas", maxReplicas, `must equal minReplicas (${minReplicas}) when autoscale is false (the pipeline owns a fixed count)`);
  for (const key of ["targetCpuUtilization", "targetMemoryUtilization"] as const) {
    const value = service[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 100)) return report(key, value, "must be an integer from 1 to 100");
  }
  const up = service.behavior?.scaleUpStabilizationSeconds ?? 60;
  const down = service.behavior?.scaleDownStabilizationSeconds ?? 300;
  if (autoscale && down < up)
    return report("behavior.scaleDownStabilizationSeconds", down, `must be at least scaleUpStabilizationSeconds (${up}); removing pods faster than adding them makes the HPA flap`);
  const pdb = service.disruptionBudget ?? {};
  if (pdb.minAvailable !== undefined && pdb.maxUnavailable !== undefined)
    return report("disruptionBudget", pdb, "set minAvailable or maxUnavailable, not both");
  if (pdb.minAvailable !== undefined && podsOf(pdb.minAvailable, minReplicas) >= minReplicas)
    return report("disruptionBudget.minAvailable", pdb.minAvailable, `must be below minReplicas (${minReplicas}), or a node drain can never evict a pod`);
  if (pdb.maxUnavailable !== undefined && podsOf(pdb.maxUnavailable, minReplicas) < 1)
    return report("disruptionBudget.maxUnavailable", pdb.maxUnavailable, "must allow at least one pod (0 or 0% blocks every node drain)");
}

