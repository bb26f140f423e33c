/**
 * `--markdown <file>`: the pull-request summary of one stack, what the workflow posts. What a reviewer
 * must see comes first and is never cut: the verdict, mandatory policy violations, the recovery
 * objectives, the diff summary and the cost change. The full tree, the advisory findings, the capacity
 * plan, the graph and the cost lines follow in collapsible sections and are cut — least important
 * first — so that the text never exceeds the limit (GitHub's 65,536-character comment limit by default;
 * the workflow passes a share of it to each stack). Whatever is cut says so.
 */
import type { Violation } from "./reports";
import type { CostEstimate } from "../model/cost";
import { formatUsd } from "../model/cost";

export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownInput {
  /** Stack name and the file it came from. */
  stack: string;
  file: string;
  passes: boolean;
  failures: string[];
  violations: Violation[];
  /** Text of the recovery objectives table; undefined when the stack declares no DR targets. */
  recovery?: string;
  capacity: string;
  /** e.g. "1 to create, 2 to update, 0 to replace, 0 to delete, 158 unchanged". */
  changeCounts: string;
  /** `renderDiff` text; undefined without a base plan. */
  changes?: string;
  /** Base plan label (file) when diffing. */
  base?: string;
  cost: CostEstimate;
  baseCost?: CostEstimate;
  tree: string;
  outputs: string;
  graph?: string;
  /** Other report sections the preview printed (routing summaries, ...), shown collapsed. @default [] */
  extras?: string[];
  /** Character limit of the whole text. @default GITHUB_COMMENT_LIMIT */
  limit?: number;
}

interface Section {
  /** Lower is more important; sections are cut from the highest priority number down. */
  priority: number;
  text: string;
  /** Required sections are never dropped (only shortened to their head when the limit is tiny). */
  required?: boolean;
  /** Collapsible sections are wrapped in <details> with this summary. */
  summary?: string;
  /** Fenced code language for a collapsible section's body. */
  fence?: string;
  /** At most this share of the limit, so that one long section (the tree) does not starve the rest. */
  maxShare?: number;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function costChange(input: MarkdownInput): string {
  const { cost, baseCost } = input;
  const projections = cost.projections.map((p) => `${p.months} months: ${formatUsd(p.monthlyUsd)}`).join(", ");
  const head = baseCost
    ? `**Cost:** ${formatUsd(baseCost.monthlyUsd)} → **${formatUsd(cost.monthlyUsd)}** per month (${signed(cost.monthlyUsd - baseCost.monthlyUsd)})`
    : `**Cost:** **${formatUsd(cost.monthlyUsd)}** per month`;
  const lines = [`${head}; node groups at max size ${formatUsd(cost.atMaxMonthlyUsd)}${projections ? `; projected ${projections}` : ""}. Prices: ${cost.priceTable.region}, ${cost.priceTable.asOf} (model/prices).`];
  const before = new Map((baseCost?.components ?? []).map((c) => [c.component, c.monthlyUsd]));
  const names = [...new Set([...cost.components.map((c) => c.component), ...before.keys()])];
  const after = new Map(cost.components.map((c) => [c.component, c.monthlyUsd]));
  lines.push("", baseCost ? "| component | monthly | change |" : "| component | monthly |", baseCost ? "|---|---:|---:|" : "|---|---:|");
  for (const name of names) {
    const now = after.get(name) ?? 0;
    lines.push(baseCost ? `| ${cell(name)} | ${formatUsd(now)} | ${signed(now - (before.get(name) ?? 0))} |` : `| ${cell(name)} | ${formatUsd(now)} |`);
  }
  if (cost.notCounted.length > 0) lines.push("", `Not counted: ${cost.notCounted.map((n) => `${n.count}× \`${n.type}\` (${n.reason})`).join("; ")}.`);
  return lines.join("\n");
}

function signed(delta: number): string {
  if (Math.abs(delta) < 0.005) return "±$0.00";
  return `${delta > 0 ? "+" : "−"}${formatUsd(Math.abs(delta))}`;
}

function violationTable(violations: Violation[], max: number): string {
  const rows = violations.slice(0, max).map((v) => `| \`${v.policy}\` | ${cell(v.message)} | \`${cell(v.urn.split("::").pop() ?? v.urn)}\` |`);
  const more = violations.length > max ? [`\n… and ${violations.length - max} more (see the plan's \`policies.violations\`).`] : [];
  return ["| policy | finding | resource |", "|---|---|---|", ...rows, ...more].join("\n");
}

function fenced(text: string, fence = "text"): string {
  return `\`\`\`${fence}\n${text.replace(/```/g, "``\u200b`")}\n\`\`\``;
}

function wrap(section: Section, body: string): string {
  if (!section.summary) return section.fence ? fenced(body, section.fence) : body;
  const inner = section.fence ? fenced(body, section.fence) : body;
  return `<details><summary>${section.summary}</summary>\n\n${inner}\n\n</details>`;
}

/** Cuts `body` at a line boundary so that the wrapped section fits `budget`, noting how much was cut. */
function cutToFit(section: Section, body: string, budget: number): string | undefined {
  const lines = body.split("\n");
  let lo = 0;
  let hi = lines.length;
  let best: string | undefined;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const kept = lines.slice(0, mid);
    const note = `… truncated to stay under the comment limit: ${lines.length - mid} of ${lines.length} lines cut (the full text is in the job log and the plans artifact)`;
    const candidate = wrap(section, [...kept, note].join("\n"));
    if (candidate.length <= budget) {
      best = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

export function renderMarkdown(input: MarkdownInput): string {
  const limit = input.limit ?? GITHUB_COMMENT_LIMIT;
  const mandatory = input.violations.filter((v) => v.level === "mandatory");
  const advisory = input.violations.filter((v) => v.level !== "mandatory");
  const verdict = input.passes ? "✅ passes" : "❌ fails";
  const sections: Section[] = [];

  const head = [`### \`${input.stack}\` — ${verdict}`, "", `Offline preview of \`${input.file}\` (mock runtime, no cloud calls).`];
  for (const failure of input.failures) head.push(`- **${cell(failure)}**`);
  sections.push({ priority: 0, required: true, text: head.join("\n") });

  sections.push({
    priority: 1,
    required: true,
    text: mandatory.length === 0 ? "#### Mandatory policy violations\n\nNone." : `#### Mandatory policy violations (${mandatory.length})\n\n${violationTable(mandatory, 40)}`,
  });
  sections.push({
    priority: 2,
    required: true,
    text: input.recovery ? `#### Recovery objectives\n\n${fenced(input.recovery)}` : "#### Recovery objectives\n\nThis stack declares no recovery targets (`dr` is not configured).",
  });
  const changes = input.base ? `#### Changes against the base branch\n\n**Resources:** ${input.changeCounts} (base: \`${input.base}\`).` : `#### Changes\n\n**Resources:** ${input.changeCounts} (no base plan: everything is a create).`;
  sections.push({ priority: 3, required: true, text: `${changes}\n\n${costChange(input)}` });
  // Shown open (not collapsed): the list of what changes is what a reviewer reads first after the verdict.
  if (input.changes) sections.push({ priority: 4, fence: "diff", text: input.changes });
  sections.push({ priority: 5, summary: `Advisory policy findings (${advisory.length})`, text: advisory.length ? violationTable(advisory, 200) : "None." });
  sections.push({ priority: 6, summary: "Capacity plan (6 and 12 months)", fence: "text", text: input.capacity });
  sections.push({ priority: 7, summary: "Resource tree", fence: "text", text: input.tree, maxShare: 0.3 });
  if (input.graph) sections.push({ priority: 8.5, summary: "Components and dependencies", fence: "mermaid", text: input.graph });
  const lines = input.cost.lines.map((l) => `| ${cell(l.component)} | ${cell(l.item)} | ${Number(l.quantity.toFixed(2))} ${l.unit} × $${l.unitPriceUsd} | ${formatUsd(l.monthlyUsd)} |`);
  sections.push({
    priority: 8,
    maxShare: 0.3,
    summary: "Cost lines, assumptions and what is never counted",
    text: ["| component | item | quantity × price | monthly |", "|---|---|---|---:|", ...lines, "", `Assumed: ${input.cost.assumptions.join("; ") || "nothing"}.`, "", `Source: ${input.cost.priceTable.source}.`].join("\n"),
  });
  for (const [i, extra] of (input.extras ?? []).entries()) {
    sections.push({ priority: 9, summary: cell(extra.split("\n")[0].slice(0, 80)).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") || `Report ${i + 1}`, fence: "text", text: extra });
  }
  sections.push({ priority: 10, summary: "Stack outputs", fence: "text", text: input.outputs });

  // Required sections first (in order), then the others while they fit, cutting the one that does not.
  const separator = "\n\n";
  const rendered = new Map<Section, string>();
  let used = 0;
  const ordered = [...sections].sort((a, b) => a.priority - b.priority);
  const reserve = 200; // room for the truncation notice at the end
  for (const section of ordered.filter((s) => s.required)) {
    const text = wrap(section, section.text);
    rendered.set(section, text);
    used += text.length + separator.length;
  }
  const label = (section: Section) => (section.summary ?? "a section").replace(/\s*\(.*$/, "").slice(0, 40);
  const dropped: string[] = [];
  for (const section of ordered.filter((s) => !s.required)) {
    const budget = Math.min(limit - reserve - used - separator.length, section.maxShare ? Math.floor(section.maxShare * limit) : Infinity);
    const full = wrap(section, section.text);
    const text = full.length <= budget ? full : cutToFit(section, section.text, budget);
    if (text === undefined) {
      dropped.push(label(section));
      continue;
    }
    if (text !== full) dropped.push(`${label(section)} (shortened)`);
    rendered.set(section, text);
    used += text.length + separator.length;
  }
  const assemble = () => {
    let text = sections.filter((s) => rendered.has(s)).map((s) => rendered.get(s)!).join(separator);
    if (dropped.length > 0) text += `${separator}_Cut to stay under ${limit.toLocaleString("en-US")} characters: ${dropped.join(", ")} (the full text is in the job log and the plans artifact)._`;
    return text;
  };
  let out = assemble();
  // The note itself takes room: drop whole sections, least important first, until everything fits.
  const optional = ordered.filter((s) => !s.required && rendered.has(s)).reverse();
  while (out.length + 1 > limit && optional.length > 0) {
    const section = optional.shift()!;
    rendered.delete(section);
    const i = dropped.indexOf(`${label(section)} (shortened)`);
    if (i >= 0) dropped.splice(i, 1);
    dropped.push(label(section));
    out = assemble();
  }
  // Required sections alone could exceed a tiny limit: cut hard, but say so.
  if (out.length + 1 > limit) {
    const note = "\n\n_… cut at the character limit._";
    out = out.slice(0, limit - note.length - 1) + note;
  }
  return `${out}\n`;
}
