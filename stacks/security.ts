import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import type { ApplicationOutputs } from "./application";
import type { DrOutputs } from "./dr";
import { NetworkPolicies } from "../components/network-policies";
import { ExtraWorkload, stackNetworkFlows } from "../model/network-flows";

export type { ExtraWorkload } from "../model/network-flows";

/** What this step leaves on `ctx.security`. */
export interface SecurityOutputs {
  /** NetworkPolicies per namespace. */
  networkPolicies: Record<string, NetworkPolicies>;
}

/**
 * Composes containment: the NetworkPolicies of every namespace the library creates (default-deny, the
 * flows derived from the stack, quarantine). Runs last, after every step that adds pods, so the flows
 * cover them; a step that adds a workload declares it on `ctx.networkWorkloads` (see ExtraWorkload).
 */
export function deploySecurity(ctx: StackContext): Record<string, unknown> {
  const { config, cluster, network } = ctx;
  const result: SecurityOutputs = { networkPolicies: {} };
  const outputs: Record<string, unknown> = {};
  ctx.security = result;

  const extras = (ctx.networkWorkloads as ExtraWorkload[] | undefined) ?? [];
  const flows = stackNetworkFlows(config, extras);
  const application = ctx.application as ApplicationOutputs | undefined;
  const dr = ctx.dr as DrOutputs | undefined;
  // Taking the name from the Namespace object makes each policy set wait for its namespace.
  const namespaceInput = (namespace: string): pulumi.Input<string> => {
    if (application?.namespaceName === namespace) return application.namespace.metadata.name;
    if (dr?.namespace && dr.namespace.drNamespace === namespace) return dr.namespace.namespaceName;
    return namespace;
  };
  for (const entry of flows) {
    // The model and the steps decide from the same config; a namespace the steps did not make gets no policies.
    if (entry.defaultDeny && entry.namespace !== application?.namespaceName && entry.namespace !== dr?.namespace?.drNamespace) continue;
    result.networkPolicies[entry.namespace] = new NetworkPolicies(
      `network-policies-${entry.namespace}`,
      {
        namespace: namespaceInput(entry.namespace),
        workloads: entry.workloads,
        addresses: { privateSubnetCidrs: network.privateSubnetCidrs, publicSubnetCidrs: network.publicSubnetCidrs, monitoringNamespace: config.monitoring?.namespace },
        quarantine: entry.quarantine,
        defaultDeny: entry.defaultDeny,
      },
      { provider: cluster.provider },
    );
  }
  if (flows.length) outputs.networkPolicyNamespaces = Object.keys(result.networkPolicies);
  return outputs;
}
