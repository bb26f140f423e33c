/**
 * The capacity plan of a stack: what each service and the database will need in 6 and 12 months at the
 * configured growth rates, next to what the stack allows (HPA maxima, node groups at their maximum
 * size, the namespace quota, the database instance class and storage ceiling). Pure functions of the
 * validated config: the offline preview prints the table, tests assert on the rows and flags.
 *
 * ## Formulas
 *
 * Growth factor after `m` months for a driver (users | requests | data) with monthly rate `r` percent:
 *   compound (default): G(m) = (1 + r/100)^m          linear: G(m) = 1 + (r/100)·m
 *
 * Replicas a service needs (the HPA's own rule, desired = ceil(current × metric / target), applied to
 * the projected load), for every metric the HPA scales on (CPU and/or memory; a service without an HPA
 * is held to the runbook's targets, 70 % CPU and 80 % memory):
 *   need(m) = max(minReplicas, max over metrics of ceil(currentReplicas × currentUtil / target × G(m)))
 *
 * Node groups: a node offers its allocatable CPU/memory (EKS AMI formula below) minus a per-node
 * DaemonSet reserve; the ceiling is Σ over node groups of maxSize × that, using the group's first
 * (preferred) instance type. Demand is Σ over services of replicas × podRequests, at need(m) for the
 * projection and at maxReplicas for the "HPA maxima" row (every HPA at its ceiling must still fit).
 *   allocatable CPU    = vCPU − (6 % of the 1st core + 1 % of the 2nd + 0.5 % of cores 3–4 + 0.25 % of the rest)
 *   allocatable memory = memory − (255 MiB + 11 MiB × maxPods) − 100 MiB eviction threshold
 *
 * Database: need(m) = current × G(m) for CPU cores, memory and storage (each with its own driver),
 * compared with the vCPUs and memory of `database.instanceClass` and with `database.maxAllocatedStorageGiB`.
 *
 * A row is flagged when its 12-month figure (for the "HPA maxima" rows: the figure itself) exceeds
 * what the stack allows.
 */
import type { StackConfig } from "../stacks/config/schema";
import { cpuCores, memoryGiB } from "../core/quantities";
import type { GrowthDriver, ServiceConfig } from "../stacks/config/application";

export const HORIZONS = [6, 12] as const;

/** vCPUs, memory (GiB) and max pods (VPC CNI, no prefix delegation) of common EKS node types. */
export const NODE_TYPES: Record<string, { vcpu: number; memoryGiB: number; maxPods: number }> = {
  "t3.medium": { vcpu: 2, memoryGiB: 4, maxPods: 17 },
  "t3.large": { vcpu: 2, memoryGiB: 8, maxPods: 35 },
  "t3.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58 },
  "t3.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58 },
  "m5.large": { vcpu: 2, memoryGiB: 8, maxPods: 29 },
  "m5.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58 },
  "m5.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58 },
  "m5.4xlarge": { vcpu: 16, memoryGiB: 64, maxPods: 234 },
  "m6i.large": { vcpu: 2, memoryGiB: 8, maxPods: 29 },
  "m6i.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58 },
  "m6i.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58 },
  "m6g.large": { vcpu: 2, memoryGiB: 8, maxPods: 29 },
  "m6g.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58 },
  "m7g.large": { vcpu: 2, memoryGiB: 8, maxPods: 29 },
  "m7g.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58 },
  "c5.large": { vcpu: 2, memoryGiB: 4, maxPods: 29 },
  "c5.xlarge": { vcpu: 4, memoryGiB: 8, maxPods: 58 },
  "c5.2xlarge": { vcpu: 8, memoryGiB: 16, maxPods: 58 },
  "r5.large": { vcpu: 2, memoryGiB: 16, maxPods: 29 },
  "r5.xlarge": { vcpu: 4, memoryGiB: 32, maxPods: 58 },
  "r5.2xlarge": { vcpu: 8, memoryGiB: 64, maxPods: 58 },
};

/** Allocatable CPU (cores) and memory (GiB) of a node type by the EKS AMI's kube-reserved formula; undefined when unknown. */
export function nodeAllocatable(instanceType: string): { cpu: number; memoryGiB: number } | undefined {
  const spec = NODE_TYPES[instanceType];
  if (!spec) return undefined;
  const cores = spec.vcpu;
  const reservedMilli = 60 + (cores > 1 ? 10 : 0) + 5 * Math.max(0, Math.min(cores, 4) - 2) + 2.5 * Math.max(0, cores - 4);
  const reservedMiB = 255 + 11 * spec.maxPods + 100;
  return { cpu: cores - reservedMilli / 1000, memoryGiB: spec.memoryGiB - reservedMiB / 1024 };
}

const SIZE_VCPU: Record<string, number> = { micro: 2, small: 2, medium: 2, large: 2, xlarge: 4 };
const BURSTABLE_MEMORY: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };

/** vCPUs and memory (GiB) of an RDS class such as db.r5.2xlarge; undefined when the family is not one the table knows. */
export function rdsInstanceSpec(instanceClass: string): { vcpu: number; memoryGiB: number } | undefined {
  const match = /^db\.([a-z0-9]+)\.(micro|small|medium|large|xlarge|(\d{1,2})xlarge)$/.exec(instanceClass);
  if (!match) return undefined;
  const [, family, size, multiple] = match;
  const vcpu = multiple ? Number(multiple) * 4 : SIZE_VCPU[size];
  if (/^t[34]g?$/.test(family)) return BURSTABLE_MEMORY[size] === undefined ? undefined : { vcpu, memoryGiB: BURSTABLE_MEMORY[size] };
  const perVcpu = family.startsWith("x2") ? 16 : family.startsWith("r") ? 8 : family.startsWith("m") ? 4 : undefined;
  return perVcpu === undefined ? undefined : { vcpu, memoryGiB: vcpu * perVcpu };
}

export interface CapacityRow {
  /** What is measured, e.g. "stock-analysis-api replicas". */
  item: string;
  unit: string;
  current?: number;
  month6?: number;
  month12?: number;
  /** What the stack allows. */
  allowed?: number;
  /** Where the allowance comes from, e.g. "HPA maxReplicas". */
  allowedBy: string;
  /** Empty when within what the stack allows. */
  flag: string;
}

export interface CapacityPlan {
  rows: CapacityRow[];
  /** One sentence per flagged row. */
  flags: string[];
  /** Things the plan could not check. */
  notes: string[];
}

/** Growth factor after `months` for a driver. */
export function growthFactor(config: StackConfig, driver: GrowthDriver, months: number): number {
  const capacity = config.application?.capacity;
  const rate = (capacity?.monthlyGrowthPercent[driver] ?? 0) / 100;
  return capacity?.growthModel === "linear" ? 1 + rate * months : Math.pow(1 + rate, months);
}

const EPSILON = 1e-9;

/** Replicas `service` needs after `months` (see the module comment); undefined without load figures. */
export function serviceNeed(config: StackConfig, service: ServiceConfig, months: number): number | undefined {
  const load = config.application?.capacity?.services[service.name];
  if (!load) return undefined;
  const growth = growthFactor(config, load.growthDriver, months);
  const metrics: Array<[number | undefined, number]> = [];
  if (service.autoscale) {
    if (service.targetCpuUtilization !== undefined) metrics.push([load.currentCpuUtilization, service.targetCpuUtilization]);
    if (service.targetMemoryUtilization !== undefined) metrics.push([load.currentMemoryUtilization, service.targetMemoryUtilization]);
  } else {
    metrics.push([load.currentCpuUtilization, 70], [load.currentMemoryUtilization, 80]);
  }
  let need = service.minReplicas;
  for (const [current, target] of metrics) {
    if (current === undefined) continue;
    need = Math.max(need, Math.ceil((load.currentReplicas * current * growth) / target - EPSILON));
  }
  return need;
}

/** Database need after `months` (CPU cores, memory GiB, storage GiB); undefined without current figures. */
export function databaseNeed(config: StackConfig, months: number): { cpuCores: number; memoryGiB: number; storageGiB: number } | undefined {
  const db = config.application?.capacity?.database;
  if (!db) return undefined;
  return {
    cpuCores: db.currentCpuCores * growthFactor(config, db.cpuDriver, months),
    memoryGiB: db.currentMemoryGiB * growthFactor(config, db.memoryDriver, months),
    storageGiB: db.currentStorageGiB * growthFactor(config, db.storageDriver, months),
  };
}

function row(item: string, unit: string, values: Omit<CapacityRow, "item" | "unit" | "flag">, checkCurrent = false): CapacityRow {
  const { allowed } = values;
  let flag = "";
  if (allowed !== undefined) {
    if (checkCurrent && values.current !== undefined && values.current > allowed + EPSILON) flag = "EXCEEDS";
    else if (values.month6 !== undefined && values.month6 > allowed + EPSILON) flag = "EXCEEDS by 6m";
    else if (values.month12 !== undefined && values.month12 > allowed + EPSILON) flag = "EXCEEDS by 12m";
  }
  return { item, unit, ...values, flag };
}

const round = (value: number) => Math.round(value * 10) / 10;

/** Computes the plan from a validated stack config. */
export function capacityPlan(config: StackConfig): CapacityPlan {
  const rows: CapacityRow[] = [];
  const notes: string[] = [];
  const app = config.application;
  const services = app?.services ?? [];

  for (const service of services) {
    const load = app?.capacity?.services[service.name];
    if (!load) notes.push(`${service.name}: no load figures in application.capacity.services; replicas not projected`);
    rows.push(
      row(`${service.name} replicas`, "pods", {
        current: load?.currentReplicas,
        month6: serviceNeed(config, service, 6),
        month12: serviceNeed(config, service, 12),
        allowed: service.maxReplicas,
        allowedBy: service.autoscale ? "HPA maxReplicas" : "fixed replicas",
      }),
    );
  }

  // Pod requests of the application at a replica count per service.
  const sized = services.filter((s) => s.podRequests);
  for (const s of services) if (!s.podRequests) notes.push(`${s.name}: no podRequests; left out of node and quota sums`);
  // A service without load figures counts at minReplicas in the projected sums (noted above).
  const demand = (replicas: (s: ServiceConfig) => number | undefined) => {
    let cpu = 0;
    let memory = 0;
    let pods = 0;
    for (const s of sized) {
      const n = replicas(s) ?? s.minReplicas;
      cpu += n * cpuCores(s.podRequests!.cpu);
      memory += n * memoryGiB(s.podRequests!.memory);
      pods += n;
    }
    return { cpu, memory, pods };
  };
  const now = demand((s) => app?.capacity?.services[s.name]?.currentReplicas);
  const in6 = demand((s) => serviceNeed(config, s, 6));
  const in12 = demand((s) => serviceNeed(config, s, 12));
  const ceiling = demand((s) => s.maxReplicas);

  // Without any load figures the sums would only restate minReplicas; the HPA-maxima rows still apply.
  const projected = sized.some((s) => app?.capacity?.services[s.name]);
  if (sized.length > 0) {
    const reserve = app?.capacity?.daemonSetReservePerNode ?? { cpu: "250m", memory: "512Mi" };
    let nodeCpu = 0;
    let nodeMemory = 0;
    const unknown: string[] = [];
    for (const group of config.cluster.nodeGroups) {
      const type = group.instanceTypes[0];
      const allocatable = nodeAllocatable(type);
      if (!allocatable) {
        unknown.push(`${group.name} (${type})`);
        continue;
      }
      nodeCpu += group.maxSize * Math.max(0, allocatable.cpu - cpuCores(reserve.cpu));
      nodeMemory += group.maxSize * Math.max(0, allocatable.memoryGiB - memoryGiB(reserve.memory));
    }
    if (unknown.length > 0) {
      notes.push(`node groups ${unknown.join(", ")}: instance type not in the allocatable table (model/capacity-plan.ts NODE_TYPES); node capacity not checked`);
    } else {
      const by = `node groups at maxSize (${config.cluster.nodeGroups.map((g) => `${g.maxSize}×${g.instanceTypes[0]}`).join(" + ")})`;
      if (projected) {
        rows.push(row("app CPU requests", "cores", { current: round(now.cpu), month6: round(in6.cpu), month12: round(in12.cpu), allowed: round(nodeCpu), allowedBy: by }));
        rows.push(row("app memory requests", "GiB", { current: round(now.memory), month6: round(in6.memory), month12: round(in12.memory), allowed: round(nodeMemory), allowedBy: by }));
      }
      rows.push(row("HPA maxima CPU requests", "cores", { current: round(ceiling.cpu), allowed: round(nodeCpu), allowedBy: by }, true));
      rows.push(row("HPA maxima memory requests", "GiB", { current: round(ceiling.memory), allowed: round(nodeMemory), allowedBy: by }, true));
    }

    const quota = app?.quota;
    if (quota && projected) {
      rows.push(row("quota CPU requests", "cores", { current: round(now.cpu), month6: round(in6.cpu), month12: round(in12.cpu), allowed: cpuCores(quota.requestsCpu), allowedBy: "application.quota.requestsCpu" }));
      rows.push(row("quota memory requests", "GiB", { current: round(now.memory), month6: round(in6.memory), month12: round(in12.memory), allowed: round(memoryGiB(quota.requestsMemory)), allowedBy: "application.quota.requestsMemory" }));
      if (quota.pods !== undefined) rows.push(row("quota pods", "pods", { current: now.pods, month6: in6.pods, month12: in12.pods, allowed: quota.pods, allowedBy: "application.quota.pods" }));
    }
  }

  const current = databaseNeed(config, 0);
  if (current) {
    const [m6, m12] = HORIZONS.map((m) => databaseNeed(config, m)!);
    // Read defensively: the database section belongs to another area and may not carry these keys.
    const db = config.database as { instanceClass?: string; maxAllocatedStorageGiB?: number } | undefined;
    const spec = db?.instanceClass ? rdsInstanceSpec(db.instanceClass) : undefined;
    if (!db) notes.push("database: the stack has no database section; database figures are not compared");
    else if (db.instanceClass && !spec) notes.push(`database: instance class ${db.instanceClass} not in the table; CPU and memory not compared`);
    const by = db?.instanceClass ? `database.instanceClass ${db.instanceClass}` : "database.instanceClass";
    rows.push(row("database CPU", "cores", { current: round(current.cpuCores), month6: round(m6.cpuCores), month12: round(m12.cpuCores), allowed: spec?.vcpu, allowedBy: by }));
    rows.push(row("database memory", "GiB", { current: round(current.memoryGiB), month6: round(m6.memoryGiB), month12: round(m12.memoryGiB), allowed: spec?.memoryGiB, allowedBy: by }));
    rows.push(
      row("database storage", "GiB", {
        current: round(current.storageGiB),
        month6: round(m6.storageGiB),
        month12: round(m12.storageGiB),
        allowed: db?.maxAllocatedStorageGiB,
        allowedBy: "database.maxAllocatedStorageGiB",
      }),
    );
  }

  const flags = rows
    .filter((r) => r.flag)
    .map((r) =>
      r.month12 === undefined
        ? `${r.item}: ${r.current} ${r.unit} exceeds ${r.allowedBy} (${r.allowed} ${r.unit})`
        : `${r.item}: 12-month need ${r.month12} ${r.unit} exceeds ${r.allowedBy} (${r.allowed} ${r.unit})${r.flag.endsWith("6m") ? `, already by 6 months (${r.month6})` : ""}`,
    );
  return { rows, flags, notes };
}

/** The plan as a fixed-width text table with a FLAG column, followed by the flag and note sentences. */
export function renderCapacityPlan(plan: CapacityPlan): string {
  const show = (value: number | undefined) => (value === undefined ? "-" : String(value));
  const header = ["ITEM", "UNIT", "CURRENT", "6 MONTHS", "12 MONTHS", "ALLOWED", "ALLOWED BY", "FLAG"];
  const body = plan.rows.map((r) => [r.item, r.unit, show(r.current), show(r.month6), show(r.month12), show(r.allowed), r.allowedBy, r.flag]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const numeric = new Set([2, 3, 4, 5]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const out = ["Capacity plan", line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  if (plan.rows.length === 0) out.push("(no application services or capacity figures configured)");
  out.push("", plan.flags.length ? `${plan.flags.length} flag(s): the 12-month need exceeds what the stack allows` : "No flags: every 12-month need fits what the stack allows");
  for (const flag of plan.flags) out.push(`  ! ${flag}`);
  for (const note of plan.notes) out.push(`  note: ${note}`);
  return out.join("\n");
}
