/**
 * Plain-text renderings of the monitoring configuration: Prometheus rule files and, for GitOps users
 * and the offline preview's `--out`, the rule files of a plan's PrometheusRule resources.
 */
import { stringify } from "yaml";
import type { PlannedResource } from "./engine";
import type { RuleGroup } from "../monitoring/types";

export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
export const ALERTMANAGER_CONFIG_TYPE = "runbook:monitoring:AlertmanagerConfig";

/**
 * The Alertmanager configurations of a plan with placeholder credentials (the component's `routing`
 * input), keyed by the component's name. The deployed Secret is "[secret]" in a plan; this is its reviewable twin.
 */
export function alertmanagerConfigsOf(resources: readonly PlannedResource[]): Array<{ name: string; namespace?: string; routing: string }> {
  return resources
    .filter((r) => r.type === ALERTMANAGER_CONFIG_TYPE && typeof r.inputs.routing === "string")
    .map((r) => ({ name: r.name, namespace: r.inputs.namespace as string | undefined, routing: r.inputs.routing as string }));
}

/** A Prometheus rule file (`groups:`), as `promtool check rules` and `rule_files:` read it. */
export function renderRuleFile(groups: readonly RuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}

/**
 * The rule files in a plan: one `rules/<name>.yaml` per PrometheusRule resource, from its `spec.groups`,
 * and `alertmanager.yaml` from the AlertmanagerConfig component (placeholder credentials).
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
  // `amtool check-config alertmanager.yaml` and `amtool config routes test` read this file directly.
  alertmanagerConfigsOf(resources).forEach((config, i) => files.push({ path: i === 0 ? "alertmanager.yaml" : `alertmanager-${config.name}.yaml`, content: config.routing }));
  return files;
}
