/**
 * S3 lifecycle rules for backups (storage classes, minimum durations, transition order) and the key layout
 * of the backup bucket: pure data shared by the BackupBucket component, the config schema and the cost model.
 */

/** Storage classes a lifecycle rule may move backups into, coldest last (S3's transition waterfall). */
export const COLD_STORAGE_CLASSES = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
export type ColdStorageClass = (typeof COLD_STORAGE_CLASSES)[number];

/**
 * Days S3 bills an object in each class even when it is deleted or moved earlier (S3 pricing,
 * "minimum storage duration"). Intelligent-Tiering has none.
 */
export const S3_MINIMUM_STORAGE_DAYS: Record<ColdStorageClass, number> = {
  STANDARD_IA: 30,
  INTELLIGENT_TIERING: 0,
  ONEZONE_IA: 30,
  GLACIER_IR: 90,
  GLACIER: 90,
  DEEP_ARCHIVE: 180,
};

/** The lifecycle API refuses transitions into the infrequent-access classes earlier than 30 days after creation. */
const S3_MINIMUM_TRANSITION_AGE: Partial<Record<ColdStorageClass, number>> = { STANDARD_IA: 30, ONEZONE_IA: 30 };

/** Key prefixes of the backup layout; each has its own lifecycle rule. */
export const BACKUP_PREFIXES = {
  postgresDaily: "postgresql/daily/",
  postgresHourly: "postgresql/hourly/",
  postgresWeekly: "postgresql/weekly/",
  postgresMonthly: "postgresql/monthly/",
  kubernetesConfig: "k8s-configs/",
  /** Inside kubernetesConfig (same retention); writes here must carry SSE-KMS with the bucket key. */
  kubernetesSecrets: "k8s-configs/secrets/",
} as const;

export interface LifecycleTransition {
  /** Age (days since upload) at which objects move. No default. */
  afterDays: number;
  /** Colder storage class to move into. No default. */
  storageClass: ColdStorageClass;
}

export interface RetentionRule {
  /** Key prefix the rule applies to, ending in "/" (e.g. "postgresql/daily/"). No default. */
  prefix: string;
  /** Days after upload at which a backup expires. No default. */
  expireAfterDays: number;
  /** Moves to colder storage before expiry, in increasing age and coldness. @default [] */
  transitions?: LifecycleTransition[];
}

/**
 * Why a rule's transitions break S3's rules or its minimum storage durations, or undefined when they
 * do not. Shared with the stack config, so a bad value is reported against the key that set it.
 * Returns the index of the offending transition (-1 for the expiry itself) and the sentence.
 */
export function lifecycleProblem(rule: Pick<RetentionRule, "expireAfterDays" | "transitions">): { index: number; allowed: string } | undefined {
  const transitions = rule.transitions ?? [];
  let previous: LifecycleTransition | undefined;
  for (const [index, transition] of transitions.entries()) {
    const { afterDays, storageClass } = transition;
    if (!COLD_STORAGE_CLASSES.includes(storageClass)) return { index, allowed: `storageClass must be one of ${COLD_STORAGE_CLASSES.join(", ")}` };
    if (!Number.isInteger(afterDays) || afterDays < 0) return { index, allowed: "afterDays must be an integer of at least 0" };
    const minimumAge = S3_MINIMUM_TRANSITION_AGE[storageClass] ?? 0;
    if (afterDays < minimumAge) return { index, allowed: `S3 moves objects into ${storageClass} no earlier than ${minimumAge} days after upload` };
    if (previous) {
      if (COLD_STORAGE_CLASSES.indexOf(storageClass) <= COLD_STORAGE_CLASSES.indexOf(previous.storageClass))
        return { index, allowed: `must move to a colder class than ${previous.storageClass} (order: ${COLD_STORAGE_CLASSES.join(" → ")})` };
      const earliest = previous.afterDays + S3_MINIMUM_STORAGE_DAYS[previous.storageClass];
      if (afterDays < earliest || afterDays <= previous.afterDays)
        return { index, allowed: `must come at least ${S3_MINIMUM_STORAGE_DAYS[previous.storageClass]} days (the ${previous.storageClass} minimum storage duration) after the move at day ${previous.afterDays}: day ${Math.max(earliest, previous.afterDays + 1)} or later` };
    }
    if (afterDays >= rule.expireAfterDays) return { index, allowed: `must happen before the backups expire at day ${rule.expireAfterDays}` };
    previous = transition;
  }
  if (previous) {
    const paidUntil = previous.afterDays + S3_MINIMUM_STORAGE_DAYS[previous.storageClass];
    if (rule.expireAfterDays < paidUntil)
      return {
        index: -1,
        allowed: `${previous.storageClass} bills at least ${S3_MINIMUM_STORAGE_DAYS[previous.storageClass]} days, so backups moved there at day ${previous.afterDays} must be kept ${paidUntil} days or more (or use a class with a shorter minimum)`,
      };
  }
  return undefined;
}

