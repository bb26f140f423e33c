import { parseStackConfig } from "../stacks/config/load";
import type { StackConfig } from "../stacks/config/schema";
import { capacityPlan, nodeAllocatable, rdsInstanceSpec, renderCapacityPlan } from "../model/capacity-plan";

const API = { name: "stock-analysis-api", minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70, podRequests: { cpu: "500m", memory: "1Gi" } };
const API_LOAD = { currentReplicas: 3, currentCpuUtilization: 45, growthDriver: "requests" };

function config(options: { services?: unknown[]; capacity?: Record<string, unknown>; nodeGroups?: unknown[]; database?: unknown; quota?: unknown } = {}): StackConfig {
  const application: Record<string, unknown> = {
    namespace: "stock-analysis-system",
    services: options.services ?? [API],
    capacity: { services: { "stock-analysis-api": API_LOAD }, ...options.capacity },
  };
  if (options.quota) application.quota = options.quota;
  const raw: Record<string, string> = {
    "aws:region": "us-east-1",
    "runbook-infra:environment": "staging",
    "runbook-infra:cluster": JSON.stringify({ nodeGroups: options.nodeGroups ?? [{ name: "general", instanceTypes: ["m5.xlarge"], minSize: 5, maxSize: 20, desiredSize: 8 }] }),
    "runbook-infra:application": JSON.stringify(application),
  };
  if (options.database) raw["runbook-infra:database"] = JSON.stringify(options.database);
  return parseStackConfig("staging", raw);
}

const rowOf = (plan: ReturnType<typeof capacityPlan>, item: string) => {
  const row = plan.rows.find((r) => r.item === item);
  if (!row) throw new Error(`no row ${item}: ${plan.rows.map((r) => r.item).join(", ")}`);
  return row;
};

describe("capacity plan: services", () => {
  it("projects API replicas with the HPA's rule at +25 % requests a month, compounded", () => {
    // ceil(3 × 45/70 × 1.25^6) = ceil(7.36) = 8; ceil(3 × 45/70 × 1.25^12) = ceil(28.06) = 29
    const row = rowOf(capacityPlan(config()), "stock-analysis-api replicas");
    expect(row).toMatchObject({ current: 3, month6: 8, month12: 29, allowed: 10, allowedBy: "HPA maxReplicas" });
  });

  it("flags an HPA maximum below the 12-month projection", () => {
    const plan = capacityPlan(config());
    expect(rowOf(plan, "stock-analysis-api replicas").flag).toBe("EXCEEDS by 12m");
    expect(plan.flags).toContain("stock-analysis-api replicas: 12-month need 29 pods exceeds HPA maxReplicas (10 pods)");
  });

  it("does not flag an HPA maximum with enough headroom", () => {
    const plan = capacityPlan(config({ services: [{ ...API, maxReplicas: 30 }] }));
    expect(rowOf(plan, "stock-analysis-api replicas").flag).toBe("");
    expect(plan.flags).toEqual([]);
  });

  it("says when the maximum is exceeded already at 6 months", () => {
    const plan = capacityPlan(config({ services: [{ ...API, maxReplicas: 6 }] }));
    expect(rowOf(plan, "stock-analysis-api replicas").flag).toBe("EXCEEDS by 6m");
    expect(plan.flags[0]).toMatch(/already by 6 months \(8\)$/);
  });

  it("grows linearly when the config says so", () => {
    // ceil(3 × 45/70 × (1 + 0.25·12)) = ceil(7.71) = 8
    const row = rowOf(capacityPlan(config({ capacity: { growthModel: "linear" } })), "stock-analysis-api replicas");
    expect(row.month12).toBe(8);
    expect(row.flag).toBe("");
  });

  it("uses the service's own growth driver and the tightest of its metrics", () => {
    const relayer = { name: "backend-relayer", minReplicas: 3, maxReplicas: 20, targetCpuUtilization: 70, targetMemoryUtilization: 80 };
    const plan = capacityPlan(
      config({ services: [relayer], capacity: { services: { "backend-relayer": { currentReplicas: 3, currentCpuUtilization: 35, currentMemoryUtilization: 80, growthDriver: "data" } } } }),
    );
    // memory dominates: ceil(3 × 80/80 × 1.15^12) = ceil(16.05) = 17 (CPU alone would give 9)
    expect(rowOf(plan, "backend-relayer replicas").month12).toBe(17);
  });

  it("never projects below minReplicas and notes services without load figures", () => {
    const idle = { ...API, name: "stock-analysis-frontend", minReplicas: 2, maxReplicas: 4 };
    const plan = capacityPlan(config({ services: [API, idle], capacity: { services: { "stock-analysis-api": { currentReplicas: 3, currentCpuUtilization: 1 } } } }));
    expect(rowOf(plan, "stock-analysis-api replicas").month6).toBe(3);
    expect(rowOf(plan, "stock-analysis-frontend replicas")).toMatchObject({ month12: undefined, allowed: 4, flag: "" });
    expect(plan.notes).toContain("stock-analysis-frontend: no load figures in application.capacity.services; replicas not projected");
  });
});

describe("capacity plan: nodes and quota", () => {
  it("knows the allocatable CPU and memory of an m5.xlarge node", () => {
    const allocatable = nodeAllocatable("m5.xlarge")!;
    expect(allocatable.cpu).toBeCloseTo(3.92, 5);
    expect(allocatable.memoryGiB).toBeCloseTo(16 - (255 + 11 * 58 + 100) / 1024, 5);
    expect(nodeAllocatable("z9.huge")).toBeUndefined();
  });

  it("flags HPA maxima that do not fit the node groups at their maximum size", () => {
    // 2 × m5.large: 2 × (1.93 − 0.25) = 3.36 cores < 10 × 0.5 cores
    const plan = capacityPlan(config({ services: [{ ...API, maxReplicas: 30 }], nodeGroups: [{ name: "general", instanceTypes: ["m5.large"], minSize: 1, maxSize: 2, desiredSize: 1 }] }));
    const row = rowOf(plan, "HPA maxima CPU requests");
    expect(row).toMatchObject({ current: 15, allowed: 3.4, flag: "EXCEEDS" });
    expect(plan.flags).toContain("HPA maxima CPU requests: 15 cores exceeds node groups at maxSize (2×m5.large) (3.4 cores)");
  });

  it("does not flag node groups with room for every HPA maximum and the 12-month need", () => {
    const plan = capacityPlan(config({ services: [{ ...API, maxReplicas: 30 }] }));
    expect(rowOf(plan, "HPA maxima CPU requests")).toMatchObject({ current: 15, allowed: 73.4, flag: "" });
    expect(rowOf(plan, "app CPU requests")).toMatchObject({ current: 1.5, month12: 14.5, flag: "" });
  });

  it("notes a node type it cannot size instead of guessing", () => {
    const plan = capacityPlan(config({ nodeGroups: [{ name: "gpu", instanceTypes: ["p4d.24xlarge"], minSize: 0, maxSize: 2, desiredSize: 0 }] }));
    expect(plan.rows.find((r) => r.item === "HPA maxima CPU requests")).toBeUndefined();
    expect(plan.notes.join("\n")).toMatch(/gpu \(p4d\.24xlarge\): instance type not in the allocatable table/);
  });

  it("flags a quota below the 12-month need", () => {
    // maxReplicas 30 + 25 % surge = 38 pods: the smallest quota the config accepts (19 cores, 38 pods) has room for 29 pods.
    const plan = capacityPlan(config({ services: [{ ...API, maxReplicas: 30 }], quota: { requestsCpu: "19", requestsMemory: "38Gi", pods: 38 } }));
    expect(rowOf(plan, "quota CPU requests")).toMatchObject({ month12: 14.5, allowed: 19, flag: "" });
    expect(rowOf(plan, "quota pods")).toMatchObject({ month12: 29, allowed: 38, flag: "" });
    const tight = capacityPlan(config({ services: [API], quota: { requestsCpu: "10", requestsMemory: "20Gi" } }));
    expect(rowOf(tight, "quota CPU requests")).toMatchObject({ month12: 14.5, allowed: 10, flag: "EXCEEDS by 12m" });
  });
});

describe("capacity plan: database", () => {
  const current = { currentCpuCores: 2, currentMemoryGiB: 8, currentStorageGiB: 100 };

  it("knows RDS instance class sizes", () => {
    expect(rdsInstanceSpec("db.r5.2xlarge")).toEqual({ vcpu: 8, memoryGiB: 64 });
    expect(rdsInstanceSpec("db.m6g.large")).toEqual({ vcpu: 2, memoryGiB: 8 });
    expect(rdsInstanceSpec("db.t4g.medium")).toEqual({ vcpu: 2, memoryGiB: 4 });
  });

  it("flags storage whose 12-month need passes the autoscaling ceiling (100 GiB at +15 %/month → 535 GiB > 500)", () => {
    const plan = capacityPlan(config({ services: [{ ...API, maxReplicas: 30 }], capacity: { database: current }, database: { instanceClass: "db.r5.8xlarge", maxAllocatedStorageGiB: 500 } }));
    expect(rowOf(plan, "database storage")).toMatchObject({ current: 100, month6: 231.3, month12: 535, allowed: 500, flag: "EXCEEDS by 12m" });
    expect(plan.flags).toEqual(["database storage: 12-month need 535 GiB exceeds database.maxAllocatedStorageGiB (500 GiB)"]);
  });

  it("does not flag a database sized for the 12-month need", () => {
    const plan = capacityPlan(
      config({ services: [{ ...API, maxReplicas: 30 }], capacity: { database: { ...current, cpuDriver: "data" } }, database: { instanceClass: "db.r5.4xlarge", maxAllocatedStorageGiB: 600 } }),
    );
    // CPU: 2 × 1.15^12 = 10.7 cores ≤ 16 vCPU; memory 42.8 GiB ≤ 128 GiB
    expect(rowOf(plan, "database CPU")).toMatchObject({ month12: 10.7, allowed: 16, flag: "" });
    expect(plan.flags).toEqual([]);
  });

  it("projects without comparing when the stack has no database section", () => {
    const plan = capacityPlan(config({ capacity: { database: current } }));
    expect(rowOf(plan, "database CPU")).toMatchObject({ allowed: undefined, flag: "" });
    expect(plan.notes).toContain("database: the stack has no database section; database figures are not compared");
  });
});

describe("renderCapacityPlan", () => {
  it("prints a table with a FLAG column and one line per flag", () => {
    const text = renderCapacityPlan(capacityPlan(config()));
    const lines = text.split("\n");
    expect(lines[1]).toMatch(/^ITEM\s+UNIT\s+CURRENT\s+6 MONTHS\s+12 MONTHS\s+ALLOWED\s+ALLOWED BY\s+FLAG$/);
    expect(lines.find((l) => l.startsWith("stock-analysis-api replicas"))).toMatch(/\s3\s+8\s+29\s+10\s+HPA maxReplicas\s+EXCEEDS by 12m$/);
    expect(text).toContain("  ! stock-analysis-api replicas: 12-month need 29 pods exceeds HPA maxReplicas (10 pods)");
  });

  it("says so when nothing is flagged", () => {
    expect(renderCapacityPlan(capacityPlan(config({ services: [{ ...API, maxReplicas: 30 }] })))).toContain("No flags: every 12-month need fits what the stack allows");
  });
});
