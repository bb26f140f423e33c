/**
 * The pull-request comment: one overview table for every stack and example, then each stack's
 * `--markdown` summary. The workflow gives each stack a share of GitHub's 65,536-character limit
 * (`--markdown-limit`, see `shareOfLimit`), so the whole comment fits; should it not (a stack that
 * failed before writing its summary, a larger header), the last stacks' summaries are replaced by a
 * pointer to the job log rather than being cut mid-table.
 *
 * `node .build/preview/pr-comment.js <plans dir> <comment.md>` reads `<dir>/md-<name>.md`,
 * `<dir>/plan-<name>.json` and `<dir>/status-<name>` (the preview's exit code) for every name.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GITHUB_COMMENT_LIMIT } from "./markdown";
import { formatUsd } from "../model/cost";

/** Room kept for the header, the table and the footer. */
export const COMMENT_OVERHEAD = 6000;

/** The `--markdown-limit` each of `stacks` summaries gets so that the comment stays under GitHub's limit. */
export function shareOfLimit(stacks: number, limit = GITHUB_COMMENT_LIMIT): number {
  return Math.max(1000, Math.floor((limit - COMMENT_OVERHEAD) / Math.max(1, stacks)));
}

export interface StackEntry {
  name: string;
  /** Exit code of the preview. */
  status: number;
  /** The stack's `--markdown` text; undefined when the preview stopped before writing it. */
  markdown?: string;
  /** The stack's `--json` plan, when written. */
  plan?: any;
}

function row(entry: StackEntry): string {
  const p = entry.plan;
  const verdict = entry.status === 0 ? "✅ passes" : "❌ fails";
  if (!p) return `| \`${entry.name}\` | ${verdict} | – | – | – | – |`;
  const v: Array<{ level: string }> = p.policies?.violations ?? [];
  const recovery = p.reports?.recovery;
  const rec = recovery ? `${recovery.meetsTargets ? "meets" : "**misses**"} RTO ${recovery.targets?.rtoMinutes} / RPO ${recovery.targets?.rpoMinutes} min` : "–";
  const cost = p.reports?.cost;
  const delta = p.diff ? ` (${p.diff.costDeltaUsd >= 0 ? "+" : "−"}${formatUsd(Math.abs(p.diff.costDeltaUsd))})` : "";
  const changes = p.diff?.counts ?? `${(p.resources ?? []).filter((r: any) => r.custom && !String(r.type).startsWith("pulumi:")).length} to create (no base plan)`;
  return `| \`${entry.name}\` | ${verdict} | ${changes} | ${v.filter((x) => x.level === "mandatory").length} mandatory, ${v.filter((x) => x.level !== "mandatory").length} advisory | ${rec} | ${cost ? `${formatUsd(cost.monthlyUsd)}${delta}` : "–"} |`;
}

export function composeComment(entries: StackEntry[], limit = GITHUB_COMMENT_LIMIT): string {
  const head = [
    "<!-- runbook-infra offline preview -->",
    "### Offline preview (mock runtime, no cloud calls)",
    "",
    "| stack | preview | changes against the base branch | policy violations | recovery objectives | cost per month |",
    "|---|---|---|---|---|---|",
    ...entries.map(row),
    "",
  ].join("\n");
  const footer = "\nPlans (JSON), summaries and the full preview text of each stack are attached to this run as the `offline-plans` artifact.\n";
  let body = "";
  const left: string[] = [];
  for (const entry of entries) {
    const part = entry.markdown ?? `### \`${entry.name}\` — ❌ fails\n\nThe preview stopped before writing its summary: see the job log.\n`;
    if (head.length + body.length + part.length + footer.length + 400 <= limit) body += `${part}\n---\n\n`;
    else left.push(entry.name);
  }
  const cut = left.length ? `\n_Left out to stay under ${limit.toLocaleString("en-US")} characters: ${left.map((n) => `\`${n}\``).join(", ")} — see the job log._\n` : "";
  return `${head}\n${body}${cut}${footer}`;
}

function main(argv: string[]): number {
  const [dir, out] = argv;
  if (!dir || !out) {
    process.stderr.write("usage: node .build/preview/pr-comment.js <plans dir> <comment.md>\n");
    return 2;
  }
  const names = fs
    .readdirSync(dir)
    .map((f) => /^status-(.+)$/.exec(f)?.[1])
    .filter((n): n is string => Boolean(n))
    .sort();
  const read = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8") : undefined);
  const entries = names.map((name) => {
    const plan = read(`plan-${name}.json`);
    return { name, status: Number(read(`status-${name}`)?.trim() ?? 1), markdown: read(`md-${name}.md`), plan: plan ? JSON.parse(plan) : undefined };
  });
  const comment = composeComment(entries);
  fs.writeFileSync(out, comment);
  process.stdout.write(`${out}: ${comment.length} characters, ${entries.length} stacks\n`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
