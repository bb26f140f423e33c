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
  const base = [`service="${slo.service}"`, ...(slo.namespace ? [`namespace="${slo.namespace}"`] : [])];
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
}

/** One group per service objective: its seven SLI recordings and its page and ticket alerts. */
export function buildSloGroups(settings: SloRuleSettings): RuleGroup[] {
  const groups: RuleGroup[] = [];
  for (const slo of settings.slos) {
    for (const objective of objectivesOf(slo)) {
      const labels: Record<string, string> = { service: slo.service, slo: objective.slo, ...(slo.namespace ? { namespace: slo.namespace } : {}) };
      const match = Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ");
      const records: RecordingRule[] = SLI_WINDOWS.map((w) => ({ record: SLI_RECORD(w), expr: objective.errorRatio(w), labels: { ...labels } }));
      const alerts: AlertingRule[] = (["critical", "warning"] as const).map((severity) => {
        const windows = BURN_RATE_WINDOWS.filter((w) => w.severity === severity);
        const expr = windows
          .map((w) => {
            const limit = round(w.factor * objective.budget);
            return `(${SLI_RECORD(w.long)}{${match}} > ${limit}\n  and ${SLI_RECORD(w.short)}{${match}} > ${limit})`;
          })
          .join("\nor\n");
        const burn = windows.map((w) => `${w.factor}x over ${w.long}/${w.short}`).join(" or ");
        const fast = severity === "critical";
        return {
          alert: "ErrorBudgetBurn",
          expr,
          for: fast ? "2m" : "15m",
          // service and slo as rule labels too: promtool's lint rejects two rules of one name with equal labels.
          labels: { severity, ...labels },
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
