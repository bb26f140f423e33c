import { z } from "zod";
import { bool, int, k8sName, num, oneOf, str } from "./fields";
import type { Refinement } from "./refinement";
import { ROUTE53_CHECKER_REGIONS, HEALTH_CHECK_INTERVALS } from "../../core/aws-catalogue";
export { ROUTE53_CHECKER_REGIONS, HEALTH_CHECK_INTERVALS };
import { GROUP_ALLOWED, GROUP_NAME, isReservedGroup } from "../../core/rbac";
import { isLoadBalancerHostname } from "../../core/elb";

const hostname = () => str(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, "a DNS name such as api.example.com");
const ipv4 = () => str(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, "an IPv4 address such as 203.0.113.10");

/** An alias target: a load balancer's DNS name and its hosted zone. */
export const aliasTargetSchema = z
  .object({
    /** The target's DNS name, e.g. the ingress NLB's hostname. No default. */
    dnsName: hostname(),
    /** The target's own hosted zone id (per region and load balancer kind, e.g. Z26RNL4JYFTOTI for NLBs in us-east-1). No default. */
    zoneId: str(/^Z[A-Z0-9]{4,31}$/, "a Route53 hosted zone id such as Z26RNL4JYFTOTI"),
  })
  .strict();

/** Where one side of the failover pair points: exactly one of alias, cname, ip (checked in refineDr). */
export const failoverTargetSchema = z
  .object({
    /** Alias to a load balancer (or another alias-capable AWS target); evaluated for target health. @default none */
    alias: aliasTargetSchema.optional(),
    /** A host name served as a CNAME with `records.ttlSeconds`. @default none */
    cname: hostname().optional(),
    /** An IPv4 address served as an A record with `records.ttlSeconds`. @default none */
    ip: ipv4().optional(),
  })
  .strict();

export type FailoverTargetConfig = z.infer<typeof failoverTargetSchema>;

/** Planning figures the RTO/RPO report uses when the stack does not set them (documented on each key below). */
export const DR_DEFAULTS = {
  restoreThroughputGiBPerHour: 50,
  restoreOverheadMinutes: 20,
  activationMinutes: 30,
  replicationLagMinutes: 15,
  ttlSeconds: 60,
} as const;

/** The Route53 health check on the primary site (runbook 001: `curl -f https://api.stockanalysis.com/health`). */
export const healthCheckSchema = z
  .object({
    /** Host the checkers call, also sent as Host header and SNI (the primary's load balancer must serve it); never the failover name or a load balancer's own name. @default the primary's site name (edge.siteName) */
    fqdn: hostname().optional(),
    /** HTTPS path that answers 2xx/3xx when the site is healthy (runbook: /health). @default "/health" */
    path: str(/^\/[A-Za-z0-9\-._~:/@!$&'()*+,;=%]*(\?[A-Za-z0-9\-._~:/?@!$&'()*+,;=%]*)?$/, 'an absolute URL path such as "/health" (URL characters only, at most 255: Route53\'s ResourcePath limit)')
      .max(255, { error: "must be at most 255 characters (Route53's ResourcePath limit)" })
      .default("/health"),
    /** HTTPS port. @default 443 */
    port: int(1, 65535).default(443),
    /** Seconds between checks from each checker region (Route53 allows 10 or 30). @default 30 */
    intervalSeconds: z
      .number({ error: "must be 10 or 30 (the intervals Route53 offers)" })
      .refine((v) => (HEALTH_CHECK_INTERVALS as readonly number[]).includes(v), { error: "must be 10 or 30 (the intervals Route53 offers)" })
      .default(30),
    /** Consecutive failed checks before the endpoint counts as unhealthy (Route53: 1–10). @default 3 */
    failureThreshold: int(1, 10).default(3),
    /** Checker regions; at least 3 so that one region's network trouble cannot fail the site over. @default ["us-east-1", "us-west-2", "eu-west-1"] */
    regions: z
      .array(oneOf(ROUTE53_CHECKER_REGIONS))
      .min(3, { error: `must list at least 3 checker regions from ${ROUTE53_CHECKER_REGIONS.join(", ")}` })
      .default(["us-east-1", "us-west-2", "eu-west-1"]),
  })
  .strict();

/** The PRIMARY/SECONDARY pair and the DR site's own name. */
export const failoverRecordsSchema = z
  .object({
    /** Public hosted zone that holds the records. @default the stack's `domain` */
    zone: hostname().optional(),
    /** The name users call, served PRIMARY/SECONDARY (runbook 001: api.stockanalysis.com). No default. */
    name: hostname(),
    /** A plain name for the DR site itself (runbook 001: dr.stockanalysis.com, used to verify it). @default none */
    drName: hostname().optional(),
    /** TTL of CNAME/IP records; alias records use the target's TTL (60 s for load balancers). @default 60 */
    ttlSeconds: int(0, 86400).default(DR_DEFAULTS.ttlSeconds),
    /** The primary site, typed by hand (needs allowLiteralTargets). @default this stack's own load balancer (runbook-infra:edge) */
    primary: failoverTargetSchema.optional(),
    /** The DR site, typed by hand (needs allowLiteralTargets). @default the DR stack's load balancer, read through the stack reference `dr.stack` */
    secondary: failoverTargetSchema.optional(),
    /**
     * Accept targets typed into config (alias, cname, ip) instead of the stacks' own load balancers.
     * A typed load-balancer name is a placeholder or a copy of another stack's state; this opt-in is
     * recorded on the FailoverDns component so that the policy pack and reviewers see it. @default false
     */
    allowLiteralTargets: bool().default(false),
  })
  .strict();

/**
 * How the DR site stands by. The DR stack builds it; the primary computes its recovery report from the
 * same keys (and the policy pack compares them with what the DR stack reports through its outputs).
 */
export const standbySchema = z
  .object({
    /**
     * The DR site's database: `replica` (a cross-region read replica, promoted on activation: RPO = its
     * lag, RTO adds a promotion), `restore` (none standing by; restore from the RDS automated backups
     * replicated to drRegion: RPO = PITR + backup replication lag, RTO adds size/throughput), or `none`
     * (the DR stack's first deploy, before the primary's database exists). @default "replica"
     */
    database: oneOf(["replica", "restore", "none"]).default("replica"),
    /** Nodes per node group while standing by (min = desired); activation restores the configured sizes. @default 3 */
    nodes: int(1, 1000).default(3),
    /** Replicas per DR service while standing by; activation raises them to dr.drReplicas. @default 2 */
    replicas: int(1, 200).default(2),
    /** Planning figure: how far the cross-region replica lags (minutes); alarm on RDS ReplicaLag above it. @default 5 */
    replicaLagMinutes: num(0, 1440).default(5),
    /** Planning figure: promoting the replica to a writable instance (RDS: minutes, with a reboot). @default 15 */
    promotionMinutes: int(0, 1440).default(15),
    /** Planning figure: new nodes joining and the DR deployments reaching dr.drReplicas. @default 10 */
    scaleOutMinutes: int(0, 1440).default(10),
  })
  .strict();

export type StandbyConfig = z.infer<typeof standbySchema>;

export const drSchema = z
  .object({
    /** Build the DR pieces (failover DNS, DR namespace, replication into drRegion). A dr section means DR unless it says false; a DR stack (role: dr) builds none of them and ignores it. @default true */
    enabled: bool().default(true),
    /** Recovery time objective in minutes (runbook 001 and 003: 4 hours). No default. */
    rtoMinutes: int(1, 43200),
    /** Recovery point objective in minutes (runbook 001: 1 hour; runbook 003: 24 hours). No default. */
    rpoMinutes: int(0, 43200),
    /** The Route53 health check on the primary site. @default {} (every key at its default) */
    healthCheck: healthCheckSchema.prefault({}),
    /** The failover record pair. Required when enabled. @default none */
    records: failoverRecordsSchema.optional(),
    /**
     * The DR stack's name for a Pulumi stack reference (`production-dr`, or `org/project/production-dr`):
     * the SECONDARY record aliases that stack's load balancer (its `edgeLoadBalancerDnsName` and
     * `edgeLoadBalancerZoneId` outputs). Required in production with DR enabled. @default none
     */
    stack: str(/^([A-Za-z0-9][A-Za-z0-9._-]*\/){0,2}[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a stack name such as "production-dr" or "acme/runbook-infra/production-dr"').optional(),
    /**
     * DR stack only (role: dr): activate the site — promote the database replica, grow the node groups
     * to their configured sizes and the DR services to dr.drReplicas. A reviewed config change that a
     * pull request previews and `pulumi up` applies (README "DR activation"). @default false
     */
    active: bool().default(false),
    /** DR stack only: the primary stack whose database the site replicates (its physical names follow from it), e.g. "production". @default none */
    primaryStack: str(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a stack name such as "production"').optional(),
    /** DR stack only: the primary's region (where the replica's source lives). @default none */
    primaryRegion: str(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region name such as us-east-1").optional(),
    /** How the DR site stands by (see each key). @default {} (every key at its default) */
    standby: standbySchema.prefault({}),
    /** Replicas each service runs at in the DR namespace (runbook 001: 5 for stock-analysis-api and celery-worker). @default {} */
    drReplicas: z.record(k8sName(), int(1, 200)).default({}),
    /** DR HPAs may grow to ceil(drReplicas × this factor); the DR quota admits that maximum. @default 2 */
    drMaxReplicasFactor: num(1, 10).default(2),
    /** Kubernetes group (as mapped by EKS access entries) allowed to operate the DR namespace. @default "dr-operators" */
    operatorGroup: z
      .string({ error: `must be ${GROUP_ALLOWED}` })
      .refine((v) => GROUP_NAME.test(v) && !isReservedGroup(v), { error: `must be ${GROUP_ALLOWED}` })
      .default("dr-operators"),
    /**
     * Planning figure for restoring the database (GiB per hour), used for the RTO. 50 GiB/h is a
     * conservative figure for pg_restore of a custom-format dump with parallel jobs into gp3 storage
     * and for RDS restores while blocks load lazily from S3; measure yours and set it. @default 50
     */
    restoreThroughputGiBPerHour: num(0.1, 100000).default(DR_DEFAULTS.restoreThroughputGiBPerHour),
    /** Fixed part of a restore: RDS creating the instance from a snapshot before data loads. @default 20 */
    restoreOverheadMinutes: int(0, 1440).default(DR_DEFAULTS.restoreOverheadMinutes),
    /** Time for on-call to confirm the disaster and trigger the restore (runbook 003: assess < 30 min). @default 30 */
    activationMinutes: int(0, 1440).default(DR_DEFAULTS.activationMinutes),
    /** How far copies in the DR region lag (S3 Replication Time Control's 15-minute SLA; RDS backup replication is in that range). @default 15 */
    replicationLagMinutes: int(0, 1440).default(DR_DEFAULTS.replicationLagMinutes),
    /** Data size to restore (GiB). @default database.allocatedStorageGiB */
    databaseSizeGiB: num(0, 65536).optional(),
  })
  .strict();

export type DrConfig = z.infer<typeof drSchema>;

/** "alias" and "ip" records are A records, "cname" are CNAMEs; a failover pair must share one type. */
export function targetRecordType(target: FailoverTargetConfig): "A" | "CNAME" {
  return target.cname !== undefined ? "CNAME" : "A";
}

function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

export const refineDr: Refinement = (config, report) => {
  const dr = config.dr;
  if (config.role === "dr") {
    // The DR site is the failover target, not a failover source: the records and replication live in the primary stack.
    if (!dr) return report(["dr"], dr, "must be set in a DR stack (role: dr): targets, dr.primaryRegion, dr.drReplicas, dr.standby");
    if (dr.records) report(["dr", "records"], dr.records, "must not be set in a DR stack (role: dr): the primary stack owns the failover records");
    if (dr.stack) report(["dr", "stack"], dr.stack, "must not be set in a DR stack (role: dr): the primary references the DR stack, not the other way round");
    if (!config.edge) report(["edge"], config.edge, "must be set in a DR stack (role: dr): its load balancer is the SECONDARY failover target");
    if (!dr.primaryRegion) report(["dr", "primaryRegion"], dr.primaryRegion, "must be set in a DR stack (role: dr): the region of the primary site");
    else if (dr.primaryRegion === config.region) report(["dr", "primaryRegion"], dr.primaryRegion, `must differ from aws:region (${config.region}): a DR site in the primary's region fails with it`);
    if (dr.standby.database === "replica") {
      if (!dr.primaryStack) report(["dr", "primaryStack"], dr.primaryStack, "must name the primary stack when dr.standby.database is replica (the replica's source)");
      if (!config.database) report(["database"], config.database, "must be set when dr.standby.database is replica (engine version, class and storage ceiling of the replica, as the primary's)");
    }
    if (dr.standby.database === "restore" && !config.database && dr.databaseSizeGiB === undefined)
      report(["dr", "databaseSizeGiB"], dr.databaseSizeGiB, "must be set when dr.standby.database is restore and no database section is: the size the restore loads (RTO)");
    if (config.drRegion) report(["drRegion"], config.drRegion, "must not be set in a DR stack (role: dr): the DR stack replicates nowhere; set dr.primaryRegion");
    if (dr.active && dr.standby.database === "none") report(["dr", "active"], dr.active, "needs dr.standby.database replica or restore: a site with no database cannot take over");
    const app = config.application;
    if (app)
      for (const name of Object.keys(dr.drReplicas))
        if (!app.services.some((s) => s.name === name))
          report(["dr", "drReplicas", name], dr.drReplicas[name], `unknown service; application.services has: ${app.services.map((s) => s.name).join(", ") || "(none)"}`);
    return;
  }
  if (dr?.active) report(["dr", "active"], dr.active, "is for a DR stack (role: dr); the primary's failover is automatic");
  if (dr?.primaryStack || dr?.primaryRegion) report(["dr", dr.primaryStack ? "primaryStack" : "primaryRegion"], dr.primaryStack ?? dr.primaryRegion, "is for a DR stack (role: dr)");
  if (config.environment === "production") {
    if (!dr) return report(["dr"], dr, "must be set in production (runbook targets: rtoMinutes 240, rpoMinutes 60)");
    if (!dr.enabled) report(["dr", "enabled"], dr.enabled, "must be true in production");
  }
  if (!dr) return;
  if (dr.enabled) {
    if (!config.drRegion) report(["dr", "enabled"], dr.enabled, "needs runbook-infra:drRegion (where backups are replicated and the DR site runs)");
    else if (config.drRegion === config.region) report(["drRegion"], config.drRegion, `must differ from aws:region (${config.region})`);
    if (!dr.records) report(["dr", "records"], dr.records, "must be set when DR is enabled (name, primary and secondary targets)");
    if (config.environment === "production" && !dr.stack)
      report(["dr", "stack"], dr.stack, 'must name the DR stack in production (e.g. "production-dr"): the SECONDARY record aliases its load balancer');
  }
  const app = config.application;
  const services = Object.keys(dr.drReplicas);
  if (dr.enabled && app && services.length === 0)
    report(["dr", "drReplicas"], dr.drReplicas, `must list the services to run at DR scale (runbook 001: 5 each), from application.services: ${app.services.map((s) => s.name).join(", ") || "(none)"}`);
  if (!app && services.length > 0) report(["dr", "drReplicas"], dr.drReplicas, "needs runbook-infra:application (the DR namespace is <application.namespace>-dr)");
  if (app)
    for (const name of services)
      if (!app.services.some((s) => s.name === name))
        report(["dr", "drReplicas", name], dr.drReplicas[name], `unknown service; application.services has: ${app.services.map((s) => s.name).join(", ") || "(none)"}`);
  const regions = dr.healthCheck.regions;
  const repeated = regions.find((r, i) => regions.indexOf(r) !== i);
  if (repeated) report(["dr", "healthCheck", "regions"], regions, `must not repeat a region (${repeated})`);

  const records = dr.records;
  if (!records) return;
  const zone = records.zone ?? config.domain;
  if (!zone) return report(["dr", "records", "zone"], records.zone, "must be set (or set runbook-infra:domain)");
  for (const key of ["name", "drName"] as const) {
    const name = records[key];
    if (name !== undefined && !inZone(name, zone)) report(["dr", "records", key], name, `must be inside the zone ${zone}`);
  }
  if (!records.primary && !config.edge) report(["dr", "records", "primary"], records.primary, "must be set when runbook-infra:edge is not (then it defaults to this stack's own load balancer)");
  if (!records.secondary && !dr.stack) report(["dr", "records", "secondary"], records.secondary, "must be set when dr.stack is not (then it defaults to the DR stack's load balancer)");
  for (const side of ["primary", "secondary"] as const) {
    const target = records[side];
    if (!target) continue;
    const typed = target.alias?.dnsName ?? target.cname ?? target.ip;
    if (!records.allowLiteralTargets)
      report(
        ["dr", "records", side],
        target,
        isLoadBalancerHostname(typed)
          ? "names a load balancer by hand (a placeholder or a copy of another stack's state); remove it so the stack's own load balancer is used, or set dr.records.allowLiteralTargets: true"
          : "is typed by hand; remove it to use the stacks' own load balancers, or set dr.records.allowLiteralTargets: true",
      );
    const kinds = (["alias", "cname", "ip"] as const).filter((k) => target[k] !== undefined);
    if (kinds.length !== 1) report(["dr", "records", side], target, "must set exactly one of alias {dnsName, zoneId}, cname, ip");
  }
  const primaryType = records.primary ? targetRecordType(records.primary) : "A";
  const secondaryType = records.secondary ? targetRecordType(records.secondary) : "A";
  if (primaryType !== secondaryType)
    report(["dr", "records", "secondary"], records.secondary, `must be the same record type as primary (${primaryType}): Route53 failover pairs share one type; use alias/ip with alias/ip, cname with cname`);
  if (primaryType === "CNAME" && records.name === zone) report(["dr", "records", "name"], records.name, "must not be the zone apex when the targets are CNAMEs (use alias targets there)");
  if (isLoadBalancerHostname(dr.healthCheck.fqdn))
    report(["dr", "healthCheck", "fqdn"], dr.healthCheck.fqdn, "must be a host the primary serves (its site name), not a load balancer's own name: the listener answers 404 to that Host header and the certificate does not cover it");
  if (!dr.healthCheck.fqdn && records.primary?.alias)
    report(["dr", "healthCheck", "fqdn"], dr.healthCheck.fqdn, "must be set when the primary is a typed alias: name the host the primary serves");
  if (dr.healthCheck.fqdn === records.name)
    report(["dr", "healthCheck", "fqdn"], dr.healthCheck.fqdn, "must name the primary site itself, not the failover name (after failover it would check the DR site)");
};
