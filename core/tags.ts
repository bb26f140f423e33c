/**
 * AWS tag rules (Tagging AWS resources, "Tag naming limits and requirements"), applied to the tags a
 * stack puts on every resource. Pure: config validation and tests use it.
 *
 * - a key is 1–128 Unicode characters, a value 0–256;
 * - both use letters, digits, spaces and `_ . : / = + - @` only (the set common to all services; EC2
 *   alone accepts more, but the same tags land on S3, IAM, RDS and EKS too);
 * - keys starting with `aws:` (any case) are reserved for AWS and cannot be set;
 * - a resource carries at most 50 user tags, and the stack and its components add their own.
 */

export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const MAX_TAGS_PER_RESOURCE = 50;

/** Letters, marks (combining accents), digits, spaces and `_ . : / = + - @`: AWS's documented pattern `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`. */
const TAG_TEXT = /^[\p{L}\p{M}\p{N}\p{Zs}_.:/=+\-@]*$/u;

/** Tags the program itself puts on every resource (stacks/program.ts). A user tag of the same key would be overwritten. */
export const STACK_TAG_KEYS = ["project", "stack", "environment", "managed-by"] as const;

/**
 * Keys the components add on some resources besides the stack's: subnet placement for EKS load
 * balancers, names, the autoscaler's node-group discovery, the backup bucket's purpose, a read replica's role. A user tag of
 * one of these would be overwritten, or would overwrite the one EKS and the autoscaler rely on.
 */
export const COMPONENT_TAG_KEYS = ["Name", "tier", "role", "kubernetes.io/role/elb", "kubernetes.io/role/internal-elb", "runbook:purpose", "k8s.io/cluster-autoscaler/enabled"] as const;

/** Key prefixes the components add with a variable part (`kubernetes.io/cluster/<cluster>`, `k8s.io/cluster-autoscaler/<cluster>`). */
export const COMPONENT_TAG_PREFIXES = ["kubernetes.io/cluster/", "k8s.io/cluster-autoscaler/"] as const;

/**
 * The most tags the stack and a component add to one resource (a private subnet: the 4 stack tags,
 * Name, tier, the load-balancer role and the cluster tag). test/tags.test.ts checks this against every
 * resource of the planned stacks, so a component that adds more tags fails the suite.
 */
export const TAGS_ADDED_PER_RESOURCE = 8;

/** How many tags a stack may set itself. */
export const MAX_USER_TAGS = MAX_TAGS_PER_RESOURCE - TAGS_ADDED_PER_RESOURCE;

/** Length in Unicode characters (code points), the unit AWS counts in. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Why AWS would refuse a tag key, or undefined (the rules only, without the stack's own keys). */
export function awsTagKeyProblem(key: string): string | undefined {
  const length = charLength(key);
  if (length < 1 || length > TAG_KEY_MAX) return `must be from 1 to ${TAG_KEY_MAX} characters long (AWS tag key limit)`;
  if (!TAG_TEXT.test(key)) return "must use only letters, digits, spaces and _ . : / = + - @ (AWS tag characters)";
  if (key !== key.trim()) return "must not start or end with a space";
  if (/^aws:/i.test(key)) return "must not start with aws: (reserved for AWS)";
  return undefined;
}

/** Why a tag key is refused in a stack's `tags`, or undefined when AWS and the stack accept it. */
export function tagKeyProblem(key: string): string | undefined {
  const aws = awsTagKeyProblem(key);
  if (aws) return aws;
  if ((STACK_TAG_KEYS as readonly string[]).includes(key)) return `is set by the stack on every resource (${STACK_TAG_KEYS.join(", ")}); choose another key`;
  if ((COMPONENT_TAG_KEYS as readonly string[]).includes(key) || COMPONENT_TAG_PREFIXES.some((p) => key.startsWith(p)))
    return `is set by the components (${[...COMPONENT_TAG_KEYS, ...COMPONENT_TAG_PREFIXES.map((p) => `${p}*`)].join(", ")}); choose another key`;
  return undefined;
}

/** Why a tag value is refused, or undefined. */
export function tagValueProblem(value: string): string | undefined {
  if (charLength(value) > TAG_VALUE_MAX) return `must be at most ${TAG_VALUE_MAX} characters long (AWS tag value limit)`;
  if (!TAG_TEXT.test(value)) return "must use only letters, digits, spaces and _ . : / = + - @ (AWS tag characters)";
  return undefined;
}
