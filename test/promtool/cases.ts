/**
 * `promtool test rules` cases for every catalogue alert: input series under which the alert fires (with
 * the labels and annotations on-call will see) and series under which it stays silent. The rules under
 * test are the catalogue's with default thresholds, watching namespace "shop".
 */

export interface InputSeries {
  series: string;
  values: string;
}

export interface FiringCase {
  series: InputSeries[];
  at: string;
  /** Every alert expected at `at` (labels without alertname; severity included). */
  alerts: Array<{ labels: Record<string, string>; summary: string; description: string }>;
}

export interface SilentCase {
  series: InputSeries[];
  at: string;
}

export interface AlertCase {
  firing: FiringCase;
  silent: SilentCase;
}

export const WATCHED_NAMESPACE = "shop";
export const RUNBOOK_URL = "https://runbooks.example.com/operations.md";

const s = (series: string, values: string): InputSeries => ({ series, values });
const api = 'namespace="shop", service="api"';

export const ALERT_CASES: Record<string, AlertCase> = {
  ServiceDown: {
    firing: {
      series: [s('up{job="api", instance="10.0.0.1:8080", namespace="shop"}', "0x10"), s('up{job="other", instance="10.9.0.1:80", namespace="elsewhere"}', "0x10")],
      at: "5m",
      alerts: [
        {
          labels: { job: "api", instance: "10.0.0.1:8080", namespace: "shop", severity: "critical" },
          summary: "api is down",
          description: "Prometheus cannot scrape api at 10.0.0.1:8080 in namespace shop.",
        },
      ],
    },
    silent: { series: [s('up{job="api", instance="10.0.0.1:8080", namespace="shop"}', "1x10")], at: "5m" },
  },
  HighErrorRate: {
    firing: {
      series: [s(`http_requests_total{${api}, status="500"}`, "0+6x20"), s(`http_requests_total{${api}, status="200"}`, "0+54x20")],
      at: "10m",
      alerts: [{ labels: { namespace: "shop", service: "api", severity: "critical" }, summary: "api returns too many 5xx responses", description: "10% of requests to api in shop fail with 5xx (threshold 5%)." }],
    },
    // 1.7 % errors: an absolute-rate rule would not tell this apart from an outage of a quiet service; the ratio does.
    silent: { series: [s(`http_requests_total{${api}, status="500"}`, "0+1x20"), s(`http_requests_total{${api}, status="200"}`, "0+59x20")], at: "10m" },
  },
  HighResponseTime: {
    firing: {
      series: [
        s(`http_request_duration_seconds_bucket{${api}, le="1"}`, "0x20"),
        s(`http_request_duration_seconds_bucket{${api}, le="3"}`, "0+60x20"),
        s(`http_request_duration_seconds_bucket{${api}, le="+Inf"}`, "0+60x20"),
      ],
      at: "10m",
      alerts: [{ labels: { namespace: "shop", service: "api", severity: "warning" }, summary: "api is slow", description: "95th percentile latency of api in shop is 2.9s (threshold 2 s)." }],
    },
    silent: {
      series: [
        s(`http_request_duration_seconds_bucket{${api}, le="1"}`, "0+60x20"),
        s(`http_request_duration_seconds_bucket{${api}, le="3"}`, "0+60x20"),
        s(`http_request_duration_seconds_bucket{${api}, le="+Inf"}`, "0+60x20"),
      ],
      at: "10m",
    },
  },
  DatabaseDown: {
    firing: {
      series: [s('pg_up{instance="pg-exporter:9187", job="postgres-exporter", namespace="shop"}', "0x10")],
      at: "5m",
      alerts: [
        {
          labels: { instance: "pg-exporter:9187", job: "postgres-exporter", namespace: "shop", severity: "critical" },
          summary: "PostgreSQL is unreachable",
          description: "postgres_exporter pg-exporter:9187 cannot connect to PostgreSQL.",
        },
      ],
    },
    silent: { series: [s('pg_up{instance="pg-exporter:9187", job="postgres-exporter", namespace="shop"}', "1x10")], at: "5m" },
  },
  DatabaseConnectionsHigh: {
    firing: {
      series: [
        s('pg_stat_database_numbackends{namespace="shop", instance="pg:9187", datname="app"}', "80x10"),
        s('pg_stat_database_numbackends{namespace="shop", instance="pg:9187", datname="postgres"}', "5x10"),
        s('pg_settings_max_connections{namespace="shop", instance="pg:9187"}', "100x10"),
      ],
      at: "8m",
      alerts: [
        {
          labels: { namespace: "shop", instance: "pg:9187", severity: "warning" },
          summary: "PostgreSQL connections are close to max_connections",
          description: "85% of max_connections are in use on pg:9187 (threshold 80%).",
        },
      ],
    },
    silent: {
      series: [s('pg_stat_database_numbackends{namespace="shop", instance="pg:9187", datname="app"}', "50x10"), s('pg_settings_max_connections{namespace="shop", instance="pg:9187"}', "100x10")],
      at: "8m",
    },
  },
  RedisDown: {
    firing: {
      series: [s('redis_up{instance="redis-exporter:9121", job="redis-exporter", namespace="shop"}', "0x10")],
      at: "5m",
      alerts: [
        {
          labels: { instance: "redis-exporter:9121", job: "redis-exporter", namespace: "shop", severity: "critical" },
          summary: "Redis is unreachable",
          description: "redis_exporter redis-exporter:9121 cannot connect to Redis.",
        },
      ],
    },
    silent: { series: [s('redis_up{instance="redis-exporter:9121", job="redis-exporter", namespace="shop"}', "1x10")], at: "5m" },
  },
  HighCPUUsage: {
    firing: {
      series: [
        s('container_cpu_usage_seconds_total{namespace="shop", pod="api-1", container="api"}', "0+54x20"),
        s('container_spec_cpu_quota{namespace="shop", pod="api-1", container="api"}', "100000x20"),
        s('container_spec_cpu_period{namespace="shop", pod="api-1", container="api"}', "100000x20"),
        // No CPU limit (quota 0): ten busy cores must not divide by zero into an alert.
        s('container_cpu_usage_seconds_total{namespace="shop", pod="api-1", container="sidecar"}', "0+600x20"),
        s('container_spec_cpu_quota{namespace="shop", pod="api-1", container="sidecar"}', "0x20"),
        s('container_spec_cpu_period{namespace="shop", pod="api-1", container="sidecar"}', "100000x20"),
      ],
      at: "10m",
      alerts: [
        {
          labels: { namespace: "shop", pod: "api-1", container: "api", severity: "warning" },
          summary: "api-1/api is close to its CPU limit",
          description: "api in shop/api-1 uses 90% of its CPU limit (threshold 80%).",
        },
      ],
    },
    silent: {
      series: [
        s('container_cpu_usage_seconds_total{namespace="shop", pod="api-1", container="api"}', "0+30x20"),
        s('container_spec_cpu_quota{namespace="shop", pod="api-1", container="api"}', "100000x20"),
        s('container_spec_cpu_period{namespace="shop", pod="api-1", container="api"}', "100000x20"),
      ],
      at: "10m",
    },
  },
  HighMemoryUsage: {
    firing: {
      series: [
        s('container_memory_working_set_bytes{namespace="shop", pod="api-1", container="api"}', "950x10"),
        s('container_spec_memory_limit_bytes{namespace="shop", pod="api-1", container="api"}', "1000x10"),
        // No memory limit (cAdvisor reports 0): must not alert.
        s('container_memory_working_set_bytes{namespace="shop", pod="api-1", container="sidecar"}', "5000x10"),
        s('container_spec_memory_limit_bytes{namespace="shop", pod="api-1", container="sidecar"}', "0x10"),
      ],
      at: "8m",
      alerts: [
        {
          labels: { namespace: "shop", pod: "api-1", container: "api", severity: "warning" },
          summary: "api-1/api is close to its memory limit",
          description: "api in shop/api-1 uses 95% of its memory limit (threshold 85%); it will be OOMKilled at 100 %.",
        },
      ],
    },
    silent: {
      series: [
        s('container_memory_working_set_bytes{namespace="shop", pod="api-1", container="api"}', "500x10"),
        s('container_spec_memory_limit_bytes{namespace="shop", pod="api-1", container="api"}', "1000x10"),
      ],
      at: "8m",
    },
  },
  DiskSpaceLow: {
    firing: {
      series: [
        s('node_filesystem_avail_bytes{instance="node-1", mountpoint="/", fstype="ext4", device="/dev/nvme0n1p1"}', "10x10"),
        s('node_filesystem_size_bytes{instance="node-1", mountpoint="/", fstype="ext4", device="/dev/nvme0n1p1"}', "100x10"),
        s('node_filesystem_readonly{instance="node-1", mountpoint="/", fstype="ext4", device="/dev/nvme0n1p1"}', "0x10"),
      ],
      at: "8m",
      alerts: [
        {
          labels: { instance: "node-1", mountpoint: "/", fstype: "ext4", device: "/dev/nvme0n1p1", severity: "warning" },
          summary: "Filesystem / on node-1 is filling up",
          description: "/ on node-1 is 90% full (threshold 85%).",
        },
      ],
    },
    silent: {
      series: [
        s('node_filesystem_avail_bytes{instance="node-1", mountpoint="/", fstype="ext4", device="/dev/nvme0n1p1"}', "50x10"),
        s('node_filesystem_size_bytes{instance="node-1", mountpoint="/", fstype="ext4", device="/dev/nvme0n1p1"}', "100x10"),
        s('node_filesystem_readonly{instance="node-1", mountpoint="/", fstype="ext4", device="/dev/nvme0n1p1"}', "0x10"),
        // A full tmpfs is normal and must not alert.
        s('node_filesystem_avail_bytes{instance="node-1", mountpoint="/run", fstype="tmpfs", device="tmpfs"}', "0x10"),
        s('node_filesystem_size_bytes{instance="node-1", mountpoint="/run", fstype="tmpfs", device="tmpfs"}', "100x10"),
        s('node_filesystem_readonly{instance="node-1", mountpoint="/run", fstype="tmpfs", device="tmpfs"}', "0x10"),
      ],
      at: "8m",
    },
  },
  HighFailedLogins: {
    firing: {
      series: [s(`auth_failed_total{${api}}`, "0+1200x10")],
      at: "8m",
      alerts: [{ labels: { namespace: "shop", service: "api", severity: "warning" }, summary: "Many failed logins on api", description: "api in shop sees 20 failed logins per second (threshold 10/s): possible brute force." }],
    },
    silent: { series: [s(`auth_failed_total{${api}}`, "0+60x10")], at: "8m" },
  },
  SuspiciousAPIActivity: {
    firing: {
      series: [s(`http_requests_total{${api}, status="403"}`, "0+600x15")],
      at: "12m",
      alerts: [{ labels: { namespace: "shop", service: "api", severity: "warning" }, summary: "Many forbidden requests to api", description: "api in shop answers 10 requests per second with 403 (threshold 5/s)." }],
    },
    silent: { series: [s(`http_requests_total{${api}, status="403"}`, "0+60x15"), s(`http_requests_total{${api}, status="200"}`, "0+6000x15")], at: "12m" },
  },
  IntentProcessingStalled: {
    firing: {
      series: [s('intents_processed_total{namespace="shop", service="relayer"}', "0+10x10 100x20")],
      at: "25m",
      alerts: [{ labels: { namespace: "shop", severity: "critical" }, summary: "No intents processed in shop", description: "No intent has been processed in shop for 5 minutes." }],
    },
    silent: { series: [s('intents_processed_total{namespace="shop", service="relayer"}', "0+10x30")], at: "25m" },
  },
  BlockchainConnectionLost: {
    firing: {
      series: [s('blockchain_rpc_up{namespace="shop", service="relayer", instance="10.0.0.5:9090"}', "0x10")],
      at: "5m",
      alerts: [
        {
          labels: { namespace: "shop", service: "relayer", severity: "critical" },
          summary: "relayer lost its blockchain RPC connection",
          description: "relayer in shop cannot reach its blockchain RPC endpoint.",
        },
      ],
    },
    silent: { series: [s('blockchain_rpc_up{namespace="shop", service="relayer", instance="10.0.0.5:9090"}', "1x10")], at: "5m" },
  },
  LowSolverParticipation: {
    firing: {
      series: [s('active_solvers_count{namespace="shop", service="coordinator"}', "2x15")],
      at: "10m",
      alerts: [{ labels: { namespace: "shop", severity: "warning" }, summary: "Few solvers are bidding", description: "Only 2 solvers are active in shop (minimum 3)." }],
    },
    silent: { series: [s('active_solvers_count{namespace="shop", service="coordinator"}', "5x15")], at: "10m" },
  },
  LowTradingVolume: {
    firing: {
      series: [s('trading_volume_usd{namespace="shop"}', "0+10x80")],
      at: "75m",
      alerts: [{ labels: { namespace: "shop", severity: "info" }, summary: "Trading volume is low", description: "600 USD traded in shop during the last hour (expected at least 1000)." }],
    },
    silent: { series: [s('trading_volume_usd{namespace="shop"}', "0+100x80")], at: "75m" },
  },
  HighSlippageRate: {
    firing: {
      series: [s('settlement_slippage_bps_sum{namespace="shop"}', "0+800x40"), s('settlement_slippage_bps_count{namespace="shop"}', "0+10x40")],
      at: "30m",
      alerts: [{ labels: { namespace: "shop", severity: "info" }, summary: "Average slippage is high", description: "Average settlement slippage in shop is 80 bps (threshold 50 bps)." }],
    },
    silent: { series: [s('settlement_slippage_bps_sum{namespace="shop"}', "0+200x40"), s('settlement_slippage_bps_count{namespace="shop"}', "0+10x40")], at: "30m" },
  },
  SolverPerformanceDegraded: {
    firing: {
      series: [s('settlement_success_rate{namespace="shop", service="coordinator"}', "0.9x30")],
      at: "20m",
      alerts: [{ labels: { namespace: "shop", severity: "info" }, summary: "Settlement success rate is degraded", description: "Settlement success rate in shop is 90% (minimum 95%)." }],
    },
    silent: { series: [s('settlement_success_rate{namespace="shop", service="coordinator"}', "0.99x30")], at: "20m" },
  },
  PipelineFailureRateHigh: {
    firing: {
      series: [s('pipeline_runs_total{namespace="shop", status="failed"}', "0+1x30"), s('pipeline_runs_total{namespace="shop", status="succeeded"}', "0+9x30")],
      at: "20m",
      alerts: [{ labels: { namespace: "shop", severity: "warning" }, summary: "Pipeline runs are failing", description: "10% of pipeline runs in shop failed in the last hour (threshold 1%)." }],
    },
    silent: { series: [s('pipeline_runs_total{namespace="shop", status="failed"}', "0x30"), s('pipeline_runs_total{namespace="shop", status="succeeded"}', "0+10x30")], at: "20m" },
  },
  KafkaConsumerLagHigh: {
    firing: {
      series: [s(`aws_kafka_max_offset_lag_maximum{cluster_name="data-msk", consumer_group="aggregator", topic="raw-events", job="cloudwatch-exporter"}`, "50000x30"), s('aws_kafka_max_offset_lag_maximum{cluster_name="data-msk", consumer_group="reports", topic="raw-events", job="cloudwatch-exporter"}', "20x30")],
      at: "20m",
      alerts: [
        {
          labels: { cluster_name: "data-msk", consumer_group: "aggregator", topic: "raw-events", severity: "warning" },
          summary: "Consumer group aggregator is falling behind on raw-events",
          description: "Consumer group aggregator is 50000 records behind on topic raw-events of MSK cluster data-msk (threshold 10000).",
        },
      ],
    },
    // A short burst of lag that the consumers work off inside the 15 minutes stays quiet.
    silent: { series: [s(`aws_kafka_max_offset_lag_maximum{cluster_name="data-msk", consumer_group="aggregator", topic="raw-events", job="cloudwatch-exporter"}`, "50000x5 100x25")], at: "20m" },
  },
  KafkaConsumerTimeLagHigh: {
    firing: {
      series: [s(`aws_kafka_estimated_max_time_lag_maximum{cluster_name="data-msk", consumer_group="aggregator", topic="raw-events", job="cloudwatch-exporter"}`, "1800x20")],
      at: "15m",
      alerts: [
        {
          labels: { cluster_name: "data-msk", consumer_group: "aggregator", topic: "raw-events", severity: "critical" },
          summary: "Consumer group aggregator is 30m 0s behind on raw-events",
          description: "The oldest record consumer group aggregator has not read on topic raw-events of MSK cluster data-msk waited 30m 0s (threshold 900 s).",
        },
      ],
    },
    silent: { series: [s(`aws_kafka_estimated_max_time_lag_maximum{cluster_name="data-msk", consumer_group="aggregator", topic="raw-events", job="cloudwatch-exporter"}`, "60x20")], at: "15m" },
  },
  BackupJobFailed: {
    firing: {
      series: [
        s('kube_job_status_failed{namespace="shop", job_name="pg-daily-29000000"}', "1x10"),
        s('kube_job_owner{namespace="shop", job_name="pg-daily-29000000", owner_kind="CronJob", owner_name="pg-daily", owner_is_controller="true"}', "1x10"),
        s('kube_cronjob_labels{namespace="shop", cronjob="pg-daily", label_runbook_dev_backup="postgres-daily"}', "1x10"),
        // A failed job of a CronJob that is not a backup: someone else's alert.
        s('kube_job_status_failed{namespace="shop", job_name="report-29000000"}', "1x10"),
        s('kube_job_owner{namespace="shop", job_name="report-29000000", owner_kind="CronJob", owner_name="report", owner_is_controller="true"}', "1x10"),
        s('kube_cronjob_labels{namespace="shop", cronjob="report"}', "1x10"),
      ],
      at: "5m",
      alerts: [
        {
          labels: { namespace: "shop", job_name: "pg-daily-29000000", owner_name: "pg-daily", severity: "warning" },
          summary: "Backup job pg-daily-29000000 failed",
          description: "Job pg-daily-29000000 of backup CronJob pg-daily in shop failed; the next run may not cover the gap.",
        },
      ],
    },
    silent: {
      series: [
        s('kube_job_status_failed{namespace="shop", job_name="pg-daily-29000000"}', "0x10"),
        s('kube_job_owner{namespace="shop", job_name="pg-daily-29000000", owner_kind="CronJob", owner_name="pg-daily", owner_is_controller="true"}', "1x10"),
        s('kube_cronjob_labels{namespace="shop", cronjob="pg-daily", label_runbook_dev_backup="postgres-daily"}', "1x10"),
      ],
      at: "5m",
    },
  },
  // Timestamps are plain numbers: a last success at -100000 s means "27.8 h before the test's epoch".
  BackupTooOld: {
    firing: {
      series: [
        s('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="pg-daily"}', "-100000x20"),
        s('kube_cronjob_created{namespace="shop", cronjob="pg-daily"}', "-500000x20"),
        s('kube_cronjob_labels{namespace="shop", cronjob="pg-daily", label_runbook_dev_backup="postgres-daily"}', "1x20"),
        // Never succeeded since it was created 55.8 h ago.
        s('kube_cronjob_created{namespace="shop", cronjob="k8s-config"}', "-200000x20"),
        s('kube_cronjob_labels{namespace="shop", cronjob="k8s-config", label_runbook_dev_backup="k8s-config"}', "1x20"),
        // Hourly dumps pause over the weekend (weekdays 09-17): their age is not this alert's business.
        s('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="pg-hourly"}', "-200000x20"),
        s('kube_cronjob_labels{namespace="shop", cronjob="pg-hourly", label_runbook_dev_backup="postgres-hourly"}', "1x20"),
        // The suspended restore template never runs on schedule: never an alert.
        s('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="pg-restore"}', "-9000000x20"),
        s('kube_cronjob_labels{namespace="shop", cronjob="pg-restore", label_runbook_dev_backup="postgres-restore"}', "1x20"),
      ],
      at: "15m",
      alerts: [
        {
          labels: { namespace: "shop", cronjob: "pg-daily", severity: "critical" },
          summary: "No successful backup from pg-daily",
          description: "Backup CronJob pg-daily in shop has not succeeded for 1d 4h 1m 40s (limit 26 h).",
        },
        {
          labels: { namespace: "shop", cronjob: "k8s-config", severity: "critical" },
          summary: "No successful backup from k8s-config",
          description: "Backup CronJob k8s-config in shop has not succeeded for 2d 7h 48m 20s (limit 26 h).",
        },
      ],
    },
    silent: {
      series: [
        s('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="pg-daily"}', "-1000x20"),
        s('kube_cronjob_created{namespace="shop", cronjob="pg-daily"}', "-500000x20"),
        s('kube_cronjob_labels{namespace="shop", cronjob="pg-daily", label_runbook_dev_backup="postgres-daily"}', "1x20"),
      ],
      at: "15m",
    },
  },
  CertificateExpiringSoon: {
    firing: {
      series: [s('certmanager_certificate_expiration_timestamp_seconds{namespace="shop", name="api-tls", issuer_name="letsencrypt"}', "864000x80")],
      at: "70m",
      alerts: [
        {
          labels: { namespace: "shop", name: "api-tls", issuer_name: "letsencrypt", severity: "warning" },
          summary: "Certificate api-tls expires soon",
          description: "Certificate shop/api-tls expires in 9d 22h 50m 0s (threshold 14 days); check cert-manager.",
        },
      ],
    },
    silent: { series: [s('certmanager_certificate_expiration_timestamp_seconds{namespace="shop", name="api-tls", issuer_name="letsencrypt"}', "8640000x80")], at: "70m" },
  },
  PodCrashLooping: {
    firing: {
      series: [s('kube_pod_container_status_waiting_reason{namespace="shop", pod="api-1", container="api", reason="CrashLoopBackOff"}', "1x30")],
      at: "20m",
      alerts: [
        {
          labels: { namespace: "shop", pod: "api-1", container: "api", reason: "CrashLoopBackOff", severity: "warning" },
          summary: "shop/api-1 is crash-looping",
          description: "Container api of shop/api-1 is in CrashLoopBackOff.",
        },
      ],
    },
    silent: { series: [s('kube_pod_container_status_waiting_reason{namespace="shop", pod="api-1", container="api", reason="CrashLoopBackOff"}', "0x30")], at: "20m" },
  },
  HpaMaxedOut: {
    firing: {
      series: [
        s('kube_horizontalpodautoscaler_status_current_replicas{namespace="shop", horizontalpodautoscaler="api"}', "10x30"),
        s('kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop", horizontalpodautoscaler="api"}', "10x30"),
        s('kube_horizontalpodautoscaler_spec_min_replicas{namespace="shop", horizontalpodautoscaler="api"}', "3x30"),
        // min = max: always "at maximum" by design, never an alert.
        s('kube_horizontalpodautoscaler_status_current_replicas{namespace="shop", horizontalpodautoscaler="fixed"}', "2x30"),
        s('kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop", horizontalpodautoscaler="fixed"}', "2x30"),
        s('kube_horizontalpodautoscaler_spec_min_replicas{namespace="shop", horizontalpodautoscaler="fixed"}', "2x30"),
      ],
      at: "20m",
      alerts: [
        {
          labels: { namespace: "shop", horizontalpodautoscaler: "api", severity: "warning" },
          summary: "HPA shop/api is at its maximum",
          description: "HPA shop/api has run at maxReplicas (10) for a while; raise the maximum or the node capacity.",
        },
      ],
    },
    silent: {
      series: [
        s('kube_horizontalpodautoscaler_status_current_replicas{namespace="shop", horizontalpodautoscaler="api"}', "5x30"),
        s('kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop", horizontalpodautoscaler="api"}', "10x30"),
        s('kube_horizontalpodautoscaler_spec_min_replicas{namespace="shop", horizontalpodautoscaler="api"}', "3x30"),
      ],
      at: "20m",
    },
  },
  PersistentVolumeFillingUp: {
    firing: {
      series: [
        s('kubelet_volume_stats_used_bytes{namespace="shop", persistentvolumeclaim="data-pg-0"}', "90x10"),
        s('kubelet_volume_stats_capacity_bytes{namespace="shop", persistentvolumeclaim="data-pg-0"}', "100x10"),
      ],
      at: "8m",
      alerts: [
        {
          labels: { namespace: "shop", persistentvolumeclaim: "data-pg-0", severity: "warning" },
          summary: "PVC shop/data-pg-0 is almost full",
          description: "PVC shop/data-pg-0 is 90% full (threshold 85%).",
        },
      ],
    },
    silent: {
      series: [
        s('kubelet_volume_stats_used_bytes{namespace="shop", persistentvolumeclaim="data-pg-0"}', "50x10"),
        s('kubelet_volume_stats_capacity_bytes{namespace="shop", persistentvolumeclaim="data-pg-0"}', "100x10"),
      ],
      at: "8m",
    },
  },

  // ---- the managed data tier as CloudWatch sees it (YACE series) ----
  MetricsExporterDown: {
    firing: {
      series: [
        s('up{job="postgres-exporter", instance="10.0.3.7:9187", namespace="monitoring"}', "0x10"),
        s('up{job="redis-exporter", instance="10.0.3.8:9121", namespace="monitoring"}', "1x10"),
        // An application target is ServiceDown's business.
        s('up{job="api", instance="10.0.0.1:8080", namespace="shop"}', "0x10"),
      ],
      at: "8m",
      alerts: [
        {
          labels: { job: "postgres-exporter", instance: "10.0.3.7:9187", namespace: "monitoring", severity: "warning" },
          summary: "Exporter postgres-exporter is not scraped",
          description: "Prometheus cannot scrape postgres-exporter at 10.0.3.7:9187 in monitoring; the data-tier alerts that read it cannot fire until it is back.",
        },
      ],
    },
    silent: { series: [s('up{job="postgres-exporter", instance="10.0.3.7:9187", namespace="monitoring"}', "1x10")], at: "8m" },
  },
  DatabaseStorageLow: {
    firing: {
      // 5 GiB free; the replica has 50 GiB.
      series: [s('aws_rds_free_storage_space_average{dbinstance_identifier="shop-postgres"}', "5368709120x30"), s('aws_rds_free_storage_space_average{dbinstance_identifier="shop-postgres-replica-1"}', "53687091200x30")],
      at: "20m",
      alerts: [
        {
          labels: { dbinstance_identifier: "shop-postgres", severity: "warning" },
          summary: "RDS instance shop-postgres is running out of storage",
          description: "shop-postgres has 5GiB of free storage (threshold 10 GiB); storage autoscaling may be at its maximum.",
        },
      ],
    },
    silent: { series: [s('aws_rds_free_storage_space_average{dbinstance_identifier="shop-postgres"}', "53687091200x30")], at: "20m" },
  },
  DatabaseReplicaLagHigh: {
    firing: {
      series: [s('aws_rds_replica_lag_average{dbinstance_identifier="shop-postgres-replica-1"}', "120x10")],
      at: "8m",
      alerts: [
        {
          labels: { dbinstance_identifier: "shop-postgres-replica-1", severity: "warning" },
          summary: "RDS replica shop-postgres-replica-1 lags behind",
          description: "shop-postgres-replica-1 is 2m 0s behind its primary (threshold 60 s); reads from it are stale.",
        },
      ],
    },
    silent: { series: [s('aws_rds_replica_lag_average{dbinstance_identifier="shop-postgres-replica-1"}', "2x10")], at: "8m" },
  },
  DatabaseCPUHigh: {
    firing: {
      series: [s('aws_rds_cpuutilization_average{dbinstance_identifier="shop-postgres"}', "93x30")],
      at: "20m",
      alerts: [
        {
          labels: { dbinstance_identifier: "shop-postgres", severity: "warning" },
          summary: "RDS instance shop-postgres is CPU-bound",
          description: "shop-postgres runs at 93 % CPU (threshold 80 %); check pg_stat_statements for the expensive queries.",
        },
      ],
    },
    silent: { series: [s('aws_rds_cpuutilization_average{dbinstance_identifier="shop-postgres"}', "45x30")], at: "20m" },
  },
  DatabaseCPUCreditsLow: {
    firing: {
      series: [s('aws_rds_cpucredit_balance_average{dbinstance_identifier="shop-postgres"}', "4x30")],
      at: "20m",
      alerts: [
        {
          labels: { dbinstance_identifier: "shop-postgres", severity: "warning" },
          summary: "RDS instance shop-postgres is running out of CPU credits",
          description: "shop-postgres has 4 CPU credits left (threshold 20); at 0 it is throttled to its baseline. Move to a non-burstable class.",
        },
      ],
    },
    // A non-burstable class publishes no CPUCreditBalance at all: nothing to alert on.
    silent: { series: [s('aws_rds_cpucredit_balance_average{dbinstance_identifier="shop-postgres"}', "144x30")], at: "20m" },
  },
  CacheEvictions: {
    firing: {
      series: [s('aws_elasticache_evictions_sum{cache_cluster_id="shop-redis-001", cache_node_id="0001"}', "2500x30")],
      at: "20m",
      alerts: [
        {
          labels: { cache_cluster_id: "shop-redis-001", severity: "warning" },
          summary: "ElastiCache node shop-redis-001 is evicting keys",
          description: "shop-redis-001 evicts 2.5k keys per minute (threshold 100); the hit rate drops and the database takes the load.",
        },
      ],
    },
    silent: { series: [s('aws_elasticache_evictions_sum{cache_cluster_id="shop-redis-001", cache_node_id="0001"}', "0x30")], at: "20m" },
  },
  CacheEngineCPUHigh: {
    firing: {
      series: [s('aws_elasticache_engine_cpuutilization_average{cache_cluster_id="shop-redis-001", cache_node_id="0001"}', "97x30")],
      at: "20m",
      alerts: [
        {
          labels: { cache_cluster_id: "shop-redis-001", severity: "warning" },
          summary: "ElastiCache node shop-redis-001 is CPU-bound",
          description: "The Redis engine of shop-redis-001 runs at 97 % CPU (threshold 90 %); latency grows for every client.",
        },
      ],
    },
    silent: { series: [s('aws_elasticache_engine_cpuutilization_average{cache_cluster_id="shop-redis-001", cache_node_id="0001"}', "30x30")], at: "20m" },
  },
  CacheReplicationLagHigh: {
    firing: {
      series: [s('aws_elasticache_replication_lag_average{cache_cluster_id="shop-redis-002", cache_node_id="0001"}', "45x10")],
      at: "8m",
      alerts: [
        {
          labels: { cache_cluster_id: "shop-redis-002", severity: "warning" },
          summary: "ElastiCache replica shop-redis-002 lags behind",
          description: "shop-redis-002 is 45s behind its primary (threshold 30 s); a failover now would lose those writes.",
        },
      ],
    },
    silent: { series: [s('aws_elasticache_replication_lag_average{cache_cluster_id="shop-redis-002", cache_node_id="0001"}', "0.2x10")], at: "8m" },
  },
  DatabaseMaintenanceOverdue: {
    firing: {
      series: [
        // Last success 9 days ago.
        s('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="database-maintenance"}', "-777600x100"),
        s('kube_cronjob_created{namespace="shop", cronjob="database-maintenance"}', "-9000000x100"),
        s('kube_cronjob_labels{namespace="shop", cronjob="database-maintenance", label_runbook_dev_backup="db-maintenance"}', "1x100"),
        // A daily backup two days old is BackupTooOld's business, not this alert's.
        s('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="pg-daily"}', "-172800x100"),
        s('kube_cronjob_labels{namespace="shop", cronjob="pg-daily", label_runbook_dev_backup="postgres-daily"}', "1x100"),
      ],
      at: "90m",
      alerts: [
        {
          labels: { namespace: "shop", cronjob: "database-maintenance", severity: "warning" },
          summary: "Weekly database maintenance has not run in shop",
          description: "CronJob database-maintenance in shop has not succeeded for 9d 1h 30m 0s (limit 8 days); statistics go stale and dead rows pile up.",
        },
      ],
    },
    silent: {
      series: [
        s('kube_cronjob_status_last_successful_time{namespace="shop", cronjob="database-maintenance"}', "-432000x100"),
        s('kube_cronjob_labels{namespace="shop", cronjob="database-maintenance", label_runbook_dev_backup="db-maintenance"}', "1x100"),
      ],
      at: "90m",
    },
  },
  LogShippingStalled: {
    firing: {
      series: [
        // Node a: reads 50 records/s, delivers none (CloudWatch Logs refuses it). Node b: fine. Node c: delivers but drops after retries.
        s('fluentbit_input_records_total{namespace="logging", pod="fluent-bit-a", name="tail.0"}', "0+3000x30"),
        s('fluentbit_output_proc_records_total{namespace="logging", pod="fluent-bit-a", name="cloudwatch_logs.0"}', "0x30"),
        s('fluentbit_input_records_total{namespace="logging", pod="fluent-bit-b", name="tail.0"}', "0+3000x30"),
        s('fluentbit_output_proc_records_total{namespace="logging", pod="fluent-bit-b", name="cloudwatch_logs.0"}', "0+3000x30"),
        s('fluentbit_output_retries_failed_total{namespace="logging", pod="fluent-bit-b", name="cloudwatch_logs.0"}', "0x30"),
        s('fluentbit_input_records_total{namespace="logging", pod="fluent-bit-c", name="tail.0"}', "0+3000x30"),
        s('fluentbit_output_proc_records_total{namespace="logging", pod="fluent-bit-c", name="cloudwatch_logs.0"}', "0+2900x30"),
        s('fluentbit_output_retries_failed_total{namespace="logging", pod="fluent-bit-c", name="cloudwatch_logs.0"}', "0+100x30"),
      ],
      at: "30m",
      alerts: [
        {
          labels: { namespace: "logging", pod: "fluent-bit-a", severity: "warning" },
          summary: "Fluent Bit fluent-bit-a is not shipping logs",
          description:
            "Fluent Bit fluent-bit-a in logging has read container logs but delivered none to CloudWatch Logs, or dropped records after its retries, for 15 minutes; logs of that node are missing centrally.",
        },
        {
          labels: { namespace: "logging", pod: "fluent-bit-c", severity: "warning" },
          summary: "Fluent Bit fluent-bit-c is not shipping logs",
          description:
            "Fluent Bit fluent-bit-c in logging has read container logs but delivered none to CloudWatch Logs, or dropped records after its retries, for 15 minutes; logs of that node are missing centrally.",
        },
      ],
    },
    silent: {
      series: [
        s('fluentbit_input_records_total{namespace="logging", pod="fluent-bit-b", name="tail.0"}', "0+3000x30"),
        s('fluentbit_output_proc_records_total{namespace="logging", pod="fluent-bit-b", name="cloudwatch_logs.0"}', "0+3000x30"),
        s('fluentbit_output_retries_failed_total{namespace="logging", pod="fluent-bit-b", name="cloudwatch_logs.0"}', "0x30"),
        // A quiet node with nothing to ship is not stalled.
        s('fluentbit_input_records_total{namespace="logging", pod="fluent-bit-d", name="tail.0"}', "0x30"),
        s('fluentbit_output_proc_records_total{namespace="logging", pod="fluent-bit-d", name="cloudwatch_logs.0"}', "0x30"),
      ],
      at: "30m",
    },
  },
};
