import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { irsaTrustPolicy } from "./irsa-role";
import { internetExposure, isNetworkCidr } from "../core/cidr";
import { DEFAULT_VERSIONS } from "../core/versions";
import { IAM_PRINCIPAL } from "../core/names";

/**
 * Who may use the cluster, as EKS access entries (the cluster runs in API authentication mode). A
 * principal is an IAM role/user ARN, or `role/<name>` / `user/<name>` in the deploying account.
 */
export interface EksAccessArgs {
  /** IAM principals with AmazonEKSClusterAdminPolicy on the whole cluster. @default [] */
  admins?: string[];
  /** The role CI assumes to run `pulumi up`; cluster admin. @default none */
  deployRole?: string;
  /** IAM principals with AmazonEKSViewPolicy on the whole cluster. @default [] */
  readOnly?: string[];
  /** Principals mapped to Kubernetes groups (the groups RoleBindings name); no access policy. @default [] */
  groups?: Array<{ principal: string; kubernetesGroups: string[] }>;
  /** Let EKS make the creator an admin outside these entries. @default false */
  bootstrapCreatorAdmin?: boolean;
}

/** How `pulumi up` reaches the API server. */
export interface EksDeployPathArgs {
  /** privateRunner: CIDRs reach the private endpoint on 443; publicRunnerCidrs: CIDRs open the public endpoint. No default. */
  mode: "privateRunner" | "publicRunnerCidrs";
  /** Source CIDRs of the runners. No default. */
  runnerCidrs: string[];
}

/** EKS access policies (AWS-managed, cluster scope). */
export const EKS_ACCESS_POLICIES = {
  admin: "AmazonEKSClusterAdminPolicy",
  view: "AmazonEKSViewPolicy",
} as const;

/** Name of the default StorageClass every claim names explicitly. */
export const DEFAULT_STORAGE_CLASS = "gp3-encrypted";

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
  /** Kubernetes version, e.g. "1.35". @default "1.35" (DEFAULT_VERSIONS.eks) */
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
  /** Access entries; without admins or a deployRole only `bootstrapCreatorAdmin` lets anyone in. @default { bootstrapCreatorAdmin: true } */
  access?: EksAccessArgs;
  /** The declared path of `pulumi up` to the API; a private endpoint without one is reachable only from inside the VPC. @default none */
  deployPath?: EksDeployPathArgs;
  /** Reclaim policy of the default StorageClass. @default "Delete" */
  storageReclaimPolicy?: "Delete" | "Retain";
  /** Tags for every AWS resource. @default {} */
  tags?: Record<string, string>;
  /** Turn on the VPC CNI's network policy agent, so NetworkPolicy objects are enforced (off, they are accepted and ignored). @default true */
  enableNetworkPolicy?: boolean;
}

/** Every control-plane log type EKS offers; all are on, because an audit trail is not optional. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;


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
  /** Provider for workloads (Helm releases, pods): it waits for nodes, coredns and the EBS CSI driver. */
  public readonly workloadProvider: k8s.Provider;
  /** What workloads need first (node groups, coredns, EBS CSI add-on), for a `dependsOn` outside these providers. */
  public readonly readyForWorkloads: pulumi.Resource[];
  /** The default StorageClass (gp3, KMS-encrypted); name it on every claim. */
  public readonly storageClassName: pulumi.Output<string>;
  /** KMS key of the persistent volumes. */
  public readonly volumeKmsKeyArn: pulumi.Output<string>;
  /** Principals with an access entry. */
  public readonly accessPrincipals: string[];

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const version = args.kubernetesVersion ?? DEFAULT_VERSIONS.eks;
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
    const access = args.access ?? { bootstrapCreatorAdmin: true };
    const principals = [...(access.admins ?? []), ...(access.deployRole ? [access.deployRole] : []), ...(access.readOnly ?? []), ...(access.groups ?? []).map((g) => g.principal)];
    const duplicate = principals.find((p, i) => principals.indexOf(p) !== i);
    if (duplicate) rejectArg("EksCluster", "access", duplicate, "must name each principal once (EKS allows one access entry per principal)");
    for (const p of principals)
      if (!IAM_PRINCIPAL.test(p))
        rejectArg("EksCluster", "access", p, 'must name IAM roles or users: "role/<name>", "user/<name>" or their ARNs (not sts assumed-role ARNs)');
    if (principals.length === 0 && !access.bootstrapCreatorAdmin) rejectArg("EksCluster", "access", access, "must name an admin or deployRole, or set bootstrapCreatorAdmin; otherwise nobody can use the cluster");
    for (const g of access.groups ?? [])
      for (const group of g.kubernetesGroups) if (group.startsWith("system:")) rejectArg("EksCluster", "access.groups.kubernetesGroups", group, 'must not start with "system:" (EKS refuses it)');
    if (args.deployPath && args.deployPath.runnerCidrs.length === 0) rejectArg("EksCluster", "deployPath.runnerCidrs", [], "must list at least one CIDR");
    super("runbook:eks:EksCluster", name, {}, opts);

    const tags = args.tags ?? {};
    // Runners outside the VPC reach the API through the public endpoint, open to their egress CIDRs only.
    const publicAccessCidrs = [...(args.publicAccessCidrs ?? []), ...(args.deployPath?.mode === "publicRunnerCidrs" ? args.deployPath.runnerCidrs : [])];
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
        // Access entries only (no aws-auth ConfigMap). The creator gets no hidden admin unless asked for:
        // every principal that may use the cluster is an entry below, reviewable in the plan.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: access.bootstrapCreatorAdmin ?? false },
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

    // Access entries: one per principal. The Kubernetes providers below wait for the admin and deploy
    // entries' policies, because without `bootstrapCreatorAdmin` the principal running `pulumi up` has
    // no access until its own entry exists (no Output carries that).
    const accessPolicy = (policy: string) => pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${policy}`;
    const usedNames = new Set<string>();
    const entryName = (kind: string, arn: string) => {
      const base = `${name}-${kind}-${(arn.split("/").pop() ?? arn).toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
      let candidate = base;
      for (let n = 2; usedNames.has(candidate); n++) candidate = `${base}-${n}`;
      usedNames.add(candidate);
      return candidate;
    };
    const adminAccess: pulumi.Resource[] = [];
    const accountId = principals.some((p) => !p.startsWith("arn:")) ? aws.getCallerIdentityOutput({}, { parent: this }).accountId : undefined;
    const fullArn = (principal: string): pulumi.Input<string> => (principal.startsWith("arn:") ? principal : pulumi.interpolate`arn:${partition}:iam::${accountId!}:${principal}`);
    const addEntry = (kind: string, principal: string, policy?: string, kubernetesGroups?: string[]) => {
      const logical = entryName(kind, principal);
      const entry = new aws.eks.AccessEntry(logical, { clusterName: cluster.name, principalArn: fullArn(principal), type: "STANDARD", kubernetesGroups, tags }, { parent: this });
      if (!policy) return entry;
      return new aws.eks.AccessPolicyAssociation(logical, { clusterName: cluster.name, principalArn: entry.principalArn, policyArn: accessPolicy(policy), accessScope: { type: "cluster" } }, { parent: this });
    };
    for (const arn of access.admins ?? []) adminAccess.push(addEntry("admin", arn, EKS_ACCESS_POLICIES.admin));
    if (access.deployRole) adminAccess.push(addEntry("deploy", access.deployRole, EKS_ACCESS_POLICIES.admin));
    for (const arn of access.readOnly ?? []) addEntry("read-only", arn, EKS_ACCESS_POLICIES.view);
    for (const g of access.groups ?? []) addEntry("group", g.principal, undefined, g.kubernetesGroups);
    this.accessPrincipals = principals;

    // A runner inside the VPC (or routed to it) reaches the private endpoint through the cluster security group.
    if (args.deployPath?.mode === "privateRunner") {
      args.deployPath.runnerCidrs.forEach((cidr, i) => {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-deploy-path-${i + 1}`,
          { securityGroupId: cluster.vpcConfig.clusterSecurityGroupId, cidrIpv4: cidr, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "pulumi up from the deploy runners (cluster.deployPath)", tags },
          { parent: this },
        );
      });
    }

    const oidcIssuer = issuerUrl.apply((url) => url.replace(/^https:\/\//, ""));
    const addonRole = (addon: string, namespace: string, serviceAccount: string, policy: string) => {
      const role = new aws.iam.Role(`${name}-${addon}`, { assumeRolePolicy: irsaTrustPolicy(oidcProvider.arn, oidcIssuer, namespace, serviceAccount), tags }, { parent: this });
      new aws.iam.RolePolicyAttachment(`${name}-${addon}`, { role: role.name, policyArn: managedPolicy(policy) }, { parent: this });
      return role;
    };
    const cniRole = addonRole("vpc-cni", "kube-system", "aws-node", "AmazonEKS_CNI_Policy");
    const ebsRole = addonRole("ebs-csi", "kube-system", "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy");

    // Persistent volumes are encrypted with the stack's own key. The managed EBS CSI policy grants no use
    // of customer-managed keys, so the driver's role gets exactly that key (grants only for AWS resources).
    const volumeKey = new aws.kms.Key(`${name}-volumes`, { description: `EBS volumes of ${args.clusterName}'s persistent volume claims`, enableKeyRotation: true, deletionWindowInDays: 30, tags }, { parent: this });
    new aws.iam.RolePolicy(
      `${name}-ebs-csi-kms`,
      {
        role: ebsRole.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], Resource: volumeKey.arn, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
            { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: volumeKey.arn },
          ],
        }),
      },
      { parent: this },
    );

    const addon = (addonName: string, serviceAccountRoleArn: pulumi.Input<string> | undefined, dependsOn: pulumi.Resource[], configurationValues?: string) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        { clusterName: cluster.name, addonName, serviceAccountRoleArn, configurationValues, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "PRESERVE", tags },
        { parent: this, dependsOn },
      );
    // The CNI and kube-proxy are DaemonSets a node needs before it turns Ready (the node role has no CNI
    // policy: aws-node uses its IRSA role, which only the add-on configures). They go in before the nodes.
    // The add-on's schema takes the flag as the string "true"; without it NetworkPolicies are not enforced.
    const cniConfig = (args.enableNetworkPolicy ?? true) ? JSON.stringify({ enableNetworkPolicy: "true" }) : undefined;
    const networkAddons = [addon("vpc-cni", cniRole.arn, [], cniConfig), addon("kube-proxy", undefined, [])];

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
        // Nodes cannot join until the node role's policies are attached, and are not Ready until the CNI and
        // kube-proxy add-ons exist; the autoscaler owns desiredSize afterwards.
        { parent: this, dependsOn: [...nodePolicies, ...networkAddons], ignoreChanges: ["scalingConfig.desiredSize"] },
      );
    });

    // Deployments (coredns, the EBS CSI controller) only become healthy once nodes exist.
    const coredns = addon("coredns", undefined, nodeGroups);
    const ebsCsi = addon("aws-ebs-csi-driver", ebsRole.arn, nodeGroups);

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
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this, dependsOn: adminAccess });
    // Helm releases and anything that runs pods need nodes, DNS and the volume driver; this provider
    // carries that order, so such resources need no dependsOn of their own.
    this.workloadProvider = new k8s.Provider(
      `${name}-k8s-workloads`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [...adminAccess, ...nodeGroups, coredns, ebsCsi] },
    );
    this.readyForWorkloads = [...nodeGroups, coredns, ebsCsi];

    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-${DEFAULT_STORAGE_CLASS}`,
      {
        metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", kmsKeyId: volumeKey.arn, "csi.storage.k8s.io/fstype": "ext4" },
        // Bind where the pod lands: an EBS volume lives in one AZ.
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: args.storageReclaimPolicy ?? "Delete",
      },
      { parent: this, provider: this.provider },
    );
    this.storageClassName = storageClass.metadata.name;
    this.volumeKmsKeyArn = volumeKey.arn;

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
      storageClassName: this.storageClassName,
      volumeKmsKeyArn: this.volumeKmsKeyArn,
    });
  }
}
