import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";

/**
 * Trust policy that lets exactly one service account (`system:serviceaccount:<namespace>:<name>`) assume
 * a role through the cluster's OIDC provider; `aud` is pinned too, so only STS tokens are accepted.
 */
export function irsaTrustPolicy(oidcProviderArn: pulumi.Input<string>, oidcIssuer: pulumi.Input<string>, namespace: string, serviceAccount: string): pulumi.Output<string> {
  return pulumi.all([oidcProviderArn, oidcIssuer]).apply(([providerArn, issuer]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: providerArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com", [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}` } },
        },
      ],
    }),
  );
}

export interface IrsaRoleArgs {
  /** ARN of the cluster's IAM OIDC provider. No default. */
  oidcProviderArn: pulumi.Input<string>;
  /** OIDC issuer host and path without `https://` (e.g. `oidc.eks.us-east-1.amazonaws.com/id/ABC`). No default. */
  oidcIssuer: pulumi.Input<string>;
  /** Namespace of the one service account allowed to assume the role. No default. */
  namespace: string;
  /** Name of the one service account allowed to assume the role. No default. */
  serviceAccount: string;
  /** IAM policy document (JSON) with exactly the permissions the pod needs. No default. */
  policy: pulumi.Input<string>;
  /** Tags for the role and its policy. @default {} */
  tags?: Record<string, string>;
}

/**
 * An IAM role for one Kubernetes service account (IRSA). The trust policy pins both `aud` and `sub`
 * so that no other service account in the cluster can assume it; pods get short-lived credentials
 * and no access keys exist anywhere.
 */
export class IrsaRole extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.namespace)) rejectArg("IrsaRole", "namespace", args.namespace, "must be a Kubernetes namespace name");
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(args.serviceAccount)) rejectArg("IrsaRole", "serviceAccount", args.serviceAccount, "must be a Kubernetes service account name");
    super("runbook:iam:IrsaRole", name, {}, opts);

    const assumeRolePolicy = irsaTrustPolicy(args.oidcProviderArn, args.oidcIssuer, args.namespace, args.serviceAccount);

    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy, tags: args.tags }, { parent: this });
    new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, policy: args.policy }, { parent: this });

    this.roleArn = role.arn;
    this.roleName = role.name;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
  }
}
