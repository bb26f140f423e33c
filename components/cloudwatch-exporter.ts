import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IrsaRole } from "./irsa-role";
import { LIBRARY_LABELS } from "../core/labels";
import { rejectArg } from "../core/errors";

/** prometheus-community's chart for prometheus/cloudwatch_exporter (pinned: an upgrade is a reviewed change). */
export const CLOUDWATCH_EXPORTER_CHART_VERSION = "0.26.0";

/** One CloudWatch metric to export, as cloudwatch_exporter's config names it. */
export interface CloudWatchMetric {
  /** CloudWatch namespace, e.g. "AWS/Kafka". No default. */
  awsNamespace: string;
  /** Metric name, e.g. "MaxOffsetLag". No default. */
  metricName: string;
  /** Dimensions to keep (they become snake_case labels: "Consumer Group" → consumer_group). No default. */
  dimensions: string[];
  /** Statistics to export, e.g. ["Maximum"]. No default. */
  statistics: string[];
  /** Keep only series whose dimension has one of these values (e.g. the stack's cluster name). @default no filter */
  dimensionSelect?: Record<string, pulumi.Input<string>[]>;
}

export interface CloudWatchExporterArgs {
  /** Namespace of the exporter (the monitoring namespace, where Prometheus finds its ServiceMonitor). No default. */
  namespace: pulumi.Input<string>;
  /** Region whose CloudWatch metrics are read. No default. */
  region: pulumi.Input<string>;
  /** ARN of the cluster's IAM OIDC provider (for the exporter's IRSA role). No default. */
  oidcProviderArn: pulumi.Input<string>;
  /** OIDC issuer without https:// (for the IRSA trust). No default. */
  oidcIssuer: pulumi.Input<string>;
  /** Name of the namespace as a plain string (the IRSA trust pins `system:serviceaccount:<namespace>:<sa>`). No default. */
  namespaceName: string;
  /** The metrics to export; each one costs CloudWatch API calls every period. No default. */
  metrics: CloudWatchMetric[];
  /** Seconds between CloudWatch reads (the metrics' own period is 60 s). @default 60 */
  periodSeconds?: number;
  /** Chart version. @default CLOUDWATCH_EXPORTER_CHART_VERSION */
  chartVersion?: string;
  /** Tags on the IAM role. @default {} */
  tags?: Record<string, string>;
  /** Helm release and ServiceAccount name, so that two exporters (e.g. MSK lag and the data tier) can share a namespace. @default "cloudwatch-exporter" */
  releaseName?: string;
}

const SERVICE_ACCOUNT = "cloudwatch-exporter";

/**
 * prometheus/cloudwatch_exporter for CloudWatch-only metrics that alerts need in Prometheus (MSK's
 * consumer lag: no broker-side JMX metric has it, and kafka_exporter cannot authenticate with MSK IAM),
 * so they are routed by Alertmanager like every other alert. It reads with an IRSA role allowed only
 * `cloudwatch:GetMetricData`/`ListMetrics` (read-only, and CloudWatch offers no resource scoping for
 * them), runs under Pod Security "restricted", and Prometheus scrapes it through a ServiceMonitor.
 */
export class CloudWatchExporter extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: CloudWatchExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.metrics.length === 0) rejectArg("CloudWatchExporter", "metrics", [], "must list at least one metric");
    const period = args.periodSeconds ?? 60;
    if (!Number.isInteger(period) || period < 60 || period > 3600) rejectArg("CloudWatchExporter", "periodSeconds", period, "must be an integer from 60 to 3600");
    const chartVersion = args.chartVersion ?? CLOUDWATCH_EXPORTER_CHART_VERSION;
    if (!/^\d+\.\d+\.\d+$/.test(chartVersion)) rejectArg("CloudWatchExporter", "chartVersion", chartVersion, 'must be an exact chart version such as "0.26.0"');
    const releaseName = args.releaseName ?? SERVICE_ACCOUNT;
    if (!/^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/.test(releaseName)) rejectArg("CloudWatchExporter", "releaseName", releaseName, "must be a Helm release name (lowercase letters, digits and '-', at most 53 characters)");
    super("runbook:monitoring:CloudWatchExporter", name, {}, opts);

    const role = new IrsaRole(
      `${name}-irsa`,
      {
        oidcProviderArn: args.oidcProviderArn,
        oidcIssuer: args.oidcIssuer,
        namespace: args.namespaceName,
        serviceAccount: releaseName,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Sid: "ReadMetrics", Effect: "Allow", Action: ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"], Resource: "*" }],
        }),
        tags: args.tags,
      },
      { parent: this },
    );
    this.roleArn = role.roleArn;

    const config = pulumi
      .all([args.region, ...args.metrics.map((m) => pulumi.all(Object.entries(m.dimensionSelect ?? {}).map(([k, v]) => pulumi.all(v).apply((vals) => [k, vals] as const))))])
      .apply(([region, ...selects]) =>
        JSON.stringify({
          region,
          period_seconds: period,
          // CloudWatch publishes a minute late; reading the minute before that avoids half-filled points.
          delay_seconds: 120,
          metrics: args.metrics.map((m, i) => ({
            aws_namespace: m.awsNamespace,
            aws_metric_name: m.metricName,
            aws_dimensions: m.dimensions,
            aws_statistics: m.statistics,
            ...((selects[i] as Array<readonly [string, string[]]>).length ? { aws_dimension_select: Object.fromEntries(selects[i] as Array<readonly [string, string[]]>) } : {}),
          })),
        }),
      );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: releaseName,
        chart: "prometheus-cloudwatch-exporter",
        version: chartVersion,
        repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
        namespace: args.namespace,
        atomic: true,
        values: {
          // JSON is YAML: the exporter reads this config file as is.
          config,
          serviceAccount: { create: true, name: releaseName, annotations: { "eks.amazonaws.com/role-arn": role.roleArn, "eks.amazonaws.com/sts-regional-endpoints": "true" } },
          aws: { stsRegional: { enabled: true } },
          pod: { labels: { ...LIBRARY_LABELS } },
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
          containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "50m", memory: "256Mi" }, limits: { cpu: "250m", memory: "512Mi" } },
          serviceMonitor: { enabled: true, interval: `${period}s`, timeout: "30s" },
          // Nothing outside the cluster reads the exporter.
          ingress: { enabled: false },
        },
      },
      { parent: this },
    );
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
