/** EKS rules: the control plane's exposure, audit trail and secrets, and the nodes' metadata service and disks. */
import { asArray, get, isTrue, resourceRule } from "./common";
import { internetExposure } from "../../core/cidr";

export const EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

function minor(version: unknown): number | undefined {
  const match = /^1\.(\d+)$/.exec(String(version ?? ""));
  return match ? Number(match[1]) : undefined;
}

export const eksPolicies = [
  resourceRule({
    name: "eks-endpoint-not-public",
    description: "The EKS API endpoint is private, or public only to listed CIDRs that together cover neither the internet nor more than a /8 of public addresses (AWS FSBP EKS.1, CIS EKS 5.4.2, CKV_AWS_38/39).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Set vpcConfig.endpointPublicAccess: false, or publicAccessCidrs to the VPN/office ranges.",
    types: [EKS_CLUSTER],
    check: (props) => {
      if (get(props, "vpcConfig", "endpointPublicAccess") === false) return undefined;
      const cidrs = asArray<string>(get(props, "vpcConfig", "publicAccessCidrs"));
      if (cidrs.length === 0) return "endpointPublicAccess is not false and publicAccessCidrs is unset (AWS default 0.0.0.0/0)";
      // Judged by coverage, not spelling: 0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0.
      const open = cidrs.filter((c) => OPEN_CIDRS.includes(c));
      if (open.length) return `publicAccessCidrs includes ${open.join(", ")}`;
      const exposure = internetExposure(cidrs.filter((c): c is string => typeof c === "string"));
      return exposure ? `publicAccessCidrs ${exposure}` : undefined;
    },
  }),
  resourceRule({
    name: "eks-private-endpoint",
    description: "The EKS API has its private endpoint on, so nodes and operators in the VPC never leave it (CIS EKS 5.4.2).",
    grade: "mandatory",
    remediation: "Set vpcConfig.endpointPrivateAccess: true.",
    types: [EKS_CLUSTER],
    check: (props) => (get(props, "vpcConfig", "endpointPrivateAccess") === true ? undefined : "endpointPrivateAccess is not true"),
  }),
  resourceRule({
    name: "eks-control-plane-logging",
    description: "EKS sends all five control-plane log types to CloudWatch (AWS FSBP EKS.8, CIS EKS 2.1.1, CKV_AWS_37).",
    grade: "mandatory",
    remediation: `Set enabledClusterLogTypes: ${JSON.stringify(EKS_LOG_TYPES)}.`,
    types: [EKS_CLUSTER],
    check: (props) => {
      const enabled = asArray<string>(props.enabledClusterLogTypes);
      const missing = EKS_LOG_TYPES.filter((t) => !enabled.includes(t));
      return missing.length ? `enabledClusterLogTypes lacks ${missing.join(", ")}` : undefined;
    },
  }),
  resourceRule({
    name: "eks-secrets-encryption",
    description: "EKS envelope-encrypts Kubernetes secrets with a KMS key (AWS FSBP EKS.3, CIS EKS 5.3.1, CKV_AWS_58).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Set encryptionConfig: { resources: [\"secrets\"], provider: { keyArn } } with a rotating KMS key.",
    types: [EKS_CLUSTER],
    check: (props) => {
      const configs = asArray(props.encryptionConfig);
      const ok = configs.some((c) => asArray(get(c, "resources")).includes("secrets") && get(c, "provider", "keyArn"));
      return ok ? undefined : "encryptionConfig does not cover secrets with a KMS key";
    },
  }),
  resourceRule({
    name: "eks-supported-version",
    description: "EKS runs a Kubernetes version still in standard support (AWS FSBP EKS.2).",
    grade: "advisory",
    config: { minimumVersion: { type: "string", pattern: "^1\\.\\d+$", default: "1.30", description: "Oldest accepted minor version. @default \"1.30\"" } },
    remediation: "Upgrade the cluster (one minor version at a time) to at least the configured minimum.",
    types: [EKS_CLUSTER],
    check: (props, ctx) => {
      const have = minor(props.version);
      const want = minor(ctx.config.minimumVersion);
      if (have === undefined) return props.version === undefined ? "version is unset, so EKS picks one the plan cannot show" : `version ${props.version} is not a 1.x version`;
      return want !== undefined && have < want ? `version ${props.version} is older than ${ctx.config.minimumVersion}` : undefined;
    },
  }),
  resourceRule({
    name: "launch-template-imdsv2",
    description: "Node launch templates require IMDSv2 session tokens, which blocks SSRF credential theft (AWS FSBP EC2.8, CKV_AWS_79).",
    grade: "mandatory",
    severity: "high",
    remediation: "Set metadataOptions: { httpTokens: \"required\", httpEndpoint: \"enabled\" }.",
    types: [LAUNCH_TEMPLATE],
    check: (props) => {
      if (get(props, "metadataOptions", "httpEndpoint") === "disabled") return undefined;
      return get(props, "metadataOptions", "httpTokens") === "required" ? undefined : `metadataOptions.httpTokens is ${get(props, "metadataOptions", "httpTokens") ?? "unset (optional)"}`;
    },
  }),
  resourceRule({
    name: "launch-template-imds-hop-limit",
    description: "The metadata response hop limit is at most `maxHopLimit`, so containers without host networking cannot reach node credentials through extra hops (CKV_AWS_341).",
    grade: "advisory",
    config: { maxHopLimit: { type: "integer", minimum: 1, maximum: 64, default: 2, description: "Highest accepted httpPutResponseHopLimit; 2 lets IMDSv2 work from pods that need it. @default 2" } },
    remediation: "Set metadataOptions.httpPutResponseHopLimit to 1 (or 2 when add-ons need IMDS).",
    types: [LAUNCH_TEMPLATE],
    check: (props, ctx) => {
      const limit = Number(get(props, "metadataOptions", "httpPutResponseHopLimit") ?? 1);
      return limit <= Number(ctx.config.maxHopLimit) ? undefined : `httpPutResponseHopLimit is ${limit}`;
    },
  }),
  resourceRule({
    name: "launch-template-ebs-encrypted",
    description: "Every EBS volume in a launch template is encrypted (AWS FSBP EC2.3/EC2.7, CKV_AWS_8).",
    grade: "mandatory",
    remediation: "Set ebs.encrypted: \"true\" on each blockDeviceMappings entry.",
    types: [LAUNCH_TEMPLATE],
    check: (props) =>
      asArray(props.blockDeviceMappings)
        .filter((m) => get(m, "ebs") && !isTrue(get(m, "ebs", "encrypted")))
        .map((m) => `volume ${get(m, "deviceName") ?? "(unnamed)"} is not encrypted`),
  }),
  resourceRule({
    name: "eks-node-group-no-remote-access",
    description: "Managed node groups do not open SSH to the world; remote access, if any, is limited to source security groups (CKV_AWS_100).",
    grade: "mandatory",
    remediation: "Remove remoteAccess (use SSM Session Manager) or set remoteAccess.sourceSecurityGroupIds.",
    types: [NODE_GROUP],
    check: (props) => {
      const remote = props.remoteAccess;
      if (!remote) return undefined;
      return asArray(get(remote, "sourceSecurityGroupIds")).length ? undefined : "remoteAccess allows SSH from anywhere (no sourceSecurityGroupIds)";
    },
  }),
  resourceRule({
    name: "eks-node-group-capacity",
    description: "Node group scaling is consistent (min ≤ desired ≤ max) and, in production, keeps at least `minimumNodes` nodes so one node loss is absorbed (runbook 001: min 5, max 20). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    config: { minimumNodes: { type: "integer", minimum: 1, default: 2, description: "Fewest nodes a production node group may scale down to. @default 2" } },
    remediation: "Set scalingConfig minSize ≤ desiredSize ≤ maxSize, with minSize at least the configured minimum in production.",
    types: [NODE_GROUP],
    check: (props, ctx) => {
      const min = Number(get(props, "scalingConfig", "minSize"));
      const desired = Number(get(props, "scalingConfig", "desiredSize"));
      const max = Number(get(props, "scalingConfig", "maxSize"));
      const problems: string[] = [];
      if (!(min <= desired && desired <= max)) problems.push(`scalingConfig min ${min}, desired ${desired}, max ${max} is not min ≤ desired ≤ max`);
      if (ctx.production && min < Number(ctx.config.minimumNodes)) problems.push(`minSize ${min} is below ${ctx.config.minimumNodes} in production`);
      return problems;
    },
  }),
];
