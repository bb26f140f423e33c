/**
 * `--details`: every resource by name under its component, with a short type that is qualified where
 * it would be ambiguous in this plan (`iam:Role` vs `rbac:Role`, `secretsmanager:Secret` vs `core:Secret`),
 * and the stack outputs in the layout the Pulumi CLI prints them (`Outputs:`, aligned keys, strings
 * quoted, `[secret]`, arrays as `[0]: …` lines).
 */
import type { PlannedResource } from "./engine";
import type { Op } from "./diff";

/** The last segment of a type token: `aws:iam/role:Role` → `Role`, `pulumi:providers:aws` → `aws`. */
function shortName(type: string): string {
  return type.split(":").pop() ?? type;
}

/**
 * The module qualifier of a type token: the AWS module (`aws:iam/role:Role` → `iam`), the first label of a
 * Kubernetes API group (`kubernetes:rbac.authorization.k8s.io/v1:Role` → `rbac`, `core/v1` → `core`), a
 * component's area (`runbook:network:Network` → `network`).
 */
function qualifier(type: string): string {
  const parts = type.split(":");
  if (parts.length < 3) return parts[0];
  const module = parts[1];
  if (parts[0] === "kubernetes") return module.split("/")[0].split(".")[0];
  return module.split("/")[0];
}

/** Short type names for every type of the plan, qualified only where two types share a short name. */
export function shortTypes(types: Iterable<string>): Map<string, string> {
  const byShort = new Map<string, Set<string>>();
  for (const type of types) {
    const set = byShort.get(shortName(type)) ?? new Set<string>();
    set.add(type);
    byShort.set(shortName(type), set);
  }
  const out = new Map<string, string>();
  for (const [short, set] of byShort) {
    for (const type of set) out.set(type, set.size > 1 ? `${qualifier(type)}:${short}` : short);
  }
  return out;
}

const OP_MARK: Record<Op, string> = { create: "+ ", update: "~ ", replace: "+-", delete: "- ", same: "  " };

/**
 * The full tree. With `ops` (from `--diff`), each line starts with its operation; resources of the base
 * that are deleted are listed under their old parent when it still exists, else at the end.
 */
export function renderDetails(resources: PlannedResource[], ops?: Map<string, Op>, deleted: PlannedResource[] = []): string {
  const all = [...resources, ...deleted];
  const names = shortTypes(all.map((r) => r.type));
  const children = new Map<string | null, PlannedResource[]>();
  const known = new Set(all.map((r) => r.urn));
  for (const resource of all) {
    const parent = resource.parent && known.has(resource.parent) ? resource.parent : null;
    const list = children.get(parent) ?? [];
    list.push(resource);
    children.set(parent, list);
  }
  const lines: string[] = [];
  const walk = (node: PlannedResource, prefix: string, last: boolean, depth: number) => {
    const mark = ops ? OP_MARK[ops.get(node.urn) ?? "same"] : "+ ";
    const branch = depth === 0 ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
    lines.push(`${mark} ${branch}${names.get(node.type)} ${node.name}`);
    const kids = children.get(node.urn) ?? [];
    const next = depth === 0 ? "" : `${prefix}${last ? "   " : "│  "}`;
    kids.forEach((kid, i) => walk(kid, next, i === kids.length - 1, depth + 1));
  };
  const roots = children.get(null) ?? [];
  roots.forEach((root, i) => walk(root, "", i === roots.length - 1, 0));
  return lines.join("\n");
}

/** One value in the CLI's output layout, indented by `indent` spaces. */
function renderValue(value: unknown, indent: number): string {
  const pad = " ".repeat(indent);
  if (value === "[secret]") return "[secret]";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const keys = value.map((_, i) => `[${i}]`);
    const width = Math.max(...keys.map((k) => k.length));
    return `[\n${value.map((v, i) => `${pad}    ${keys[i].padEnd(width)}: ${renderValue(v, indent + 4)}`).join("\n")}\n${pad}]`;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    const width = Math.max(...entries.map(([k]) => k.length));
    return `{\n${entries.map(([k, v]) => `${pad}    ${k.padEnd(width)}: ${renderValue(v, indent + 4)}`).join("\n")}\n${pad}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** `Outputs:` followed by one aligned line (or block) per stack output, keys sorted as the CLI sorts them. */
export function renderOutputs(outputs: Record<string, unknown>): string {
  const keys = Object.keys(outputs).sort();
  if (keys.length === 0) return "Outputs: (none)";
  const width = Math.max(...keys.map((k) => k.length));
  return ["Outputs:", ...keys.map((k) => `    ${k.padEnd(width)}: ${renderValue(outputs[k], 4)}`)].join("\n");
}
