/**
 * Containment rules (runbooks 002/003): every application namespace denies by default, every public load
 * balancer sits behind AWS WAF, and the data tier's security groups cannot send to the internet.
 */
import type { PolicyResource } from "@pulumi/policy";
import { NAMESPACE_KIND_LABEL, selectorMatches } from "../../core/network-flows";
import { CRON_JOB, POD, WORKLOADS, podSpecOf } from "./kubernetes";
import { asArray, get, labelsOf, ofType, references, stackRule } from "./common";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const K8S_SERVICE = "kubernetes:core/v1:Service";
const K8S_INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const RDS_INSTANCE = "aws:rds/instance:Instance";
const RDS_CLUSTER = "aws:rds/cluster:Cluster";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const ELASTICACHE_CLUSTER = "aws:elasticache/cluster:Cluster";
const MSK = "aws:msk/cluster:Cluster";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";

const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "default"];
const OPEN = ["0.0.0.0/0", "::/0"];

function namespaceName(ns: PolicyResource): string {
  return get(ns.props, "metadata", "name") ?? ns.name;
}

/** A NetworkPolicy that selects every pod and allows nothing, in both directions. */
export function isDefaultDeny(props: unknown): boolean {
  const selector = get(props, "spec", "podSelector") ?? {};
  const selectsAll = Object.keys(get(selector, "matchLabels") ?? {}).length === 0 && asArray(get(selector, "matchExpressions")).length === 0;
  const types = asArray<string>(get(props, "spec", "policyTypes"));
  return selectsAll && types.includes("Ingress") && types.includes("Egress") && asArray(get(props, "spec", "ingress")).length === 0 && asArray(get(props, "spec", "egress")).length === 0;
}

function inNamespace(policy: PolicyResource, ns: PolicyResource): boolean {
  const name = get(policy.props, "metadata", "namespace");
  if (typeof name === "string" && name !== "") return name === namespaceName(ns);
  // Unknown during a real preview (taken from the Namespace's output): the dependency says which.
  return policy.dependencies.some((d) => d.urn === ns.urn);
}

/** Security groups attached to the data tier (RDS, ElastiCache, MSK), by property reference. */
function dataTierGroups(resources: PolicyResource[]): PolicyResource[] {
  const groups = ofType(resources, SECURITY_GROUP);
  const users = [
    ...ofType(resources, RDS_INSTANCE, RDS_CLUSTER).map((r) => ({ r, input: "vpcSecurityGroupIds" })),
    ...ofType(resources, REDIS, ELASTICACHE_CLUSTER).map((r) => ({ r, input: "securityGroupIds" })),
    ...ofType(resources, MSK).map((r) => ({ r, input: "brokerNodeGroupInfo" })),
  ];
  return groups.filter((sg) =>
    users.some(({ r, input }) => {
      const byProperty = asArray<PolicyResource>(r.propertyDependencies?.[input]);
      if (byProperty.length > 0) return byProperty.some((d) => d.urn === sg.urn);
      const ids = JSON.stringify(get(r.props, input) ?? "");
      const id = get(sg.props, "id");
      return (typeof id === "string" && ids.includes(id)) || r.dependencies.some((d) => d.urn === sg.urn);
    }),
  );
}

export const securityPolicies = [
  stackRule({
    name: "k8s-namespace-default-deny",
    description:
      "Every application namespace has a default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules), so a pod reaches only what an allow policy names (runbooks 002/003 containment; CIS Kubernetes 5.3.2; NSA/CISA Kubernetes hardening). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    severity: "high",
    config: {
      exemptNamespaces: { type: "array", items: { type: "string" }, default: SYSTEM_NAMESPACES, description: 'Namespaces exempt from the rule. @default ["kube-system", "kube-public", "kube-node-lease", "default"]' },
    },
    remediation: "Add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress, Egress] and no rules to the namespace (security.networkPolicies.enabled: true), then allow the flows the workloads need.",
    check: (resources, ctx) => {
      const policies = ofType(resources, NETWORK_POLICY).filter((p) => isDefaultDeny(p.props));
      const exempt = asArray<string>(ctx.config.exemptNamespaces);
      return ofType(resources, NAMESPACE)
        .filter((ns) => !exempt.includes(namespaceName(ns)) && labelsOf(ns.props)[NAMESPACE_KIND_LABEL] !== "platform")
        .filter((ns) => !policies.some((p) => inNamespace(p, ns)))
        .map((ns) => ({ urn: ns.urn, message: `namespace ${namespaceName(ns)} has no default-deny NetworkPolicy (ingress and egress)` }));
    },
  }),
  stackRule({
    name: "waf-public-load-balancer",
    description:
      "Every internet-facing load balancer is an ALB with an AWS WAF web ACL associated; network load balancers and Kubernetes LoadBalancer Services cannot carry WAF, so they stay internal (runbook 003 block malicious IPs; CKV2_AWS_28). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    severity: "high",
    remediation: "Associate an aws.wafv2.WebAcl (REGIONAL) with the ALB (security.waf.enabled: true), or make the load balancer internal.",
    check: (resources) => {
      const associations = ofType(resources, WAF_ASSOCIATION);
      const findings = ofType(resources, ...LOAD_BALANCERS)
        .filter((lb) => get(lb.props, "internal") !== true)
        .flatMap((lb) => {
          const type = get(lb.props, "loadBalancerType") ?? "application";
          if (type !== "application") return [{ urn: lb.urn, message: `load balancer ${lb.name} is an internet-facing ${type} load balancer, which AWS WAF cannot protect` }];
          return associations.some((a) => references(a, lb, "resourceArn", ["arn", "id"])) ? [] : [{ urn: lb.urn, message: `internet-facing load balancer ${lb.name} has no AWS WAF web ACL association` }];
        });
      for (const svc of ofType(resources, K8S_SERVICE)) {
        const annotations = get(svc.props, "metadata", "annotations") ?? {};
        if (get(svc.props, "spec", "type") === "LoadBalancer" && annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] === "internet-facing")
          findings.push({ urn: svc.urn, message: `Service ${svc.name} makes an internet-facing network load balancer, which AWS WAF cannot protect` });
      }
      for (const ingress of ofType(resources, K8S_INGRESS)) {
        const annotations = get(ingress.props, "metadata", "annotations") ?? {};
        if (annotations["alb.ingress.kubernetes.io/scheme"] === "internet-facing" && !annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"])
          findings.push({ urn: ingress.urn, message: `Ingress ${ingress.name} makes an internet-facing ALB without alb.ingress.kubernetes.io/wafv2-acl-arn` });
      }
      return findings;
    },
  }),
  stackRule({
    name: "data-tier-no-open-egress",
    description:
      "Security groups of the data tier (RDS, ElastiCache, MSK) have no egress rule to 0.0.0.0/0 or ::/0: a compromised database host cannot reach the internet (runbook 003 isolate affected systems; least-privilege egress). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    severity: "high",
    remediation: "Set egress: [] on the data tier's security group and add no open egress rule; data services answer on their own connections.",
    check: (resources) => {
      const groups = dataTierGroups(resources);
      const findings: { urn: string; message: string }[] = [];
      for (const sg of groups) {
        for (const rule of asArray(get(sg.props, "egress"))) {
          const cidrs = [...asArray(get(rule, "cidrBlocks")), ...asArray(get(rule, "ipv6CidrBlocks"))].filter((c) => OPEN.includes(c));
          if (cidrs.length) findings.push({ urn: sg.urn, message: `data-tier security group ${sg.name} allows egress to ${cidrs.join(", ")}` });
        }
        for (const rule of ofType(resources, SECURITY_GROUP_RULE, EGRESS_RULE)) {
          if (rule.type === SECURITY_GROUP_RULE && get(rule.props, "type") !== "egress") continue;
          if (!references(rule, sg, "securityGroupId", ["id"])) continue;
          const cidrs = [...asArray(get(rule.props, "cidrBlocks")), ...asArray(get(rule.props, "ipv6CidrBlocks")), get(rule.props, "cidrIpv4"), get(rule.props, "cidrIpv6")].filter((c) => OPEN.includes(c));
          if (cidrs.length) findings.push({ urn: rule.urn, message: `egress rule ${rule.name} of data-tier security group ${sg.name} allows ${cidrs.join(", ")}` });
        }
      }
      return findings;
    },
  }),
  stackRule({
    name: "waf-logging",
    description:
      "Every AWS WAF web ACL logs its requests, to a destination AWS accepts: a CloudWatch log group, S3 bucket or Firehose stream whose name starts with aws-waf-logs- (runbook 003 forensics: who was blocked and why; AWS FSBP WAF.11). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Add an aws.wafv2.WebAclLoggingConfiguration for the ACL with logDestinationConfigs naming an aws-waf-logs-* log group.",
    check: (resources) => {
      const configs = ofType(resources, WAF_LOGGING);
      const findings: { urn: string; message: string }[] = [];
      for (const acl of ofType(resources, WEB_ACL)) {
        const mine = configs.filter((c) => references(c, acl, "resourceArn", ["arn", "id"]));
        if (mine.length === 0) findings.push({ urn: acl.urn, message: `web ACL ${acl.name} has no logging configuration` });
      }
      for (const config of configs) {
        for (const destination of asArray(get(config.props, "logDestinationConfigs"))) {
          const resourceName = typeof destination === "string" ? destination.split(/[:/]/).filter(Boolean).pop() : undefined;
          if (typeof destination === "string" && !/(log-group:|:::|deliverystream\/)aws-waf-logs-/.test(destination) && !(resourceName ?? "").startsWith("aws-waf-logs-"))
            findings.push({ urn: config.urn, message: `WAF log destination ${destination} is not named aws-waf-logs-* (AWS refuses it)` });
        }
      }
      return findings;
    },
  }),
  stackRule({
    name: "k8s-workload-network-allowed",
    description:
      "In a namespace with a default-deny NetworkPolicy, every workload's pods are selected by some allow policy; otherwise they have no network at all, not even DNS, and fail at run time (runbooks 002/003 containment: default-deny plus declared flows; Kubernetes NetworkPolicy semantics).",
    grade: "advisory",
    remediation: "Declare the workload's flows (ctx.networkWorkloads in the stack, or security.networkPolicies.services for an application service) so an allow-<name> policy selects its pods.",
    check: (resources) => {
      const policies = ofType(resources, NETWORK_POLICY);
      const namespaceOf = (r: PolicyResource) => get(r.props, "metadata", "namespace");
      const findings: { urn: string; message: string }[] = [];
      for (const workload of ofType(resources, ...WORKLOADS)) {
        const namespace = namespaceOf(workload);
        const inNs = policies.filter((p) => namespaceOf(p) === namespace);
        if (!inNs.some((p) => isDefaultDeny(p.props))) continue;
        const labels: Record<string, string> =
          (workload.type === POD ? get(workload.props, "metadata", "labels") : workload.type === CRON_JOB ? get(workload.props, "spec", "jobTemplate", "spec", "template", "metadata", "labels") : get(workload.props, "spec", "template", "metadata", "labels")) ?? {};
        if (!podSpecOf(workload.type, workload.props)) continue;
        const rules = (p: PolicyResource) => asArray(get(p.props, "spec", "egress")).length + asArray(get(p.props, "spec", "ingress")).length;
        const allowed = inNs.some((p) => rules(p) > 0 && selectorMatches(get(p.props, "spec", "podSelector") ?? {}, labels));
        if (!allowed) findings.push({ urn: workload.urn, message: `${workload.type.split(":").pop()} ${namespace}/${get(workload.props, "metadata", "name") ?? workload.name}: no allow NetworkPolicy selects its pods, so default-deny leaves them no network` });
      }
      return findings;
    },
  }),
];
