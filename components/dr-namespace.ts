import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { cpuCores, memoryGiB } from "../core/quantities";
import { AppNamespace, ContainerLimits } from "./app-namespace";
import { LIBRARY_LABELS } from "../core/labels";
import { groupProblem } from "../core/rbac";
import { ServiceScaling } from "./service-scaling";
import { ContainerResources, PostgresBackupJobs, PostgresBackupJobsArgs } from "./postgres-backup-jobs";
import { CPU_QUANTITY as CPU, K8S_NAME, MEMORY_QUANTITY as MEMORY } from "../core/patterns";

export interface DrServiceArgs {
  /** Name of the Deployment in the DR namespace (owned by the application pipeline). No default. */
  name: string;
  /** Replicas the service runs at once DR is active (runbook 001: 5). No default. */
  replicas: number;
  /** HPA ceiling at DR scale. @default max(replicas + 1, 2 × replicas) */
  maxReplicas?: number;
  /** Target average CPU utilisation (percent of requests). @default 70 unless targetMemoryUtilization is set */
  targetCpuUtilization?: number;
  /** Target average memory utilisation (percent of requests). @default none */
  targetMemoryUtilization?: number;
  /** Pod labels of the Deployment, for the PDB. @default { app: name } */
  selector?: Record<string, string>;
  /** Requests of one pod, for sizing the quota. No default. */
  podRequests: { cpu: string; memory: string };
}

/**
 * The restore template: the backup capability's `PostgresBackupJobs` with only its suspended restore
 * CronJob, pointed at the DR-region replica of the backup bucket (bucket, key and region of the replica).
 */
export type DrRestoreArgs = Omit<PostgresBackupJobsArgs, "namespace" | "daily" | "hourly" | "restore">;

export interface DrNamespaceArgs {
  /** The primary application namespace; the DR namespace is `<primaryNamespace>-dr`. No default. */
  primaryNamespace: string;
  /** Kubernetes provider of the cluster that hosts the DR namespace. No default. */
  provider: k8s.Provider;
  /** Services scaled in the DR namespace. No default. */
  services: DrServiceArgs[];
  /** Kubernetes group (from EKS access entries) that may operate the DR namespace. No default. */
  operatorGroup: string;
  /** The restore job template (see DrRestoreArgs). @default none (no restore template) */
  restore?: DrRestoreArgs;
  /** LimitRange of the DR namespace (the primary namespace's, so the same pods fit). @default AppNamespace's defaults */
  limitRange?: ContainerLimits;
  /** Quota headroom over every service at maxReplicas, for rolling-update surge pods (percent). @default 25 */
  surgePercent?: number;
}

/** PostgresBackupJobs' documented defaults, for sizing the quota around the restore pod. */
const RESTORE_DEFAULTS = { database: { cpu: "250m", memory: "512Mi" }, awsCli: { cpu: "100m", memory: "256Mi" } };

/** What the scheduler reserves for the restore pod: its init container and main container run one after the other. */
function restorePodRequests(restore: DrRestoreArgs): { cpu: number; memoryGiB: number } {
  const db: ContainerResources["requests"] = restore.databaseResources?.requests ?? RESTORE_DEFAULTS.database;
  const cli: ContainerResources["requests"] = restore.awsCliResources?.requests ?? RESTORE_DEFAULTS.awsCli;
  return { cpu: Math.max(cpuCores(db.cpu), cpuCores(cli.cpu)), memoryGiB: Math.max(memoryGiB(db.memory), memoryGiB(cli.memory)) };
}

/**
 * The DR namespace of runbook 001's "DR Site Activation": `<namespace>-dr` with Pod Security
 * "restricted", a quota that admits every DR service at its maximum, HPAs whose floor is the DR scale
 * (so activation is "deploy into it", not a hand-run `kubectl scale`), PDBs, a Role for the operators'
 * group, and the database restore as the backup capability's suspended restore CronJob, reading the
 * DR-region replica of the backup bucket, that an operator triggers with `kubectl create job --from`.
 */
export class DrNamespace extends pulumi.ComponentResource {
  public readonly namespaceName: pulumi.Output<string>;
  /** The DR namespace's name, known before apply (`<primaryNamespace>-dr`). */
  public readonly drNamespace: string;
  public readonly restoreCronJobName?: pulumi.Output<string>;
  /** The command that starts a restore, e.g. `kubectl -n stock-analysis-system-dr create job --from=cronjob/postgres-restore restore-$(date +%s)`. */
  public readonly restoreCommand?: string;
  /** The computed quota (requests over every service at maxReplicas plus surge and the restore pod). */
  public readonly quota: { requestsCpu: string; requestsMemory: string; pods: number };

  constructor(name: string, args: DrNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    const namespace = `${args.primaryNamespace}-dr`;
    if (!K8S_NAME.test(args.primaryNamespace) || !K8S_NAME.test(namespace))
      rejectArg("DrNamespace", "primaryNamespace", args.primaryNamespace, "must be a Kubernetes namespace name of at most 60 characters (the DR namespace adds '-dr')");
    const groupError = groupProblem(args.operatorGroup);
    if (groupError) rejectArg("DrNamespace", "operatorGroup", args.operatorGroup, groupError);
    if (!Array.isArray(args.services) || args.services.length === 0) rejectArg("DrNamespace", "services", args.services, "must list at least one service to run at DR scale");
    const surgePercent = args.surgePercent ?? 25;
    if (!Number.isInteger(surgePercent) || surgePercent < 0 || surgePercent > 100) rejectArg("DrNamespace", "surgePercent", surgePercent, "must be an integer from 0 to 100");
    const seen = new Set<string>();
    const services = args.services.map((s) => {
      if (!K8S_NAME.test(s.name) || seen.has(s.name)) rejectArg("DrNamespace", "services.name", s.name, "must be a unique Kubernetes Deployment name");
      seen.add(s.name);
      if (!Number.isInteger(s.replicas) || s.replicas < 1 || s.replicas > 1000) rejectArg("DrNamespace", `services[${s.name}].replicas`, s.replicas, "must be an integer from 1 to 1000");
      const maxReplicas = s.maxReplicas ?? Math.max(s.replicas + 1, 2 * s.replicas);
      if (!Number.isInteger(maxReplicas) || maxReplicas <= s.replicas)
        rejectArg("DrNamespace", `services[${s.name}].maxReplicas`, maxReplicas, `must be an integer above replicas (${s.replicas})`);
      if (!CPU.test(s.podRequests?.cpu ?? "") || !(cpuCores(s.podRequests.cpu) > 0))
        rejectArg("DrNamespace", `services[${s.name}].podRequests.cpu`, s.podRequests?.cpu, 'must be a CPU quantity above zero such as "250m"');
      if (!MEMORY.test(s.podRequests.memory ?? "") || !(memoryGiB(s.podRequests.memory) > 0))
        rejectArg("DrNamespace", `services[${s.name}].podRequests.memory`, s.podRequests.memory, 'must be a memory quantity above zero such as "512Mi"');
      const targetCpuUtilization = s.targetCpuUtilization ?? (s.targetMemoryUtilization === undefined ? 70 : undefined);
      return { ...s, maxReplicas, targetCpuUtilization };
    });
    const restore = args.restore;
    const connectionSecret = restore?.connectionSecretName ?? "postgres-connection";
    if (restore && !K8S_NAME.test(connectionSecret)) rejectArg("DrNamespace", "restore.connectionSecretName", connectionSecret, "must be a Kubernetes Secret name");

    // The quota must admit every service at its HPA maximum plus rolling-update surge, or the HPA stops
    // adding pods during a DR event without any error on the HPA itself.
    const factor = 1 + surgePercent / 100;
    const podsOf = (s: (typeof services)[number]) => Math.ceil(s.maxReplicas * factor);
    const restorePod = restore ? restorePodRequests(restore) : { cpu: 0, memoryGiB: 0 };
    const restorePods = restore ? 1 : 0;
    const cpu = services.reduce((sum, s) => sum + podsOf(s) * cpuCores(s.podRequests.cpu), 0) + restorePod.cpu;
    const memoryMi = services.reduce((sum, s) => sum + podsOf(s) * memoryGiB(s.podRequests.memory) * 1024, 0) + restorePod.memoryGiB * 1024;
    const quota = {
      requestsCpu: `${Math.ceil(cpu * 1000)}m`,
      requestsMemory: `${Math.ceil(memoryMi)}Mi`,
      pods: services.reduce((sum, s) => sum + podsOf(s), 0) + restorePods,
    };
    super("runbook:dr:DrNamespace", name, {}, opts);
    this.quota = quota;

    this.drNamespace = namespace;
    const provider = args.provider;
    const child = { parent: this, provider };
    const ns = new AppNamespace(
      `${name}-ns`,
      {
        namespace,
        labels: { "runbook.dev/role": "dr", "runbook.dev/primary-namespace": args.primaryNamespace },
        quota: { ...this.quota },
        limitRange: args.limitRange,
      },
      { parent: this, providers: { kubernetes: provider } },
    );
    this.namespaceName = ns.namespaceName;
    const labels = { ...LIBRARY_LABELS, "runbook.dev/role": "dr" };

    for (const s of services) {
      new ServiceScaling(
        `${name}-${s.name}`,
        {
          namespace: this.namespaceName,
          serviceName: s.name,
          minReplicas: s.replicas,
          maxReplicas: s.maxReplicas,
          targetCpuUtilization: s.targetCpuUtilization,
          targetMemoryUtilization: s.targetMemoryUtilization,
          selector: s.selector,
          labels: { "runbook.dev/role": "dr" },
        },
        { parent: this, providers: { kubernetes: provider } },
      );
    }

    const role = new k8s.rbac.v1.Role(
      `${name}-operator`,
      {
        metadata: { name: "dr-operator", namespace: this.namespaceName, labels },
        rules: [
          // Scale and roll the DR deployments (the runbook's `kubectl scale`), not create arbitrary workloads.
          { apiGroups: ["apps"], resources: ["deployments", "deployments/scale", "replicasets"], verbs: ["get", "list", "watch", "patch", "update"] },
          { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["get", "list", "watch", "patch"] },
          { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["get", "list", "watch"] },
          // Trigger the restore: `kubectl create job --from=cronjob/...` reads the CronJob and creates a Job.
          { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "create", "delete"] },
          { apiGroups: [""], resources: ["pods", "pods/log", "services", "endpoints", "events", "configmaps"], verbs: ["get", "list", "watch"] },
          // At activation the operator writes the DR database's connection Secret; reading Secrets is not granted.
          { apiGroups: [""], resources: ["secrets"], resourceNames: [connectionSecret], verbs: ["update", "patch"] },
          { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
        ],
      },
      child,
    );
    new k8s.rbac.v1.RoleBinding(
      `${name}-operator`,
      {
        metadata: { name: "dr-operator", namespace: this.namespaceName, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: args.operatorGroup }],
      },
      child,
    );

    if (restore) {
      const jobs = new PostgresBackupJobs(
        `${name}-restore`,
        { ...restore, namespace, restore: true, labels: { "runbook.dev/role": "dr", ...restore.labels } },
        { parent: this, providers: { kubernetes: provider }, dependsOn: [ns] },
      );
      this.restoreCronJobName = jobs.restoreCronJobName;
      this.restoreCommand = jobs.restoreCommand;
    }

    this.registerOutputs({ namespaceName: this.namespaceName, ...(this.restoreCronJobName ? { restoreCronJobName: this.restoreCronJobName } : {}) });
  }
}
