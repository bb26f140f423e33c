/**
 * Who produces each metric the alerts and dashboards read. An alert on a metric nothing produces never
 * fires (the gap issue 17 closed for the data tier); `test/alert-producers.test.ts` maps every alert of a
 * plan to a producer here and checks that the producer is in the plan; the policy
 * `prometheus-alert-has-producer` does the same for the producers the library deploys itself.
 */
import { cloudwatchSeriesName } from "./cloudwatch";
import { metricNames } from "./promql";
export type ProducerId =
  | "postgres-exporter"
  | "redis-exporter"
  | "cloudwatch-exporter"
  | "fluent-bit"
  | "kube-state-metrics"
  | "node-exporter"
  | "kubelet"
  | "prometheus"
  | "slo-rules"
  | "cert-manager"
  | "application";

export interface MetricProducer {
  id: ProducerId;
  /** What runs it, for messages and docs. */
  what: string;
  matches: RegExp;
}

export const METRIC_PRODUCERS: readonly MetricProducer[] = [
  { id: "postgres-exporter", what: "postgres_exporter with the monitoring role (components/postgres-exporter.ts)", matches: /^pg_/ },
  { id: "redis-exporter", what: "redis_exporter (components/redis-exporter.ts)", matches: /^redis_/ },
  { id: "cloudwatch-exporter", what: "cloudwatch_exporter reading CloudWatch (components/cloudwatch-exporter.ts)", matches: /^aws_(rds|elasticache|kafka)_/ },
  { id: "fluent-bit", what: "Fluent Bit's metrics endpoint (components/log-shipping.ts)", matches: /^fluentbit_/ },
  { id: "kube-state-metrics", what: "kube-state-metrics in kube-prometheus-stack (components/monitoring-stack.ts)", matches: /^kube_/ },
  { id: "node-exporter", what: "node-exporter in kube-prometheus-stack", matches: /^node_/ },
  { id: "kubelet", what: "the kubelet and cAdvisor, scraped by kube-prometheus-stack", matches: /^(container_|kubelet_)/ },
  { id: "prometheus", what: "Prometheus itself (scrape health, alert state)", matches: /^(up|ALERTS)$/ },
  { id: "slo-rules", what: "the SLO recording rules (components/slo-rules.ts)", matches: /^(slo:|sloth_)/ },
  { id: "cert-manager", what: "cert-manager's controller metrics", matches: /^certmanager_/ },
  {
    id: "application",
    what: "the application's services (their /metrics, runbook names)",
    matches: /^(http_requests_total|http_request_duration_seconds_(bucket|count|sum)|auth_failed_total|intents_processed_total|intents_settled_total|active_solvers_count|trading_volume_usd|settlement_success_rate|settlement_slippage_bps_(sum|count)|average_settlement_time|websocket_connections_active|blockchain_rpc_up|pipeline_runs_total)$/,
  },
];

/** The producer of a metric name, or undefined when none is known. */
export function producerOf(metric: string): MetricProducer | undefined {
  return METRIC_PRODUCERS.find((p) => p.matches.test(metric));
}

/** A resource of a plan, as the policy pack and the tests see it. */
export interface PlanResource {
  type: string;
  props: Record<string, unknown>;
}

const RELEASE = "kubernetes:helm.sh/v3:Release";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

const chartOf = (r: PlanResource) => (r.type === RELEASE ? String((r.props as { chart?: unknown }).chart ?? "") : "");
const valuesOf = (r: PlanResource) => ((r.props as { values?: Record<string, any> }).values ?? {}) as Record<string, any>;
const imagesOf = (r: PlanResource): string[] =>
  r.type === DEPLOYMENT ? (((r.props as any).spec?.template?.spec?.containers ?? []) as Array<{ image?: string }>).map((c) => String(c.image ?? "")) : [];

/** The Prometheus series a prometheus/cloudwatch_exporter release is configured to produce. */
export function cloudwatchSeriesOf(resources: readonly PlanResource[]): Set<string> {
  const series = new Set<string>();
  for (const release of resources.filter((r) => chartOf(r) === "prometheus-cloudwatch-exporter")) {
    const raw = valuesOf(release).config;
    let config: { metrics?: Array<{ aws_namespace: string; aws_metric_name: string; aws_statistics?: string[] }> } = {};
    try {
      config = typeof raw === "string" ? JSON.parse(raw) : (raw ?? {});
    } catch {
      continue;
    }
    for (const m of config.metrics ?? []) for (const stat of m.aws_statistics ?? []) series.add(cloudwatchSeriesName(m.aws_namespace, m.aws_metric_name, stat));
  }
  return series;
}

/**
 * Whether a plan holds what produces `metric`, for the producers the library deploys itself (the
 * exporters and the log agent); undefined for producers outside its reach (the application, cert-manager,
 * kube-prometheus-stack's own), which other checks cover.
 */
export function libraryProducerPresent(resources: readonly PlanResource[], metric: string): boolean | undefined {
  const producer = producerOf(metric);
  const has = (type: string, chart: string, image: RegExp) => resources.some((r) => r.type === type || chartOf(r) === chart || imagesOf(r).some((i) => image.test(i)));
  switch (producer?.id) {
    case "postgres-exporter":
      return has("runbook:monitoring:PostgresExporter", "prometheus-postgres-exporter", /postgres[-_]exporter/);
    case "redis-exporter":
      return has("runbook:monitoring:RedisExporter", "prometheus-redis-exporter", /redis[-_]exporter/);
    case "cloudwatch-exporter":
      return cloudwatchSeriesOf(resources).has(metric);
    case "fluent-bit":
      return resources.some((r) => chartOf(r) === "fluent-bit" && valuesOf(r).serviceMonitor?.enabled === true);
    default:
      return undefined;
  }
}

/** Alerts of the plan's PrometheusRules whose library producer is missing: [{ alert, metric }]. */
export function alertsWithoutLibraryProducer(resources: readonly PlanResource[]): Array<{ alert: string; metric: string }> {
  const missing: Array<{ alert: string; metric: string }> = [];
  for (const rule of resources.filter((r) => r.type === RULE)) {
    for (const group of ((rule.props as any).spec?.groups ?? []) as Array<{ rules?: Array<{ alert?: string; expr?: unknown }> }>) {
      for (const r of group.rules ?? []) {
        if (!r.alert || typeof r.expr !== "string") continue;
        for (const metric of metricNames(r.expr)) if (libraryProducerPresent(resources, metric) === false) missing.push({ alert: r.alert, metric });
      }
    }
  }
  return missing;
}
