import { z } from "zod";
import { bool, int, k8sName, num, oneOf, promDuration, str } from "./fields";
import type { Refinement } from "./refinement";
import { K8S_LABEL_KEY } from "../../core/labels";
import { EMAIL_ADDRESS, HTTPS_URL, HTTPS_URL_WITH_FRAGMENT, MAX_URL, SMTP_USERNAME } from "../../core/text";
import { ALERT_CATALOGUE, ALERT_FAMILIES, DEFAULT_FAMILIES } from "../../monitoring/catalogue";
import { RECEIVER_KINDS, RUNBOOK_ROUTES } from "../../monitoring/alertmanager";
import { SEVERITIES } from "../../monitoring/types";
import { durationSeconds } from "../../monitoring/promql";
import { BURN_RATE_WINDOWS } from "../../monitoring/slo";

const labelName = () => str(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
const URL_CHARS = "letters, digits and the URL characters - . _ ~ : / ? [ ] @ ! $ & ' ( ) * + , ; = %";
const httpsUrl = () => str(HTTPS_URL, `an https URL without a #fragment (the runbook document), at most ${MAX_URL} characters of ${URL_CHARS}`).max(MAX_URL, { error: `must be at most ${MAX_URL} characters` });
const httpsUrlWithAnchor = () => str(HTTPS_URL_WITH_FRAGMENT, `an https URL of the procedure, at most ${MAX_URL} characters of ${URL_CHARS} and #`).max(MAX_URL, { error: `must be at most ${MAX_URL} characters` });
const email = () => str(EMAIL_ADDRESS, "a plain email address such as ops@example.com (no display name, quotes or spaces; at most 254 characters)");

/** Changes to one catalogue alert. Only alerts with a threshold accept `threshold`. */
function alertOverrideSchema(def: (typeof ALERT_CATALOGUE)[number]) {
  const shape = {
    /** Switch the alert on even when its family is off, or off when it is on. @default its family's setting */
    enabled: bool().optional(),
    /** How long the condition must hold. @default the catalogue's `for` */
    for: promDuration().optional(),
    /** Severity, which picks the receiver. @default the catalogue's severity */
    severity: oneOf(SEVERITIES).optional(),
    /** Link to the procedure when the runbook's heading differs from the catalogue's anchor. @default runbookUrl#<catalogue anchor> */
    runbookUrl: httpsUrlWithAnchor().optional(),
    /** The alert's threshold, in the unit the catalogue names. @default the catalogue's threshold */
    threshold: (def.threshold
      ? def.threshold.integer
        ? int(def.threshold.min, def.threshold.max)
        : num(def.threshold.min, def.threshold.max)
      : z.number({ error: `${def.name} has no threshold` }).refine(() => false, { error: `${def.name} has no threshold` })
    ).optional(),
  };
  return z.object(shape).strict();
}

/** Per-alert overrides, keyed by catalogue alert name; an unknown alert name is an error. */
const alertsSchema = z.object(Object.fromEntries(ALERT_CATALOGUE.map((def) => [def.name, alertOverrideSchema(def).optional()]))).strict();

export const latencySchema = z
  .object({
    /** Share of requests that must be faster than the threshold, as a percentile (from 93.1: a 14.4x burn of a larger budget exceeds 100 %). No default. */
    percentile: num(93.1, 99.999),
    /** Threshold in seconds; a bucket boundary of http_request_duration_seconds. No default. */
    thresholdSeconds: num(0.001, 600),
  })
  .strict();

const routeSchema = (severity: (typeof SEVERITIES)[number]) =>
  z
    .object({
      /** Receiver of this severity. @default pagerduty / slack / email for critical / warning / info */
      receiver: oneOf(RECEIVER_KINDS).default(RUNBOOK_ROUTES[severity].receiver),
      /** Wait before the first notification of a new group. @default 10s / 30s / 1m */
      groupWait: promDuration().default(RUNBOOK_ROUTES[severity].groupWait),
      /** Wait before notifying about new alerts in a group. @default 30s / 5m / 15m */
      groupInterval: promDuration().default(RUNBOOK_ROUTES[severity].groupInterval),
      /** Wait before repeating an unchanged notification. @default 5m / 30m / 24h */
      repeatInterval: promDuration().default(RUNBOOK_ROUTES[severity].repeatInterval),
    })
    .strict();

export const sloServiceSchema = z
  .object({
    /** The `service` label value of the service's request metrics. No default. */
    name: k8sName(),
    /** Namespace of the service. @default the first of monitoring.namespaces, else the application namespace */
    namespace: k8sName().optional(),
    /** Availability in percent (share of requests without a 5xx; an error-rate target of 0.1 % is 99.9). @default slo.defaults.availability */
    availability: num(93.1, 99.999).optional(),
    /** Latency objectives such as p95 < 0.5 s. @default slo.defaults.latency */
    latency: z.array(latencySchema).optional(),
  })
  .strict();

export const sloSchema = z
  .object({
    /** Targets every service gets unless it sets its own. @default availability 99.9, p95 < 0.5 s, p99 < 2 s */
    defaults: z
      .object({
        /** Availability in percent. @default 99.9 */
        availability: num(93.1, 99.999).default(99.9),
        /** Latency objectives. @default [{ percentile: 95, thresholdSeconds: 0.5 }, { percentile: 99, thresholdSeconds: 2 }] */
        latency: z.array(latencySchema).default([
          { percentile: 95, thresholdSeconds: 0.5 },
          { percentile: 99, thresholdSeconds: 2 },
        ]),
      })
      .strict()
      .prefault({}),
    /** Services with SLOs. @default [] */
    services: z.array(sloServiceSchema).default([]),
    /** A platform-wide objective over every service in monitoring.namespaces together (runbook 004 4.14), with its own burn-rate alerts. @default none */
    platform: z
      .object({
        /** Name the aggregate carries in the `service` and `sloth_service` labels. @default "platform" */
        name: k8sName().default("platform"),
        /** Availability in percent over all requests. @default slo.defaults.availability */
        availability: num(93.1, 99.999).optional(),
        /** Latency objectives over all requests. @default slo.defaults.latency */
        latency: z.array(latencySchema).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const routingSchema = z
  .object({
    /** Labels grouped into one notification. @default ["alertname", "namespace", "service"] */
    groupBy: z.array(labelName()).min(1, { error: "must list at least one label" }).default(["alertname", "namespace", "service"]),
    /** Labels equal between a critical alert and the warning it silences. @default ["alertname", "service", "namespace"] */
    inhibitEqual: z.array(labelName()).min(1, { error: "must list at least one label" }).default(["alertname", "service", "namespace"]),
    /** critical → PagerDuty, group interval 30s, repeat 5m (runbook 002). @default { receiver: "pagerduty", groupWait: "10s", groupInterval: "30s", repeatInterval: "5m" } */
    critical: routeSchema("critical").prefault({}),
    /** warning → Slack, 5m / 30m. @default { receiver: "slack", groupWait: "30s", groupInterval: "5m", repeatInterval: "30m" } */
    warning: routeSchema("warning").prefault({}),
    /** info → email, 15m / 24h. @default { receiver: "email", groupWait: "1m", groupInterval: "15m", repeatInterval: "24h" } */
    info: routeSchema("info").prefault({}),
  })
  .strict();

export const slackSchema = z
  .object({
    /** Channel, e.g. "#production-alerts". No default. */
    channel: str(/^#?[a-z0-9][-_a-z0-9]{0,79}$/, 'a Slack channel such as "#production-alerts"'),
  })
  .strict();

export const emailSchema = z
  .object({
    /** Recipient. No default. */
    to: email(),
    /** Sender. No default. */
    from: email(),
    /** SMTP relay host:port. No default. */
    smarthost: str(/^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?:(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/i, 'host:port with a port from 1 to 65535, such as "smtp.example.com:587"'),
    /** SMTP user name (rendered into alertmanager.yaml: letters, digits and . _ % + @ \\ = - only, at most 256). @default none */
    authUsername: str(SMTP_USERNAME, "an SMTP user name of letters, digits and . _ % + @ \\ = - (at most 256; no spaces, quotes or newlines)").optional(),
    /** Require STARTTLS. @default true */
    requireTls: bool().default(true),
  })
  .strict();

export const monitoringSchema = z
  .object({
    /** Install kube-prometheus-stack ("managed") or add rules and dashboards to one already running ("existing"). @default "managed" */
    stack: oneOf(["managed", "existing"]).default("managed"),
    /** Namespace of the monitoring stack (its Alertmanager reads the config Secret there). @default "monitoring" */
    namespace: k8sName().default("monitoring"),
    /** kube-prometheus-stack chart version (pinned). @default "75.8.1" */
    chartVersion: str(/^\d+\.\d+\.\d+$/, 'an exact chart version such as "75.8.1"').default("75.8.1"),
    /** How long Prometheus keeps samples; the 3-day SLO windows need at least 3d. @default "15d" */
    retention: promDuration().default("15d"),
    /** Size of Prometheus' persistent volume (GiB). @default 50 */
    storageGiB: int(10, 16384).default(50),
    /** Secret the Alertmanager reads its config from (for an existing stack: its configSecret). @default "alertmanager-config" */
    alertmanagerSecretName: k8sName().default("alertmanager-config"),
    /** Kubernetes labels every PrometheusRule carries, e.g. { release: "kube-prometheus-stack" } for an existing stack's ruleSelector. @default {} */
    ruleLabels: z
      .record(z.string(), str(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, "a Kubernetes label value (at most 63 letters, digits, '-', '_', '.')"))
      .refine((labels) => Object.keys(labels).every((key) => K8S_LABEL_KEY.test(key)), { error: "keys must be Kubernetes label keys such as release or app.kubernetes.io/part-of" })
      .default({}),
    /** The runbook document; runbook_url annotations link to its procedure headings. No default. */
    runbookUrl: httpsUrl(),
    /** Namespaces whose application metrics the alerts watch; [] watches all. @default [] */
    namespaces: z.array(k8sName()).default([]),
    /** Alert families to enable. @default availability, database, cache, resources, security, backups, certificates, kubernetes */
    families: z.array(oneOf(ALERT_FAMILIES)).default([...DEFAULT_FAMILIES]),
    /** Per-alert threshold, for, severity and on/off. @default {} */
    alerts: alertsSchema.prefault({}),
    /** Service level objectives; burn-rate alerts are generated per service. */
    slo: sloSchema.prefault({}),
    /** Alertmanager routing per severity, grouping and inhibition. */
    routing: routingSchema.prefault({}),
    /** Slack receiver; the webhook URL is the secret slackWebhookUrl. @default none */
    slack: slackSchema.optional(),
    /** Email receiver; the SMTP password is the secret smtpPassword (optional). @default none */
    email: emailSchema.optional(),
    /** Grafana dashboards provisioned as ConfigMaps. @default system-overview, application-performance, infrastructure */
    dashboards: z.array(oneOf(["system-overview", "application-performance", "infrastructure", "business-metrics"])).default(["system-overview", "application-performance", "infrastructure"]),
  })
  .strict();

export type MonitoringConfig = z.infer<typeof monitoringSchema>;

export const refineMonitoring: Refinement = (config, report) => {
  const monitoring = config.monitoring;
  if (!monitoring) return;
  const at = (...path: Array<string | number>) => ["monitoring", ...path];

  for (const severity of SEVERITIES) {
    const route = monitoring.routing[severity];
    for (const key of ["groupWait", "groupInterval", "repeatInterval"] as const) {
      if (!durationSeconds(route[key])) report(at("routing", severity, key), route[key], "must be a non-zero duration");
    }
    if ((durationSeconds(route.repeatInterval) ?? 0) < (durationSeconds(route.groupInterval) ?? 0))
      report(at("routing", severity, "repeatInterval"), route.repeatInterval, `must not be shorter than groupInterval (${route.groupInterval})`);
    if (route.receiver === "slack" && !monitoring.slack) report(at("routing", severity, "receiver"), route.receiver, "needs monitoring.slack (channel) and the secret slackWebhookUrl");
    if (route.receiver === "email" && !monitoring.email) report(at("routing", severity, "receiver"), route.receiver, "needs monitoring.email (to, from, smarthost)");
  }
  if (!monitoring.routing.inhibitEqual.includes("alertname"))
    report(at("routing", "inhibitEqual"), monitoring.routing.inhibitEqual, "must include alertname: a critical alert silences only the warning of the same alert");

  const seen = new Set<string>();
  monitoring.slo.services.forEach((service, i) => {
    const key = `${service.namespace ?? monitoring.namespaces[0] ?? ""}/${service.name}`;
    if (seen.has(key)) report(at("slo", "services", i, "name"), service.name, "must be unique per namespace");
    seen.add(key);
  });
  const families = new Set(monitoring.families);
  if (families.size !== monitoring.families.length) report(at("families"), monitoring.families, "must not list a family twice");

  // The 3-day burn-rate window reads 3 days of samples; shorter retention silently disables the slow ticket.
  const longest = Math.max(...BURN_RATE_WINDOWS.map((w) => durationSeconds(w.long) ?? 0));
  const platform = monitoring.slo.platform;
  if (platform && monitoring.slo.services.some((service) => service.name === platform.name))
    report(at("slo", "platform", "name"), platform.name, "must differ from every slo.services[].name (the platform objective is all services together)");
  if ((monitoring.slo.services.length > 0 || platform) && (durationSeconds(monitoring.retention) ?? 0) < longest && monitoring.stack === "managed")
    report(at("retention"), monitoring.retention, "must be at least 3d: the slow SLO burn-rate alert reads a 3-day window");
  if (config.environment === "production" && monitoring.routing.critical.receiver !== "pagerduty")
    report(at("routing", "critical", "receiver"), monitoring.routing.critical.receiver, "must be pagerduty in production: critical alerts page the on-call engineer");
};

/** Credentials the configured Alertmanager routes need: each receiver in use needs its secret key. */
export function monitoringSecrets(config: { monitoring?: MonitoringConfig }): Array<{ key: string; reason: string }> {
  const monitoring = config.monitoring;
  if (!monitoring) return [];
  const used = new Set(SEVERITIES.map((s) => monitoring.routing[s].receiver));
  return [
    ...(used.has("pagerduty") ? [{ key: "pagerdutyRoutingKey", reason: "monitoring.routing sends alerts to pagerduty" }] : []),
    ...(used.has("slack") ? [{ key: "slackWebhookUrl", reason: "monitoring.routing sends alerts to slack" }] : []),
    // SMTP AUTH with a user name and no password fails at the first alert, long after pulumi up succeeded.
    ...(used.has("email") && monitoring.email?.authUsername ? [{ key: "smtpPassword", reason: "monitoring.email.authUsername logs in to the SMTP server" }] : []),
  ];
}
