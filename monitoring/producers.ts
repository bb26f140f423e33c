/**
 * Who produces each metric the alerts and dashboards read. An alert on a metric nothing produces never
 * fires (the gap issue 17 closed for the data tier); `test/alert-producers.test.ts` maps every alert of a
 * plan to a producer here and checks that the producer is in the plan.
 */
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
