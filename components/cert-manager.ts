import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { IrsaRole } from "./irsa-role";
import { LIBRARY_LABELS } from "../core/labels";
import { NAMESPACE_KIND_LABEL } from "../core/network-flows";

/** Chart this library was written against (pinned: an upgrade is a reviewed change). */
// The pin lives in the versions table (core/versions.ts) with its support notes.
import { CERT_MANAGER_CHART_VERSION } from "../core/versions";
export { CERT_MANAGER_CHART_VERSION };

/** Let's Encrypt's ACME directories: staging for trying things out (untrusted, generous limits), production for real. */
export const ACME_SERVERS = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
} as const;

export type AcmeIssuerName = keyof typeof ACME_SERVERS;

export interface CertManagerCertificateArgs {
  /** Namespace of the Certificate and its Secret. No default. */
  namespace: pulumi.Input<string>;
  /** Name of the Certificate and of the Secret holding the key pair. No default. */
  name: string;
  /** DNS names on the certificate (all inside the zone). No default. */
  dnsNames: string[];
  /** ClusterIssuer that signs it. @default "letsencrypt-production" */
  issuer?: AcmeIssuerName;
}

export interface CertManagerArgs {
  /** The public hosted zone DNS-01 challenges are answered in (its id scopes the IAM role). No default. */
  zoneId: pulumi.Input<string>;
  /** That zone's name (the issuers solve only for names inside it). No default. */
  zoneName: string;
  /** Region for cert-manager's AWS client. No default. */
  region: pulumi.Input<string>;
  /** ACME account e-mail (Let's Encrypt sends expiry notices there). No default. */
  email: string;
  /** ARN of the cluster's IAM OIDC provider. No default. */
  oidcProviderArn: pulumi.Input<string>;
  /** OIDC issuer without `https://`. No default. */
  oidcIssuer: pulumi.Input<string>;
  /** Certificates to issue. @default [] */
  certificates?: CertManagerCertificateArgs[];
  /** Create the chart's ServiceMonitor (needs the Prometheus operator's CRDs): the source of `CertificateExpiringSoon`. @default false */
  serviceMonitor?: boolean;
  /** What the release waits for where no Output says so (the Prometheus operator's CRDs, for the ServiceMonitor). @default [] */
  releaseDependsOn?: pulumi.Resource[];
  /** Controller replicas. @default 2 */
  replicas?: number;
  /** Chart version. @default CERT_MANAGER_CHART_VERSION */
  chartVersion?: string;
  /** Tags for the IAM role. @default {} */
  tags?: Record<string, string>;
}

/**
 * cert-manager (pinned chart, CRDs kept on uninstall) with two ClusterIssuers, `letsencrypt-staging`
 * and `letsencrypt-production`, that answer ACME DNS-01 challenges in the stack's Route53 zone, and the
 * Certificates asked for. Its IRSA role may only write TXT records named `_acme-challenge.*` in that
 * one zone and read change status; nothing else in Route53. With the ServiceMonitor, Prometheus
 * scrapes `certmanager_certificate_expiration_timestamp_seconds`, which `CertificateExpiringSoon`
 * reads. Pass the cluster's Kubernetes provider in `opts.provider`.
 */
export class CertManager extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly roleArn: pulumi.Output<string>;
  /** ClusterIssuer names. */
  public readonly issuers: AcmeIssuerName[];

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.email ?? "")) rejectArg("CertManager", "email", args.email, "must be an e-mail address");
    const replicas = args.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) rejectArg("CertManager", "replicas", replicas, "must be an integer from 1 to 5");
    const chartVersion = args.chartVersion ?? CERT_MANAGER_CHART_VERSION;
    if (!/^v?\d+\.\d+\.\d+$/.test(chartVersion)) rejectArg("CertManager", "chartVersion", chartVersion, 'must be an exact chart version such as "v1.19.1"');
    for (const cert of args.certificates ?? [])
      for (const dnsName of cert.dnsNames)
        if (dnsName !== args.zoneName && !dnsName.endsWith(`.${args.zoneName}`))
          rejectArg("CertManager", `certificates[${cert.name}].dnsNames`, dnsName, `must be inside the zone ${args.zoneName} (the issuers solve DNS-01 only there)`);
    super("runbook:edge:CertManager", name, {}, opts);

    const namespace = "cert-manager";
    const serviceAccount = "cert-manager";
    const policy = pulumi.output(args.zoneId).apply((zoneId) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "ChangeStatus", Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
          { Sid: "ReadZone", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: `arn:aws:route53:::hostedzone/${zoneId}` },
          {
            Sid: "AcmeChallengeRecordsOnly",
            Effect: "Allow",
            Action: "route53:ChangeResourceRecordSets",
            Resource: `arn:aws:route53:::hostedzone/${zoneId}`,
            Condition: {
              "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
              "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
            },
          },
        ],
      }),
    );
    const role = new IrsaRole(`${name}-irsa`, { oidcProviderArn: args.oidcProviderArn, oidcIssuer: args.oidcIssuer, namespace, serviceAccount, policy, tags: args.tags }, { parent: this });
    this.roleArn = role.roleArn;

    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      // A platform namespace like monitoring: its controllers must reach the API server, Route53 and the ACME directory.
      { metadata: { name: namespace, labels: { ...LIBRARY_LABELS, "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest", [NAMESPACE_KIND_LABEL]: "platform" } } },
      { parent: this },
    );
    const podSecurity = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
    const containerSecurity = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };
    const small = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } };
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "cert-manager",
        chart: "cert-manager",
        version: chartVersion,
        repositoryOpts: { repo: "https://charts.jetstack.io" },
        namespace: ns.metadata.name,
        atomic: true,
        values: {
          // CRDs stay when the release goes: deleting them would delete every Certificate with them.
          crds: { enabled: true, keep: true },
          replicaCount: replicas,
          podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
          serviceAccount: { create: true, name: serviceAccount, annotations: { "eks.amazonaws.com/role-arn": role.roleArn } },
          // IRSA tokens are mounted for the controller; the role's region for the AWS SDK.
          extraEnv: [{ name: "AWS_REGION", value: args.region }],
          commonLabels: { ...LIBRARY_LABELS },
          securityContext: podSecurity,
          containerSecurityContext: containerSecurity,
          resources: small,
          webhook: { replicaCount: replicas, securityContext: podSecurity, containerSecurityContext: containerSecurity, resources: small, podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 } },
          cainjector: { replicaCount: replicas, securityContext: podSecurity, containerSecurityContext: containerSecurity, resources: small, podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 } },
          startupapicheck: { securityContext: podSecurity, containerSecurityContext: containerSecurity, resources: small },
          prometheus: { enabled: true, servicemonitor: { enabled: args.serviceMonitor ?? false } },
        },
      },
      { parent: this, dependsOn: args.releaseDependsOn ?? [] },
    );

    this.issuers = Object.keys(ACME_SERVERS) as AcmeIssuerName[];
    const issuers = this.issuers.map(
      (issuer) =>
        new k8s.apiextensions.CustomResource(
          `${name}-${issuer}`,
          {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: issuer, labels: { ...LIBRARY_LABELS } },
            spec: {
              acme: {
                email: args.email,
                server: ACME_SERVERS[issuer],
                privateKeySecretRef: { name: `${issuer}-account-key` },
                solvers: [{ selector: { dnsZones: [args.zoneName] }, dns01: { route53: { region: args.region, hostedZoneID: args.zoneId } } }],
              },
            },
          },
          // The ClusterIssuer CRD comes with the chart.
          { parent: this, dependsOn: [this.release] },
        ),
    );

    for (const cert of args.certificates ?? []) {
      const issuer = cert.issuer ?? "letsencrypt-production";
      new k8s.apiextensions.CustomResource(
        `${name}-${cert.name}`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: cert.name, namespace: cert.namespace, labels: { ...LIBRARY_LABELS } },
          spec: {
            secretName: cert.name,
            dnsNames: cert.dnsNames,
            issuerRef: { kind: "ClusterIssuer", name: issuer },
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            duration: "2160h",
            renewBefore: "720h",
          },
        },
        { parent: this, dependsOn: issuers.filter((_, i) => this.issuers[i] === issuer) },
      );
    }

    this.registerOutputs({ roleArn: this.roleArn });
  }
}
