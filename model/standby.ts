/**
 * The DR site's two sizes from one config (role: dr): standing by (small, cheap) and active (the
 * runbook's DR numbers). Pure: the program composes the effective config, the recovery report and the
 * tests read the same figures, so activation is one reviewed key (`dr.active`) whose whole effect shows
 * in the plan's diff.
 */
import type { StackConfig } from "../stacks/config/schema";

/** True for a DR stack (role: dr) that is not activated. */
export function standingBy(config: StackConfig): boolean {
  return config.role === "dr" && !config.dr?.active;
}

/**
 * The config the program composes for this site. A primary is unchanged. A DR stack standing by runs
 * every node group at `dr.standby.nodes` (min = desired; max unchanged, so the autoscaler can still
 * grow it) and every service at `dr.standby.replicas`; an active DR stack runs its node groups as
 * configured and the services of `dr.drReplicas` at those replicas (runbook 001: 5 each).
 */
export function siteConfig(config: StackConfig): StackConfig {
  if (config.role !== "dr" || !config.dr) return config;
  const dr = config.dr;
  const active = dr.active;
  const nodeGroups = config.cluster.nodeGroups.map((group) => {
    if (active) return group;
    const size = Math.min(dr.standby.nodes, group.maxSize);
    return { ...group, minSize: size, desiredSize: size };
  });
  const application = config.application && {
    ...config.application,
    services: config.application.services.map((service) => {
      const target = active ? (dr.drReplicas[service.name] ?? service.minReplicas) : Math.min(dr.standby.replicas, service.minReplicas);
      const minReplicas = Math.min(target, service.maxReplicas);
      return { ...service, minReplicas };
    }),
  };
  return { ...config, cluster: { ...config.cluster, nodeGroups }, ...(application ? { application } : {}) };
}

/** What the DR site runs while standing by, for the report (what standing by costs). */
export interface StandbyFootprint {
  nodes: Array<{ group: string; count: number; instanceType: string }>;
  database: string;
  cache: string;
  replicasPerService: number;
}

export function standbyFootprint(config: StackConfig): StandbyFootprint | undefined {
  if (config.role !== "dr" || !config.dr) return undefined;
  const idle = siteConfig({ ...config, dr: { ...config.dr, active: false } });
  return {
    nodes: idle.cluster.nodeGroups.map((g) => ({ group: g.name, count: g.desiredSize, instanceType: g.instanceTypes[0] })),
    database: config.dr.standby.database === "replica" && config.database ? `${config.database.instanceClass} read replica` : config.dr.standby.database === "restore" ? "none (restore on activation)" : "none",
    cache: config.cache ? `${config.cache.numCacheClusters} × ${config.cache.nodeType}` : "none",
    replicasPerService: config.dr.standby.replicas,
  };
}
