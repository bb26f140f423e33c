import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { LIBRARY_LABELS } from "../core/labels";
import { HTTPS_URL, MAX_URL } from "../core/text";
import { ALERT_CATALOGUE, ALERT_FAMILIES, AlertFamily } from "../monitoring/catalogue";
import { durationSeconds } from "../monitoring/promql";
import { AlertOverride, buildAlertGroups } from "../monitoring/rules";
import { SEVERITIES, RuleGroup, isAlertingRule } from "../monitoring/types";
import { ruleGroupProblems } from "../monitoring/validate";

export interface AlertRulesArgs {
  /** Namespace of the PrometheusRule; the Prometheus must select rules there. No default. */
  namespace: string;
  /** Alert families to enable (see monitoring/catalogue.ts). No default. */
  families: AlertFamily[];
  /** Per-alert threshold, `for`, severity and on/off, keyed by alert name. @default {} */
  overrides?: Record<string, AlertOverride | undefined>;
  /** Namespaces whose application metrics the alerts watch; empty watches all. @default [] */
  watchNamespaces?: string[];
  /** The runbook document (https); each alert's runbook_url points at its procedure's heading. No default. */
  runbookUrl: string;
  /** Rule groups of the stack's own, checked like the catalogue's. @default [] */
  extraGroups?: RuleGroup[];
  /** Labels for the PrometheusRule, e.g. an existing Prometheus' ruleSelector labels. @default {} */
  labels?: Record<string, string>;
}


/**
 * The runbooks' alerts (and those the backup, scaling and certificate capabilities need) as one
 * PrometheusRule. Every expression is parsed as PromQL and every duration and label checked before
 * the resource is registered, so a typo fails the preview, not Prometheus' next rule reload.
 */
export class AlertRules extends pulumi.ComponentResource {
  /** The rule groups as installed (render them with the offline engine, preview/render.ts). */
  public readonly groups: RuleGroup[];
  /** Names of the alerts installed. */
  public readonly alertNames: string[];
  public readonly ruleName: pulumi.Output<string>;

  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "AlertRules";
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.namespace ?? "")) rejectArg(C, "namespace", args.namespace, "must be a Kubernetes namespace name");
    for (const family of args.families ?? []) if (!(ALERT_FAMILIES as readonly string[]).includes(family)) rejectArg(C, "families", family, `must be one of ${ALERT_FAMILIES.join(", ")}`);
    // The stack key monitoring.runbookUrl has the same rule (core/text.ts): no characters a Go template or YAML would act on.
    if (!HTTPS_URL.test(args.runbookUrl ?? "") || args.runbookUrl.length > MAX_URL) rejectArg(C, "runbookUrl", args.runbookUrl, `must be an https URL of the runbook document of at most ${MAX_URL} URL characters, without #fragment`);
    for (const [alert, override] of Object.entries(args.overrides ?? {})) {
      const def = ALERT_CATALOGUE.find((d) => d.name === alert);
      if (!def) rejectArg(C, "overrides", alert, `must name a catalogue alert (${ALERT_CATALOGUE.map((d) => d.name).join(", ")})`);
      if (!override) continue;
      if (override.threshold !== undefined) {
        if (!def.threshold) rejectArg(C, `overrides.${alert}.threshold`, override.threshold, `${alert} has no threshold`);
        if (!(override.threshold >= def.threshold.min && override.threshold <= def.threshold.max))
          rejectArg(C, `overrides.${alert}.threshold`, override.threshold, `must be ${def.threshold.unit} from ${def.threshold.min} to ${def.threshold.max}`);
      }
      if (override.for !== undefined && durationSeconds(override.for) === undefined) rejectArg(C, `overrides.${alert}.for`, override.for, 'must be a Prometheus duration such as "5m"');
      if (override.severity !== undefined && !SEVERITIES.includes(override.severity)) rejectArg(C, `overrides.${alert}.severity`, override.severity, `must be one of ${SEVERITIES.join(", ")}`);
    }
    const groups = [
      ...buildAlertGroups({ families: args.families, overrides: args.overrides, namespaces: args.watchNamespaces, runbookUrl: args.runbookUrl }),
      ...(args.extraGroups ?? []),
    ];
    const [problem] = ruleGroupProblems(groups);
    if (problem) rejectArg(C, problem.arg, problem.value, problem.allowed);
    super("runbook:monitoring:AlertRules", name, {}, opts);

    this.groups = groups;
    this.alertNames = groups.flatMap((g) => g.rules.filter(isAlertingRule).map((r) => r.alert));
    const rule = new k8s.apiextensions.CustomResource(
      `${name}-rules`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: `${name}-alerts`, namespace: args.namespace, labels: { ...LIBRARY_LABELS, "app.kubernetes.io/component": "alert-rules", ...(args.labels ?? {}) } },
        spec: { groups },
      },
      { parent: this },
    );
    this.ruleName = rule.metadata.name;
    this.registerOutputs({ ruleName: this.ruleName, alertNames: this.alertNames });
  }
}
