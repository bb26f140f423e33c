/**
 * Field constructors for the stack config schema. Each one carries the sentence a user reads when a
 * value is rejected ("must be an integer from 0 to 35"), so every error names what is allowed.
 */
import { z } from "zod";
import { CPU_QUANTITY, K8S_NAME, MEMORY_QUANTITY, isCronSchedule } from "../../core/patterns";
import { DAILY_WINDOW, WEEKLY_WINDOW } from "../../core/windows";
import { cidrRange, hasHostBits, networkOf } from "../../core/cidr";

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

/** An IPv4 network block; one with host bits set (10.0.5.7/16) is refused rather than silently masked. */
export function cidr() {
  const allowed = "must be an IPv4 CIDR block such as 10.0.0.0/16";
  return z
    .string({ error: allowed })
    .refine((v) => cidrRange(v)?.family === 4, { error: allowed, abort: true })
    .refine((v) => !hasHostBits(v), { error: (issue) => `must be a network address: host bits are set below /${String(issue.input).split("/")[1]} (the network is ${networkOf(String(issue.input))})` });
}

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

/** A daily window "hh:mm-hh:mm" (UTC), the format RDS and ElastiCache use for backup/snapshot windows. */
export const dailyWindow = () => str(DAILY_WINDOW, 'a daily UTC window "hh:mm-hh:mm" such as "00:30-01:30"');

/** A weekly window "ddd:hh:mm-ddd:hh:mm" (UTC), the format of RDS and ElastiCache maintenance windows. */
export const weeklyWindow = () => str(WEEKLY_WINDOW, 'a weekly UTC window "ddd:hh:mm-ddd:hh:mm" such as "sun:02:00-sun:06:00"');

export { dailyOverlapsWeekly, dailyWindowMinutes, weeklyWindowMinutes } from "../../core/windows";
