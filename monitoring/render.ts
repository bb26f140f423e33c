/**
 * Plain-text renderings of the monitoring configuration: Prometheus rule files and, for GitOps users
 * and the offline preview's `--out`, the rule files of a plan's PrometheusRule resources.
 */
import { stringify } from "yaml";
import type { PlannedResource } from "../preview/engine";
import type { RuleGroup } from "./types";

export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

/** A Prometheus rule file (`groups:`), as `promtool check rules` and `rule_files:` read it. */
export function renderRuleFile(groups: readonly RuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}

/**
 * The rule files in a plan: one `rules/<name>.yaml` per PrometheusRule resource, from its `spec.groups`.
 * Other Kubernetes manifests are the preview's own business; this covers what only the monitoring
 * capability knows how to turn back into a Prometheus file.
 */
export function renderMonitoringFiles(resources: readonly PlannedResource[]): Array<{ path: string; content: string }> {
  const files: Array<{ path: string; content: string }> = [];
  for (const resource of resources) {
    if (resource.type !== PROMETHEUS_RULE_TYPE) continue;
    const metadata = (resource.inputs.metadata ?? {}) as { name?: string; namespace?: string };
    const spec = (resource.inputs.spec ?? {}) as { groups?: RuleGroup[] };
    const name = metadata.name ?? resource.name;
    const clash = files.some((f) => f.path === `rules/${name}.yaml`);
    files.push({ path: `rules/${clash && metadata.namespace ? `${metadata.namespace}-` : ""}${name}.yaml`, content: renderRuleFile(spec.groups ?? []) });
  }
  return files;
}
