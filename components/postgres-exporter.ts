import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { rejectArg } from "../core/errors";
import { LIBRARY_LABELS } from "../core/labels";
import { ContainerResources, checkResources, isPinnedImage, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./postgres-backup-jobs";
import { exporterWorkload } from "./exporter-workload";
import { readProjectFile } from "../core/project-file";
import { K8S_NAME } from "../core/patterns";

// The exporter and client image pins live in the versions table (core/versions.ts).
import { POSTGRES_CLIENT_IMAGES, POSTGRES_EXPORTER_IMAGE } from "../core/versions";
export { POSTGRES_EXPORTER_IMAGE };
/** Port postgres_exporter serves /metrics on. */
export const POSTGRES_EXPORTER_PORT = 9187;
/** A PostgreSQL role name the bootstrap SQL accepts (lowercase identifier, not a reserved pg_ prefix). */
const ROLE_NAME = /^(?!pg_)[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresExporterArgs {
  /** Namespace postgres_exporter runs in (the monitoring namespace: Prometheus scrapes it there). No default. */
  namespace: pulumi.Input<string>;
  /** Namespace of the bootstrap Job; the master connection Secret must be there (the application namespace). No default. */
  bootstrapNamespace: pulumi.Input<string>;
  /** Secret in bootstrapNamespace with the master user's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE. @default "postgres-connection" */
  masterConnectionSecretName?: string;
  /** Database endpoint (address, no port). No default. */
  host: pulumi.Input<string>;
  /** Database port. @default 5432 */
  port?: pulumi.Input<number>;
  /** Database the exporter connects to. No default. */
  databaseName: pulumi.Input<string>;
  /** The read-only role the bootstrap Job creates and the exporter logs in as. @default "monitoring" */
  monitoringUser?: string;
  /** Bump to rotate the monitoring role's password (one `pulumi up` sets it in the database and the exporter). @default 1 */
  passwordVersion?: number;
  /** postgres_exporter image, pinned. @default "quay.io/prometheuscommunity/postgres-exporter:v0.20.1" */
  image?: string;
  /** psql image for the bootstrap Job, pinned; psql ≥ 15 (the SQL reads its inputs with \getenv). @default "postgres:17.6-trixie" (POSTGRES_CLIENT_IMAGES["17"], Debian 13 base) */
  clientImage?: string;
  /** The exporter's resources. @default requests 50m/64Mi, limits 200m/128Mi */
  resources?: ContainerResources;
  /** Labels for the ServiceMonitor (e.g. an existing Prometheus' serviceMonitorSelector). @default {} */
  monitorLabels?: Record<string, string>;
}

const DEFAULT_RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };
const BOOTSTRAP_RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } };
const SCRIPTS_MOUNT = "/opt/runbook-monitoring";

/**
 * postgres_exporter against the stack's RDS instance, logged in as a read-only monitoring role that a
 * bootstrap Job creates idempotently (runbook 002 "Database Access"): the master credentials stay in
 * the application namespace, where the Job runs; the exporter in the monitoring namespace only ever
 * sees the monitoring role's password (a generated Pulumi secret). It produces `pg_up`,
 * `pg_stat_database_*` and `pg_settings_*`, which DatabaseDown, DatabaseConnectionsHigh and the
 * database dashboards read. TLS is required (`sslmode=require`): the parameter group forces it.
 */
export class PostgresExporter extends pulumi.ComponentResource {
  public readonly monitoringUser: string;
  /** The monitoring role's password (secret). */
  public readonly monitoringPassword: pulumi.Output<string>;
  public readonly bootstrapJobName: pulumi.Output<string>;
  public readonly deploymentName: pulumi.Output<string>;
  public readonly serviceMonitorName: pulumi.Output<string>;

  constructor(name: string, args: PostgresExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "PostgresExporter";
    const user = args.monitoringUser ?? "monitoring";
    if (!ROLE_NAME.test(user)) rejectArg(C, "monitoringUser", user, "must be a lowercase PostgreSQL role name (letters, digits, '_', at most 63, not starting with pg_)");
    const masterSecret = args.masterConnectionSecretName ?? "postgres-connection";
    if (!K8S_NAME.test(masterSecret)) rejectArg(C, "masterConnectionSecretName", masterSecret, "must be a Kubernetes Secret name");
    const version = args.passwordVersion ?? 1;
    if (!Number.isInteger(version) || version < 1) rejectArg(C, "passwordVersion", version, "must be a whole number ≥ 1");
    const image = args.image ?? POSTGRES_EXPORTER_IMAGE;
    if (!isPinnedImage(image)) rejectArg(C, "image", image, "must be pinned by a tag other than latest or by digest");
    const clientImage = args.clientImage ?? POSTGRES_CLIENT_IMAGES["17"];
    if (!isPinnedImage(clientImage)) rejectArg(C, "clientImage", clientImage, "must be pinned by a tag other than latest or by digest");
    const major = Number(/^postgres:(\d+)/.exec(clientImage)?.[1] ?? NaN);
    if (major < 15) rejectArg(C, "clientImage", clientImage, "must carry psql 15 or newer (the bootstrap SQL uses \\getenv)");
    const resources = args.resources ?? DEFAULT_RESOURCES;
    checkResources(C, "resources", resources);
    super("runbook:monitoring:PostgresExporter", name, {}, opts);

    this.monitoringUser = user;
    // RDS passwords: printable ASCII except / @ " and space; special characters are left out altogether.
    const password = new random.RandomPassword(`${name}-password`, { length: 40, special: false, keepers: { version: String(version) } }, { parent: this });
    this.monitoringPassword = password.result;
    const labels = { ...LIBRARY_LABELS, "app.kubernetes.io/name": "postgres-monitoring-role" };

    const bootstrapSecret = new k8s.core.v1.Secret(
      `${name}-bootstrap-secret`,
      {
        metadata: { name: "postgres-monitoring-role", namespace: args.bootstrapNamespace, labels },
        type: "Opaque",
        stringData: pulumi.secret(pulumi.all([password.result]).apply(([p]) => ({ MONITORING_USER: user, MONITORING_PASSWORD: p }))),
      },
      { parent: this },
    );
    const scripts = new k8s.core.v1.ConfigMap(
      `${name}-bootstrap-scripts`,
      {
        metadata: { name: "postgres-monitoring-role-scripts", namespace: args.bootstrapNamespace, labels },
        data: {
          "bootstrap-monitoring-role.sh": readProjectFile("scripts/monitoring/bootstrap-monitoring-role.sh"),
          "monitoring-role.sql": readProjectFile("scripts/monitoring/monitoring-role.sql"),
        },
      },
      { parent: this },
    );
    // Auto-named, so that a change of the SQL or of the password version replaces the Job and it runs again.
    const sql = readProjectFile("scripts/monitoring/monitoring-role.sql");
    const job = new k8s.batch.v1.Job(
      `${name}-bootstrap`,
      {
        metadata: {
          namespace: args.bootstrapNamespace,
          labels: { ...labels, "app.kubernetes.io/component": "bootstrap" },
          annotations: { "runbook.dev/password-version": String(version), "runbook.dev/sql-sha": sha(sql), "runbook.dev/purpose": `creates or updates the read-only role ${user} (pg_monitor) that postgres_exporter uses` },
        },
        spec: {
          backoffLimit: 4,
          activeDeadlineSeconds: 600,
          template: {
            metadata: { labels: { ...labels, "app.kubernetes.io/component": "bootstrap" } },
            spec: {
              restartPolicy: "Never",
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(),
              containers: [
                {
                  name: "bootstrap",
                  image: clientImage,
                  imagePullPolicy: "IfNotPresent",
                  command: ["bash", `${SCRIPTS_MOUNT}/bootstrap-monitoring-role.sh`],
                  env: [{ name: "HOME", value: "/tmp" }],
                  envFrom: [{ secretRef: { name: masterSecret } }, { secretRef: { name: bootstrapSecret.metadata.name } }],
                  resources: BOOTSTRAP_RESOURCES,
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
            },
          },
        },
      },
      { parent: this },
    );
    this.bootstrapJobName = job.metadata.name;

    const exporterSecret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: "postgres-exporter", namespace: args.namespace, labels: { ...LIBRARY_LABELS, "app.kubernetes.io/name": "postgres-exporter" } },
        type: "Opaque",
        stringData: pulumi.secret(
          pulumi.all([args.host, args.port ?? 5432, args.databaseName, password.result]).apply(([host, port, db, p]) => ({
            DATA_SOURCE_URI: `${host}:${port}/${db}?sslmode=require`,
            DATA_SOURCE_USER: user,
            DATA_SOURCE_PASS: p,
          })),
        ),
      },
      { parent: this },
    );
    const secretRef = (key: string) => ({ name: key, valueFrom: { secretKeyRef: { name: exporterSecret.metadata.name, key } } });
    // The exporter starts once the role exists: before that it would only report pg_up 0 and page.
    const workload = exporterWorkload(this, name, {
      name: "postgres-exporter",
      namespace: args.namespace,
      image,
      port: POSTGRES_EXPORTER_PORT,
      env: [secretRef("DATA_SOURCE_URI"), secretRef("DATA_SOURCE_USER"), secretRef("DATA_SOURCE_PASS")],
      resources,
      monitorLabels: args.monitorLabels,
      // A new password must reach the running exporter: the version in the pod template rolls it.
      podAnnotations: { "runbook.dev/password-version": String(version), "runbook.dev/bootstrap-job": job.metadata.name },
    });
    this.deploymentName = workload.deployment.metadata.name;
    this.serviceMonitorName = workload.monitor.metadata.name;
    this.registerOutputs({ bootstrapJobName: this.bootstrapJobName, deploymentName: this.deploymentName, serviceMonitorName: this.serviceMonitorName });
  }
}

/** Short content hash for annotations (not security-relevant). */
function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
