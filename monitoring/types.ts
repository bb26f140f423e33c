/**
 * The shapes of Prometheus rule files and of the monitoring settings the builders take. They mirror
 * the YAML Prometheus reads (`groups[].rules[]`) so that a rule group renders to a file without mapping.
 */

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertingRule {
  alert: string;
  expr: string;
  /** How long the condition must hold before the alert fires; omitted means at once. */
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  /** Evaluation interval of the group; omitted uses Prometheus' global interval. */
  interval?: string;
  rules: Rule[];
}

export function isAlertingRule(rule: Rule): rule is AlertingRule {
  return (rule as AlertingRule).alert !== undefined;
}
