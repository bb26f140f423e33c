import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { LIBRARY_LABELS } from "../core/labels";
import { ContainerResources, checkResources, isPinnedImage } from "./postgres-backup-jobs";
import { exporterWorkload } from "./exporter-workload";

// The image pin lives in the versions table (core/versions.ts).
import { REDIS_EXPORTER_IMAGE } from "../core/versions";
export { REDIS_EXPORTER_IMAGE };
/** Port redis_exporter serves /metrics on. */
export const REDIS_EXPORTER_PORT = 9121;

export interface RedisExporterArgs {
  /** Namespace redis_exporter runs in (the monitoring namespace). No default. */
  namespace: pulumi.Input<string>;
  /** Primary (or, in cluster mode, configuration) endpoint, without port. No default. */
  host: pulumi.Input<string>;
  /** Port. @default 6379 */
  port?: pulumi.Input<number>;
  /** The AUTH token (a secret). @default none (no AUTH) */
  authToken?: pulumi.Input<string>;
  /** In-transit encryption is on (ElastiCache `transitEncryptionEnabled`): connect with rediss://. @default true */
  tls?: boolean;
  /** The replication group runs in cluster mode: discover and scrape every shard. @default false */
  clusterMode?: boolean;
  /** redis_exporter image, pinned. @default "oliver006/redis_exporter:v1.91.1" */
  image?: string;
  /** The exporter's resources. @default requests 50m/64Mi, limits 200m/128Mi */
  resources?: ContainerResources;
  /** Labels for the ServiceMonitor. @default {} */
  monitorLabels?: Record<string, string>;
}

const DEFAULT_RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

/**
 * redis_exporter against the stack's ElastiCache replication group, over TLS, with the AUTH token from a
 * Secret in the monitoring namespace. It produces `redis_up` and `redis_keyspace_hits_total` /
 * `redis_keyspace_misses_total`, which RedisDown and the cache hit-rate panel read.
 *
 * ElastiCache offers either one AUTH token or RBAC users, not both, and this library uses the AUTH token
 * (RedisCache): the exporter cannot get a read-only user there. It skips CONFIG (ElastiCache refuses it)
 * and reads INFO; the token's copy lives in one Secret of the monitoring namespace.
 */
export class RedisExporter extends pulumi.ComponentResource {
  public readonly deploymentName: pulumi.Output<string>;
  public readonly serviceMonitorName: pulumi.Output<string>;

  constructor(name: string, args: RedisExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "RedisExporter";
    const image = args.image ?? REDIS_EXPORTER_IMAGE;
    if (!isPinnedImage(image)) rejectArg(C, "image", image, "must be pinned by a tag other than latest or by digest");
    const resources = args.resources ?? DEFAULT_RESOURCES;
    checkResources(C, "resources", resources);
    super("runbook:monitoring:RedisExporter", name, {}, opts);

    const tls = args.tls ?? true;
    const env: k8s.types.input.core.v1.EnvVar[] = [
      { name: "REDIS_ADDR", value: pulumi.interpolate`${tls ? "rediss" : "redis"}://${args.host}:${args.port ?? 6379}` },
      // ElastiCache rejects CONFIG; without this the exporter logs an error on every scrape.
      { name: "REDIS_EXPORTER_CONFIG_COMMAND", value: "-" },
      ...(args.clusterMode ? [{ name: "REDIS_EXPORTER_IS_CLUSTER", value: "true" }] : []),
    ];
    if (args.authToken !== undefined) {
      const secret = new k8s.core.v1.Secret(
        `${name}-secret`,
        {
          metadata: { name: "redis-exporter", namespace: args.namespace, labels: { ...LIBRARY_LABELS, "app.kubernetes.io/name": "redis-exporter" } },
          type: "Opaque",
          stringData: { REDIS_PASSWORD: pulumi.secret(args.authToken) },
        },
        { parent: this },
      );
      env.push({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "REDIS_PASSWORD" } } });
    }
    const workload = exporterWorkload(this, name, { name: "redis-exporter", namespace: args.namespace, image, port: REDIS_EXPORTER_PORT, env, resources, monitorLabels: args.monitorLabels });
    this.deploymentName = workload.deployment.metadata.name;
    this.serviceMonitorName = workload.monitor.metadata.name;
    this.registerOutputs({ deploymentName: this.deploymentName, serviceMonitorName: this.serviceMonitorName });
  }
}
