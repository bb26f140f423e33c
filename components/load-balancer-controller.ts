import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { IrsaRole } from "./irsa-role";
import { LIBRARY_LABELS } from "../core/labels";

/** Chart and image this library was written against (pinned: an upgrade is a reviewed change). */
// The pin lives in the versions table (core/versions.ts) with its support notes.
import { LOAD_BALANCER_CONTROLLER_CHART_VERSION } from "../core/versions";
export { LOAD_BALANCER_CONTROLLER_CHART_VERSION };
export const LOAD_BALANCER_CONTROLLER_IMAGE_TAG = "v2.14.1";

/** One Service bound to one of the stack's target groups. */
export interface TargetGroupBindingArgs {
  /** Namespace of the Service (the binding lives there). No default. */
  namespace: pulumi.Input<string>;
  /** The Service's name. No default. */
  serviceName: string;
  /** The Service's port. No default. */
  servicePort: number;
  /** Target group (type ip) the pods are registered in. No default. */
  targetGroupArn: pulumi.Input<string>;
}

export interface LoadBalancerControllerArgs {
  /** EKS cluster name (the controller tags and discovers by it). No default. */
  clusterName: pulumi.Input<string>;
  /** Region of the cluster; passed explicitly so the controller never asks the instance metadata service. No default. */
  region: pulumi.Input<string>;
  /** VPC of the cluster; passed explicitly for the same reason. No default. */
  vpcId: pulumi.Input<string>;
  /** ARN of the cluster's IAM OIDC provider. No default. */
  oidcProviderArn: pulumi.Input<string>;
  /** OIDC issuer without `https://`. No default. */
  oidcIssuer: pulumi.Input<string>;
  /**
   * Target groups the controller may register pods in and deregister them from: the ones the stack's
   * load balancers own. It may change no other target group and create no load balancer. No default.
   */
  targetGroupArns: pulumi.Input<pulumi.Input<string>[]>;
  /** Services whose pods the controller keeps registered in a target group (one TargetGroupBinding each). @default [] */
  bindings?: TargetGroupBindingArgs[];
  /** Controller replicas (leader election; two survive a node drain). @default 2 */
  replicas?: number;
  /** Chart version. @default LOAD_BALANCER_CONTROLLER_CHART_VERSION */
  chartVersion?: string;
  /** Tags for the IAM role. @default {} */
  tags?: Record<string, string>;
}

/**
 * The AWS Load Balancer Controller (the maintained successor of the retired ingress-nginx path on
 * EKS), installed only to bind pods to load balancers the stack itself creates (`TargetGroupBinding`).
 *
 * Why the stack owns the load balancer instead of letting an Ingress create it: Route53 needs the load
 * balancer's DNS name and zone when the records are created, and a load balancer the controller makes
 * exists only after the Ingress reconciles, outside Pulumi's graph (its name is an Ingress status
 * field, unknown at preview and lost to a `pulumi destroy`). An `aws.lb.LoadBalancer` is a real
 * resource with real outputs, so the failover records alias it in the same plan, WAF can attach to it,
 * and the policy pack sees its settings.
 *
 * So the controller's identity is much smaller than the upstream "create anything" policy: it may
 * describe load balancing and EC2 (AWS offers no resource scoping for Describe calls) and register or
 * deregister targets in exactly the target groups it is given. It cannot create, modify or delete a
 * load balancer, listener, target group or security group; an Ingress someone applies by hand fails
 * visibly rather than creating an unmanaged, unreviewed load balancer.
 *
 * Pass the cluster's Kubernetes provider in `opts.provider` (as for every component here).
 */
export class LoadBalancerController extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    const replicas = args.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) rejectArg("LoadBalancerController", "replicas", replicas, "must be an integer from 1 to 5");
    const chartVersion = args.chartVersion ?? LOAD_BALANCER_CONTROLLER_CHART_VERSION;
    if (!/^\d+\.\d+\.\d+$/.test(chartVersion)) rejectArg("LoadBalancerController", "chartVersion", chartVersion, 'must be an exact chart version such as "1.14.1" (no ranges: upgrades are reviewed changes)');
    super("runbook:edge:LoadBalancerController", name, {}, opts);

    const namespace = "kube-system";
    const serviceAccount = "aws-load-balancer-controller";
    const policy = pulumi.output(args.targetGroupArns).apply((arns) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Discover",
            Effect: "Allow",
            Action: [
              "elasticloadbalancing:DescribeLoadBalancers",
              "elasticloadbalancing:DescribeTargetGroups",
              "elasticloadbalancing:DescribeTargetHealth",
              "elasticloadbalancing:DescribeListeners",
              "elasticloadbalancing:DescribeTags",
              "ec2:DescribeInstances",
              "ec2:DescribeNetworkInterfaces",
              "ec2:DescribeSecurityGroups",
              "ec2:DescribeSubnets",
              "ec2:DescribeVpcs",
              "ec2:DescribeAvailabilityZones",
            ],
            Resource: "*",
          },
          {
            Sid: "BindPodsToOwnTargetGroupsOnly",
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: arns,
          },
        ],
      }),
    );
    const role = new IrsaRole(`${name}-irsa`, { oidcProviderArn: args.oidcProviderArn, oidcIssuer: args.oidcIssuer, namespace, serviceAccount, policy, tags: args.tags }, { parent: this });
    this.roleArn = role.roleArn;

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "aws-load-balancer-controller",
        chart: "aws-load-balancer-controller",
        version: chartVersion,
        repositoryOpts: { repo: "https://aws.github.io/eks-charts" },
        namespace,
        atomic: true,
        values: {
          clusterName: args.clusterName,
          region: args.region,
          vpcId: args.vpcId,
          replicaCount: replicas,
          image: { repository: "public.ecr.aws/eks/aws-load-balancer-controller", tag: LOAD_BALANCER_CONTROLLER_IMAGE_TAG },
          serviceAccount: { create: true, name: serviceAccount, annotations: { "eks.amazonaws.com/role-arn": role.roleArn } },
          // Services of type LoadBalancer stay with whoever created them; the controller only binds targets.
          enableServiceMutatorWebhook: false,
          createIngressClassResource: false,
          additionalLabels: { ...LIBRARY_LABELS },
          podDisruptionBudget: { maxUnavailable: 1 },
          podSecurityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
          priorityClassName: "system-cluster-critical",
        },
      },
      { parent: this },
    );

    for (const binding of args.bindings ?? [])
      new k8s.apiextensions.CustomResource(
        `${name}-${binding.serviceName}`,
        {
          apiVersion: "elbv2.k8s.aws/v1beta1",
          kind: "TargetGroupBinding",
          metadata: { name: `${binding.serviceName}-alb`, namespace: binding.namespace, labels: { ...LIBRARY_LABELS } },
          // No `networking` section: the stack adds the one security-group rule itself, so the controller needs no EC2 write rights.
          spec: { serviceRef: { name: binding.serviceName, port: binding.servicePort }, targetGroupARN: binding.targetGroupArn, targetType: "ip" },
        },
        // The TargetGroupBinding CRD comes with the chart; no Output carries that dependency.
        { parent: this, dependsOn: [this.release] },
      );

    this.registerOutputs({ roleArn: this.roleArn });
  }
}
