/**
 * The runbooks' Grafana dashboards (001 "Key Dashboards", 002 "Grafana Dashboards") as dashboard JSON,
 * built from the runbooks' own queries. Grafana's sidecar loads them from ConfigMaps labelled
 * `grafana_dashboard: "1"`; the queries are PromQL-checked like the alert rules.
 */

export const DASHBOARD_IDS = ["system-overview", "application-performance", "infrastructure", "business-metrics"] as const;
export type DashboardId = (typeof DASHBOARD_IDS)[number];

export interface PanelSpec {
  title: string;
  /** PromQL, with `$namespace` for the dashboard's namespace variable. */
  queries: Array<{ expr: string; legend: string }>;
  unit: string;
  kind?: "timeseries" | "stat";
}

export interface DashboardSpec {
  id: DashboardId;
  title: string;
  source: string;
  panels: PanelSpec[];
}

const NS = 'namespace=~"$namespace"';

export const DASHBOARDS: Readonly<Record<DashboardId, DashboardSpec>> = {
  "system-overview": {
    id: "system-overview",
    title: "System Overview",
    source: "runbook 001/002: overall health, request rates and response times, error rates, resource utilisation",
    panels: [
      { title: "Targets up", kind: "stat", unit: "none", queries: [{ expr: `sum by (job) (up{${NS}})`, legend: "{{job}}" }] },
      { title: "Request rate", unit: "reqps", queries: [{ expr: `sum by (service) (rate(http_requests_total{${NS}}[5m]))`, legend: "{{service}}" }] },
      {
        title: "Error ratio (5xx)",
        unit: "percentunit",
        queries: [{ expr: `sum by (service) (rate(http_requests_total{${NS}, status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{${NS}}[5m]))`, legend: "{{service}}" }],
      },
      {
        title: "Response time p95",
        unit: "s",
        queries: [{ expr: `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{${NS}}[5m])))`, legend: "{{service}}" }],
      },
      { title: "CPU by pod", unit: "cores", queries: [{ expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${NS}, container!=""}[5m]))`, legend: "{{pod}}" }] },
      {
        title: "Memory vs limit by pod",
        unit: "percentunit",
        queries: [{ expr: `sum by (pod) (container_memory_working_set_bytes{${NS}, container!=""}) / sum by (pod) (container_spec_memory_limit_bytes{${NS}, container!=""} > 0)`, legend: "{{pod}}" }],
      },
      { title: "Firing alerts", kind: "stat", unit: "none", queries: [{ expr: 'sum by (severity) (ALERTS{alertstate="firing"})', legend: "{{severity}}" }] },
    ],
  },
  "application-performance": {
    id: "application-performance",
    title: "Application Performance",
    source: "runbook 001: API endpoint performance, database query performance, cache hit rates, background job status",
    panels: [
      {
        title: "API p95 by endpoint",
        unit: "s",
        queries: [{ expr: `histogram_quantile(0.95, sum by (endpoint, le) (rate(http_request_duration_seconds_bucket{${NS}}[5m])))`, legend: "{{endpoint}}" }],
      },
      { title: "5xx by endpoint", unit: "reqps", queries: [{ expr: `sum by (endpoint) (rate(http_requests_total{${NS}, status=~"5.."}[5m]))`, legend: "{{endpoint}}" }] },
      {
        title: "Database connections",
        unit: "none",
        queries: [
          { expr: 'sum by (datname) (pg_stat_database_numbackends{datname!~"template.*"})', legend: "{{datname}}" },
          { expr: "max(pg_settings_max_connections)", legend: "max_connections" },
        ],
      },
      { title: "Database transactions", unit: "ops", queries: [{ expr: 'sum by (datname) (rate(pg_stat_database_xact_commit{datname!~"template.*"}[5m]))', legend: "{{datname}} commits" }] },
      {
        title: "Cache hit rate",
        unit: "percentunit",
        queries: [{ expr: "sum(rate(redis_keyspace_hits_total[5m])) / (sum(rate(redis_keyspace_hits_total[5m])) + sum(rate(redis_keyspace_misses_total[5m])))", legend: "hit rate" }],
      },
      {
        title: "Backup and batch jobs: hours since last success",
        unit: "h",
        queries: [{ expr: "(time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time)) / 3600", legend: "{{namespace}}/{{cronjob}}" }],
      },
      { title: "SLO error ratio (1h)", unit: "percentunit", queries: [{ expr: "slo:sli_error:ratio_rate1h", legend: "{{service}} {{slo}}" }] },
    ],
  },
  infrastructure: {
    id: "infrastructure",
    title: "Infrastructure",
    source: "runbook 001/002: cluster health, node resource usage, network and storage metrics",
    panels: [
      { title: "Nodes ready", kind: "stat", unit: "none", queries: [{ expr: 'sum(kube_node_status_condition{condition="Ready", status="true"})', legend: "ready" }] },
      { title: "Node CPU", unit: "percentunit", queries: [{ expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', legend: "{{instance}}" }] },
      { title: "Node memory", unit: "percentunit", queries: [{ expr: "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", legend: "{{instance}}" }] },
      {
        title: "Network I/O",
        unit: "Bps",
        queries: [
          { expr: 'sum by (instance) (rate(node_network_receive_bytes_total{device!~"lo|veth.*"}[5m]))', legend: "{{instance}} rx" },
          { expr: 'sum by (instance) (rate(node_network_transmit_bytes_total{device!~"lo|veth.*"}[5m]))', legend: "{{instance}} tx" },
        ],
      },
      {
        title: "Filesystem usage",
        unit: "percentunit",
        queries: [{ expr: '1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"}', legend: "{{instance}} {{mountpoint}}" }],
      },
      { title: "PVC usage", unit: "percentunit", queries: [{ expr: "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes", legend: "{{namespace}}/{{persistentvolumeclaim}}" }] },
      {
        title: "HPA replicas vs max",
        unit: "none",
        queries: [
          { expr: `kube_horizontalpodautoscaler_status_current_replicas{${NS}}`, legend: "{{horizontalpodautoscaler}} current" },
          { expr: `kube_horizontalpodautoscaler_spec_max_replicas{${NS}}`, legend: "{{horizontalpodautoscaler}} max" },
        ],
      },
    ],
  },
  "business-metrics": {
    id: "business-metrics",
    title: "Business Metrics",
    source: "runbook 002: intent processing rates, settlement success rates, trading volume, solver performance",
    panels: [
      {
        title: "Intents processed / settled",
        unit: "ops",
        queries: [
          { expr: `sum(rate(intents_processed_total{${NS}}[5m]))`, legend: "processed" },
          { expr: `sum(rate(intents_settled_total{${NS}}[5m]))`, legend: "settled" },
        ],
      },
      { title: "Settlement success rate", unit: "percentunit", queries: [{ expr: `avg(settlement_success_rate{${NS}})`, legend: "success" }] },
      { title: "Average settlement time", unit: "s", queries: [{ expr: `avg(average_settlement_time{${NS}})`, legend: "settlement time" }] },
      { title: "Trading volume (USD per hour)", unit: "currencyUSD", queries: [{ expr: `sum(increase(trading_volume_usd{${NS}}[1h]))`, legend: "volume" }] },
      { title: "Active solvers", kind: "stat", unit: "none", queries: [{ expr: `max(active_solvers_count{${NS}})`, legend: "solvers" }] },
      { title: "WebSocket connections", unit: "none", queries: [{ expr: `sum(websocket_connections_active{${NS}})`, legend: "connections" }] },
    ],
  },
};

const DATASOURCE = { type: "prometheus", uid: "prometheus" };

/** Grafana dashboard JSON (schema 39) for one dashboard. */
export function dashboardJson(spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: `runbook-${spec.id}`,
    title: spec.title,
    description: spec.source,
    tags: ["runbook-infra"],
    timezone: "utc",
    schemaVersion: 39,
    refresh: "1m",
    time: { from: "now-6h", to: "now" },
    templating: {
      list: [
        {
          name: "namespace",
          type: "query",
          datasource: DATASOURCE,
          query: { query: "label_values(up, namespace)", refId: "namespace" },
          includeAll: true,
          multi: true,
          current: { text: "All", value: "$__all" },
          allValue: ".*",
        },
      ],
    },
    panels: spec.panels.map((panel, i) => ({
      id: i + 1,
      type: panel.kind ?? "timeseries",
      title: panel.title,
      datasource: DATASOURCE,
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), expr: q.expr, legendFormat: q.legend, datasource: DATASOURCE })),
    })),
  };
}

/** Every query of a dashboard, for PromQL checks. */
export function dashboardQueries(spec: DashboardSpec): Array<{ panel: string; expr: string }> {
  return spec.panels.flatMap((panel) => panel.queries.map((q) => ({ panel: panel.title, expr: q.expr })));
}
