/**
 * `runbook-infra:system`: the system a stack belongs to, which every physical name carries
 * (`<system>-<stack>-…`), so two systems can share an account and a region.
 */
import { NAME_LIMITS, SYSTEM_ALLOWED, SYSTEM_NAME, bucketNameProblem, nameLengthProblem, namePrefix } from "../../core/names";
import { replicaIdentifier } from "../../core/postgres-parameters";
import { str } from "./fields";
import type { Refinement } from "./refinement";
import { refineClusterAccess } from "./cluster-access";
import type { StackConfig } from "./schema";

export const systemField = () => str(SYSTEM_NAME, SYSTEM_ALLOWED);

/** Used outside production when a stack names no system (the policy pack still flags the shared names). */
export const FALLBACK_SYSTEM = "runbook-infra";

/** The system name: the `system` key, else the `system` tag the stack files already carry. */
export function systemOf(config: Pick<StackConfig, "system" | "tags">): string | undefined {
  return config.system ?? config.tags.system;
}

/** The system name the program uses: outside production a stack without one falls back to FALLBACK_SYSTEM. */
export function systemName(config: Pick<StackConfig, "system" | "tags" | "environment">): string {
  return systemOf(config) ?? FALLBACK_SYSTEM;
}

/** Buckets the stack may create, by purpose, with the region each lives in. */
export function bucketPurposes(config: StackConfig): Array<{ purpose: string; region: string }> {
  if (!config.backups) return [];
  const out = [{ purpose: "backups", region: config.region }];
  if (config.backups.replicateToDrRegion && config.drRegion && config.dr?.enabled) out.push({ purpose: "backups", region: config.drRegion });
  return out;
}

export const refineNaming = (stack: string): Refinement => (config, report) => {
  // Runs after every area's own rules, so an error in an area is reported before these stack-wide ones.
  refineClusterAccess(config, report);
  const system = systemOf(config);
  if (system === undefined && config.environment === "production") {
    report(["system"], undefined, `must be set in production (${SYSTEM_ALLOWED}): every physical name carries it, so two systems can share an account`);
    return;
  }
  if (system === undefined) return;
  if (config.system === undefined && !SYSTEM_NAME.test(system)) {
    report(["tags", "system"], system, `must be ${SYSTEM_ALLOWED} when it names the system (or set runbook-infra:system)`);
    return;
  }
  const key = config.system === undefined ? ["tags", "system"] : ["system"];
  const prefix = namePrefix(system, stack);
  for (const { purpose, region } of bucketPurposes(config)) {
    const problem = bucketNameProblem(prefix, purpose, region);
    if (problem) report(key, system, problem);
  }
  // The names the steps build from the prefix (stacks/data.ts, messaging.ts, program.ts): AWS refuses longer ones
  // half-way through a deploy; here the stack's own key is named before anything is registered.
  const replicas = config.database?.readReplicas?.count ?? 0;
  const names: Array<[string, string, number]> = [
    ["EKS cluster name", prefix, NAME_LIMITS.eksCluster],
    ...(config.database ? [["RDS identifier", replicas ? replicaIdentifier(`${prefix}-postgres`, replicas - 1) : `${prefix}-postgres`, NAME_LIMITS.rdsIdentifier] as [string, string, number]] : []),
    ...(config.cache ? [["ElastiCache replication group id", `${prefix}-redis`, NAME_LIMITS.elasticacheReplicationGroupId] as [string, string, number]] : []),
    ...(config.messaging?.kafka ? [["MSK cluster name", `${prefix}-kafka`, NAME_LIMITS.mskClusterName] as [string, string, number]] : []),
  ];
  for (const [what, name, max] of names) {
    const problem = nameLengthProblem(what, name, max);
    if (problem) report(key, system, problem);
  }
};
