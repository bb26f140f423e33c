/**
 * The Alertmanager configuration the runbooks describe (002 "Alert Routing"): critical → PagerDuty
 * (group_interval 30s, repeat 5m), warning → Slack (5m / 30m), info → email (15m / 24h), rendered as the
 * `alertmanager.yaml` text Alertmanager reads. Credentials arrive as plain strings here; the component
 * resolves them from Pulumi secrets and keeps the rendered text secret.
 */
import { parse, stringify } from "yaml";
import { LABEL_NAME, durationSeconds } from "./promql";
import { SEVERITIES, Severity } from "./types";
import type { Problem } from "./validate";

export const RECEIVER_KINDS = ["pagerduty", "slack", "email"] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

export interface SeverityRoute {
  receiver: ReceiverKind;
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

export interface PagerDutyReceiver {
  /** Events API v2 integration (routing) key. */
  routingKey: string;
}

export interface SlackReceiver {
  /** Incoming-webhook URL. */
  apiUrl: string;
  channel: string;
}

export interface EmailReceiver {
  to: string;
  from: string;
  /** host:port of the SMTP relay. */
  smarthost: string;
  authUsername?: string;
  authPassword?: string;
  requireTls: boolean;
}

export interface AlertmanagerSettings {
  /** Labels alerts are grouped by into one notification. */
  groupBy: readonly string[];
  /** Labels that must be equal for a critical alert to silence a warning (and a warning an info). */
  inhibitEqual: readonly string[];
  routes: Readonly<Record<Severity, SeverityRoute>>;
  pagerduty?: PagerDutyReceiver;
  slack?: SlackReceiver;
  email?: EmailReceiver;
}

/** The runbook's routing table (002), used as the config defaults. */
export const RUNBOOK_ROUTES: Readonly<Record<Severity, SeverityRoute>> = {
  critical: { receiver: "pagerduty", groupWait: "10s", groupInterval: "30s", repeatInterval: "5m" },
  warning: { receiver: "slack", groupWait: "30s", groupInterval: "5m", repeatInterval: "30m" },
  info: { receiver: "email", groupWait: "1m", groupInterval: "15m", repeatInterval: "24h" },
};

/**
 * Alerts kube-prometheus-stack always sends (Watchdog is a dead man's switch, InfoInhibitor a helper) go
 * to a receiver that drops them, so they never page.
 */
const DROPPED_ALERTS = ["Watchdog", "InfoInhibitor"];

export function alertmanagerProblems(settings: AlertmanagerSettings): Problem[] {
  const problems: Problem[] = [];
  const add = (arg: string, value: unknown, allowed: string) => problems.push({ arg, value, allowed });
  for (const [key, labels] of [["groupBy", settings.groupBy], ["inhibitEqual", settings.inhibitEqual]] as const) {
    if (labels.length === 0) add(key, labels, "must list at least one label");
    for (const label of labels) if (!LABEL_NAME.test(label)) add(key, label, "must be label names ([a-zA-Z_][a-zA-Z0-9_]*)");
  }
  if (!settings.inhibitEqual.includes("alertname")) add("inhibitEqual", settings.inhibitEqual, "must include alertname: a critical alert silences only the warning of the same alert");
  for (const severity of SEVERITIES) {
    const route = settings.routes[severity];
    const at = `routes.${severity}`;
    if (!route) {
      add(at, route, "must be set: every severity needs a receiver");
      continue;
    }
    if (!RECEIVER_KINDS.includes(route.receiver)) add(`${at}.receiver`, route.receiver, `must be one of ${RECEIVER_KINDS.join(", ")}`);
    else if (!settings[route.receiver]) add(`${at}.receiver`, route.receiver, `needs the ${route.receiver} receiver settings`);
    const seconds: Record<string, number | undefined> = {};
    for (const key of ["groupWait", "groupInterval", "repeatInterval"] as const) {
      seconds[key] = durationSeconds(route[key]);
      if (!seconds[key]) add(`${at}.${key}`, route[key], 'must be a non-zero Prometheus duration such as "30s" or "5m"');
    }
    if (seconds.groupInterval && seconds.repeatInterval && seconds.repeatInterval < seconds.groupInterval)
      add(`${at}.repeatInterval`, route.repeatInterval, `must not be shorter than groupInterval (${route.groupInterval}): notifications go out at group intervals`);
  }
  if (settings.pagerduty && !settings.pagerduty.routingKey) add("pagerduty.routingKey", settings.pagerduty.routingKey, "must be set (secret pagerdutyRoutingKey)");
  if (settings.slack) {
    if (!/^#?[a-z0-9][-_a-z0-9]{0,79}$/.test(settings.slack.channel)) add("slack.channel", settings.slack.channel, 'must be a Slack channel such as "#production-alerts"');
    if (!/^https:\/\/\S+$/.test(settings.slack.apiUrl)) add("slack.apiUrl", "[secret]", "must be an https webhook URL (secret slackWebhookUrl)");
  }
  if (settings.email) {
    const email = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;
    if (!email.test(settings.email.to)) add("email.to", settings.email.to, "must be an email address");
    if (!email.test(settings.email.from)) add("email.from", settings.email.from, "must be an email address");
    if (!/^[a-z0-9.-]+:\d{1,5}$/i.test(settings.email.smarthost)) add("email.smarthost", settings.email.smarthost, 'must be host:port such as "smtp.example.com:587"');
  }
  return problems;
}

/**
 * What stands in for each credential when the configuration is shown rather than deployed (plan reports,
 * `--out`): values Alertmanager accepts (`amtool check-config` passes, the Slack one is a URL) and that
 * name the Pulumi secret holding the real value, so a reviewer sees where each credential comes from.
 */
export const PLACEHOLDER_CREDENTIALS = {
  pagerdutyRoutingKey: "<secret:pagerdutyRoutingKey>",
  slackWebhookUrl: "https://slack-webhook.invalid/secret/slackWebhookUrl",
  smtpPassword: "<secret:smtpPassword>",
} as const;

const snake = (route: SeverityRoute) => ({ group_wait: route.groupWait, group_interval: route.groupInterval, repeat_interval: route.repeatInterval });

/** `alertmanager.yaml` for the settings; run `alertmanagerProblems` first. */
export function renderAlertmanagerConfig(settings: AlertmanagerSettings): string {
  const receivers: Array<Record<string, unknown>> = [{ name: "null" }];
  const used = new Set(SEVERITIES.map((s) => settings.routes[s].receiver));
  if (used.has("pagerduty") && settings.pagerduty)
    receivers.push({
      name: "pagerduty",
      pagerduty_configs: [{ routing_key: settings.pagerduty.routingKey, send_resolved: true, severity: '{{ if eq .CommonLabels.severity "critical" }}critical{{ else }}warning{{ end }}' }],
    });
  if (used.has("slack") && settings.slack)
    receivers.push({
      name: "slack",
      slack_configs: [
        {
          api_url: settings.slack.apiUrl,
          channel: settings.slack.channel,
          send_resolved: true,
          title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})',
          text: "{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}",
        },
      ],
    });
  if (used.has("email") && settings.email)
    receivers.push({
      name: "email",
      email_configs: [
        {
          to: settings.email.to,
          from: settings.email.from,
          smarthost: settings.email.smarthost,
          ...(settings.email.authUsername ? { auth_username: settings.email.authUsername } : {}),
          ...(settings.email.authPassword ? { auth_password: settings.email.authPassword } : {}),
          require_tls: settings.email.requireTls,
          send_resolved: true,
        },
      ],
    });

  const config = {
    route: {
      // Alerts without a known severity still reach a human: the warning channel.
      receiver: settings.routes.warning.receiver,
      group_by: [...settings.groupBy],
      ...snake(settings.routes.warning),
      routes: [
        { receiver: "null", matchers: [`alertname=~"${DROPPED_ALERTS.join("|")}"`] },
        ...SEVERITIES.map((severity) => ({ receiver: settings.routes[severity].receiver, matchers: [`severity="${severity}"`], ...snake(settings.routes[severity]) })),
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [...settings.inhibitEqual] },
      { source_matchers: ['severity="warning"'], target_matchers: ['severity="info"'], equal: [...settings.inhibitEqual] },
    ],
    receivers,
  };
  return stringify(config, { lineWidth: 0 });
}

/** A few lines that show a rendered configuration's routing tree, for the preview's report. */
export function routingSummary(configYaml: string): string {
  const config = parse(configYaml) as {
    route: { receiver: string; routes?: Array<{ receiver: string; matchers?: string[]; group_wait?: string; group_interval?: string; repeat_interval?: string }> };
    inhibit_rules?: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
    receivers: Array<{ name: string }>;
  };
  const lines = ["Alertmanager routing (credentials shown as placeholders; the file: --out <dir>/alertmanager.yaml)"];
  for (const route of config.route.routes ?? []) {
    const timing = route.group_wait ? `  wait ${route.group_wait}, group ${route.group_interval}, repeat ${route.repeat_interval}` : "";
    lines.push(`  ${(route.matchers ?? []).join(", ").padEnd(40)} → ${route.receiver.padEnd(10)}${timing}`);
  }
  lines.push(`  ${"anything else".padEnd(40)} → ${config.route.receiver}`);
  for (const rule of config.inhibit_rules ?? []) lines.push(`  inhibit: ${rule.source_matchers.join(",")} silences ${rule.target_matchers.join(",")} with equal ${rule.equal.join(", ")}`);
  return lines.join("\n");
}
