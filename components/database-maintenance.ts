import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { BACKUP_KIND_LABEL, ContainerResources, POSTGRES_CLIENT_IMAGES, backupCronJobSpec, checkResources, isPinnedImage, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./postgres-backup-jobs";
import { LIBRARY_LABELS as BACKUP_LIBRARY_LABELS } from "../core/labels";
import { readProjectFile } from "../core/project-file";
import { K8S_NAME, isCronSchedule } from "../core/patterns";

/** Value of the `runbook.dev/backup` label: the backup alerts (BackupJobFailed, DatabaseMaintenanceOverdue) watch it. */
export const DATABASE_MAINTENANCE_KIND = "db-maintenance";

export interface DatabaseMaintenanceArgs {
  /** Namespace the CronJob runs in; the connection Secret must be there. No default. */
  namespace: pulumi.Input<string>;
  /** Secret with PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE of a role that owns the tables (VACUUM needs the owner). @default "postgres-connection" */
  connectionSecretName?: string;
  /** Five-field cron, UTC; inside the database's maintenance window. @default "0 3 * * 0" (Sunday 03:00, runbook 002) */
  schedule?: string;
  /** PostgreSQL client image, pinned (vacuumdb/psql of the server's major or newer). @default "postgres:16.6-bookworm" */
  image?: string;
  /** Extra SQL run after VACUUM (ANALYZE), e.g. the application's REINDEX or log cleanup. @default none */
  extraSql?: string;
  /** Resources of the job's container. @default requests 100m/128Mi, limits 500m/256Mi */
  resources?: ContainerResources;
}

const DEFAULT_RESOURCES: ContainerResources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
const SCRIPTS_MOUNT = "/opt/runbook-maintenance";

/**
 * Weekly database maintenance (runbook 002 "Database Maintenance", Sundays 03:00): `vacuumdb --analyze`
 * over every table, then optional application SQL, as a CronJob inside the database's maintenance
 * window. It is labelled like the backup jobs (`runbook.dev/backup: db-maintenance`), so a failed run
 * raises BackupJobFailed and a week without success DatabaseMaintenanceOverdue, through the same routes.
 */
export class DatabaseMaintenance extends pulumi.ComponentResource {
  public readonly cronJobName: pulumi.Output<string>;

  constructor(name: string, args: DatabaseMaintenanceArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "DatabaseMaintenance";
    const schedule = args.schedule ?? "0 3 * * 0";
    if (!isCronSchedule(schedule)) rejectArg(C, "schedule", schedule, 'must be a five-field cron expression such as "0 3 * * 0"');
    const secretName = args.connectionSecretName ?? "postgres-connection";
    if (!K8S_NAME.test(secretName)) rejectArg(C, "connectionSecretName", secretName, "must be a Kubernetes Secret name");
    const image = args.image ?? POSTGRES_CLIENT_IMAGES["16"];
    if (!isPinnedImage(image)) rejectArg(C, "image", image, "must be pinned by a tag other than latest or by digest");
    const resources = args.resources ?? DEFAULT_RESOURCES;
    checkResources(C, "resources", resources);
    super("runbook:data:DatabaseMaintenance", name, {}, opts);

    const labels = { ...BACKUP_LIBRARY_LABELS, "app.kubernetes.io/name": "database-maintenance", [BACKUP_KIND_LABEL]: DATABASE_MAINTENANCE_KIND };
    const scripts = new k8s.core.v1.ConfigMap(
      `${name}-scripts`,
      { metadata: { name: "database-maintenance-scripts", namespace: args.namespace, labels }, data: { "pg-maintenance.sh": readProjectFile("scripts/maintenance/pg-maintenance.sh") } },
      { parent: this },
    );
    const podSpec: k8s.types.input.core.v1.PodSpec = {
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext(),
      containers: [
        {
          name: "maintenance",
          image,
          imagePullPolicy: "IfNotPresent",
          command: ["bash", `${SCRIPTS_MOUNT}/pg-maintenance.sh`],
          env: [{ name: "HOME", value: "/tmp" }, ...(args.extraSql ? [{ name: "MAINTENANCE_SQL", value: args.extraSql }] : [])],
          envFrom: [{ secretRef: { name: secretName } }],
          resources,
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [
            { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
          ],
        },
      ],
      volumes: [
        { name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } },
        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      ],
    };
    const cron = new k8s.batch.v1.CronJob(
      `${name}-cronjob`,
      {
        metadata: { name: "database-maintenance", namespace: args.namespace, labels },
        spec: backupCronJobSpec({
          kind: DATABASE_MAINTENANCE_KIND as never,
          schedule,
          // A VACUUM of a large database takes a while; it must end with the 3-hour maintenance window. One retry.
          timing: { startingDeadlineSeconds: 900, activeDeadlineSeconds: 3 * 3600 - 900, backoffLimit: 1 },
          podSpec,
          labels,
        }),
      },
      { parent: this },
    );
    this.cronJobName = cron.metadata.name;
    this.registerOutputs({ cronJobName: this.cronJobName });
  }
}
