import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import { ConfigError } from "./config/errors";
import { PROJECT } from "./config/schema";
import type { MonitoringConfig } from "./config/monitoring";
import { MonitoringStack } from "../components/monitoring-stack";
import { AlertRules } from "../components/alert-rules";
import { SloRules } from "../components/slo-rules";
import { AlertmanagerConfig, AlertmanagerConfigArgs } from "../components/alertmanager-config";
import { GrafanaDashboards } from "../components/grafana-dashboards";
import type { ServiceSlo } from "../monitoring/slo";
import type { ApplicationOutputs } from "./application";
import { SEVERITIES } from "../monitoring/types";
import { CAPABILITY_FAMILIES } from "../monitoring/catalogue";
import { shipsLogs } from "./observability";

/** What the monitoring step leaves on `ctx.monitoring` for later steps (DR, policies). */
export interface MonitoringContext {
  /** Namespace of Prometheus/Alertmanager (where PrometheusRules and the Alertmanager config live). */
  namespace: string;
  /** true when this stack installed kube-prometheus-stack; false when it adds to an existing one. */
  managedStack: boolean;
  /** Secret (key alertmanager.yaml) the Alertmanager reads. */
  alertmanagerSecretName: string;
  /** Labels a PrometheusRule needs for this stack's Prometheus to load it. */
  ruleLabels: Record<string, string>;
  /** Namespaces whose application metrics the alerts watch (empty: all). */
  watchedNamespaces: string[];
  /** Runbook document the alerts link to; add `#<heading>` for a procedure. */
  runbookUrl: string;
  /** Alert names installed (catalogue alerts plus ErrorBudgetBurn when SLOs exist). */
  alertNames: string[];
  /** In-cluster URLs when the stack is managed here. */
  prometheusUrl?: pulumi.Output<string>;
  alertmanagerUrl?: pulumi.Output<string>;
  /** Components, to `dependsOn` (e.g. a PrometheusRule of another capability needs the CRDs). */
  stackComponent?: MonitoringStack;
}

/** SLO targets per service: the service's own, else the stack's defaults. */
export function serviceSlos(monitoring: MonitoringConfig, watched: string[] = monitoring.namespaces): ServiceSlo[] {
  const perService: ServiceSlo[] = monitoring.slo.services.map((service) => ({
    service: service.name,
    namespace: service.namespace ?? watched[0],
    availability: service.availability ?? monitoring.slo.defaults.availability,
    latency: service.latency ?? monitoring.slo.defaults.latency,
  }));
  // Runbook 004 4.14: the platform objective counts every service's requests in the watched namespaces together.
  const platform = monitoring.slo.platform;
  if (!platform) return perService;
  return [
    ...perService,
    {
      service: platform.name,
      aggregate: { namespaces: watched },
      availability: platform.availability ?? monitoring.slo.defaults.availability,
      latency: platform.latency ?? monitoring.slo.defaults.latency,
    },
  ];
}

/** AlertmanagerConfig arguments from the validated config and the credentials of the receivers in use. */
export function alertmanagerConfigArgs(monitoring: MonitoringConfig, secrets: Partial<Record<"pagerdutyRoutingKey" | "slackWebhookUrl" | "smtpPassword", pulumi.Input<string>>>): AlertmanagerConfigArgs {
  const used = new Set(SEVERITIES.map((s) => monitoring.routing[s].receiver));
  return {
    namespace: monitoring.namespace,
    secretName: monitoring.alertmanagerSecretName,
    routes: monitoring.routing,
    groupBy: monitoring.routing.groupBy,
    inhibitEqual: monitoring.routing.inhibitEqual,
    ...(used.has("pagerduty") ? { pagerdutyRoutingKey: secrets.pagerdutyRoutingKey } : {}),
    ...(used.has("slack") && monitoring.slack && secrets.slackWebhookUrl !== undefined ? { slack: { channel: monitoring.slack.channel, webhookUrl: secrets.slackWebhookUrl } } : {}),
    ...(used.has("email") && monitoring.email ? { email: { ...monitoring.email, authPassword: secrets.smtpPassword } } : {}),
  };
}

/** Composes the monitoring capability into the stack; returns its stack outputs. */
export function deployMonitoring(ctx: StackContext): Record<string, unknown> {
  const monitoring = ctx.config.monitoring;
  if (!monitoring) return {};

  // Every receiver a route uses needs its credential; name the missing secret key rather than render a broken config.
  const used = new Set(SEVERITIES.map((s) => monitoring.routing[s].receiver));
  const needSecret = (key: string, receiver: string) => {
    if (!ctx.secrets[key])
      throw new ConfigError(`${ctx.stack}: ${PROJECT}:${key}: (missing) — must be set with pulumi config set --secret ${PROJECT}:${key}: monitoring.routing sends alerts to ${receiver}`);
    return ctx.secrets[key];
  };
  const pagerdutyRoutingKey = used.has("pagerduty") ? needSecret("pagerdutyRoutingKey", "pagerduty") : undefined;
  const slackWebhookUrl = used.has("slack") ? needSecret("slackWebhookUrl", "slack") : undefined;

  // Without an explicit list, watch the application namespace the application step created.
  const application = ctx.application as ApplicationOutputs | undefined;
  const watched = monitoring.namespaces.length ? monitoring.namespaces : application?.namespaceName ? [application.namespaceName] : [];
  const provider = ctx.cluster.provider;
  const managed = monitoring.stack === "managed";
  const stackComponent = managed
    ? new MonitoringStack(
        "monitoring",
        {
          namespace: monitoring.namespace,
          chartVersion: monitoring.chartVersion,
          retention: monitoring.retention,
          storageGiB: monitoring.storageGiB,
          storageClassName: ctx.cluster.storageClassName,
          alertmanagerSecretName: monitoring.alertmanagerSecretName,
          alertmanagerReplicas: ctx.config.environment === "production" ? 2 : 1,
        },
        // Pods and volumes: the provider that waits for nodes, coredns and the EBS CSI driver.
        { provider: ctx.cluster.workloadProvider },
      )
    : undefined;
  // PrometheusRule is a CRD the chart installs: register the rules after it.
  const after: pulumi.ComponentResourceOptions = { provider, ...(stackComponent ? { dependsOn: [stackComponent] } : {}) };

  const alerts = new AlertRules(
    "runbook",
    {
      namespace: monitoring.namespace,
      // The logging alerts come with the log agent (observability.logShipping), not with a family the stack lists.
      families: shipsLogs(ctx.config) ? [...monitoring.families, ...CAPABILITY_FAMILIES.filter((f) => !monitoring.families.includes(f))] : monitoring.families,
      overrides: monitoring.alerts,
      watchNamespaces: watched,
      runbookUrl: monitoring.runbookUrl,
      labels: monitoring.ruleLabels,
    },
    after,
  );
  const slos = serviceSlos(monitoring, watched);
  const sloRules = slos.length ? new SloRules("slo", { namespace: monitoring.namespace, slos, runbookUrl: monitoring.runbookUrl, labels: monitoring.ruleLabels }, after) : undefined;

  new AlertmanagerConfig(
    "alertmanager",
    alertmanagerConfigArgs(monitoring, { pagerdutyRoutingKey, slackWebhookUrl, smtpPassword: ctx.secrets.smtpPassword }),
    stackComponent ? { provider, dependsOn: [stackComponent] } : { provider },
  );

  if (monitoring.dashboards.length) new GrafanaDashboards("dashboards", { namespace: monitoring.namespace, dashboards: monitoring.dashboards }, after);

  const result: MonitoringContext = {
    namespace: monitoring.namespace,
    managedStack: managed,
    alertmanagerSecretName: monitoring.alertmanagerSecretName,
    ruleLabels: monitoring.ruleLabels,
    watchedNamespaces: watched,
    runbookUrl: monitoring.runbookUrl,
    alertNames: [...alerts.alertNames, ...(sloRules ? ["ErrorBudgetBurn"] : [])],
    prometheusUrl: stackComponent?.prometheusUrl,
    alertmanagerUrl: stackComponent?.alertmanagerUrl,
    stackComponent,
  };
  ctx.monitoring = result;

  return {
    monitoringNamespace: monitoring.namespace,
    alertCount: result.alertNames.length,
    ...(stackComponent ? { prometheusUrl: stackComponent.prometheusUrl, alertmanagerUrl: stackComponent.alertmanagerUrl } : {}),
  };
}
