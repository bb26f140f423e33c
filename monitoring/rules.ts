/**
 * Turns the alert catalogue and a stack's choices (families, per-alert overrides, watched namespaces,
 * runbook URL) into Prometheus rule groups, one group per family.
 */
import { ALERT_CATALOGUE, AlertFamily, AlertDefinition, thresholdText } from "./catalogue";
import type { AlertingRule, RuleGroup, Severity } from "./types";

export interface AlertOverride {
  /** Switch one alert on (even when its family is off) or off. */
  enabled?: boolean;
  threshold?: number;
  for?: string;
  severity?: Severity;
  /** Full link to the procedure, when the runbook document's heading differs from the catalogue's anchor. */
  runbookUrl?: string;
}

export interface AlertRuleSettings {
  /** Families whose alerts are on. */
  families: readonly AlertFamily[];
  /** Per-alert changes, keyed by alert name. */
  overrides?: Readonly<Record<string, AlertOverride | undefined>>;
  /** Namespaces whose application metrics the alerts watch; empty watches every namespace. */
  namespaces?: readonly string[];
  /** The runbook document; each alert links to its procedure's heading in it. */
  runbookUrl: string;
}

/** `namespace=~"a|b"` (or `namespace="a"`) for the watched namespaces, or no matcher at all. */
export function namespaceScope(namespaces: readonly string[] = []): string[] {
  if (namespaces.length === 0) return [];
  return namespaces.length === 1 ? [`namespace="${namespaces[0]}"`] : [`namespace=~"${namespaces.join("|")}"`];
}

export function runbookLink(base: string, procedure: string): string {
  return `${base.replace(/#.*$/, "")}#${procedure}`;
}

/** The alert a definition yields with the given overrides; exported for the unit tests' fixtures. */
export function buildAlert(def: AlertDefinition, override: AlertOverride, settings: AlertRuleSettings): AlertingRule {
  const threshold = override.threshold ?? def.threshold?.default ?? Number.NaN;
  const severity = override.severity ?? def.severity;
  const forDuration = override.for ?? def.for;
  const rule: AlertingRule = {
    alert: def.name,
    expr: def.expr({ threshold, scope: namespaceScope(settings.namespaces) }),
    ...(forDuration !== "0s" && forDuration !== "0" ? { for: forDuration } : {}),
    labels: { severity },
    annotations: {
      summary: def.summary,
      description: def.description(def.threshold ? thresholdText(def, threshold) : ""),
      runbook_url: override.runbookUrl ?? runbookLink(settings.runbookUrl, def.procedure),
    },
  };
  return rule;
}

export function enabledAlerts(settings: AlertRuleSettings): AlertDefinition[] {
  return ALERT_CATALOGUE.filter((def) => settings.overrides?.[def.name]?.enabled ?? settings.families.includes(def.family));
}

export function buildAlertGroups(settings: AlertRuleSettings): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const def of enabledAlerts(settings)) {
    const name = `runbook-${def.family}`;
    if (!groups.has(name)) groups.set(name, { name, rules: [] });
    groups.get(name)!.rules.push(buildAlert(def, settings.overrides?.[def.name] ?? {}, settings));
  }
  return [...groups.values()];
}
