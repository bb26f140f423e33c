import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { IrsaRole } from "./irsa-role";
import { LIBRARY_LABELS } from "../core/labels";

/** Chart versions this library was written against (pinned: a chart upgrade is a reviewed change). */
export const METRICS_SERVER_CHART_VERSION = "3.12.2"; // metrics-server 0.7.2
export const CLUSTER_AUTOSCALER_CHART_VERSION = "9.38.0"; // cluster-autoscaler 1.31.0

const CHART_VERSION = /^\d+\.\d+\.\d+$/;

export interface ClusterAutoscalingArgs {
  /** EKS cluster name; the autoscaler discovers the ASGs tagged `k8s.io/cluster-autoscaler/<name>`. No default. */
  clusterName: pulumi.Input<string>;
  /** Kubernetes minor version of the cluster ("1.31"); the autoscaler's image minor must match it. No default. */
  kubernetesVersion: string;
  /** Region of the cluster (the autoscaler calls the regional Auto Scaling API). No default. */
  region: pulumi.Input<string>;
  /** ARN of the cluster's IAM OIDC provider. No default. */
  oidcProviderArn: pulumi.Input<string>;
  /** OIDC issuer without `https://`. No default. */
  oidcIssuer: pulumi.Input<string>;
  /** Names of the node groups' Auto Scaling groups; the only groups the autoscaler may resize. No default. */
  nodeGroupAsgNames: pulumi.Input<pulumi.Input<string>[]>;
  /** metrics-server replicas (two keep HPAs working through a node drain). @default 2 */
  metricsServerReplicas?: number;
  /** metrics-server chart version. @default METRICS_SERVER_CHART_VERSION */
  metricsServerChartVersion?: string;
  /** cluster-autoscaler chart version. @default CLUSTER_AUTOSCALER_CHART_VERSION */
  clusterAutoscalerChartVersion?: string;
  /** A node whose pods request less than this fraction of it is a scale-down candidate. @default 0.5 */
  scaleDownUtilizationThreshold?: number;
  /** How long a node must stay unneeded before it is removed (a Go duration). @default "10m" */
  scaleDownUnneededTime?: string;
  /** Node-group choice when several fit: least-waste, most-pods, random, priority, price. @default "least-waste" */
  expander?: "least-waste" | "most-pods" | "random" | "priority" | "price";
  /** Tags for the IAM role. @default {} */
  tags?: Record<string, string>;
}

/** Cluster-autoscaler images are released per Kubernetes minor; patch releases are bumped by hand. */
export function clusterAutoscalerImageTag(kubernetesVersion: string): string {
  return `v${kubernetesVersion}.0`;
}

/**
 * The two controllers the application HPAs depend on: metrics-server (the resource metrics API that
 * HPAs read) and the cluster autoscaler (adds nodes when HPA-created pods do not fit and removes idle
 * ones), both as pinned Helm releases in kube-system. The autoscaler's IRSA role may describe anything
 * (AWS offers no resource scoping for Describe calls) but may resize or terminate instances only in
 * this cluster's node-group ASGs: the ARNs are named and the ASG must carry the cluster's owned tag.
 */
export class ClusterAutoscaling extends pulumi.ComponentResource {
  public readonly metricsServer: k8s.helm.v3.Release;
  public readonly clusterAutoscaler: k8s.helm.v3.Release;
  public readonly autoscalerRoleArn: pulumi.Output<string>;

  constructor(name: string, args: ClusterAutoscalingArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!/^1\.\d{2}$/.test(args.kubernetesVersion)) rejectArg("ClusterAutoscaling", "kubernetesVersion", args.kubernetesVersion, 'must be a Kubernetes minor version such as "1.31"');
    const metricsServerReplicas = args.metricsServerReplicas ?? 2;
    if (!Number.isInteger(metricsServerReplicas) || metricsServerReplicas < 1 || metricsServerReplicas > 5)
      rejectArg("ClusterAutoscaling", "metricsServerReplicas", metricsServerReplicas, "must be an integer from 1 to 5");
    const metricsServerChartVersion = args.metricsServerChartVersion ?? METRICS_SERVER_CHART_VERSION;
    const clusterAutoscalerChartVersion = args.clusterAutoscalerChartVersion ?? CLUSTER_AUTOSCALER_CHART_VERSION;
    for (const [key, value] of [["metricsServerChartVersion", metricsServerChartVersion], ["clusterAutoscalerChartVersion", clusterAutoscalerChartVersion]])
      if (!CHART_VERSION.test(value)) rejectArg("ClusterAutoscaling", key, value, 'must be an exact chart version such as "9.38.0" (no ranges: upgrades are reviewed changes)');
    const threshold = args.scaleDownUtilizationThreshold ?? 0.5;
    if (!(threshold > 0 && threshold <= 1)) rejectArg("ClusterAutoscaling", "scaleDownUtilizationThreshold", threshold, "must be a fraction above 0 and at most 1");
    const unneeded = args.scaleDownUnneededTime ?? "10m";
    if (!/^(\d+h)?(\d+m)?(\d+s)?$/.test(unneeded) || unneeded === "") rejectArg("ClusterAutoscaling", "scaleDownUnneededTime", unneeded, 'must be a Go duration such as "10m" or "1h30m"');
    super("runbook:scaling:ClusterAutoscaling", name, {}, opts);

    const namespace = "kube-system";
    const serviceAccount = "cluster-autoscaler";
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const policy = pulumi
      .all([args.clusterName, args.region, args.nodeGroupAsgNames, identity.accountId, partition.partition])
      .apply(([clusterName, region, asgNames, account, part]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "Discover",
              Effect: "Allow",
              Action: [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
              ],
              Resource: "*",
            },
            {
              Sid: "DescribeOwnNodeGroups",
              Effect: "Allow",
              Action: ["eks:DescribeNodegroup"],
              Resource: `arn:${part}:eks:${region}:${account}:nodegroup/${clusterName}/*`,
            },
            {
              Sid: "ResizeOwnNodeGroupsOnly",
              Effect: "Allow",
              Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
              Resource: (asgNames as string[]).map((asg) => `arn:${part}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/${asg}`),
              Condition: { StringEquals: { [`autoscaling:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
          ],
        }),
      );
    const role = new IrsaRole(`${name}-autoscaler`, { oidcProviderArn: args.oidcProviderArn, oidcIssuer: args.oidcIssuer, namespace, serviceAccount, policy, tags: args.tags }, { parent: this });
    this.autoscalerRoleArn = role.roleArn;

    // Both charts' defaults run as root-capable; these values meet Pod Security "restricted" anyway, so
    // kube-system could be labelled restricted later without breaking them.
    const podSecurity = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } };
    const containerSecurity = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };

    this.metricsServer = new k8s.helm.v3.Release(
      `${name}-metrics-server`,
      {
        name: "metrics-server",
        chart: "metrics-server",
        version: metricsServerChartVersion,
        repositoryOpts: { repo: "https://kubernetes-sigs.github.io/metrics-server/" },
        namespace,
        atomic: true,
        values: {
          replicas: metricsServerReplicas,
          podDisruptionBudget: { enabled: metricsServerReplicas > 1, maxUnavailable: 1 },
          commonLabels: { ...LIBRARY_LABELS },
          // Spread the replicas over nodes so one node loss does not blind every HPA.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-server" } } } },
              ],
            },
          },
          podSecurityContext: podSecurity,
          securityContext: containerSecurity,
          resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { cpu: "500m", memory: "500Mi" } },
          priorityClassName: "system-cluster-critical",
        },
      },
      { parent: this },
    );

    this.clusterAutoscaler = new k8s.helm.v3.Release(
      `${name}-cluster-autoscaler`,
      {
        name: "cluster-autoscaler",
        chart: "cluster-autoscaler",
        version: clusterAutoscalerChartVersion,
        repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
        namespace,
        atomic: true,
        values: {
          cloudProvider: "aws",
          awsRegion: args.region,
          autoDiscovery: { clusterName: args.clusterName },
          image: { repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: clusterAutoscalerImageTag(args.kubernetesVersion) },
          rbac: { serviceAccount: { create: true, name: serviceAccount, annotations: { "eks.amazonaws.com/role-arn": role.roleArn } } },
          additionalLabels: { ...LIBRARY_LABELS },
          extraArgs: {
            "balance-similar-node-groups": true,
            expander: args.expander ?? "least-waste",
            "scale-down-utilization-threshold": threshold,
            "scale-down-unneeded-time": unneeded,
            "scale-down-delay-after-add": "10m",
            // kube-system pods with a PDB (metrics-server, coredns) may move; without this no node ever drains.
            "skip-nodes-with-system-pods": false,
            "skip-nodes-with-local-storage": false,
          },
          podDisruptionBudget: { maxUnavailable: 1 },
          securityContext: podSecurity,
          containerSecurityContext: containerSecurity,
          resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { cpu: "500m", memory: "600Mi" } },
          priorityClassName: "system-cluster-critical",
        },
      },
      // HPAs read metrics-server; the autoscaler reacts to the pods they create, so install it second.
      { parent: this, dependsOn: [this.metricsServer] },
    );

    this.registerOutputs({ autoscalerRoleArn: this.autoscalerRoleArn });
  }
}
