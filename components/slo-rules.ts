import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { HTTPS_URL, MAX_URL } from "../core/text";
import { ServiceSlo, buildSloGroups } from "../monitoring/slo";
import type { RuleGroup } from "../monitoring/types";
import { ruleGroupProblems } from "../monitoring/validate";
import { LIBRARY_LABELS } from "../core/labels";

export interface SloRulesArgs {
  /** Namespace of the PrometheusRule. No default. */
  namespace: string;
  /** Services and their objectives (availability %, latency percentiles). No default. */
  slos: ServiceSlo[];
  /** The runbook document (https); the burn-rate alerts link to its SLO section. No default. */
  runbookUrl: string;
  /** Labels for the PrometheusRule, e.g. an existing Prometheus' ruleSelector labels. @default {} */
  labels?: Record<string, string>;
}

// A page at 14.4x burn needs 14.4 x budget < 1, i.e. a target above 93.06 %; below that the alert can never fire.
const LOWEST_TARGET = 93.1;

/**
 * SLO recording rules (error ratio over 5m … 3d) and multi-window, multi-burn-rate alerts per service,
 * as in the SRE workbook: page on a fast burn (14.4x over 1h and 5m, 6x over 6h and 30m), ticket on a
 * slow one (3x over 1d and 2h, 1x over 3d and 6h).
 */
export class SloRules extends pulumi.ComponentResource {
  public readonly groups: RuleGroup[];
  public readonly ruleName: pulumi.Output<string>;

  constructor(name: string, args: SloRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "SloRules";
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.namespace ?? "")) rejectArg(C, "namespace", args.namespace, "must be a Kubernetes namespace name");
    if (!Array.isArray(args.slos) || args.slos.length === 0) rejectArg(C, "slos", args.slos, "must list at least one service objective");
    const seen = new Set<string>();
    args.slos.forEach((slo, i) => {
      const at = `slos[${i}]`;
      if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(slo.service ?? "")) rejectArg(C, `${at}.service`, slo.service, "must be a Kubernetes service name");
      const key = `${slo.namespace ?? ""}/${slo.service}`;
      if (seen.has(key)) rejectArg(C, `${at}.service`, slo.service, "must be unique per namespace");
      seen.add(key);
      if (slo.availability === undefined && !(slo.latency ?? []).length) rejectArg(C, at, slo, "must set availability or latency");
      if (slo.availability !== undefined && !(slo.availability >= LOWEST_TARGET && slo.availability < 100))
        rejectArg(C, `${at}.availability`, slo.availability, `must be a percentage from ${LOWEST_TARGET} to below 100 (a 14.4x burn of a larger budget exceeds 100 %)`);
      for (const [j, latency] of (slo.latency ?? []).entries()) {
        if (!(latency.percentile >= LOWEST_TARGET && latency.percentile < 100))
          rejectArg(C, `${at}.latency[${j}].percentile`, latency.percentile, `must be from ${LOWEST_TARGET} to below 100`);
        if (!(latency.thresholdSeconds > 0)) rejectArg(C, `${at}.latency[${j}].thresholdSeconds`, latency.thresholdSeconds, "must be a positive number of seconds (a histogram bucket bound)");
      }
    });
    // The stack key monitoring.runbookUrl has the same rule (core/text.ts): no characters a Go template or YAML would act on.
    if (!HTTPS_URL.test(args.runbookUrl ?? "") || args.runbookUrl.length > MAX_URL) rejectArg(C, "runbookUrl", args.runbookUrl, `must be an https URL of the runbook document of at most ${MAX_URL} URL characters, without #fragment`);
    const groups = buildSloGroups({ slos: args.slos, runbookUrl: args.runbookUrl });
    const [problem] = ruleGroupProblems(groups);
    if (problem) rejectArg(C, problem.arg, problem.value, problem.allowed);
    super("runbook:monitoring:SloRules", name, {}, opts);

    this.groups = groups;
    const rule = new k8s.apiextensions.CustomResource(
      `${name}-rules`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: `${name}-slos`, namespace: args.namespace, labels: { ...LIBRARY_LABELS, "app.kubernetes.io/component": "slo-rules", ...(args.labels ?? {}) } },
        spec: { groups },
      },
      { parent: this },
    );
    this.ruleName = rule.metadata.name;
    this.registerOutputs({ ruleName: this.ruleName });
  }
}
