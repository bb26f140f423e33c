import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { IrsaRole } from "./irsa-role";
import { readProjectFile } from "../core/project-file";
import { BACKUP_PREFIXES, backupAccessPolicy } from "./backup-bucket";
import { K8S_NAME } from "../core/patterns";
import {
  AWS_CLI_IMAGE,
  BackupDestinationArgs,
  BACKUP_KIND_LABEL,
  ContainerResources,
  SCRIPTS_MOUNT,
  awsCliTakesChecksumAlgorithm,
  backupCronJobSpec,
  checkResources,
  isCronSchedule,
  isPinnedImage,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "./postgres-backup-jobs";
import { LIBRARY_LABELS as BACKUP_LIBRARY_LABELS } from "../core/labels";

/** kubectl image with bash, tar and sha256sum (the export phase runs there). */
/** kubectl image, from the versions table (within one minor of the default EKS version). */
export { KUBECTL_IMAGE } from "../core/versions";
import { KUBECTL_IMAGE } from "../core/versions";

export interface KubernetesConfigBackupArgs extends BackupDestinationArgs {
  /** Namespace the CronJob runs in. No default. */
  namespace: string;
  /** Namespaces whose resources are exported. @default [namespace] */
  namespaces?: string[];
  /** Five-field cron expression, evaluated in UTC. @default "0 3 * * *" */
  schedule?: string;
  /** Also export Secrets, uploaded only with SSE-KMS under k8s-configs/secrets/. @default true */
  includeSecrets?: boolean;
  /** kubectl image, pinned. @default "alpine/k8s:1.31.4" */
  kubectlImage?: string;
  /** AWS CLI image, pinned. @default "amazon/aws-cli:2.17.50" */
  awsCliImage?: string;
  /** Resources of each of the two containers. @default requests 100m/256Mi, limits 500m/512Mi */
  resources?: ContainerResources;
  /** Extra labels for every object. @default {} */
  labels?: Record<string, string>;
  /** Tags for the IAM role. @default {} */
  tags?: Record<string, string>;
}

const DEFAULT_RESOURCES: ContainerResources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

/** Fixed object names (namespaced ones; the cluster-scoped ones carry the namespace). */
export const K8S_CONFIG_BACKUP_NAMES = { cronJob: "k8s-config-backup", serviceAccount: "k8s-config-backup", scripts: "k8s-config-backup-scripts" } as const;

/**
 * Kubernetes configuration backup (runbook 001 "Configuration Backup", runbook 002 "Application State
 * Backup"): a CronJob exports every listable resource of the chosen namespaces and all CRDs as YAML
 * and uploads the archive under k8s-configs/. Its RBAC is read-only (get/list). Secrets travel in a
 * memory-backed volume and land only under k8s-configs/secrets/ with SSE-KMS, which the bucket policy
 * enforces; the IRSA role may write nothing but k8s-configs/.
 */
export class KubernetesConfigBackup extends pulumi.ComponentResource {
  public readonly cronJobName: pulumi.Output<string>;
  public readonly serviceAccountName: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  public readonly clusterRoleName: pulumi.Output<string>;

  constructor(name: string, args: KubernetesConfigBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "KubernetesConfigBackup";
    if (!K8S_NAME.test(args.namespace ?? "")) rejectArg(C, "namespace", args.namespace, "must be a Kubernetes namespace name");
    const namespaces = args.namespaces ?? [args.namespace];
    if (!Array.isArray(namespaces) || namespaces.length === 0) rejectArg(C, "namespaces", namespaces, "must list at least one namespace");
    for (const ns of namespaces) if (!K8S_NAME.test(ns)) rejectArg(C, "namespaces", ns, "must be Kubernetes namespace names");
    if (new Set(namespaces).size !== namespaces.length) rejectArg(C, "namespaces", namespaces, "must not repeat a namespace");
    const schedule = args.schedule ?? "0 3 * * *";
    if (!isCronSchedule(schedule)) rejectArg(C, "schedule", schedule, 'must be a five-field cron expression such as "0 3 * * *"');
    const kubectlImage = args.kubectlImage ?? KUBECTL_IMAGE;
    if (!isPinnedImage(kubectlImage)) rejectArg(C, "kubectlImage", kubectlImage, "must be pinned by a tag other than latest or by digest");
    const awsCliImage = args.awsCliImage ?? AWS_CLI_IMAGE;
    if (!isPinnedImage(awsCliImage)) rejectArg(C, "awsCliImage", awsCliImage, "must be pinned by a tag other than latest or by digest");
    const resources = args.resources ?? DEFAULT_RESOURCES;
    checkResources(C, "resources", resources);
    super("runbook:backup:KubernetesConfigBackup", name, {}, opts);

    const ns = args.namespace;
    const labels = { ...BACKUP_LIBRARY_LABELS, "app.kubernetes.io/name": "k8s-config-backup", ...(args.labels ?? {}) };
    const cronLabels = { ...labels, [BACKUP_KIND_LABEL]: "k8s-config" };
    const includeSecrets = args.includeSecrets ?? true;

    const role = new IrsaRole(
      `${name}-irsa`,
      {
        oidcProviderArn: args.oidcProviderArn,
        oidcIssuer: args.oidcIssuer,
        namespace: ns,
        serviceAccount: K8S_CONFIG_BACKUP_NAMES.serviceAccount,
        policy: backupAccessPolicy(args.bucketArn, args.kmsKeyArn, { put: [BACKUP_PREFIXES.kubernetesConfig] }),
        tags: args.tags,
      },
      { parent: this },
    );
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: K8S_CONFIG_BACKUP_NAMES.serviceAccount, namespace: ns, labels, annotations: { "eks.amazonaws.com/role-arn": role.roleArn } } },
      { parent: this },
    );

    // Cluster-scoped reads: CRDs and the Namespace objects themselves. Named after the job's namespace: ClusterRoles are global.
    const clusterRole = new k8s.rbac.v1.ClusterRole(
      `${name}-read`,
      {
        metadata: { name: `${ns}-k8s-config-backup-read`, labels },
        rules: [
          { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list"] },
          { apiGroups: [""], resources: ["namespaces"], resourceNames: namespaces, verbs: ["get"] },
        ],
      },
      { parent: this },
    );
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-read`,
      {
        metadata: { name: `${ns}-k8s-config-backup-read`, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns }],
      },
      { parent: this },
    );
    for (const target of namespaces) {
      // Every kind in the namespace, so that new CRD instances are backed up without a change here; read verbs only.
      const readRole = new k8s.rbac.v1.Role(
        `${name}-read-${target}`,
        { metadata: { name: "k8s-config-backup-read", namespace: target, labels }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["get", "list"] }] },
        { parent: this },
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-read-${target}`,
        {
          metadata: { name: "k8s-config-backup-read", namespace: target, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: readRole.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns }],
        },
        { parent: this },
      );
    }

    const scripts = new k8s.core.v1.ConfigMap(
      `${name}-scripts`,
      { metadata: { name: K8S_CONFIG_BACKUP_NAMES.scripts, namespace: ns, labels }, data: { "k8s-config-backup.sh": readProjectFile("scripts/backup/k8s-config-backup.sh") } },
      { parent: this },
    );

    const env = [
      { name: "HOME", value: "/tmp" },
      { name: "TMPDIR", value: "/tmp" },
      { name: "BACKUP_WORK_DIR", value: "/backup" },
      { name: "BACKUP_SECRETS_DIR", value: "/secrets" },
      { name: "BACKUP_NAMESPACES", value: namespaces.join(" ") },
      { name: "BACKUP_INCLUDE_SECRETS", value: String(includeSecrets) },
    ];
    const mounts = [
      { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true },
      { name: "work", mountPath: "/backup" },
      { name: "secrets", mountPath: "/secrets" },
      { name: "tmp", mountPath: "/tmp" },
    ];
    const container = (containerName: string, image: string, phase: string, extraEnv: Array<{ name: string; value: pulumi.Input<string> }>) => ({
      name: containerName,
      image,
      imagePullPolicy: "IfNotPresent",
      command: ["bash", `${SCRIPTS_MOUNT}/k8s-config-backup.sh`, "--phase", phase],
      env: [...env, ...extraEnv],
      resources,
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: mounts,
      // A failed run's last log lines (its `ERROR: <step>: ...` line, e.g. the APIs it could not read) become the termination message.
      terminationMessagePolicy: "FallbackToLogsOnError",
    });
    const podSpec: k8s.types.input.core.v1.PodSpec = {
      serviceAccountName: sa.metadata.name,
      securityContext: restrictedPodSecurityContext(),
      initContainers: [container("export", kubectlImage, "export", [])],
      containers: [
        container("upload", awsCliImage, "upload", [
          { name: "BACKUP_BUCKET", value: args.bucketName },
          { name: "BACKUP_KMS_KEY_ID", value: args.kmsKeyArn },
          { name: "AWS_REGION", value: args.region },
          { name: "AWS_DEFAULT_REGION", value: args.region },
          // Object Lock default retention refuses writes without a checksum (CLIs before 2.18 send Content-MD5 themselves).
          ...(awsCliTakesChecksumAlgorithm(awsCliImage) ? [{ name: "BACKUP_CHECKSUM_ALGORITHM", value: "SHA256" }] : []),
        ]),
      ],
      volumes: [
        { name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } },
        { name: "work", emptyDir: { sizeLimit: "2Gi" } },
        // Secrets never touch the node's disk unencrypted: tmpfs.
        { name: "secrets", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
        { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
      ],
    };
    const cron = new k8s.batch.v1.CronJob(
      `${name}-cronjob`,
      {
        metadata: { name: K8S_CONFIG_BACKUP_NAMES.cronJob, namespace: ns, labels: cronLabels },
        spec: backupCronJobSpec({
          kind: "k8s-config",
          schedule,
          timing: { startingDeadlineSeconds: 900, activeDeadlineSeconds: 1800, backoffLimit: 2 },
          podSpec,
          labels: cronLabels,
        }),
      },
      { parent: this },
    );

    this.cronJobName = cron.metadata.name;
    this.serviceAccountName = sa.metadata.name;
    this.roleArn = role.roleArn;
    this.clusterRoleName = clusterRole.metadata.name;
    this.registerOutputs({ cronJobName: this.cronJobName, serviceAccountName: this.serviceAccountName, roleArn: this.roleArn, clusterRoleName: this.clusterRoleName });
  }
}
