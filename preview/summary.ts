/**
 * Text summary of a plan in the spirit of `pulumi preview`: the component tree with what each component
 * creates, then counts by resource type.
 */
import type { PlannedResource } from "./engine";

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The component tree: each component with its nested components and a count of its own custom resources. */
export function renderTree(resources: PlannedResource[]): string {
  const children = new Map<string | null, PlannedResource[]>();
  for (const resource of resources) {
    const list = children.get(resource.parent) ?? [];
    list.push(resource);
    children.set(resource.parent, list);
  }
  const lines: string[] = [];
  const walk = (node: PlannedResource, depth: number) => {
    const kids = children.get(node.urn) ?? [];
    const own = kids.filter((k) => k.custom && !k.type.startsWith("pulumi:providers:"));
    const ownSummary = [...countBy(own, (k) => k.type.split(":").pop() ?? k.type)].map(([type, n]) => (n > 1 ? `${n}×${type}` : type)).join(", ");
    lines.push(`${"  ".repeat(depth)}+ ${node.type} ${node.name}${ownSummary ? `  [${ownSummary}]` : ""}`);
    for (const kid of kids.filter((k) => !k.custom)) walk(kid, depth + 1);
  };
  for (const root of children.get(null) ?? []) walk(root, 0);
  return lines.join("\n");
}

export function renderTypeCounts(resources: PlannedResource[]): string {
  const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  const counts = [...countBy(custom, (r) => r.type)].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(...counts.map(([type]) => type.length), 10);
  return counts.map(([type, n]) => `  ${type.padEnd(width)}  ${String(n).padStart(4)}`).join("\n");
}

export function renderSummary(resources: PlannedResource[]): string {
  const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  const components = resources.filter((r) => !r.custom);
  return [
    renderTree(resources),
    "",
    "Resources by type:",
    renderTypeCounts(resources),
    "",
    `Resources: ${custom.length} to create (+ ${components.length} components, ${resources.length - custom.length - components.length} providers)`,
  ].join("\n");
}
