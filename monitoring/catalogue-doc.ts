/**
 * The alert catalogue as a Markdown table, for monitoring/README.md; a test fails when the README's copy
 * differs, so the reference cannot drift from the code.
 */
import { ALERT_CATALOGUE, CAPABILITY_FAMILIES, DEFAULT_FAMILIES } from "./catalogue";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

export function catalogueMarkdown(): string {
  const rows = ALERT_CATALOGUE.map((def) =>
    [
      `\`${def.name}\``,
      `${def.family}${DEFAULT_FAMILIES.includes(def.family) ? "" : CAPABILITY_FAMILIES.includes(def.family) ? " (on with its capability)" : " (opt-in)"}`,
      def.severity,
      def.for,
      def.threshold ? `${def.threshold.default} (${def.threshold.unit}; ${def.threshold.min}–${def.threshold.max})` : "—",
      `#${def.procedure}`,
      def.source,
    ]
      .map(cell)
      .join(" | "),
  );
  return ["| Alert | Family | Severity | For | Threshold (default, unit, range) | Procedure anchor | Source |", "|---|---|---|---|---|---|---|", ...rows.map((r) => `| ${r} |`)].join("\n");
}
