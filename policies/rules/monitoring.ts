/**
 * Monitoring rules: alerting rules that load (valid PromQL, labels the Prometheus rule selector
 * matches), route (a severity Alertmanager knows) and can be acted on (summary, runbook link).
 */
import { parsePromql } from "../../monitoring/promql";
import { asArray, get, labelsOf, resourceRule } from "./common";

export const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

interface Rule {
  group: string;
  alert?: string;
  record?: string;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rulesOf(props: unknown): Rule[] {
  return asArray(get(props, "spec", "groups")).flatMap((g) => asArray(get(g, "rules")).map((r) => ({ ...(r as object), group: String(get(g, "name")) }) as Rule));
}

function ruleName(r: Rule): string {
  return `${r.group}/${r.alert ?? r.record ?? "(unnamed)"}`;
}

/** The PromQL parse error position, or undefined when `expr` parses. lezer recovers from errors, so look for error nodes. */
export function promqlError(expr: string): string | undefined {
  if (expr.trim() === "") return "is empty";
  const at = parsePromql(expr).errorAt;
  return at === undefined ? undefined : `does not parse at offset ${at}: ${JSON.stringify(expr.slice(Math.max(0, at - 10), at + 10))}`;
}

export const monitoringPolicies = [
  resourceRule({
    name: "prometheus-rule-valid-promql",
    description: "Every PrometheusRule expression is valid PromQL; one bad expression makes Prometheus reject the whole rule group (runbook 001 monitoring; promtool check rules).",
    grade: "mandatory",
    remediation: "Fix the expression; `promtool check rules` on the rendered file shows the same error.",
    types: [PROMETHEUS_RULE],
    check: (props) =>
      rulesOf(props).flatMap((r) => {
        if (typeof r.expr !== "string") return [`${ruleName(r)}: expr is ${r.expr === undefined ? "missing" : "not a string"}`];
        const error = promqlError(r.expr);
        return error ? [`${ruleName(r)}: expr ${error}`] : [];
      }),
  }),
  resourceRule({
    name: "prometheus-rule-structure",
    description: "PrometheusRule groups have unique names and each rule is exactly one alert or record, with durations Prometheus accepts (promtool check rules).",
    grade: "mandatory",
    remediation: "Give every group a unique name; each rule sets either alert or record; write `for` as a Prometheus duration (5m).",
    types: [PROMETHEUS_RULE],
    check: (props) => {
      const problems: string[] = [];
      const groups = asArray(get(props, "spec", "groups"));
      if (groups.length === 0) problems.push("spec.groups is empty");
      const names = groups.map((g) => get(g, "name"));
      for (const name of new Set(names)) if (names.filter((n) => n === name).length > 1) problems.push(`group name ${name} is used twice`);
      for (const r of rulesOf(props)) {
        if ((r.alert === undefined) === (r.record === undefined)) problems.push(`${ruleName(r)}: must set exactly one of alert and record`);
        if (r.for !== undefined && !DURATION.test(String(r.for))) problems.push(`${ruleName(r)}: for ${JSON.stringify(r.for)} is not a duration`);
        if (r.record !== undefined && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(r.record)) problems.push(`${ruleName(r)}: record name is not a metric name`);
      }
      return problems;
    },
  }),
  resourceRule({
    name: "prometheus-rule-alert-labels",
    description: "Every alert carries a severity label Alertmanager routes (critical, warning, info) and a summary annotation, so it pages the right people with a readable message (runbook 001 alert routing).",
    grade: "mandatory",
    config: { severities: { type: "array", items: { type: "string" }, default: ["critical", "warning", "info"], description: "Severities Alertmanager routes. @default [\"critical\", \"warning\", \"info\"]" } },
    remediation: "Add labels.severity and annotations.summary (and description) to each alert.",
    types: [PROMETHEUS_RULE],
    check: (props, ctx) =>
      rulesOf(props)
        .filter((r) => r.alert !== undefined)
        .flatMap((r) => {
          const problems: string[] = [];
          const severity = get(r, "labels", "severity");
          if (!asArray(ctx.config.severities).includes(severity)) problems.push(`severity ${severity ?? "unset"}`);
          if (!get(r, "annotations", "summary")) problems.push("no summary annotation");
          return problems.length ? [`${ruleName(r)}: ${problems.join(", ")}`] : [];
        }),
  }),
  resourceRule({
    name: "prometheus-rule-selector-labels",
    description: "PrometheusRule objects carry the labels the Prometheus ruleSelector matches; without them the operator silently never loads the alerts (prometheus-operator ruleSelector).",
    grade: "mandatory",
    config: {
      requiredLabels: {
        type: "object",
        additionalProperties: { type: "string" },
        default: { "app.kubernetes.io/part-of": "runbook-infra" },
        description: "Labels (name → value) every PrometheusRule must carry. @default { \"app.kubernetes.io/part-of\": \"runbook-infra\" }",
      },
    },
    remediation: "Add the required labels to metadata.labels (the same ones set in the Prometheus ruleSelector).",
    types: [PROMETHEUS_RULE],
    check: (props, ctx) => {
      const labels = labelsOf(props);
      const required = (ctx.config.requiredLabels ?? {}) as Record<string, string>;
      const missing = Object.entries(required).filter(([k, v]) => labels[k] !== v);
      return missing.length ? `metadata.labels lacks ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}` : undefined;
    },
  }),
  resourceRule({
    name: "prometheus-rule-alert-hygiene",
    description: "Alerts wait a `for` duration before firing (no flapping pages) and link a runbook (runbook_url annotation), as the incident runbook expects (Prometheus alerting best practice).",
    grade: "advisory",
    remediation: "Add for: 5m (or what fits) and annotations.runbook_url to each alert.",
    types: [PROMETHEUS_RULE],
    check: (props) =>
      rulesOf(props)
        .filter((r) => r.alert !== undefined)
        .flatMap((r) => {
          const problems: string[] = [];
          if (r.for === undefined) problems.push("no for duration");
          if (!get(r, "annotations", "runbook_url")) problems.push("no runbook_url annotation");
          return problems.length ? [`${ruleName(r)}: ${problems.join(", ")}`] : [];
        }),
  }),
  resourceRule({
    name: "cloudwatch-alarm-actions",
    description: "CloudWatch alarms notify someone: alarmActions is set and actions are enabled (AWS FSBP CloudWatch.15/CloudWatch.17).",
    grade: "advisory",
    remediation: "Set alarmActions to the alerting SNS topic and leave actionsEnabled true.",
    types: [METRIC_ALARM],
    check: (props) => {
      if (props.actionsEnabled === false) return "actionsEnabled is false";
      return asArray(props.alarmActions).length ? undefined : "alarmActions is empty";
    },
  }),
];
