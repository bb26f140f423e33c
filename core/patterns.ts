import { CronExpressionParser } from "cron-parser";

/** Shapes of values that components and the stack config both check, kept in one place. */

/** Kubernetes object names (RFC 1123 label, at most 63 characters). */
export const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Kubernetes CPU quantities: "250m", "2", "1.5". */
export const CPU_QUANTITY = /^(\d+m|\d+(\.\d+)?)$/;
/** Kubernetes memory quantities with a binary suffix: "512Mi", "8Gi". */
export const MEMORY_QUANTITY = /^\d+(Ki|Mi|Gi|Ti)$/;

/**
 * True for a five-field cron expression cron-parser (and so the CronJob controller) accepts, written
 * as fields separated by single spaces: a trailing newline or a tab would reach the CronJob spec as is.
 */
export function isCronSchedule(value: string): boolean {
  if (typeof value !== "string" || value.length > 100 || !/^[^ ]+( [^ ]+){4}$/.test(value) || !/^[0-9A-Za-z*,/?#LW -]+$/.test(value)) return false;
  try {
    CronExpressionParser.parse(value, { tz: "UTC" });
    return true;
  } catch {
    return false;
  }
}
