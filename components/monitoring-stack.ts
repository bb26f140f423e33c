import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { rejectArg } from "../core/errors";
import { durationSeconds } from "../monitoring/promql";
import { LIBRARY_LABELS } from "../core/labels";
import { NAMESPACE_KIND_LABEL } from "../core/network-flows";
import { DEFAULT_STORAGE_CLASS } from "./eks-cluster";

export interface MonitoringStackArgs {
  /** Namespace for Prometheus, Alertmanager, Grafana and the operator (Pod Security "restricted"). @default "monitoring" */
  namespace?: string;
  /** kube-prometheus-stack chart version, pinned exactly. @default "75.8.1" */
  chartVersion?: string;
  /** Prometheus retention; the 3-day SLO windows need at least 3d. @default "15d" */
  retention?: string;
  /** Prometheus persistent volume size in GiB. @default 50 */
  storageGiB?: number;
  /** StorageClass of Prometheus's claim, named explicitly (EKS ≥ 1.30 has no default class). @default "gp3-encrypted" (EksCluster's) */
  storageClassName?: pulumi.Input<string>;
  /** Secret (key alertmanager.yaml) the Alertmanager reads; see AlertmanagerConfig. @default "alertmanager-config" */
  alertmanagerSecretName?: string;
  /** Alertmanager replicas (they gossip, so 2+ survive a node loss without duplicate pages). @default 2 */
  alertmanagerReplicas?: number;
}

const CHART_REPO = "https://prometheus-community.github.io/helm-charts";
const RELEASE = "kube-prometheus-stack";

const RESTRICTED_POD = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } };
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };

/**
 * kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics,
 * node-exporter) from a pinned chart version. Prometheus selects every PrometheusRule/ServiceMonitor in
 * the cluster (not only the release's), the Alertmanager reads the config Secret that AlertmanagerConfig
 * renders, and Grafana loads dashboards from ConfigMaps labelled grafana_dashboard=1.
 *
 * node-exporter needs the host's network, PID namespace and filesystem, which no Pod Security level short
 * of "privileged" admits; it runs in its own namespace so that `monitoring` itself stays "restricted".
 */
export class MonitoringStack extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly releaseName: pulumi.Output<string>;
  /** In-cluster URLs, for Grafana data sources and runbook links. */
  public readonly prometheusUrl: pulumi.Output<string>;
  public readonly alertmanagerUrl: pulumi.Output<string>;
  /** Secret with Grafana's admin user and generated password (keys admin-user, admin-password). */
  public readonly grafanaAdminSecretName: pulumi.Output<string>;

  constructor(name: string, args: MonitoringStackArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const C = "MonitoringStack";
    const namespace = args.namespace ?? "monitoring";
    const chartVersion = args.chartVersion ?? "75.8.1";
    const retention = args.retention ?? "15d";
    const storageGiB = args.storageGiB ?? 50;
    const replicas = args.alertmanagerReplicas ?? 2;
    const secretName = args.alertmanagerSecretName ?? "alertmanager-config";
    if (!/^[a-z0-9]([-a-z0-9]{0,44}[a-z0-9])?$/.test(namespace)) rejectArg(C, "namespace", namespace, "must be a Kubernetes namespace name of at most 46 characters (it gets a -node-exporter sibling)");
    if (!/^\d+\.\d+\.\d+$/.test(chartVersion)) rejectArg(C, "chartVersion", chartVersion, 'must be an exact chart version such as "75.8.1" (no ranges: upgrades are reviewed changes)');
    if ((durationSeconds(retention) ?? 0) < 3 * 86400) rejectArg(C, "retention", retention, 'must be a Prometheus duration of at least "3d" (the slow SLO burn-rate window)');
    if (!Number.isInteger(storageGiB) || storageGiB < 10 || storageGiB > 16384) rejectArg(C, "storageGiB", storageGiB, "must be an integer from 10 to 16384");
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) rejectArg(C, "alertmanagerReplicas", replicas, "must be an integer from 1 to 5");
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(secretName)) rejectArg(C, "alertmanagerSecretName", secretName, "must be a Kubernetes Secret name");
    super("runbook:monitoring:MonitoringStack", name, {}, opts);

    const restricted = { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/audit-version": "latest", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "latest" };
    const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: namespace, labels: { ...LIBRARY_LABELS, ...restricted, [NAMESPACE_KIND_LABEL]: "platform" } } }, { parent: this });
    const nodeExporterNs = new k8s.core.v1.Namespace(
      `${name}-node-exporter-ns`,
      {
        metadata: {
          name: `${namespace}-node-exporter`,
          labels: { ...LIBRARY_LABELS, ...restricted, "pod-security.kubernetes.io/enforce": "privileged", [NAMESPACE_KIND_LABEL]: "platform" },
          annotations: { "runbook.dev/pod-security-exception": "node-exporter reads host metrics: hostNetwork, hostPID and hostPath mounts; audit/warn stay restricted so the exception stays visible" },
        },
      },
      { parent: this },
    );

    const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
    const grafanaAdmin = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: "grafana-admin", namespace: ns.metadata.name, labels: { ...LIBRARY_LABELS, "app.kubernetes.io/component": "grafana" } },
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": password.result },
      },
      { parent: this },
    );

    const values = {
      fullnameOverride: RELEASE,
      crds: { enabled: true },
      // Replaced by this library's alerts with runbook links (monitoring/catalogue.ts); the rest stay on.
      defaultRules: { create: true, disabled: { KubePodCrashLooping: true, KubeHpaMaxedOut: true, KubePersistentVolumeFillingUp: true } },
      prometheusOperator: {
        securityContext: RESTRICTED_POD,
        containerSecurityContext: RESTRICTED_CONTAINER,
        admissionWebhooks: { patch: { securityContext: RESTRICTED_POD } },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
      },
      prometheus: {
        prometheusSpec: {
          retention,
          // Select rules, monitors and probes from every namespace, not only those labelled with this release.
          ruleSelectorNilUsesHelmValues: false,
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          securityContext: { ...RESTRICTED_POD, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 },
          resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
          storageSpec: { volumeClaimTemplate: { spec: { storageClassName: args.storageClassName ?? DEFAULT_STORAGE_CLASS, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${storageGiB}Gi` } } } } },
        },
      },
      alertmanager: {
        alertmanagerSpec: {
          replicas,
          useExistingSecret: true,
          configSecret: secretName,
          securityContext: { ...RESTRICTED_POD, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 },
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
        },
      },
      grafana: {
        admin: { existingSecret: grafanaAdmin.metadata.name, userKey: "admin-user", passwordKey: "admin-password" },
        securityContext: { ...RESTRICTED_POD, runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
        containerSecurityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        sidecar: {
          dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL", folderAnnotation: "grafana_folder", provider: { foldersFromFilesStructure: true } },
          datasources: { enabled: true, uid: "prometheus" },
        },
      },
      // Backup alerts join Jobs to CronJobs by the runbook.dev/backup label; kube-state-metrics exports only allow-listed labels.
      "kube-state-metrics": {
        metricLabelsAllowlist: ["cronjobs=[runbook.dev/backup]"],
        securityContext: RESTRICTED_POD,
        containerSecurityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
      },
      "prometheus-node-exporter": {
        namespaceOverride: `${namespace}-node-exporter`,
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
      },
    };

    const release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: RELEASE,
        chart: "kube-prometheus-stack",
        version: chartVersion,
        repositoryOpts: { repo: CHART_REPO },
        namespace: ns.metadata.name,
        createNamespace: false,
        atomic: true,
        timeout: 900,
        values,
      },
      { parent: this, dependsOn: [ns, nodeExporterNs, grafanaAdmin] },
    );

    this.namespace = ns.metadata.name;
    this.releaseName = release.name;
    this.prometheusUrl = pulumi.interpolate`http://${RELEASE}-prometheus.${ns.metadata.name}.svc:9090`;
    this.alertmanagerUrl = pulumi.interpolate`http://${RELEASE}-alertmanager.${ns.metadata.name}.svc:9093`;
    this.grafanaAdminSecretName = grafanaAdmin.metadata.name;
    this.registerOutputs({
      namespace: this.namespace,
      releaseName: this.releaseName,
      prometheusUrl: this.prometheusUrl,
      alertmanagerUrl: this.alertmanagerUrl,
      grafanaAdminSecretName: this.grafanaAdminSecretName,
    });
  }
}
