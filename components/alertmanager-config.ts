import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { AlertmanagerSettings, PLACEHOLDER_CREDENTIALS, RUNBOOK_ROUTES, SeverityRoute, alertmanagerProblems, renderAlertmanagerConfig } from "../monitoring/alertmanager";
import { SEVERITIES, Severity } from "../monitoring/types";
import { LIBRARY_LABELS } from "../core/labels";

export interface AlertmanagerConfigArgs {
  /** Namespace of the Alertmanager that reads the Secret. No default. */
  namespace: string;
  /** Name of the Secret (key `alertmanager.yaml`) the Alertmanager is configured to read. @default "alertmanager-config" */
  secretName?: string;
  /** Route per severity. @default critical → pagerduty 10s/30s/5m, warning → slack 30s/5m/30m, info → email 1m/15m/24h */
  routes?: Partial<Record<Severity, SeverityRoute>>;
  /** Labels grouped into one notification. @default ["alertname", "namespace", "service"] */
  groupBy?: string[];
  /** Labels equal between a critical alert and the warning it silences. @default ["alertname", "service", "namespace"] */
  inhibitEqual?: string[];
  /** PagerDuty Events v2 routing key (a secret). @default none (no PagerDuty receiver) */
  pagerdutyRoutingKey?: pulumi.Input<string>;
  /** Slack receiver: channel and incoming-webhook URL (a secret). @default none */
  slack?: { channel: string; webhookUrl: pulumi.Input<string> };
  /** Email receiver; the SMTP password is a secret. @default none */
  email?: { to: string; from: string; smarthost: string; authUsername?: string; authPassword?: pulumi.Input<string>; requireTls?: boolean };
}

/** The plain settings the renderer takes, from the component's arguments and the resolved credentials. */
export function alertmanagerSettings(args: AlertmanagerConfigArgs, secrets: { pagerdutyRoutingKey?: string; slackWebhookUrl?: string; smtpPassword?: string }): AlertmanagerSettings {
  const routes = Object.fromEntries(SEVERITIES.map((s) => [s, { ...RUNBOOK_ROUTES[s], ...(args.routes?.[s] ?? {}) }])) as Record<Severity, SeverityRoute>;
  return {
    groupBy: args.groupBy ?? ["alertname", "namespace", "service"],
    inhibitEqual: args.inhibitEqual ?? ["alertname", "service", "namespace"],
    routes,
    ...(args.pagerdutyRoutingKey !== undefined ? { pagerduty: { routingKey: secrets.pagerdutyRoutingKey ?? "" } } : {}),
    ...(args.slack ? { slack: { channel: args.slack.channel, apiUrl: secrets.slackWebhookUrl ?? "" } } : {}),
    ...(args.email
      ? { email: { to: args.email.to, from: args.email.from, smarthost: args.email.smarthost, authUsername: args.email.authUsername, authPassword: secrets.smtpPassword, requireTls: args.email.requireTls ?? true } }
      : {}),
  };
}

/**
 * Alertmanager's routing, receivers and inhibition as the Secret kube-prometheus-stack's Alertmanager
 * reads (`alertmanagerSpec.configSecret`). Receiver keys and webhooks stay Pulumi secrets end to end:
 * the rendered `alertmanager.yaml` is itself a secret and shows as "[secret]" in any plan. So that the
 * routing tree can still be reviewed, the same configuration rendered with placeholders instead of the
 * credentials is the component's registered input `routing` (plain text in the plan, `alertmanager.yaml`
 * under the preview's `--out`); it differs from the deployed one in the credential values only.
 */
export class AlertmanagerConfig extends pulumi.ComponentResource {
  public readonly secretName: pulumi.Output<string>;
  /** The configuration with placeholder credentials (see PLACEHOLDER_CREDENTIALS): reviewable, never deployed. */
  public readonly routing: string;
  /** Receivers in use, e.g. ["pagerduty", "slack", "email"]. */
  public readonly receivers: string[];

  constructor(name: string, args: AlertmanagerConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "AlertmanagerConfig";
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.namespace ?? "")) rejectArg(C, "namespace", args.namespace, "must be a Kubernetes namespace name");
    const secretName = args.secretName ?? "alertmanager-config";
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(secretName)) rejectArg(C, "secretName", secretName, "must be a Kubernetes Secret name");
    // Secrets are checked for presence here and rendered later; the placeholders only stand in for validation.
    const [problem] = alertmanagerProblems(alertmanagerSettings(args, { slackWebhookUrl: "https://placeholder.invalid/webhook", pagerdutyRoutingKey: "placeholder" }));
    if (problem) rejectArg(C, problem.arg, problem.value, problem.allowed);
    // Same renderer, same settings, credentials swapped for placeholders that name their secret.
    const routing = renderAlertmanagerConfig(
      alertmanagerSettings(args, {
        pagerdutyRoutingKey: PLACEHOLDER_CREDENTIALS.pagerdutyRoutingKey,
        slackWebhookUrl: PLACEHOLDER_CREDENTIALS.slackWebhookUrl,
        smtpPassword: args.email?.authPassword !== undefined ? PLACEHOLDER_CREDENTIALS.smtpPassword : undefined,
      }),
    );
    super("runbook:monitoring:AlertmanagerConfig", name, { namespace: args.namespace, secretName, routing }, opts);
    this.routing = routing;

    const routes = alertmanagerSettings(args, {}).routes;
    this.receivers = [...new Set(SEVERITIES.map((s) => routes[s].receiver))];
    const rendered = pulumi
      .all([args.slack?.webhookUrl ?? "", args.pagerdutyRoutingKey ?? "", args.email?.authPassword ?? ""])
      .apply(([webhook, key, password]) => renderAlertmanagerConfig(alertmanagerSettings(args, { slackWebhookUrl: webhook, pagerdutyRoutingKey: key, smtpPassword: password || undefined })));
    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: secretName, namespace: args.namespace, labels: { ...LIBRARY_LABELS, "app.kubernetes.io/component": "alertmanager-config" } },
        type: "Opaque",
        stringData: { "alertmanager.yaml": pulumi.secret(rendered) },
      },
      { parent: this },
    );
    this.secretName = secret.metadata.name;
    this.registerOutputs({ secretName: this.secretName, receivers: this.receivers, routing: this.routing });
  }
}
