/**
 * The PostgreSQL parameters every instance of a system runs with: the primary, its in-region read
 * replicas (which share the primary's group) and a cross-region replica (whose group must live in its
 * own region, so it is built from this same list). Pure: no Pulumi resources.
 */

/** One entry of an `aws.rds.ParameterGroup`'s `parameters`. */
export interface PostgresParameter {
  name: string;
  value: string;
  applyMethod?: "immediate" | "pending-reboot";
}

/** Parameters for `log_min_duration_statement` = `slowQueryLogMs`, TLS forced, pg_stat_statements loaded. */
export function postgresParameters(slowQueryLogMs: number): PostgresParameter[] {
  return [
    { name: "rds.force_ssl", value: "1" },
    // The runbooks' tuning queries read pg_stat_statements; it needs a restart to load.
    { name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" },
    { name: "pg_stat_statements.track", value: "all", applyMethod: "pending-reboot" },
    { name: "log_min_duration_statement", value: String(slowQueryLogMs) },
    { name: "log_lock_waits", value: "1" },
  ];
}

/** RDS for PostgreSQL allows up to 15 read replicas per source instance (RDS user guide, "Working with read replicas"). */
export const MAX_POSTGRES_READ_REPLICAS = 15;

/** Identifier of the `index`-th (0-based) in-region replica of `sourceIdentifier`; RDS identifiers are at most 63 characters. */
export function replicaIdentifier(sourceIdentifier: string, index: number): string {
  return `${sourceIdentifier}-replica-${index + 1}`;
}
