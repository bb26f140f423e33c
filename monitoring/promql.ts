/**
 * PromQL and Prometheus-format checks that run at preview time, before anything reaches a cluster.
 * Expressions are parsed with the grammar the Prometheus UI itself uses (@prometheus-io/lezer-promql),
 * so a typo such as `ratee(...)` or an unbalanced bracket fails the plan instead of the rule reload.
 */
import { parser } from "@prometheus-io/lezer-promql";

/** Label names (and the keys of `labels:`/`annotations:` maps) Prometheus accepts. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Metric names, which recording rules produce (colons are reserved for them). */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Alert names: the convention (and what Alertmanager matchers handle unquoted) is a metric-like name. */
export const ALERT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;
const UNIT_SECONDS = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001];

/**
 * Seconds in a Prometheus duration ("90s", "1h30m", "1d"), or undefined when the text is not one.
 * Units must come in decreasing order, as Prometheus' own parser requires.
 */
export function durationSeconds(text: string): number | undefined {
  if (typeof text !== "string" || text === "" || text === "0") return text === "0" ? 0 : undefined;
  const match = DURATION.exec(text);
  if (!match) return undefined;
  let seconds = 0;
  for (let unit = 0; unit < UNIT_SECONDS.length; unit++) {
    const amount = match[2 + unit * 2];
    if (amount !== undefined) seconds += Number(amount) * UNIT_SECONDS[unit];
  }
  return seconds;
}

export function isDuration(text: string): boolean {
  return durationSeconds(text) !== undefined;
}

/** Formats seconds as the shortest Prometheus duration ("3d", "1h30m", "45s"). */
export function formatDuration(seconds: number): string {
  const units: Array<[string, number]> = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
  let rest = Math.round(seconds);
  let text = "";
  for (const [unit, size] of units) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text || "0s";
}

// Node types whose result is not an instant vector: an alert or a recording rule built on one is rejected
// by Prometheus at load time ("invalid expression type").
const NOT_INSTANT = new Set(["MatrixSelector", "SubqueryExpr", "StringLiteral"]);

/**
 * Why `expr` is not a valid rule expression, or undefined when it is. The message names the column and
 * the text at the first parse error, e.g. `syntax error at column 5 near "(http_requests_total[5m])"`.
 */
export function promqlProblem(expr: string): string | undefined {
  if (typeof expr !== "string" || expr.trim() === "") return "must be a non-empty PromQL expression";
  const { errorAt, topNode } = parsePromql(expr);
  if (errorAt !== undefined) {
    const near = expr.slice(errorAt, errorAt + 30).trim();
    return `must be valid PromQL: syntax error at column ${errorAt + 1}${near ? ` near ${JSON.stringify(near)}` : " (unexpected end)"}`;
  }
  if (topNode && NOT_INSTANT.has(topNode)) return `must return an instant vector, not a ${topNode === "StringLiteral" ? "string" : "range vector"}`;
  return undefined;
}

export interface ParsedPromql {
  /** Offset of the first syntax error, if any. */
  errorAt?: number;
  /** Node name of the outermost expression (parentheses removed). */
  topNode?: string;
}

// The same expressions are checked by the components, the policy pack and the renderers: parse each once.
const parsed = new Map<string, ParsedPromql>();

/** Parses `expr` with the Prometheus project's own lezer grammar (memoised per expression). */
export function parsePromql(expr: string): ParsedPromql {
  const cached = parsed.get(expr);
  if (cached) return cached;
  const tree = parser.parse(expr);
  let errorAt: number | undefined;
  tree.iterate({
    enter(node) {
      if (errorAt === undefined && node.type.isError) errorAt = node.from;
      return errorAt === undefined;
    },
  });
  let top = tree.topNode.firstChild;
  while (top && top.name === "ParenExpr") top = top.firstChild;
  const result: ParsedPromql = { errorAt, topNode: top?.name };
  parsed.set(expr, result);
  return result;
}

/** Every matrix-selector range (`[5m]`) and subquery range used in an expression, for duration checks. */
export function rangeDurations(expr: string): string[] {
  const found: string[] = [];
  for (const match of expr.matchAll(/\[([^\]:]+)(?::([^\]]*))?\]/g)) {
    found.push(match[1].trim());
    if (match[2]) found.push(match[2].trim());
  }
  return found;
}

/** The metric names an expression selects (each vector selector's name), in order of appearance, without repeats. */
export function metricNames(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
        const name = expr.slice(node.from, node.to);
        if (!names.includes(name)) names.push(name);
      }
    },
  });
  return names;
}
