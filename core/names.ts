/**
 * Physical names. Two systems must be able to share an account and a region, and S3 bucket names are
 * global across every AWS customer, so:
 *  - every physical name starts with `<system>-<stack>` (not the project name, which all systems share);
 *  - a bucket name also carries the account id and region, which nobody else can own: unique by
 *    construction, and still readable in the console and in a restore runbook.
 */

/** A system name: a DNS label short enough to leave room in every AWS name built from it. */
export const SYSTEM_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;
export const SYSTEM_ALLOWED = "a lowercase DNS label of 2–24 characters (letters, digits, '-') such as \"stock-analysis\"";

/** `<system>-<stack>`: the prefix of every physical name of a stack. */
export function namePrefix(system: string, stack: string): string {
  return `${system}-${stack}`;
}

/** Length of an AWS account id; a bucket name built with one is checkable before the id is known. */
const ACCOUNT_ID_LENGTH = 12;

/** S3's own limit. */
export const BUCKET_NAME_MAX = 63;

/** `<prefix>-<purpose>-<account>-<region>`, the globally unique bucket name. */
export function globalBucketName(prefix: string, purpose: string, accountId: string, region: string): string {
  return `${prefix}-${purpose}-${accountId}-${region}`;
}

/** Length `globalBucketName` will have, before the account id is known. */
export function globalBucketNameLength(prefix: string, purpose: string, region: string): number {
  return prefix.length + 1 + purpose.length + 1 + ACCOUNT_ID_LENGTH + 1 + region.length;
}

/** Why a bucket name built from these parts is impossible, or undefined when it fits. */
export function bucketNameProblem(prefix: string, purpose: string, region: string): string | undefined {
  const length = globalBucketNameLength(prefix, purpose, region);
  if (length > BUCKET_NAME_MAX)
    return `makes the bucket name "${globalBucketName(prefix, purpose, "<account-id>", region)}" ${length} characters long; S3 allows ${BUCKET_NAME_MAX} (shorten the system name)`;
  return undefined;
}

/**
 * An IAM role or user as an EKS access entry takes it: the full ARN (with path), or `role/<name>` /
 * `user/<name>` in the deploying account, so stack files carry no account id. STS session ARNs
 * (`assumed-role/...`) are not principals an entry can name.
 */
export const IAM_PRINCIPAL = /^(arn:aws(-cn|-us-gov)?:iam::\d{12}:)?(role|user)\/[\w+=,.@/-]{1,512}$/;

/** AWS's length limits of the physical names a stack builds from its prefix (each service's API reference). */
export const NAME_LIMITS = {
  eksCluster: 100,
  rdsIdentifier: 63,
  elasticacheReplicationGroupId: 40,
  mskClusterName: 64,
} as const;

/** Why a physical name is longer than AWS allows, or undefined when it fits. */
export function nameLengthProblem(what: string, name: string, max: number): string | undefined {
  if (name.length <= max) return undefined;
  return `makes the ${what} "${name}" ${name.length} characters long; AWS allows ${max} (shorten the system name)`;
}
