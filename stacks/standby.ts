import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import { namePrefix } from "../core/names";
import { StandbyDatabase } from "../components/standby-database";

/** What the standby step leaves on `ctx.standby` (DR stacks only). */
export interface StandbyOutputs {
  database?: StandbyDatabase;
}

/**
 * The RDS identifier of the primary stack's database: the same rule `stacks/data.ts` names it by, with
 * the primary's stack name. A cross-region replica names its source by ARN, and the DR stack must not
 * read it through a stack reference (the primary already references the DR stack).
 */
export function primaryDatabaseIdentifier(system: string, primaryStack: string): string {
  return `${namePrefix(system, primaryStack)}-postgres`;
}

/**
 * The DR site's own pieces (role: dr): the database standing by as a cross-region read replica of the
 * primary's, promoted when `dr.active` is true. Node-group and replica sizes come from the effective
 * config (`model/standby.ts`); the cache, namespace, edge and monitoring from the usual steps.
 */
export function deployStandby(ctx: StackContext): Record<string, unknown> {
  const { config, network, cluster, prefix, tags } = ctx;
  const dr = config.dr;
  const result: StandbyOutputs = {};
  ctx.standby = result;
  if (config.role !== "dr" || !dr) return {};
  const outputs: Record<string, unknown> = { drActive: dr.active, standbyDatabase: dr.standby.database };

  const db = config.database;
  if (dr.standby.database === "replica" && db && dr.primaryStack && dr.primaryRegion) {
    const account = aws.getCallerIdentityOutput({}).accountId;
    const partition = aws.getPartitionOutput({}).partition;
    // Same system, the primary's stack name: the identifier stacks/data.ts gives the primary's database.
    const system = String(ctx.tags.system);
    const source = pulumi.interpolate`arn:${partition}:rds:${dr.primaryRegion}:${account}:db:${primaryDatabaseIdentifier(system, dr.primaryStack)}`;
    result.database = new StandbyDatabase("standby-database", {
      sourceDbInstanceArn: source,
      identifier: `${prefix}-postgres`,
      engineMajorVersion: db.engineVersion.split(".")[0],
      instanceClass: db.instanceClass,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      allowedSecurityGroupIds: [cluster.clusterSecurityGroupId],
      maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
      backupRetentionDays: Math.max(1, Math.min(db.backupRetentionDays, 35)),
      slowQueryLogMs: db.slowQueryLogMs,
      promote: dr.active,
      // Once it carries production, the promoted instance gets the primary's Multi-AZ too.
      multiAz: dr.active && db.multiAz,
      deletionProtection: db.deletionProtection,
      logRetentionDays: db.logRetentionDays,
      tags,
    });
    Object.assign(outputs, { databaseEndpoint: result.database.endpoint, databaseArn: result.database.instanceArn, databasePromoted: dr.active });
  }
  return outputs;
}
