/**
 * Stack keys of the application namespace and its services (`runbook-infra:application`): the
 * namespace with its quota and default limits, one autoscaled service per Deployment that the
 * application pipelines own, and the capacity-plan inputs (current load and monthly growth).
 */
import { z } from "zod";
import { K8S_LABEL_KEY, K8S_LABEL_VALUE } from "../../core/labels";
import { bool, cpuQuantity, int, k8sName, memoryQuantity, num, oneOf, str } from "./fields";
import type { Refinement, Report } from "./refinement";
import { cpuCores, memoryGiB, podsOf, surged, ROLLOUT_SURGE_PERCENT } from "../../core/quantities";
import { checkService } from "../../core/service-rules";
export { cpuCores, memoryGiB, podsOf, surged, ROLLOUT_SURGE_PERCENT, checkService };
export type { ServiceRules } from "../../core/service-rules";

// ---------------------------------------------------------------------------------------------------
// Quantities. The schema accepts the common Kubernetes spellings; these turn them into numbers so that
// cross-key rules (quota ≥ what the HPAs may ask for) can compare them.

/** A PDB bound: a pod count or a percentage string such as "50%". */
const disruptionBound = () =>
  z.union([int(0, 10000), str(/^(100|[1-9]?\d)%$/, 'a pod count or a percentage from "0%" to "100%"')], {
    error: 'must be a pod count (integer) or a percentage such as "50%"',
  });

// ---------------------------------------------------------------------------------------------------

export const resourceQuotaSchema = z
  .object({
    /** Sum of CPU requests of all pods in the namespace (`requests.cpu`). No default. */
    requestsCpu: cpuQuantity(),
    /** Sum of memory requests (`requests.memory`). No default. */
    requestsMemory: memoryQuantity(),
    /** Sum of CPU limits (`limits.cpu`). @default none (not capped) */
    limitsCpu: cpuQuantity().optional(),
    /** Sum of memory limits (`limits.memory`). @default none (not capped) */
    limitsMemory: memoryQuantity().optional(),
    /** Most pods in the namespace, including Job/CronJob pods. @default none (not capped) */
    pods: int(1, 100000).optional(),
    /** Most PersistentVolumeClaims. @default 0 (stateful data lives in RDS/ElastiCache, not in the namespace) */
    persistentVolumeClaims: int(0, 1000).default(0),
  })
  .strict();

export const limitRangeSchema = z
  .object({
    /** CPU request given to a container that sets none. @default "100m" */
    defaultRequestCpu: cpuQuantity().default("100m"),
    /** Memory request given to a container that sets none. @default "128Mi" */
    defaultRequestMemory: memoryQuantity().default("128Mi"),
    /** CPU limit given to a container that sets none. @default "500m" */
    defaultLimitCpu: cpuQuantity().default("500m"),
    /** Memory limit given to a container that sets none. @default "512Mi" */
    defaultLimitMemory: memoryQuantity().default("512Mi"),
    /** Largest CPU limit one container may set. @default "4" */
    maxCpu: cpuQuantity().default("4"),
    /** Largest memory limit one container may set. @default "8Gi" */
    maxMemory: memoryQuantity().default("8Gi"),
  })
  .strict();

export const scalingBehaviorSchema = z
  .object({
    /** Window (s) whose lowest recommendation the HPA scales up to, so a short spike does not add pods. @default 60 */
    scaleUpStabilizationSeconds: int(0, 3600).default(60),
    /** Most pods added per period. @default 4 */
    scaleUpMaxPods: int(1, 1000).default(4),
    /** Most pods added per period, as a percentage of the current count (the larger of the two applies). @default 100 */
    scaleUpMaxPercent: int(1, 1000).default(100),
    /** Length of one scale-up period. @default 60 */
    scaleUpPeriodSeconds: int(1, 1800).default(60),
    /** Window (s) whose highest recommendation the HPA scales down to, so a short lull does not remove pods. @default 300 */
    scaleDownStabilizationSeconds: int(0, 3600).default(300),
    /** Most pods removed per period, as a percentage of the current count. @default 50 */
    scaleDownMaxPercent: int(1, 100).default(50),
    /** Length of one scale-down period. @default 60 */
    scaleDownPeriodSeconds: int(1, 1800).default(60),
  })
  .strict();

export const disruptionBudgetSchema = z
  .object({
    /** Pods that must stay up during a voluntary disruption (node drain). @default none */
    minAvailable: disruptionBound().optional(),
    /** Pods that may be down during a voluntary disruption. @default 1 when minAvailable is not set */
    maxUnavailable: disruptionBound().optional(),
  })
  .strict();

export const serviceSchema = z
  .object({
    /** Name of the Deployment (owned by the application's pipeline) that the HPA scales. No default. */
    name: k8sName(),
    /** Scale with an HPA; false keeps the replica count with the pipeline (then minReplicas = maxReplicas). @default true */
    autoscale: bool().default(true),
    /** Fewest replicas. No default. */
    minReplicas: int(1, 1000),
    /** Most replicas (the HPA's ceiling). No default. */
    maxReplicas: int(1, 1000),
    /** Target average CPU utilisation, percent of requests. @default none */
    targetCpuUtilization: int(1, 100).optional(),
    /** Target average memory utilisation, percent of requests. @default none */
    targetMemoryUtilization: int(1, 100).optional(),
    /** Explicit opt-out from the production rule minReplicas ≥ 2 (a singleton worker, say). @default false */
    allowSingleReplica: bool().default(false),
    /** Labels of the Deployment's pods, for the PodDisruptionBudget. @default { app: <name> } */
    selector: z
      .record(z.string(), str(K8S_LABEL_VALUE, "a Kubernetes label value (at most 63 letters, digits, '-', '_', '.', starting and ending alphanumeric)"))
      .superRefine((labels, ctx) => {
        // The API server refuses other keys at apply time; an empty selector would make the PDB cover every pod of the namespace.
        if (Object.keys(labels).length === 0) ctx.addIssue({ code: "custom", message: "must select by at least one label (an empty selector matches every pod of the namespace)" });
        for (const key of Object.keys(labels))
          if (!K8S_LABEL_KEY.test(key)) ctx.addIssue({ code: "custom", path: [key], message: "keys must be Kubernetes label keys such as app or app.kubernetes.io/name" });
      })
      .optional(),
    /** Requests of one pod as the pipeline deploys it; used for quota and node capacity checks. @default none */
    podRequests: z.object({ cpu: cpuQuantity(), memory: memoryQuantity() }).strict().optional(),
    /** HPA scale-up/scale-down behaviour. @default see scalingBehaviorSchema (up: 60 s window, down: 300 s window) */
    behavior: scalingBehaviorSchema.prefault({}),
    /** PodDisruptionBudget. @default { maxUnavailable: 1 } */
    disruptionBudget: disruptionBudgetSchema.prefault({}),
  })
  .strict();

export const GROWTH_DRIVERS = ["users", "requests", "data"] as const;
export type GrowthDriver = (typeof GROWTH_DRIVERS)[number];

export const serviceLoadSchema = z
  .object({
    /** Replicas running now. No default. */
    currentReplicas: int(1, 1000),
    /** Average CPU utilisation now, percent of requests (what the HPA measures). @default none */
    currentCpuUtilization: num(0, 1000).optional(),
    /** Average memory utilisation now, percent of requests. @default none */
    currentMemoryUtilization: num(0, 1000).optional(),
    /** What the service's load grows with. @default "requests" */
    growthDriver: oneOf(GROWTH_DRIVERS).default("requests"),
  })
  .strict();

export const growthRatesSchema = z
  .object({
    /** Users per month, percent (runbook 001: 20). @default 20 */
    users: num(0, 500).default(20),
    /** Database size per month, percent (runbook 001: 15). @default 15 */
    data: num(0, 500).default(15),
    /** API requests per month, percent (runbook 001: 25). @default 25 */
    requests: num(0, 500).default(25),
  })
  .strict();

export const databaseLoadSchema = z
  .object({
    /** CPU cores in use now. No default. */
    currentCpuCores: num(0.1, 1000),
    /** Memory needed now (GiB). No default. */
    currentMemoryGiB: num(0.1, 100000),
    /** Storage used now (GiB). No default. */
    currentStorageGiB: num(1, 100000),
    /** Driver of database CPU. @default "requests" */
    cpuDriver: oneOf(GROWTH_DRIVERS).default("requests"),
    /** Driver of database memory (working set follows the data). @default "data" */
    memoryDriver: oneOf(GROWTH_DRIVERS).default("data"),
    /** Driver of storage. @default "data" */
    storageDriver: oneOf(GROWTH_DRIVERS).default("data"),
  })
  .strict();

export const nodeReserveSchema = z
  .object({
    /** CPU per node for DaemonSets. @default "250m" */
    cpu: cpuQuantity().default("250m"),
    /** Memory per node for DaemonSets. @default "512Mi" */
    memory: memoryQuantity().default("512Mi"),
  })
  .strict();

export const capacitySchema = z
  .object({
    /** compound: (1+r)^months, the usual reading of "x % per month"; linear: 1 + r·months. @default "compound" */
    growthModel: oneOf(["compound", "linear"]).default("compound"),
    /** Monthly growth in percent per driver. @default { users: 20, data: 15, requests: 25 } (runbook 001) */
    monthlyGrowthPercent: growthRatesSchema.prefault({}),
    /** Current load of each service, keyed by service name. @default {} */
    services: z.record(k8sName(), serviceLoadSchema).default({}),
    /** Current database need (the runbook's "Current" column). @default none */
    database: databaseLoadSchema.optional(),
    /** CPU and memory per node kept for DaemonSets (CNI, kube-proxy, CSI, log/metrics agents). @default { cpu: "250m", memory: "512Mi" } */
    daemonSetReservePerNode: nodeReserveSchema.prefault({}),
  })
  .strict();

export const applicationSchema = z
  .object({
    /** Namespace of the application (runbook 001: stock-analysis-system). No default. */
    namespace: k8sName(),
    /** ResourceQuota of the namespace. @default none (no quota) */
    quota: resourceQuotaSchema.optional(),
    /** LimitRange defaults and ceilings for containers. @default see limitRangeSchema */
    limitRange: limitRangeSchema.prefault({}),
    /** Services (Deployments) to autoscale, each with an HPA and a PodDisruptionBudget. @default [] */
    services: z.array(serviceSchema).default([]),
    /** Capacity-plan inputs. @default none (the plan then checks only HPA maxima against nodes and quota) */
    capacity: capacitySchema.optional(),
    /** Operator access in this namespace (runbook 002 2.37 intendly-operator): a Role with the runbooks' verbs bound to a Kubernetes group that cluster.access maps IAM principals to. @default none (no operator Role) */
    operators: z
      .object({
        /** Kubernetes group of the operators (not system:*). No default. */
        group: str(/^(?!system)[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, "a Kubernetes group name (lowercase letters, digits, '-' or '.', not starting with system)"),
        /** Name of the Role and RoleBinding. @default "operator" */
        roleName: k8sName().default("operator"),
        /** Also allow `kubectl exec` (reaches whatever a pod can read, Secrets included). @default false */
        allowExec: bool().default(false),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ApplicationConfig = z.infer<typeof applicationSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type ResourceQuotaConfig = z.infer<typeof resourceQuotaSchema>;
export type LimitRangeConfig = z.infer<typeof limitRangeSchema>;
export type CapacityConfig = z.infer<typeof capacitySchema>;

function checkQuantities(config: ApplicationConfig, report: Report): void {
  const limits = config.limitRange;
  const path = ["application", "limitRange"];
  if (cpuCores(limits.defaultRequestCpu) > cpuCores(limits.defaultLimitCpu))
    report([...path, "defaultRequestCpu"], limits.defaultRequestCpu, `must not exceed defaultLimitCpu (${limits.defaultLimitCpu})`);
  if (memoryGiB(limits.defaultRequestMemory) > memoryGiB(limits.defaultLimitMemory))
    report([...path, "defaultRequestMemory"], limits.defaultRequestMemory, `must not exceed defaultLimitMemory (${limits.defaultLimitMemory})`);
  if (cpuCores(limits.defaultLimitCpu) > cpuCores(limits.maxCpu)) report([...path, "defaultLimitCpu"], limits.defaultLimitCpu, `must not exceed maxCpu (${limits.maxCpu})`);
  if (memoryGiB(limits.defaultLimitMemory) > memoryGiB(limits.maxMemory))
    report([...path, "defaultLimitMemory"], limits.defaultLimitMemory, `must not exceed maxMemory (${limits.maxMemory})`);
  for (const [key, value] of Object.entries(limits))
    if (key.toLowerCase().includes("cpu") ? !(cpuCores(value) > 0) : !(memoryGiB(value) > 0)) report([...path, key], value, "must be greater than zero");

  const quota = config.quota;
  if (!quota) return;
  const quotaPath = ["application", "quota"];
  for (const [key, value] of Object.entries(quota)) {
    if (typeof value !== "string") continue;
    if (key.toLowerCase().includes("cpu") ? !(cpuCores(value) > 0) : !(memoryGiB(value) > 0)) report([...quotaPath, key], value, "must be greater than zero");
  }
  if (quota.limitsCpu !== undefined && cpuCores(quota.limitsCpu) < cpuCores(quota.requestsCpu))
    report([...quotaPath, "limitsCpu"], quota.limitsCpu, `must be at least requestsCpu (${quota.requestsCpu})`);
  if (quota.limitsMemory !== undefined && memoryGiB(quota.limitsMemory) < memoryGiB(quota.requestsMemory))
    report([...quotaPath, "limitsMemory"], quota.limitsMemory, `must be at least requestsMemory (${quota.requestsMemory})`);

  // An HPA that hits the quota stops adding pods without any error on the HPA itself, and a rollout at
  // the maximum needs its surge pods too: make the quota hold every service at maxReplicas + surge.
  const sized = config.services.filter((s) => s.podRequests);
  const cpu = sized.reduce((sum, s) => sum + surged(s.maxReplicas) * cpuCores(s.podRequests!.cpu), 0);
  const memory = sized.reduce((sum, s) => sum + surged(s.maxReplicas) * memoryGiB(s.podRequests!.memory), 0);
  const pods = config.services.reduce((sum, s) => sum + surged(s.maxReplicas), 0);
  const held = `every service at maxReplicas plus a ${ROLLOUT_SURGE_PERCENT} % rollout surge`;
  if (cpuCores(quota.requestsCpu) + 1e-9 < cpu) report([...quotaPath, "requestsCpu"], quota.requestsCpu, `must hold ${held} × podRequests.cpu (${round(cpu)} cores)`);
  if (memoryGiB(quota.requestsMemory) + 1e-9 < memory)
    report([...quotaPath, "requestsMemory"], quota.requestsMemory, `must hold ${held} × podRequests.memory (${round(memory)}Gi)`);
  if (quota.pods !== undefined && quota.pods < pods) report([...quotaPath, "pods"], quota.pods, `must hold ${held} (${pods} pods)`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export const refineApplication: Refinement = (config, report) => {
  const app = config.application;
  if (!app) return;
  const production = config.environment === "production";
  const seen = new Set<string>();
  app.services.forEach((service, i) => {
    const path = ["application", "services", i];
    if (seen.has(service.name)) report([...path, "name"], service.name, "must be unique among application.services");
    seen.add(service.name);
    checkService(service, (field, value, allowed) => report([...path, ...field.split(".")], value, allowed));
    if (production && service.minReplicas < 2 && !service.allowSingleReplica)
      report([...path, "minReplicas"], service.minReplicas, "must be at least 2 in production (one node drain must not take the service down); set allowSingleReplica: true to opt out");
    if (service.podRequests) {
      const limits = app.limitRange;
      if (cpuCores(service.podRequests.cpu) > cpuCores(limits.maxCpu))
        report([...path, "podRequests", "cpu"], service.podRequests.cpu, `must not exceed limitRange.maxCpu (${limits.maxCpu})`);
      if (memoryGiB(service.podRequests.memory) > memoryGiB(limits.maxMemory))
        report([...path, "podRequests", "memory"], service.podRequests.memory, `must not exceed limitRange.maxMemory (${limits.maxMemory})`);
    }
  });
  checkQuantities(app, report);

  const capacity = app.capacity;
  if (!capacity) return;
  for (const [name, load] of Object.entries(capacity.services)) {
    const path = ["application", "capacity", "services", name];
    const service = app.services.find((s) => s.name === name);
    if (!service) {
      report(path, load, `unknown service; application.services has: ${app.services.map((s) => s.name).join(", ") || "(none)"}`);
      continue;
    }
    if (service.targetCpuUtilization !== undefined && load.currentCpuUtilization === undefined)
      report([...path, "currentCpuUtilization"], undefined, "is needed because the service scales on CPU (the plan projects every metric the HPA uses)");
    if (service.targetMemoryUtilization !== undefined && load.currentMemoryUtilization === undefined)
      report([...path, "currentMemoryUtilization"], undefined, "is needed because the service scales on memory (the plan projects every metric the HPA uses)");
    if (!service.autoscale && load.currentCpuUtilization === undefined && load.currentMemoryUtilization === undefined)
      report([...path, "currentCpuUtilization"], undefined, "give currentCpuUtilization or currentMemoryUtilization so the plan can project the service");
  }
};
