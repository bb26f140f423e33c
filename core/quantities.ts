/**
 * Kubernetes quantities and replica arithmetic, shared by components, the config schema and the capacity
 * plan so that every layer computes the same numbers. Pure functions, no Pulumi resources.
 */

/** CPU quantity ("250m", "2", "0.5") in cores. */
export function cpuCores(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

const MEMORY_UNITS: Record<string, number> = { Ki: 1 / (1024 * 1024), Mi: 1 / 1024, Gi: 1, Ti: 1024 };

/** Memory quantity ("512Mi", "8Gi") in GiB. */
export function memoryGiB(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!match) return Number.NaN;
  return Number(match[1]) * MEMORY_UNITS[match[2]];
}

/** Pods a PDB bound stands for out of `replicas` (Kubernetes rounds percentages up). */
export function podsOf(bound: number | string, replicas: number): number {
  return typeof bound === "number" ? bound : Math.ceil((replicas * Number(bound.slice(0, -1))) / 100);
}

/** A Deployment's default maxSurge: pods a rolling update adds on top of the replica count. */
export const ROLLOUT_SURGE_PERCENT = 25;

/** Pods of a Deployment at `replicas` during a rolling update (maxSurge rounds up). */
export function surged(replicas: number): number {
  return replicas + Math.ceil((replicas * ROLLOUT_SURGE_PERCENT) / 100);
}

