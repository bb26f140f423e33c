/** Network rules: flow logs on every VPC, no internet-wide ingress to admin or data ports, closed default SG. */
import { asArray, get, ofType, references, resourceRule, stackRule } from "./common";
import { internetExposure } from "../../core/cidr";

export const VPC = "aws:ec2/vpc:Vpc";
export const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
const SUBNET = "aws:ec2/subnet:Subnet";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

const OPEN = ["0.0.0.0/0", "::/0"];

interface Ingress {
  from: number;
  to: number;
  protocol: string;
  cidrs: string[];
}

function ingressOf(type: string, props: Record<string, any>): Ingress[] {
  const range = (from: unknown, to: unknown, protocol: unknown, cidrs: unknown[]): Ingress => ({
    from: Number(from ?? 0),
    to: Number(to ?? 65535),
    protocol: String(protocol ?? "-1"),
    cidrs: cidrs.filter((c): c is string => typeof c === "string"),
  });
  if (type === SECURITY_GROUP) return asArray(props.ingress).map((r) => range(get(r, "fromPort"), get(r, "toPort"), get(r, "protocol"), [...asArray(get(r, "cidrBlocks")), ...asArray(get(r, "ipv6CidrBlocks"))]));
  if (type === SECURITY_GROUP_RULE) return props.type === "ingress" ? [range(props.fromPort, props.toPort, props.protocol, [...asArray(props.cidrBlocks), ...asArray(props.ipv6CidrBlocks)])] : [];
  return [range(props.fromPort, props.toPort, props.ipProtocol, [props.cidrIpv4, props.cidrIpv6])];
}

export const vpcPolicies = [
  stackRule({
    name: "vpc-flow-logs",
    description: "Every VPC has a flow log (AWS FSBP EC2.6, CIS AWS 3.7, CKV2_AWS_11).",
    grade: "mandatory",
    remediation: "Add an aws.ec2.FlowLog with vpcId set to the VPC, trafficType ALL, to CloudWatch Logs or S3.",
    check: (resources) => {
      const flowLogs = ofType(resources, FLOW_LOG);
      return ofType(resources, VPC)
        .filter((vpc) => !flowLogs.some((f) => references(f, vpc, "vpcId", ["id"])))
        .map((vpc) => ({ urn: vpc.urn, message: `VPC ${vpc.name} has no flow log` }));
    },
  }),
  resourceRule({
    name: "vpc-flow-log-all-traffic",
    description: "VPC flow logs record ALL traffic, accepted and rejected, which the incident runbook's forensics need (CIS AWS 3.7).",
    grade: "advisory",
    remediation: "Set trafficType: \"ALL\".",
    types: [FLOW_LOG],
    check: (props) => (props.trafficType === "ALL" ? undefined : `trafficType is ${props.trafficType ?? "unset"}`),
  }),
  resourceRule({
    name: "security-group-no-public-ingress",
    description: "No security group admits the internet (0.0.0.0/0, ::/0, or blocks that together span more than a /8 of public addresses) to SSH, RDP, PostgreSQL or Redis ports (AWS FSBP EC2.13/EC2.14/EC2.53, CIS AWS 5.2, CKV_AWS_24/25/260).",
    grade: "mandatory",
    severity: "critical",
    config: { ports: { type: "array", items: { type: "integer" }, default: [22, 3389, 5432, 6379], description: "Ports never open to the internet. @default [22, 3389, 5432, 6379]" } },
    remediation: "Restrict the rule's source to the VPC CIDR or a security group (e.g. the cluster's node SG).",
    types: [SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE],
    check: (props, ctx, args) => {
      const ports = asArray<number>(ctx.config.ports);
      // Judged by coverage: 0.0.0.0/1 + 128.0.0.0/1 (or any set of blocks spanning more than a /8 of
      // public addresses) is the internet as much as 0.0.0.0/0 is.
      const openOf = (cidrs: string[]) => (cidrs.some((c) => OPEN.includes(c)) ? cidrs.filter((c) => OPEN.includes(c)).join(", ") : internetExposure(cidrs) ? `${cidrs.join(" + ")} (${internetExposure(cidrs)})` : undefined);
      return ingressOf(args.type, props).flatMap((r) => {
        const open = openOf(r.cidrs);
        if (!open) return [];
        const exposed = r.protocol === "-1" || r.protocol === "all" ? ports : ports.filter((p) => p >= r.from && p <= r.to);
        return exposed.length ? [`ingress ${r.protocol} ${r.from}-${r.to} from ${open} exposes port ${exposed.join(", ")}`] : [];
      });
    },
  }),
  resourceRule({
    name: "vpc-default-security-group-closed",
    description: "The VPC's default security group has no rules, so nothing lands in it by accident with access (AWS FSBP EC2.2, CIS AWS 5.4, CKV2_AWS_12).",
    grade: "advisory",
    remediation: "Manage the default SG with aws.ec2.DefaultSecurityGroup and ingress: [], egress: [].",
    types: [DEFAULT_SG],
    check: (props) => (asArray(props.ingress).length || asArray(props.egress).length ? "the default security group has rules" : undefined),
  }),
  resourceRule({
    name: "subnet-no-auto-public-ip",
    description: "Subnets do not give instances public IPs automatically; load balancers and NAT get their own (AWS FSBP EC2.15).",
    grade: "advisory",
    remediation: "Set mapPublicIpOnLaunch: false.",
    types: [SUBNET],
    check: (props) => (props.mapPublicIpOnLaunch === true ? "mapPublicIpOnLaunch is true" : undefined),
  }),
  resourceRule({
    name: "cloudwatch-log-retention",
    description: "CloudWatch log groups expire logs after a set time; in production at least `minimumDays` (CKV_AWS_66, CKV_AWS_338 one year).",
    grade: "advisory",
    config: { minimumDays: { type: "integer", minimum: 1, default: 365, description: "Shortest retention accepted in production. @default 365" } },
    remediation: "Set retentionInDays (365 in production, as the runbooks keep audit data a year).",
    types: [LOG_GROUP],
    check: (props, ctx) => {
      const days = props.retentionInDays;
      if (days === undefined || days === null || days === 0) return "retentionInDays is unset, so logs are kept and billed forever";
      return ctx.production && Number(days) < Number(ctx.config.minimumDays) ? `retentionInDays ${days} is below ${ctx.config.minimumDays} in production` : undefined;
    },
  }),
];
