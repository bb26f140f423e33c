/**
 * Kubernetes RBAC subjects a stack may bind. Pure.
 *
 * Groups starting with `system:` are Kubernetes' own (`system:authenticated` is every signed-in
 * user, `system:masters` bypasses RBAC altogether, `system:nodes`, `system:serviceaccounts` ...);
 * `eks:` groups belong to EKS's own components. Binding a stack's Role to one of them hands it to
 * everyone in that group, so a configured operator group never may be one.
 */

export const RESERVED_GROUP_PREFIXES = ["system:", "eks:"] as const;

/** A Kubernetes group name: printable, no spaces, at most 128 characters. */
export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,127}$/;

export function isReservedGroup(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_GROUP_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

export const GROUP_ALLOWED = `a Kubernetes group name (letters, digits, ':', '.', '_', '@', '-', at most 128) not starting with ${RESERVED_GROUP_PREFIXES.join(" or ")} (reserved: system:authenticated would be every user)`;

/** Why a group name is refused as a binding subject, or undefined. */
export function groupProblem(name: string): string | undefined {
  if (typeof name !== "string" || !GROUP_NAME.test(name) || isReservedGroup(name)) return `must be ${GROUP_ALLOWED}`;
  return undefined;
}
