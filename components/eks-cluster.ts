import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { irsaTrustPolicy } from "./irsa-role";
import { internetExposure, isNetworkCidr } from "../core/cidr";

export interface EksNodeGroupSpec {
  /** Node group name. No default. */
  name: string;
  /** EC2 instance types, first preferred. @default ["m5.xlarge"] */
  instanceTypes?: string[];
  /** Fewest nodes. No default. */
  minSize: number;
  /** Most nodes; the cluster autoscaler's ceiling. No default. */
  maxSize: number;
  /** Nodes at creation; the autoscaler owns the number afterwards (changes are ignored). No default. */
  desiredSize: number;
  /** Encrypted gp3 root volume size in GiB. @default 100 */
  diskSizeGiB?: number;
  /** ON_DEMAND or SPOT. @default "ON_DEMAND" */
  capacityType?: "ON_DEMAND" | "SPOT";
}

export interface EksClusterArgs {
  /** Physical cluster name. No default. */
  clusterName: string;
  /** Kubernetes version, e.g. "1.31". @default "1.31" */
  kubernetesVersion?: string;
  /** VPC of the cluster. No default. */
  vpcId: pulumi.Input<string>;
  /** Private subnets for the control-plane ENIs and the nodes. No default. */
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** CIDRs allowed to the public API endpoint; empty keeps it private only. @default [] */
  publicAccessCidrs?: string[];
  /** Days control-plane logs are kept in CloudWatch. @default 90 */
  logRetentionDays?: number;
  /** Managed node groups. No default. */
  nodeGroups: EksNodeGroupSpec[];
  /** Tags for every AWS resource. @default {} */
  tags?: Record<string, string>;
  /** Turn on the VPC CNI's network policy agent, so NetworkPolicy objects are enforced (off, they are accepted and ignored). @default true */
  enableNetworkPolicy?: boolean;
}

/** Every control-plane log type EKS offers; all are on, because an audit trail is not optional. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Core add-ons managed by EKS; versions follow the cluster version's default. */
const CORE_ADDONS = ["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"] as const;

/**
 * An EKS cluster on `@pulumi/aws`: private API endpoint (public only for listed CIDRs), all control-plane
 * logs, secrets envelope-encrypted with a rotating KMS key, an IAM OIDC provider for IRSA, managed node
 * groups on a launch template that requires IMDSv2 and encrypts volumes, the core add-ons (EBS CSI with
 * its own IRSA role), and a Kubernetes provider for the components that follow.
 */
export class EksCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** Kubeconfig using `aws eks get-token` (no static credentials); mark it secret where it is exported. */
  public readonly kubeconfig: pulumi.Output<string>;
  /** Provider for Kubernetes resources in this cluster. */
  public readonly provider: k8s.Provider;
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** OIDC issuer host and path, without `https://`, as IRSA trust conditions need it. */
  public readonly oidcIssuer: pulumi.Output<string>;
  /** The EKS-created security group attached to the control plane and managed nodes. */
  public readonly clusterSecurityGroupId: pulumi.Output<string>;
  public readonly nodeRoleArn: pulumi.Output<string>;
  public readonly nodeGroupNames: pulumi.Output<string>[];
  public readonly nodeGroupAsgNames: pulumi.Output<string[]>;
  public readonly secretsKmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const version = args.kubernetesVersion ?? "1.31";
    if (!/^1\.\d{2}$/.test(version)) rejectArg("EksCluster", "kubernetesVersion", version, 'must be a Kubernetes minor version such as "1.31"');
    if (args.nodeGroups.length === 0) rejectArg("EksCluster", "nodeGroups", args.nodeGroups, "must define at least one node group");
    for (const group of args.nodeGroups) {
      if (!(group.minSize <= group.desiredSize && group.desiredSize <= group.maxSize))
        rejectArg("EksCluster", `nodeGroups[${group.name}]`, { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize }, "must satisfy minSize ≤ desiredSize ≤ maxSize");
    }
    // The same rule as the stack key cluster.publicAccessCidrs (core/cidr.ts): judged by coverage, so the config refuses first.
    const cidrs = args.publicAccessCidrs ?? [];
    const badCidr = cidrs.find((c) => !isNetworkCidr(c, 4));
    if (badCidr !== undefined) rejectArg("EksCluster", "publicAccessCidrs", badCidr, "must be IPv4 network blocks without host bits, such as 203.0.113.0/24");
    const exposure = internetExposure(cidrs);
    if (exposure) rejectArg("EksCluster", "publicAccessCidrs", cidrs, `must not open the API endpoint to the internet: the blocks ${exposure}; list the office/VPN CIDRs`);
    super("runbook:eks:EksCluster", name, {}, opts);

    const tags = args.tags ?? {};
    const publicAccessCidrs = args.publicAccessCidrs ?? [];
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const managedPolicy = (policy: string) => pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;

    const secretsKey = new aws.kms.Key(`${name}-secrets`, { description: `EKS secrets envelope encryption for ${args.clusterName}`, enableKeyRotation: true, deletionWindowInDays: 30, tags }, { parent: this });

    // EKS creates this log group itself on first write, with no retention; owning it keeps retention set.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane`, { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.logRetentionDays ?? 90, tags }, { parent: this });

    const clusterRole = new aws.iam.Role(
      `${name}-cluster`,
      { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] }), tags },
      { parent: this },
    );
    const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, { role: clusterRole.name, policyArn: managedPolicy("AmazonEKSClusterPolicy") }, { parent: this });

    const cluster = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        version,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: publicAccessCidrs.length > 0,
          publicAccessCidrs: publicAccessCidrs.length > 0 ? publicAccessCidrs : undefined,
        },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        enabledClusterLogTypes: [...EKS_LOG_TYPES],
        encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
        tags,
      },
      // The role's policy must be attached before EKS validates the role; the log group must exist first so retention applies.
      { parent: this, dependsOn: [clusterPolicy, logGroup] },
    );

    const issuerUrl = cluster.identities.apply((ids) => ids[0].oidcs?.[0]?.issuer ?? "");
    const oidcProvider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuerUrl, clientIdLists: ["sts.amazonaws.com"], tags }, { parent: this });

    const nodeRole = new aws.iam.Role(
      `${name}-node`,
      { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }), tags },
      { parent: this },
    );
    // vpc-cni gets its own IRSA role below, so the node role carries no CNI policy (least privilege).
    const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"].map(
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: nodeRole.name, policyArn: managedPolicy(policy) }, { parent: this }),
    );

    const nodeGroups = args.nodeGroups.map((group) => {
      const launchTemplate = new aws.ec2.LaunchTemplate(
        `${name}-${group.name}`,
        {
          description: `Nodes of ${args.clusterName}/${group.name}: IMDSv2 only, encrypted gp3 root volume`,
          metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled" },
          blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: group.diskSizeGiB ?? 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
          tagSpecifications: [{ resourceType: "instance", tags: { ...tags, Name: `${args.clusterName}-${group.name}` } }],
          tags,
        },
        { parent: this },
      );
      return new aws.eks.NodeGroup(
        `${name}-${group.name}`,
        {
          clusterName: cluster.name,
          nodeGroupName: group.name,
          nodeRoleArn: nodeRole.arn,
          subnetIds: args.privateSubnetIds,
          instanceTypes: group.instanceTypes ?? ["m5.xlarge"],
          capacityType: group.capacityType ?? "ON_DEMAND",
          scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
          updateConfig: { maxUnavailablePercentage: 25 },
          launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
          labels: { "runbook.dev/node-group": group.name },
          tags: { ...tags, [`k8s.io/cluster-autoscaler/${args.clusterName}`]: "owned", "k8s.io/cluster-autoscaler/enabled": "true" },
        },
        // Nodes cannot join until the node role's policies are attached; the autoscaler owns desiredSize afterwards.
        { parent: this, dependsOn: nodePolicies, ignoreChanges: ["scalingConfig.desiredSize"] },
      );
    });

    const oidcIssuer = issuerUrl.apply((url) => url.replace(/^https:\/\//, ""));
    const addonRole = (addon: string, namespace: string, serviceAccount: string, policy: string) => {
      const role = new aws.iam.Role(`${name}-${addon}`, { assumeRolePolicy: irsaTrustPolicy(oidcProvider.arn, oidcIssuer, namespace, serviceAccount), tags }, { parent: this });
      new aws.iam.RolePolicyAttachment(`${name}-${addon}`, { role: role.name, policyArn: managedPolicy(policy) }, { parent: this });
      return role.arn;
    };
    const addonRoles: Partial<Record<(typeof CORE_ADDONS)[number], pulumi.Output<string>>> = {
      "vpc-cni": addonRole("vpc-cni", "kube-system", "aws-node", "AmazonEKS_CNI_Policy"),
      "aws-ebs-csi-driver": addonRole("ebs-csi", "kube-system", "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy"),
    };
    // The add-on's schema takes the flag as the string "true"; without it NetworkPolicies are not enforced.
    const addonConfig: Partial<Record<(typeof CORE_ADDONS)[number], string>> = (args.enableNetworkPolicy ?? true) ? { "vpc-cni": JSON.stringify({ enableNetworkPolicy: "true" }) } : {};
    for (const addon of CORE_ADDONS) {
      new aws.eks.Addon(
        `${name}-${addon}`,
        { clusterName: cluster.name, addonName: addon, serviceAccountRoleArn: addonRoles[addon], configurationValues: addonConfig[addon], resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "PRESERVE", tags },
        // coredns and the EBS CSI controller are Deployments: they only become healthy once nodes exist.
        { parent: this, dependsOn: addon === "coredns" || addon === "aws-ebs-csi-driver" ? nodeGroups : [] },
      );
    }

    this.kubeconfig = pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority]).apply(([clusterName, endpoint, ca]) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": ca.data } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [{ name: clusterName, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName, "--output", "json"] } } }],
      }),
    );
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this });

    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.oidcProviderArn = oidcProvider.arn;
    this.oidcIssuer = oidcIssuer;
    this.clusterSecurityGroupId = cluster.vpcConfig.apply((c) => c.clusterSecurityGroupId);
    this.nodeRoleArn = nodeRole.arn;
    this.nodeGroupNames = nodeGroups.map((g) => g.nodeGroupName);
    this.nodeGroupAsgNames = pulumi.all(nodeGroups.map((g) => g.resources)).apply((all) => all.flatMap((r) => r.flatMap((x) => x.autoscalingGroups.map((a) => a.name))));
    this.secretsKmsKeyArn = secretsKey.arn;
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      nodeRoleArn: this.nodeRoleArn,
      secretsKmsKeyArn: this.secretsKmsKeyArn,
    });
  }
}
