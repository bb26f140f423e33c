/**
 * `--graph <file>`: a Mermaid flowchart of the stack's top-level components and the dependencies
 * between them (an edge A --> B when something in A depends on something in B, from `dependsOn` and the
 * Outputs its inputs were built from). Small enough to embed in the PR summary; GitHub renders it.
 */
import type { PlannedResource } from "./engine";

/** The top-level component (direct child of the stack) each resource belongs to; undefined for the stack and providers. */
export function topLevelComponents(resources: PlannedResource[]): Map<string, PlannedResource> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out = new Map<string, PlannedResource>();
  for (const resource of resources) {
    let node: PlannedResource | undefined = resource;
    while (node) {
      const parent: PlannedResource | undefined = node.parent ? byUrn.get(node.parent) : undefined;
      if (!parent || parent.type === "pulumi:pulumi:Stack") break;
      node = parent;
    }
    if (node && !node.custom && node.type !== "pulumi:pulumi:Stack") out.set(resource.urn, node);
  }
  return out;
}

const escape = (text: string) => text.replace(/["<>]/g, (c) => ({ '"': "#quot;", "<": "#lt;", ">": "#gt;" })[c]!);

/** The Mermaid source; `costs` (component label → monthly USD) adds each component's cost to its box. */
export function renderMermaid(resources: PlannedResource[], costs?: Map<string, number>): string {
  const top = topLevelComponents(resources);
  const components = [...new Set(top.values())];
  const id = new Map(components.map((c, i) => [c.urn, `c${i}`]));
  const edges = new Set<string>();
  for (const resource of resources) {
    const from = top.get(resource.urn);
    if (!from) continue;
    for (const dep of resource.dependencies ?? []) {
      const to = top.get(dep);
      if (to && to !== from) edges.add(`${id.get(from.urn)} --> ${id.get(to.urn)}`);
    }
  }
  const lines = ["flowchart LR"];
  for (const c of components) {
    const area = c.type.split(":").slice(1).join(":");
    const usd = costs?.get(`${c.type} ${c.name}`);
    const cost = usd ? `<br/>$${Math.round(usd).toLocaleString("en-US")}/month` : "";
    lines.push(`  ${id.get(c.urn)}["${escape(c.name)}<br/><small>${escape(area)}</small>${cost}"]`);
  }
  lines.push(...[...edges].sort().map((e) => `  ${e}`));
  return lines.join("\n");
}
