import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { LIBRARY_LABELS } from "../core/labels";
import { K8S_NAME } from "../core/patterns";
import { NAMESPACE_KIND_LABEL } from "../core/network-flows";
import { IrsaRole } from "./irsa-role";
import { logsEncryptingKeyPolicy } from "./kms-key-policy";
import { isPinnedImage } from "./postgres-backup-jobs";

// The chart and image pins live in the versions table (core/versions.ts) with the other versions.
import { FLUENT_BIT_CHART_VERSION, FLUENT_BIT_IMAGE } from "../core/versions";
export { FLUENT_BIT_CHART_VERSION, FLUENT_BIT_IMAGE };
const CHART_REPO = "https://fluent.github.io/helm-charts";
const SERVICE_ACCOUNT = "fluent-bit";
import { LOG_RETENTION_DAYS as RETENTION_DAYS } from "../core/retention";

export interface LogShippingArgs {
  /** EKS cluster name; log groups are `/aws/eks/<cluster>/containers/<namespace>`. No default. */
  clusterName: string;
  /** Namespaces whose container logs are shipped, one log group each. No default. */
  namespaces: string[];
  /** Days CloudWatch Logs keeps the logs (a value AWS accepts, e.g. 30, 90, 365). @default 90 */
  retentionDays?: number;
  /** Region of the log groups. No default. */
  region: pulumi.Input<string>;
  /** Cluster's IAM OIDC provider ARN, for IRSA. No default. */
  oidcProviderArn: pulumi.Input<string>;
  /** Cluster's OIDC issuer without https://. No default. */
  oidcIssuer: pulumi.Input<string>;
  /** Namespace of the agent (its own: the DaemonSet reads the nodes' log files). @default "logging" */
  agentNamespace?: string;
  /** fluent-bit chart version, pinned exactly. @default "0.49.0" */
  chartVersion?: string;
  /** Fluent Bit image, pinned. @default cr.fluentbit.io/fluent/fluent-bit:4.0.3 */
  image?: { repository: string; tag: string };
  /** Labels for the agent's ServiceMonitor (an existing Prometheus' serviceMonitorSelector). @default {} */
  monitorLabels?: Record<string, string>;
  /** Tags for the AWS resources. @default {} */
  tags?: Record<string, string>;
}

/** The Fluent Bit pipeline: per namespace one tail input, one Kubernetes filter and one CloudWatch Logs output. */
export function fluentBitConfig(o: { namespaces: string[]; region: string; logGroups: Record<string, string> }): { service: string; inputs: string; filters: string; outputs: string } {
  const block = (kind: string, entries: Array<[string, string]>) => [`[${kind}]`, ...entries.map(([k, v]) => `    ${k.padEnd(20)} ${v}`)].join("\n");
  const service = block("SERVICE", [
    ["Daemon", "Off"],
    ["Flush", "5"],
    ["Log_Level", "info"],
    ["Parsers_File", "/fluent-bit/etc/parsers.conf"],
    ["HTTP_Server", "On"],
    ["HTTP_Listen", "0.0.0.0"],
    ["HTTP_Port", "2020"],
    ["Health_Check", "On"],
    // Buffers on the node survive a pod restart, so a CloudWatch outage delays logs instead of losing them.
    ["storage.path", "/var/fluent-bit/state/flb-storage/"],
    ["storage.sync", "normal"],
  ]);
  const inputs: string[] = [];
  const filters: string[] = [];
  const outputs: string[] = [];
  for (const ns of o.namespaces) {
    const tag = `kube.${ns}.`;
    inputs.push(
      block("INPUT", [
        ["Name", "tail"],
        ["Tag", `${tag}*`],
        // Container log file names are <pod>_<namespace>_<container>-<id>.log: one input per namespace.
        ["Path", `/var/log/containers/*_${ns}_*.log`],
        ["multiline.parser", "cri, docker"],
        ["DB", `/var/fluent-bit/state/tail-${ns}.db`],
        ["storage.type", "filesystem"],
        ["Mem_Buf_Limit", "50MB"],
        ["Skip_Long_Lines", "On"],
        ["Refresh_Interval", "10"],
      ]),
    );
    filters.push(
      block("FILTER", [
        ["Name", "kubernetes"],
        ["Match", `${tag}*`],
        ["Kube_Tag_Prefix", `${tag}var.log.containers.`],
        ["Merge_Log", "On"],
        ["Keep_Log", "Off"],
        ["Labels", "On"],
        ["Annotations", "Off"],
      ]),
    );
    outputs.push(
      block("OUTPUT", [
        ["Name", "cloudwatch_logs"],
        ["Match", `${tag}*`],
        ["region", o.region],
        ["log_group_name", o.logGroups[ns]],
        // Groups are created (with retention and the KMS key) by Pulumi; the agent may not create any.
        ["auto_create_group", "Off"],
        ["log_stream_prefix", "node-"],
        ["log_stream_template", "$kubernetes['pod_name'].$kubernetes['container_name']"],
        ["Retry_Limit", "5"],
      ]),
    );
  }
  return { service, inputs: inputs.join("\n\n"), filters: filters.join("\n\n"), outputs: outputs.join("\n\n") };
}

/**
 * Container logs to CloudWatch Logs (runbooks 001–003 "Log Aggregation"): Fluent Bit as a DaemonSet
 * (fluent/fluent-bit chart, pinned), one log group per namespace created here with the retention and a
 * customer-managed KMS key, an IRSA role that may only write streams of those groups (it cannot create
 * or delete groups, nor read logs), and a ServiceMonitor whose metrics LogShippingStalled watches.
 *
 * Reading the nodes' log files needs hostPath mounts and root's read access to files only root may
 * read, which no Pod Security level short of "privileged" admits: the agent runs in its own namespace
 * with a written exception (audit/warn stay restricted), keeps every other restriction (no privilege
 * escalation, all capabilities dropped, read-only root filesystem, RuntimeDefault seccomp).
 */
export class LogShipping extends pulumi.ComponentResource {
  /** Log group name per shipped namespace. */
  public readonly logGroupNames: Record<string, pulumi.Output<string>>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  public readonly agentNamespace: string;

  constructor(name: string, args: LogShippingArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "LogShipping";
    if (!/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(args.clusterName ?? "")) rejectArg(C, "clusterName", args.clusterName, "must be an EKS cluster name");
    if (!Array.isArray(args.namespaces) || args.namespaces.length === 0) rejectArg(C, "namespaces", args.namespaces, "must list at least one namespace");
    for (const ns of args.namespaces) if (!K8S_NAME.test(ns)) rejectArg(C, "namespaces", ns, "must be Kubernetes namespace names");
    if (new Set(args.namespaces).size !== args.namespaces.length) rejectArg(C, "namespaces", args.namespaces, "must not list a namespace twice");
    const retention = args.retentionDays ?? 90;
    if (!(RETENTION_DAYS as readonly number[]).includes(retention)) rejectArg(C, "retentionDays", retention, `must be one of ${RETENTION_DAYS.join(", ")} (CloudWatch Logs retention values)`);
    const agentNamespace = args.agentNamespace ?? "logging";
    if (!K8S_NAME.test(agentNamespace)) rejectArg(C, "agentNamespace", agentNamespace, "must be a Kubernetes namespace name");
    const chartVersion = args.chartVersion ?? FLUENT_BIT_CHART_VERSION;
    if (!/^\d+\.\d+\.\d+$/.test(chartVersion)) rejectArg(C, "chartVersion", chartVersion, 'must be an exact chart version such as "0.49.0"');
    const image = args.image ?? FLUENT_BIT_IMAGE;
    if (!isPinnedImage(`${image.repository}:${image.tag}`)) rejectArg(C, "image.tag", image.tag, "must be pinned by a tag other than latest");
    super("runbook:logging:LogShipping", name, {}, opts);
    this.agentNamespace = agentNamespace;

    const prefix = `/aws/eks/${args.clusterName}/containers`;
    const key = new aws.kms.Key(
      `${name}-key`,
      { description: `Container logs of ${args.clusterName} in CloudWatch Logs`, enableKeyRotation: true, deletionWindowInDays: 30, policy: logsEncryptingKeyPolicy(`${prefix}/*`, this), tags: args.tags },
      { parent: this },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.clusterName}-container-logs`, targetKeyId: key.keyId }, { parent: this });
    this.kmsKeyArn = key.arn;

    const groups = args.namespaces.map((ns) => new aws.cloudwatch.LogGroup(`${name}-${ns}`, { name: `${prefix}/${ns}`, retentionInDays: retention, kmsKeyId: key.arn, tags: args.tags }, { parent: this }));
    this.logGroupNames = Object.fromEntries(args.namespaces.map((ns, i) => [ns, groups[i].name]));

    // Write-only on exactly these groups' streams: no logs:CreateLogGroup, no reads, no other group.
    const policy = pulumi.all(groups.map((g) => g.arn)).apply((arns) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "DescribeStreamsOfItsGroups", Effect: "Allow", Action: ["logs:DescribeLogStreams"], Resource: arns.map((a) => `${a}:*`) },
          { Sid: "WriteStreamsOfItsGroups", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: arns.map((a) => `${a}:log-stream:*`) },
        ],
      }),
    );
    const role = new IrsaRole(`${name}-irsa`, { oidcProviderArn: args.oidcProviderArn, oidcIssuer: args.oidcIssuer, namespace: agentNamespace, serviceAccount: SERVICE_ACCOUNT, policy, tags: args.tags }, { parent: this });
    this.roleArn = role.roleArn;

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: agentNamespace,
          labels: {
            ...LIBRARY_LABELS,
            // A platform namespace (like monitoring): no application pods, the agent's egress is CloudWatch Logs over HTTPS.
            [NAMESPACE_KIND_LABEL]: "platform",
            "pod-security.kubernetes.io/enforce": "privileged",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "latest",
          },
          annotations: {
            "runbook.dev/pod-security-exception":
              "Fluent Bit reads the nodes' container log files: hostPath mounts of /var/log and a state directory, as root (the files are root-only); no privilege escalation, all capabilities dropped, read-only root filesystem",
          },
        },
      },
      { parent: this },
    );

    const config = pulumi.all([args.region, ...groups.map((g) => g.name)]).apply(([region, ...names]) =>
      fluentBitConfig({ namespaces: args.namespaces, region, logGroups: Object.fromEntries(args.namespaces.map((n, i) => [n, names[i]])) }),
    );
    new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "fluent-bit",
        chart: "fluent-bit",
        version: chartVersion,
        repositoryOpts: { repo: CHART_REPO },
        namespace: ns.metadata.name,
        createNamespace: false,
        atomic: true,
        timeout: 600,
        values: {
          kind: "DaemonSet",
          image: { repository: image.repository, tag: image.tag, pullPolicy: "IfNotPresent" },
          serviceAccount: { create: true, name: SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": role.roleArn } },
          // The kubernetes filter reads pod metadata; the chart's ClusterRole grants get/list/watch on pods and namespaces only.
          rbac: { create: true, nodeAccess: false },
          podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
          securityContext: {
            runAsUser: 0,
            runAsNonRoot: false,
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
          // Every node's logs, including tainted system nodes.
          tolerations: [{ operator: "Exists" }],
          priorityClassName: "system-node-critical",
          env: [{ name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" }],
          extraVolumes: [{ name: "state", hostPath: { path: "/var/fluent-bit/state", type: "DirectoryOrCreate" } }],
          extraVolumeMounts: [{ name: "state", mountPath: "/var/fluent-bit/state" }],
          metricsPort: 2020,
          serviceMonitor: {
            enabled: true,
            interval: "30s",
            scrapeTimeout: "10s",
            selector: { ...LIBRARY_LABELS, ...(args.monitorLabels ?? {}) },
          },
          config: {
            service: config.service,
            inputs: config.inputs,
            filters: config.filters,
            outputs: config.outputs,
          },
        },
      },
      { parent: this },
    );
    this.registerOutputs({ logGroupNames: this.logGroupNames, kmsKeyArn: this.kmsKeyArn, roleArn: this.roleArn });
  }
}
