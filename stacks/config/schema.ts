/**
 * The one schema for everything a stack needs. Each area's keys live in their own file next to this
 * one (the rule sits where the value is declared); this file assembles them and runs the checks that
 * span keys. Unknown keys are errors at every level: a typo never falls back to a default silently.
 */
import { z } from "zod";
import { awsRegion, oneOf, str } from "./fields";
import { networkSchema, refineNetwork } from "./network";
import { clusterSchema, refineCluster } from "./cluster";
import { databaseSchema, refineDatabase } from "./database";
import { cacheSchema, refineCache } from "./cache";
import { applicationSchema, refineApplication } from "./application";
import { backupsSchema, refineBackups } from "./backups";
import { monitoringSchema, refineMonitoring } from "./monitoring";
import { drSchema, refineDr } from "./dr";
import { refineSecurity, securitySchema } from "./security";
import { messagingSchema, refineMessaging } from "./messaging";
import { refineTags, tagsSchema } from "./tags";
import { changeWindowsSchema, refineChangeWindows } from "./change-windows";
import { observabilitySchema, refineObservability } from "./observability";
import { costSchema, refineCost } from "./cost";
import { edgeSchema, refineEdge } from "./edge";
import type { Refinement } from "./refinement";
import { systemField } from "./naming";

export const PROJECT = "runbook-infra";

export const stackConfigSchema = z
  .object({
    /** The primary region, from the AWS provider's own key `aws:region`. */
    region: awsRegion(),
    /** production is held to the strict rules (Multi-AZ, deletion protection, replicas ≥ 2, DR). */
    environment: oneOf(["production", "staging", "development"]),
    /** The system this stack belongs to; every physical name starts with `<system>-<stack>`. @default the tag `system` */
    system: systemField().optional(),
    /** `primary` serves the system; `dr` is the standby site in another region that failover lands on (see README "DR site"). @default "primary" */
    role: oneOf(["primary", "dr"]).default("primary"),
    /** Region for disaster recovery copies (backup replicas, KMS replica keys, RDS backup replication). @default none */
    drRegion: awsRegion().optional(),
    /** Public DNS zone of the system, e.g. stockanalysis.com. @default none */
    domain: str(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, "a DNS domain such as example.com").optional(),
    /** Tags put on every AWS resource, besides the project/stack/environment tags; AWS's tag rules apply (stacks/config/tags.ts). @default {} */
    tags: tagsSchema.default({}),
    /** VPC layout. */
    network: networkSchema.prefault({}),
    /** EKS cluster and node groups. */
    cluster: clusterSchema,
    /** RDS PostgreSQL. @default none (no database) */
    database: databaseSchema.optional(),
    /** ElastiCache Redis. @default none (no cache) */
    cache: cacheSchema.optional(),
    /** The application namespace and its services. @default none */
    application: applicationSchema.optional(),
    /** Backup bucket, schedules and retention. @default none */
    backups: backupsSchema.optional(),
    /** Prometheus rules, SLOs, Alertmanager routing and dashboards. @default none */
    monitoring: monitoringSchema.optional(),
    /** The cluster's edge: the API's load balancer, the AWS Load Balancer Controller, cert-manager. @default none */
    edge: edgeSchema.optional(),
    /** Disaster recovery targets and failover. @default none */
    dr: drSchema.optional(),
    /** Network policies, quarantine, IP blocklist and web firewall (runbooks 002/003 containment). @default all on */
    security: securitySchema.prefault({}),
    /** Kafka on Amazon MSK (runbook 003). @default none */
    messaging: messagingSchema.optional(),
    /** When standard changes may be applied (runbook 004 4.20); the production deploy refuses others unless marked emergency. @default none (any time) */
    changeWindows: changeWindowsSchema.optional(),
    /** Data-tier exporters, log shipping, weekly database maintenance (on by default where their prerequisites exist). */
    observability: observabilitySchema.prefault({}),
    /** What the stack may cost per month; the policy pack compares the preview's estimate with it. @default none */
    cost: costSchema.optional(),
  })
  .strict();

export type StackConfig = z.infer<typeof stackConfigSchema>;

/** Checks that span keys, in the order their keys appear in the schema. */
export const refinements: Refinement[] = [refineTags, refineNetwork, refineCluster, refineDatabase, refineCache, refineApplication, refineBackups, refineMonitoring, refineEdge, refineDr, refineSecurity, refineMessaging, refineChangeWindows, refineObservability, refineCost];

/**
 * Keys that hold credentials. They must be set with `pulumi config set --secret` (`secure:` in the
 * stack file) and reach the program only as Pulumi secrets.
 */
export const SECRET_KEYS: readonly string[] = ["pagerdutyRoutingKey", "slackWebhookUrl", "smtpPassword"];
