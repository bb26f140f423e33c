import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { LIBRARY_LABELS } from "../core/labels";
import { cpuCores, memoryGiB } from "../core/quantities";
import { CPU_QUANTITY as CPU, MEMORY_QUANTITY as MEMORY } from "../core/patterns";
import { NAMESPACE_KIND_LABEL } from "../core/network-flows";

/** Labels every Kubernetes object the library templates carries (the policy pack relies on them). */

/** Label that tells the monitoring stack to scrape and alert on a namespace. */
export const MONITORING_LABEL = "runbook.dev/monitoring";

export interface NamespaceQuota {
  /** Sum of CPU requests (`requests.cpu`), e.g. "40". No default. */
  requestsCpu: string;
  /** Sum of memory requests (`requests.memory`), e.g. "80Gi". No default. */
  requestsMemory: string;
  /** Sum of CPU limits (`limits.cpu`). @default none (not capped) */
  limitsCpu?: string;
  /** Sum of memory limits (`limits.memory`). @default none (not capped) */
  limitsMemory?: string;
  /** Most pods. @default none (not capped) */
  pods?: number;
  /** Most PersistentVolumeClaims. @default 0 */
  persistentVolumeClaims?: number;
}

export interface ContainerLimits {
  /** CPU request of a container that sets none. @default "100m" */
  defaultRequestCpu?: string;
  /** Memory request of a container that sets none. @default "128Mi" */
  defaultRequestMemory?: string;
  /** CPU limit of a container that sets none. @default "500m" */
  defaultLimitCpu?: string;
  /** Memory limit of a container that sets none. @default "512Mi" */
  defaultLimitMemory?: string;
  /** Largest CPU limit of one container. @default "4" */
  maxCpu?: string;
  /** Largest memory limit of one container. @default "8Gi" */
  maxMemory?: string;
}

export interface AppNamespaceArgs {
  /** Namespace name (physical, not prefixed: application pipelines deploy into it by name). No default. */
  namespace: string;
  /** Pod Security admission level enforced, audited and warned on. @default "restricted" */
  podSecurityLevel?: "restricted" | "baseline";
  /** Label the namespace for the monitoring stack (`runbook.dev/monitoring: enabled`). @default true */
  monitoring?: boolean;
  /** Extra namespace labels (e.g. `runbook.dev/role: dr`). @default {} */
  labels?: Record<string, string>;
  /** ResourceQuota of the namespace. @default none (no quota) */
  quota?: NamespaceQuota;
  /** LimitRange for containers; applied even without a quota so that every pod gets requests and limits. @default see ContainerLimits */
  limitRange?: ContainerLimits;
}


/**
 * An application namespace: Pod Security "restricted" enforced (plus audit and warn), the monitoring
 * label, a ResourceQuota and a LimitRange that gives every container requests and limits (a quota on
 * requests rejects pods without them). Application Deployments arrive from their own pipelines.
 */
export class AppNamespace extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly namespaceName: pulumi.Output<string>;
  public readonly quota?: k8s.core.v1.ResourceQuota;
  public readonly limitRange: k8s.core.v1.LimitRange;

  constructor(name: string, args: AppNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.namespace))
      rejectArg("AppNamespace", "namespace", args.namespace, "must be a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)");
    const level = args.podSecurityLevel ?? "restricted";
    if (level !== "restricted" && level !== "baseline") rejectArg("AppNamespace", "podSecurityLevel", level, "must be restricted or baseline");
    const limits: Required<ContainerLimits> = {
      defaultRequestCpu: "100m",
      defaultRequestMemory: "128Mi",
      defaultLimitCpu: "500m",
      defaultLimitMemory: "512Mi",
      maxCpu: "4",
      maxMemory: "8Gi",
      ...args.limitRange,
    };
    for (const [key, value] of Object.entries(limits)) {
      const cpu = key.toLowerCase().includes("cpu");
      if (!(cpu ? CPU : MEMORY).test(value) || !((cpu ? cpuCores(value) : memoryGiB(value)) > 0))
        rejectArg("AppNamespace", `limitRange.${key}`, value, cpu ? 'must be a CPU quantity above zero such as "250m" or "2"' : 'must be a memory quantity above zero such as "512Mi"');
    }
    if (cpuCores(limits.defaultRequestCpu) > cpuCores(limits.defaultLimitCpu))
      rejectArg("AppNamespace", "limitRange.defaultRequestCpu", limits.defaultRequestCpu, `must not exceed defaultLimitCpu (${limits.defaultLimitCpu})`);
    if (memoryGiB(limits.defaultRequestMemory) > memoryGiB(limits.defaultLimitMemory))
      rejectArg("AppNamespace", "limitRange.defaultRequestMemory", limits.defaultRequestMemory, `must not exceed defaultLimitMemory (${limits.defaultLimitMemory})`);
    if (cpuCores(limits.defaultLimitCpu) > cpuCores(limits.maxCpu))
      rejectArg("AppNamespace", "limitRange.defaultLimitCpu", limits.defaultLimitCpu, `must not exceed maxCpu (${limits.maxCpu})`);
    if (memoryGiB(limits.defaultLimitMemory) > memoryGiB(limits.maxMemory))
      rejectArg("AppNamespace", "limitRange.defaultLimitMemory", limits.defaultLimitMemory, `must not exceed maxMemory (${limits.maxMemory})`);
    const quota = args.quota;
    if (quota) {
      for (const key of ["requestsCpu", "limitsCpu"] as const)
        if (quota[key] !== undefined && (!CPU.test(quota[key]!) || !(cpuCores(quota[key]!) > 0)))
          rejectArg("AppNamespace", `quota.${key}`, quota[key], 'must be a CPU quantity above zero such as "40"');
      for (const key of ["requestsMemory", "limitsMemory"] as const)
        if (quota[key] !== undefined && (!MEMORY.test(quota[key]!) || !(memoryGiB(quota[key]!) > 0)))
          rejectArg("AppNamespace", `quota.${key}`, quota[key], 'must be a memory quantity above zero such as "80Gi"');
      if (quota.pods !== undefined && (!Number.isInteger(quota.pods) || quota.pods < 1)) rejectArg("AppNamespace", "quota.pods", quota.pods, "must be a positive integer");
      if (quota.limitsCpu !== undefined && cpuCores(quota.limitsCpu) < cpuCores(quota.requestsCpu))
        rejectArg("AppNamespace", "quota.limitsCpu", quota.limitsCpu, `must be at least requestsCpu (${quota.requestsCpu})`);
      if (quota.limitsMemory !== undefined && memoryGiB(quota.limitsMemory) < memoryGiB(quota.requestsMemory))
        rejectArg("AppNamespace", "quota.limitsMemory", quota.limitsMemory, `must be at least requestsMemory (${quota.requestsMemory})`);
    }
    super("runbook:scaling:AppNamespace", name, {}, opts);

    const labels: Record<string, string> = {
      ...LIBRARY_LABELS,
      "pod-security.kubernetes.io/enforce": level,
      "pod-security.kubernetes.io/enforce-version": "latest",
      // Audit and warn at "restricted" even when enforcing "baseline": the gap shows up in audit logs and kubectl.
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": "latest",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "latest",
      ...(args.monitoring ?? true ? { [MONITORING_LABEL]: "enabled" } : {}),
      // The policy pack requires default-deny NetworkPolicies in every application namespace.
      [NAMESPACE_KIND_LABEL]: "application",
      ...args.labels,
    };
    this.namespace = new k8s.core.v1.Namespace(name, { metadata: { name: args.namespace, labels } }, { parent: this });
    this.namespaceName = this.namespace.metadata.name;
    const metadata = (suffix: string) => ({ name: `${args.namespace}-${suffix}`, namespace: this.namespaceName, labels: { ...LIBRARY_LABELS } });

    if (quota) {
      const hard: Record<string, string> = { "requests.cpu": quota.requestsCpu, "requests.memory": quota.requestsMemory };
      if (quota.limitsCpu !== undefined) hard["limits.cpu"] = quota.limitsCpu;
      if (quota.limitsMemory !== undefined) hard["limits.memory"] = quota.limitsMemory;
      if (quota.pods !== undefined) hard.pods = String(quota.pods);
      hard.persistentvolumeclaims = String(quota.persistentVolumeClaims ?? 0);
      this.quota = new k8s.core.v1.ResourceQuota(`${name}-quota`, { metadata: metadata("quota"), spec: { hard } }, { parent: this });
    }

    this.limitRange = new k8s.core.v1.LimitRange(
      `${name}-limits`,
      {
        metadata: metadata("limits"),
        spec: {
          limits: [
            {
              type: "Container",
              defaultRequest: { cpu: limits.defaultRequestCpu, memory: limits.defaultRequestMemory },
              default: { cpu: limits.defaultLimitCpu, memory: limits.defaultLimitMemory },
              max: { cpu: limits.maxCpu, memory: limits.maxMemory },
            },
          ],
        },
      },
      { parent: this },
    );

    this.registerOutputs({ namespaceName: this.namespaceName });
  }
}
