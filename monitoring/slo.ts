/**
 * SLO recording rules and multi-window, multi-burn-rate alerts as the Google SRE workbook ("Alerting on
 * SLOs", alert 6) describes them. For an objective with error budget b (1 - target):
 *
 *   page   (critical): burn 14.4x over 1h and 5m, or 6x over 6h and 30m  (2 % / 5 % of a 30-day budget)
 *   ticket (warning) : burn 3x over 1d and 2h,   or 1x over 3d and 6h    (10 % of the budget, or all of it)
 *
 * The short window makes an alert stop soon after the burn stops; the long window keeps it from firing
 * on a blip. SLIs are request-based: availability counts 5xx responses as bad; a latency objective
 * "p95 < 500 ms" counts requests slower than 500 ms as bad, with a 5 % budget.
 */
import { selector } from "./catalogue";
import { runbookLink } from "./rules";
import type { AlertingRule, RecordingRule, RuleGroup } from "./types";

export interface LatencyObjective {
  /** Share of requests that must be faster than the threshold, as a percentile (95 for p95). */
  percentile: number;
  /** The threshold in seconds; must be a bucket boundary of http_request_duration_seconds. */
  thresholdSeconds: number;
}

export interface ServiceSlo {
  /** Value of the `service` label on the service's http_requests_total / http_request_duration_seconds. */
  service: string;
  /** Namespace of the service; empty matches the service in any namespace. */
  namespace?: string;
  /** Availability target in percent (99.9): share of requests answered without a 5xx. */
  availability?: number;
  latency?: LatencyObjective[];
  /**
   * A platform-wide objective (runbook 004 4.14): every service's requests counted together, in these
   * namespaces (all when empty). `service` then only names the aggregate ("platform") in labels; no
   * service matcher is applied.
   */
  aggregate?: { namespaces: string[] };
}

export interface BurnRateWindow {
  severity: "critical" | "warning";
  factor: number;
  long: string;
  short: string;
}

export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { severity: "critical", factor: 14.4, long: "1h", short: "5m" },
  { severity: "critical", factor: 6, long: "6h", short: "30m" },
  { severity: "warning", factor: 3, long: "1d", short: "2h" },
  { severity: "warning", factor: 1, long: "3d", short: "6h" },
];

/** Every window a recording rule is needed for, shortest first. */
export const SLI_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;

/**
 * The SLO period Sloth and its Grafana dashboards assume unless told otherwise (rolling 30 days); the
 * runbooks' budgets are monthly. The period figures cover what Prometheus retains of it.
 */
export const DEFAULT_SLO_PERIOD_DAYS = 30;

export const SLI_RECORD = (window: string) => `slo:sli_error:ratio_rate${window}`;

/** A `le` matcher that accepts both spellings client libraries use for a bucket bound ("2" and "2.0"). */
export function leMatcher(seconds: number): string {
  const text = String(seconds);
  const escaped = text.replace(/\./g, "\\\\.");
  return text.includes(".") ? `le=~"${escaped}0*"` : `le=~"${escaped}(\\\\.0+)?"`;
}

export interface SloObjective {
  /** `availability` or `latency-p95` etc. */
  slo: string;
  /** Error budget as a ratio (0.001 for 99.9 %). */
  budget: number;
  /** Human objective for descriptions ("99.9 % of requests without 5xx"). */
  text: string;
  /** Bad-event ratio over a window. */
  errorRatio: (window: string) => string;
}

export function objectivesOf(slo: ServiceSlo): SloObjective[] {
  const base = slo.aggregate
    ? slo.aggregate.namespaces.length
      ? [`namespace=~"${slo.aggregate.namespaces.join("|")}"`]
      : []
    : [`service="${slo.service}"`, ...(slo.namespace ? [`namespace="${slo.namespace}"`] : [])];
  const out: SloObjective[] = [];
  if (slo.availability !== undefined) {
    out.push({
      slo: "availability",
      budget: round(1 - slo.availability / 100),
      text: `${slo.availability}% of requests without a 5xx`,
      errorRatio: (w) =>
        `sum(rate(${selector("http_requests_total", base, 'status=~"5.."')}[${w}]))\n  / sum(rate(${selector("http_requests_total", base)}[${w}]))`,
    });
  }
  for (const latency of slo.latency ?? []) {
    out.push({
      slo: `latency-p${String(latency.percentile).replace(".", "_")}`,
      budget: round(1 - latency.percentile / 100),
      text: `${latency.percentile}% of requests faster than ${latency.thresholdSeconds}s`,
      errorRatio: (w) =>
        `1 - sum(rate(${selector("http_request_duration_seconds_bucket", base, leMatcher(latency.thresholdSeconds))}[${w}]))\n` +
        `  / sum(rate(${selector("http_request_duration_seconds_count", base)}[${w}]))`,
    });
  }
  return out;
}

/** Avoids 1 - 0.999 = 0.0010000000000000009 in rule text. */
function round(value: number): number {
  return Number(value.toPrecision(10));
}

export interface SloRuleSettings {
  slos: readonly ServiceSlo[];
  runbookUrl: string;
  /** Days of the SLO period the budget figures are computed over. @default 30 */
  periodDays?: number;
}

/**
 * Labels Sloth puts on every series it generates; its dashboards and Grafana's SLO views select by them.
 * `sloth_id` is unique per objective, so the namespace joins it when there is one (a service of one name
 * may exist in two namespaces).
 */
export function slothLabels(slo: ServiceSlo, objective: SloObjective): Record<string, string> {
  return { sloth_id: [slo.namespace, slo.service, objective.slo].filter(Boolean).join("-"), sloth_service: slo.service, sloth_slo: objective.slo };
}

/** The objective as the figure Sloth records (0.999 for 99.9 %). */
export const objectiveRatio = (objective: SloObjective) => round(1 - objective.budget);

/**
 * One group per service objective, in the shape Sloth generates (so Sloth's and Grafana's SLO dashboards
 * read our SLOs unchanged): the SLI error ratio over each alert window and over the period
 * (`slo:sli_error:ratio_rate<window>`, labelled `sloth_window`), the meta recordings
 * (`slo:objective:ratio`, `slo:error_budget:ratio`, `slo:time_period:days`, `slo:current_burn_rate:ratio`,
 * `slo:period_burn_rate:ratio`, `slo:period_error_budget_remaining:ratio`, `sloth_slo_info`), then the page
 * and ticket alerts. One group keeps the order: Prometheus evaluates a group's rules in sequence, so the
 * meta rules read this cycle's SLI values.
 */
export function buildSloGroups(settings: SloRuleSettings): RuleGroup[] {
  const periodDays = settings.periodDays ?? DEFAULT_SLO_PERIOD_DAYS;
  const period = `${periodDays}d`;
  const groups: RuleGroup[] = [];
  for (const slo of settings.slos) {
    for (const objective of objectivesOf(slo)) {
      const sloth = slothLabels(slo, objective);
      const labels: Record<string, string> = { service: slo.service, slo: objective.slo, ...(slo.namespace ? { namespace: slo.namespace } : {}), ...sloth };
      const match = Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ");
      const id = Object.entries(sloth)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ");
      const records: RecordingRule[] = SLI_WINDOWS.map((w) => ({ record: SLI_RECORD(w), expr: objective.errorRatio(w), labels: { ...labels, sloth_window: w } }));
      // The period ratio averages the 5m ratios instead of one rate over 30 days: cheap, and what Sloth does.
      records.push({
        record: SLI_RECORD(period),
        expr: `sum_over_time(${SLI_RECORD("5m")}{${id}}[${period}])\n  / ignoring (sloth_window)\n  count_over_time(${SLI_RECORD("5m")}{${id}}[${period}])`,
        // The series keeps its labels anyway; naming them all keeps promtool's duplicate-rule lint apart per objective.
        labels: { ...labels, sloth_window: period },
      });
      const budgetRatio = (record: string) => `${record}{${id}}\n  / on (sloth_id, sloth_slo, sloth_service) group_left\n  slo:error_budget:ratio{${id}}`;
      records.push(
        { record: "slo:objective:ratio", expr: `vector(${objectiveRatio(objective)})`, labels: { ...labels } },
        { record: "slo:error_budget:ratio", expr: `vector(${objective.budget})`, labels: { ...labels } },
        { record: "slo:time_period:days", expr: `vector(${periodDays})`, labels: { ...labels } },
        { record: "slo:current_burn_rate:ratio", expr: budgetRatio(SLI_RECORD("5m")), labels: { ...labels } },
        { record: "slo:period_burn_rate:ratio", expr: budgetRatio(SLI_RECORD(period)), labels: { ...labels } },
        { record: "slo:period_error_budget_remaining:ratio", expr: `1 - slo:period_burn_rate:ratio{${id}}`, labels: { ...labels } },
        {
          record: "sloth_slo_info",
          expr: "vector(1)",
          labels: { ...labels, sloth_mode: "runbook-infra", sloth_spec: "prometheus/v1", sloth_version: "runbook-infra", sloth_objective: String(round(objectiveRatio(objective) * 100)) },
        },
      );
      // sloth_window differs between the two windows of a pair: dropped, so that `and`/`or` match and the alert's labels stay stable.
      const sli = (window: string) => `max without (sloth_window) (${SLI_RECORD(window)}{${match}})`;
      const alerts: AlertingRule[] = (["critical", "warning"] as const).map((severity) => {
        const windows = BURN_RATE_WINDOWS.filter((w) => w.severity === severity);
        const expr = windows
          .map((w) => {
            const limit = round(w.factor * objective.budget);
            return `(${sli(w.long)} > ${limit}\n  and ${sli(w.short)} > ${limit})`;
          })
          .join("\nor\n");
        const burn = windows.map((w) => `${w.factor}x over ${w.long}/${w.short}`).join(" or ");
        const fast = severity === "critical";
        return {
          alert: "ErrorBudgetBurn",
          expr,
          for: fast ? "2m" : "15m",
          // service and slo as rule labels too: promtool's lint rejects two rules of one name with equal labels.
          labels: { severity, service: slo.service, slo: objective.slo, ...(slo.namespace ? { namespace: slo.namespace } : {}), sloth_severity: fast ? "page" : "ticket" },
          annotations: {
            summary: `{{ $labels.service }} is burning its {{ $labels.slo }} error budget ${fast ? "fast" : "steadily"}`,
            description:
              `{{ $labels.service }} misses ${objective.text} at {{ $value | humanizePercentage }} bad events, burning the budget at ${burn}` +
              (fast ? "; at this rate the 30-day budget is gone within days." : "; the 30-day budget will not last the month."),
            runbook_url: runbookLink(settings.runbookUrl, "service-level-objectives-slos"),
          },
        };
      });
      groups.push({ name: `slo-${slo.namespace ? `${slo.namespace}-` : ""}${slo.service}-${objective.slo}`, rules: [...records, ...alerts] });
    }
  }
  return groups;
}
