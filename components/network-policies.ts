import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { NetworkAddresses, RenderedPolicy, WorkloadFlows, renderNetworkPolicies } from "../core/network-flows";
import { LIBRARY_LABELS } from "../core/labels";

export interface NetworkPoliciesArgs {
  /** Namespace the policies govern (take it from the Namespace object so they wait for it). No default. */
  namespace: pulumi.Input<string>;
  /** Workloads of the namespace and their flows (`deriveWorkloadFlows` in core/network-flows). No default. */
  workloads: WorkloadFlows[];
  /** Subnet CIDRs and the monitoring namespace the flows resolve to. No default. */
  addresses: NetworkAddresses;
  /** Add the `quarantine` policy for pods labelled `runbook.dev/quarantine=true`. @default true */
  quarantine?: boolean;
  /** Add `default-deny` for every pod; false only isolates the listed workloads (a namespace the library does not own). @default true */
  defaultDeny?: boolean;
}

const CIDR_V4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;

/**
 * The network half of containment for one namespace: `default-deny` (ingress and egress) for every pod,
 * an `allow-<workload>` policy per workload with exactly the flows it needs, and the `quarantine` policy
 * an operator triggers with `kubectl label pod <pod> runbook.dev/quarantine=true`. Enforced by the VPC
 * CNI's network policy agent (EksCluster turns it on).
 */
export class NetworkPolicies extends pulumi.ComponentResource {
  /** Policy names, in creation order (default-deny first). */
  public readonly policyNames: string[];
  /** The rendered specs, for reports and tests. */
  public readonly rendered: RenderedPolicy[];

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    const { addresses } = args;
    if (addresses.privateSubnetCidrs.length === 0) rejectArg("NetworkPolicies", "addresses.privateSubnetCidrs", [], "must list the private subnets' CIDRs (the data tier and the API endpoint live there)");
    for (const cidr of [...addresses.privateSubnetCidrs, ...addresses.loadBalancerCidrs])
      if (!CIDR_V4.test(cidr)) rejectArg("NetworkPolicies", "addresses", cidr, "must hold IPv4 CIDRs such as 10.0.0.0/19");
    const names = new Set<string>();
    for (const w of args.workloads) {
      if (names.has(w.name)) rejectArg("NetworkPolicies", "workloads", w.name, "must have unique names (one allow-<name> policy each)");
      names.add(w.name);
      if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(w.name)) rejectArg("NetworkPolicies", "workloads", w.name, "must be named with lowercase letters, digits and '-' (at most 52, for allow-<name>)");
      if (Object.keys(w.selector.matchLabels ?? {}).length === 0 && (w.selector.matchExpressions ?? []).length === 0)
        rejectArg("NetworkPolicies", `workloads[${w.name}].selector`, w.selector, "must select by at least one label (an empty selector would open the flows to every pod)");
    }
    super("runbook:security:NetworkPolicies", name, {}, opts);

    this.rendered = renderNetworkPolicies(args.workloads, addresses, { quarantine: args.quarantine ?? true, defaultDeny: args.defaultDeny ?? true });
    this.policyNames = this.rendered.map((p) => p.name);
    const make = (policy: RenderedPolicy, dependsOn: pulumi.Resource[]) =>
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${policy.name}`,
        {
          metadata: { name: policy.name, namespace: args.namespace, labels: { ...LIBRARY_LABELS }, annotations: { "runbook.dev/purpose": policy.purpose } },
          spec: {
            podSelector: policy.spec.podSelector,
            policyTypes: policy.spec.policyTypes,
            ...(policy.spec.ingress ? { ingress: policy.spec.ingress } : {}),
            ...(policy.spec.egress ? { egress: policy.spec.egress } : {}),
          },
        },
        { parent: this, dependsOn },
      );
    // default-deny last: on the first apply every workload's allow policy is in place before the deny
    // isolates the rest of the namespace, so running pods never lose a flow they need in between.
    const allows = this.rendered.filter((p) => p.name !== "default-deny").map((p) => make(p, []));
    const deny = this.rendered.find((p) => p.name === "default-deny");
    if (deny) make(deny, allows);
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
