import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import type { ApplicationOutputs } from "./application";
import type { DrOutputs } from "./dr";
import { NetworkPolicies } from "../components/network-policies";
import { WebFirewall } from "../components/web-firewall";
import { ExtraWorkload, stackNetworkFlows } from "../model/network-flows";
import { kubernetesServiceIp } from "../core/network-flows";

export type { ExtraWorkload } from "../model/network-flows";

/** What this step leaves on `ctx.security`. */
export interface SecurityOutputs {
  /** NetworkPolicies per namespace. */
  networkPolicies: Record<string, NetworkPolicies>;
  /** The web firewall, when `security.waf.enabled` and the stack has an application. */
  waf?: WebFirewall;
  /** SNS topic the WAF alarms notify. */
  alertTopicArn?: pulumi.Output<string>;
}

/** What this step reads of the edge step (h18's `stacks/edge.ts`), when the stack builds the load balancer. */
interface EdgeLike {
  loadBalancer?: { loadBalancerArn: pulumi.Output<string> };
}

/**
 * Composes containment: the NetworkPolicies of every namespace the library creates (default-deny, the
 * flows derived from the stack, quarantine) and the web firewall in front of the public load balancer
 * (the edge step's ALB, else `security.loadBalancerArn`; without either the ACL stands ready and its ARN
 * is a stack output). Runs last, after every step that adds pods, so the flows cover them; a step that
 * adds a workload declares it on `ctx.networkWorkloads` (see ExtraWorkload).
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
        addresses: {
          privateSubnetCidrs: network.privateSubnetCidrs,
          // An internal load balancer's ENIs sit in the private subnets: its traffic comes from there.
          loadBalancerCidrs: entry.loadBalancerSubnets === "public" ? network.publicSubnetCidrs : network.privateSubnetCidrs,
          monitoringNamespace: config.monitoring?.namespace,
          kubernetesServiceIp: kubernetesServiceIp(config.network.cidr),
        },
        quarantine: entry.quarantine,
        defaultDeny: entry.defaultDeny,
      },
      { provider: cluster.provider },
    );
  }
  if (flows.length) outputs.networkPolicyNamespaces = Object.keys(result.networkPolicies);

  const waf = config.security.waf;
  if (waf.enabled && config.application) {
    const edge = ctx.edge as EdgeLike | undefined;
    const resourceArn = edge?.loadBalancer?.loadBalancerArn ?? config.security.loadBalancerArn;
    // CloudWatch alarms cannot reach Alertmanager: security alarms go to their own topic and the ops mailbox.
    const topic = new aws.sns.Topic("security-alerts", { name: `${ctx.prefix}-security-alerts`, tags: ctx.tags });
    const email = config.monitoring?.email?.to;
    if (email) new aws.sns.TopicSubscription("security-alerts-email", { topic: topic.arn, protocol: "email", endpoint: email });
    result.alertTopicArn = topic.arn;
    result.waf = new WebFirewall("waf", {
      aclName: `${ctx.prefix}-api`,
      region: config.region,
      resourceArn,
      blockedCidrs: config.security.blockedCidrs,
      rateLimit: waf.rateLimit,
      rateLimitWindowSeconds: waf.rateLimitWindowSeconds,
      countOnly: waf.countOnly,
      // The stack's audit-log retention unless the WAF has its own.
      logRetentionDays: waf.logRetentionDays ?? config.cluster.logRetentionDays,
      blockedRequestsAlarmThreshold: waf.blockedRequestsAlarmThreshold,
      rateLimitedAlarmThreshold: waf.rateLimitedAlarmThreshold,
      alarmActions: [topic.arn],
      tags: ctx.tags,
    });
    outputs.webAclArn = result.waf.webAclArn;
    outputs.wafLogGroup = result.waf.logGroupName;
  }
  return outputs;
}
