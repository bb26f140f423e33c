/**
 * The reports the offline preview prints after the resource summary, computed from the validated
 * config and the plan: capacity plan, recovery objectives, policy violations, rendered rule files.
 */
import type { PlannedResource } from "./engine";
import type { LoadedStack } from "./stack-files";
import type { RenderedFile } from "./manifests";
import { parseStackConfig } from "../stacks/config/load";
import { capacityPlan, renderCapacityPlan } from "./capacity-plan";

export interface Violation {
  policy: string;
  level: "mandatory" | "advisory";
  urn: string;
  message: string;
}

export interface StackReports {
  /** Sections printed after the summary. */
  text: string[];
  /** Machine-readable reports for the `--json` plan. */
  json: Record<string, unknown>;
  violations: Violation[];
  /** Reasons the preview fails (missed recovery targets, mandatory policy violations). */
  failures: string[];
  /** Extra files for `--out`. */
  files: RenderedFile[];
}

export function stackReports(loaded: LoadedStack, resources: PlannedResource[]): StackReports {
  const config = parseStackConfig(loaded.stack, loaded.config, new Set(loaded.secretKeys));
  const reports: StackReports = { text: [], json: {}, violations: [], failures: [], files: [] };
  void resources;

  // Capacity flags are warnings: growth projections are estimates, so they inform rather than block.
  const capacity = capacityPlan(config);
  reports.text.push(renderCapacityPlan(capacity));
  reports.json.capacityPlan = capacity;

  return reports;
}
