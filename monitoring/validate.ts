/**
 * The checks a rule group passes before it becomes a PrometheusRule: every expression parses as PromQL
 * and returns an instant vector, every duration is a Prometheus duration, names and label values are
 * what Prometheus and Alertmanager accept. A problem comes back as (arg, value, allowed) naming the rule,
 * so the component can raise the project's one-line ConfigError.
 */
import { ALERT_NAME, LABEL_NAME, METRIC_NAME, durationSeconds, promqlProblem, rangeDurations } from "./promql";
import { SEVERITIES, isAlertingRule, RuleGroup } from "./types";

export interface Problem {
  /** Where, e.g. `groups[runbook-availability].HighErrorRate.expr`. */
  arg: string;
  value: unknown;
  allowed: string;
}

const REQUIRED_ANNOTATIONS = ["summary", "description", "runbook_url"] as const;

export function ruleGroupProblems(groups: readonly RuleGroup[]): Problem[] {
  const problems: Problem[] = [];
  const add = (arg: string, value: unknown, allowed: string) => problems.push({ arg, value, allowed });
  const seenGroups = new Set<string>();
  if (groups.length === 0) add("groups", groups, "must contain at least one rule group");
  for (const group of groups) {
    const at = `groups[${group.name}]`;
    if (!/^[a-zA-Z0-9][-a-zA-Z0-9_.:]*$/.test(group.name ?? "")) add(`${at}.name`, group.name, "must be a group name of letters, digits, '-', '_', '.', ':'");
    if (seenGroups.has(group.name)) add(`${at}.name`, group.name, "must be unique: Prometheus rejects a rule file with two groups of one name");
    seenGroups.add(group.name);
    if (group.interval !== undefined && !durationSeconds(group.interval)) add(`${at}.interval`, group.interval, 'must be a Prometheus duration such as "30s" or "1m"');
    if (group.rules.length === 0) add(`${at}.rules`, group.rules, "must contain at least one rule");
    for (const rule of group.rules) {
      const name = isAlertingRule(rule) ? rule.alert : rule.record;
      const ruleAt = `${at}.${name}`;
      if (isAlertingRule(rule)) {
        if (!ALERT_NAME.test(rule.alert ?? "")) add(`${at}.alert`, rule.alert, "must be an alert name of letters, digits and '_', starting with a letter");
        if (rule.for !== undefined && durationSeconds(rule.for) === undefined) add(`${ruleAt}.for`, rule.for, 'must be a Prometheus duration such as "30s", "5m" or "1h"');
        const severity = rule.labels?.severity;
        if (!(SEVERITIES as readonly string[]).includes(severity)) add(`${ruleAt}.labels.severity`, severity, `must be one of ${SEVERITIES.join(", ")}`);
        for (const key of REQUIRED_ANNOTATIONS) {
          if (!rule.annotations?.[key]) add(`${ruleAt}.annotations.${key}`, rule.annotations?.[key], "must be set: on-call reads it in the page");
        }
        const url = rule.annotations?.runbook_url;
        if (url && !/^https?:\/\/[^\s]+$/.test(url)) add(`${ruleAt}.annotations.runbook_url`, url, "must be an http(s) URL to the procedure");
        for (const [key, value] of Object.entries(rule.annotations ?? {})) {
          if (!LABEL_NAME.test(key)) add(`${ruleAt}.annotations`, key, "annotation names must match [a-zA-Z_][a-zA-Z0-9_]*");
          if (typeof value !== "string") add(`${ruleAt}.annotations.${key}`, value, "must be a string");
          else if (!balancedTemplate(value)) add(`${ruleAt}.annotations.${key}`, value, "must have balanced {{ }} template delimiters");
        }
      } else if (!METRIC_NAME.test(rule.record ?? "")) {
        add(`${at}.record`, rule.record, "must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), conventionally level:metric:operations");
      }
      for (const [key, value] of Object.entries(rule.labels ?? {})) {
        if (!LABEL_NAME.test(key) || key.startsWith("__")) add(`${ruleAt}.labels`, key, "label names must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __");
        if (typeof value !== "string" || value === "") add(`${ruleAt}.labels.${key}`, value, "must be a non-empty string");
      }
      const exprProblem = promqlProblem(rule.expr);
      if (exprProblem) add(`${ruleAt}.expr`, rule.expr, exprProblem);
      else {
        for (const range of rangeDurations(rule.expr)) {
          if (!durationSeconds(range)) add(`${ruleAt}.expr`, rule.expr, `must use Prometheus durations in range selectors; "${range}" is not one`);
        }
      }
    }
  }
  return problems;
}

function balancedTemplate(text: string): boolean {
  return (text.match(/\{\{/g) ?? []).length === (text.match(/\}\}/g) ?? []).length;
}
