/**
 * The shape every metrics exporter of the library shares (postgres_exporter, redis_exporter, the
 * CloudWatch exporter, log agents' metrics): one Deployment whose pod meets Pod Security "restricted",
 * a ClusterIP Service with a `metrics` port, and a ServiceMonitor so the Prometheus Operator scrapes it.
 * Not a component: the exporter components call it with `{ parent: this }`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LIBRARY_LABELS } from "../core/labels";
import type { ContainerResources } from "./postgres-backup-jobs";

/** UID/GID the exporter images run as (nobody); none of them needs a named user or a writable root filesystem. */
export const EXPORTER_UID = 65534;

export interface ExporterWorkloadSpec {
  /** Object name (Deployment, Service, ServiceMonitor) and `app.kubernetes.io/name`. */
  name: string;
  namespace: pulumi.Input<string>;
  image: string;
  /** Port the exporter serves /metrics on. */
  port: number;
  args?: string[];
  env?: k8s.types.input.core.v1.EnvVar[];
  resources: ContainerResources;
  /** Labels for the ServiceMonitor (an existing Prometheus' serviceMonitorSelector). */
  monitorLabels?: Record<string, string>;
  /** Scrape interval. CloudWatch data arrives per minute, so its exporter is scraped less often. */
  scrapeInterval?: string;
  serviceAccountName?: pulumi.Input<string>;
  volumes?: k8s.types.input.core.v1.Volume[];
  volumeMounts?: k8s.types.input.core.v1.VolumeMount[];
  /** Pod annotations, e.g. a checksum of the config so a change rolls the pod. */
  podAnnotations?: Record<string, pulumi.Input<string>>;
}

export interface ExporterWorkload {
  deployment: k8s.apps.v1.Deployment;
  service: k8s.core.v1.Service;
  monitor: k8s.apiextensions.CustomResource;
}

/** Creates the exporter's Deployment, Service and ServiceMonitor as children of `parent`. */
export function exporterWorkload(parent: pulumi.Resource, resourceName: string, spec: ExporterWorkloadSpec): ExporterWorkload {
  const labels = { ...LIBRARY_LABELS, "app.kubernetes.io/name": spec.name, "app.kubernetes.io/component": "metrics-exporter" };
  const selector = { "app.kubernetes.io/name": spec.name, "app.kubernetes.io/part-of": LIBRARY_LABELS["app.kubernetes.io/part-of"] };
  const deployment = new k8s.apps.v1.Deployment(
    `${resourceName}-deployment`,
    {
      metadata: { name: spec.name, namespace: spec.namespace, labels },
      spec: {
        // One replica: a second would double every series; a restart costs one or two scrapes.
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, ...(spec.podAnnotations ? { annotations: spec.podAnnotations } : {}) },
          spec: {
            ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
            // Only the CloudWatch exporter has a ServiceAccount, and it needs the IRSA token, not the API token.
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: EXPORTER_UID, runAsGroup: EXPORTER_UID, fsGroup: EXPORTER_UID, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "exporter",
                image: spec.image,
                imagePullPolicy: "IfNotPresent",
                ...(spec.args ? { args: spec.args } : {}),
                ...(spec.env ? { env: spec.env } : {}),
                ports: [{ name: "metrics", containerPort: spec.port, protocol: "TCP" }],
                // The exporter answers even when its target is down (that is what *_up == 0 reports): TCP is the honest probe.
                readinessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 10, timeoutSeconds: 3 },
                livenessProbe: { tcpSocket: { port: "metrics" }, initialDelaySeconds: 15, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 6 },
                resources: spec.resources,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: EXPORTER_UID,
                  runAsGroup: EXPORTER_UID,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  privileged: false,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
                ...(spec.volumeMounts ? { volumeMounts: spec.volumeMounts } : {}),
              },
            ],
            ...(spec.volumes ? { volumes: spec.volumes } : {}),
          },
        },
      },
    },
    { parent },
  );
  const service = new k8s.core.v1.Service(
    `${resourceName}-service`,
    {
      metadata: { name: spec.name, namespace: spec.namespace, labels },
      spec: { type: "ClusterIP", selector, ports: [{ name: "metrics", port: spec.port, targetPort: "metrics", protocol: "TCP" }] },
    },
    { parent },
  );
  const monitor = new k8s.apiextensions.CustomResource(
    `${resourceName}-monitor`,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: spec.name, namespace: spec.namespace, labels: { ...labels, ...(spec.monitorLabels ?? {}) } },
      spec: {
        selector: { matchLabels: selector },
        endpoints: [{ port: "metrics", path: "/metrics", interval: spec.scrapeInterval ?? "30s", scrapeTimeout: "10s" }],
      },
    },
    { parent },
  );
  return { deployment, service, monitor };
}
