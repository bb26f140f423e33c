/**
 * Field constructors for the stack config schema. Each one carries the sentence a user reads when a
 * value is rejected ("must be an integer from 0 to 35"), so every error names what is allowed.
 */
import { z } from "zod";
import { CPU_QUANTITY, K8S_NAME, MEMORY_QUANTITY, isCronSchedule } from "../../components/patterns";

/** An integer in [min, max]. */
export function int(min: number, max: number) {
  const allowed = `must be an integer from ${min} to ${max}`;
  return z.number({ error: allowed }).int({ error: allowed }).min(min, { error: allowed }).max(max, { error: allowed });
}

/** A number (fractions allowed) in [min, max]. */
export function num(min: number, max: number) {
  const allowed = `must be a number from ${min} to ${max}`;
  return z.number({ error: allowed }).min(min, { error: allowed }).max(max, { error: allowed });
}

export function bool() {
  return z.boolean({ error: "must be true or false" });
}

/** A string matching `pattern`; `describe` completes "must be …". */
export function str(pattern: RegExp, describe: string) {
  const allowed = `must be ${describe}`;
  return z.string({ error: allowed }).regex(pattern, { error: allowed });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

/** AWS region names such as us-east-1, eu-west-2, us-gov-west-1. */
export const awsRegion = () => str(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region name such as us-east-1");

/** Kubernetes object names (RFC 1123 label, max 63 chars). */
export const k8sName = () => str(K8S_NAME, "a Kubernetes name (lowercase letters, digits and '-', at most 63 characters)");

export const cidr = () =>
  str(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/, "an IPv4 CIDR block such as 10.0.0.0/16");

/** Kubernetes resource quantities: CPU ("250m", "2") and memory ("512Mi", "8Gi"). */
export const cpuQuantity = () => str(CPU_QUANTITY, 'a CPU quantity such as "250m" or "2"');
export const memoryQuantity = () => str(MEMORY_QUANTITY, 'a memory quantity such as "512Mi" or "8Gi"');

/** Prometheus durations as used in `for:` and range selectors ("30s", "5m", "1h", "1h30m"). */
export const promDuration = () => str(/^(\d+(ms|s|m|h|d|w|y))+$/, 'a Prometheus duration such as "30s", "5m" or "1h"');

/** A five-field cron expression, checked by cron-parser rather than by a home-grown pattern. */
export function cron() {
  const allowed = 'must be a five-field cron expression such as "0 2 * * *"';
  return z.string({ error: allowed }).refine(isCronSchedule, { error: allowed });
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** A daily window "hh:mm-hh:mm" (UTC), the format RDS and ElastiCache use for backup/snapshot windows. */
export const dailyWindow = () => str(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'a daily UTC window "hh:mm-hh:mm" such as "00:30-01:30"');

/** A weekly window "ddd:hh:mm-ddd:hh:mm" (UTC), the format of RDS and ElastiCache maintenance windows. */
export const weeklyWindow = () =>
  str(
    /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/,
    'a weekly UTC window "ddd:hh:mm-ddd:hh:mm" such as "sun:02:00-sun:06:00"',
  );

const MINUTES_PER_WEEK = 7 * 24 * 60;

/** Minute-of-week intervals a window covers (a window may wrap past Sunday midnight). */
function weeklyIntervals(window: string): Array<[number, number]> {
  const [from, to] = window.split("-");
  const toMinute = (part: string) => {
    const [day, hh, mm] = part.split(":");
    return DAYS.indexOf(day as (typeof DAYS)[number]) * 1440 + Number(hh) * 60 + Number(mm);
  };
  const start = toMinute(from);
  let end = toMinute(to);
  if (end <= start) end += MINUTES_PER_WEEK;
  return end > MINUTES_PER_WEEK ? [[start, MINUTES_PER_WEEK], [0, end - MINUTES_PER_WEEK]] : [[start, end]];
}

/** Length of a daily "hh:mm-hh:mm" window in minutes (wrapping past midnight). */
export function dailyWindowMinutes(window: string): number {
  const [from, to] = window.split("-").map((part) => Number(part.slice(0, 2)) * 60 + Number(part.slice(3, 5)));
  return to > from ? to - from : to + 1440 - from;
}

export function weeklyWindowMinutes(window: string): number {
  return weeklyIntervals(window).reduce((sum, [a, b]) => sum + b - a, 0);
}

/** True when a daily window (which recurs every day) overlaps a weekly window at any time of the week. */
export function dailyOverlapsWeekly(daily: string, weekly: string): boolean {
  const [from, to] = daily.split("-").map((part) => Number(part.slice(0, 2)) * 60 + Number(part.slice(3, 5)));
  const length = to > from ? to - from : to + 1440 - from;
  const weeklyParts = weeklyIntervals(weekly);
  for (let day = 0; day < 7; day++) {
    const start = day * 1440 + from;
    const dailyParts: Array<[number, number]> =
      start + length > MINUTES_PER_WEEK ? [[start, MINUTES_PER_WEEK], [0, start + length - MINUTES_PER_WEEK]] : [[start, start + length]];
    for (const [a, b] of dailyParts) for (const [c, d] of weeklyParts) if (a < d && c < b) return true;
  }
  return false;
}
