import { parseStackConfig } from "../stacks/config/load";
import { refineApplication } from "../stacks/config/application";
import type { StackConfig } from "../stacks/config/schema";

const CLUSTER = { nodeGroups: [{ name: "general", instanceTypes: ["m5.xlarge"], minSize: 5, maxSize: 20, desiredSize: 8 }] };

const API = { name: "stock-analysis-api", minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70, podRequests: { cpu: "500m", memory: "1Gi" } };

function raw(environment: string, application: unknown): Record<string, string> {
  return {
    "aws:region": "us-east-1",
    "runbook-infra:environment": environment,
    "runbook-infra:cluster": JSON.stringify(CLUSTER),
    "runbook-infra:application": JSON.stringify(application),
  };
}

function parse(environment: string, application: unknown): StackConfig {
  return parseStackConfig(environment, raw(environment, application));
}

/**
 * Accepted as far as the application section goes. Refinements run in schema order and the
 * application's runs before the DR one, so a production stack without a `dr` section that fails on
 * `dr` has passed every application rule.
 */
function expectAccepted(environment: string, application: unknown): void {
  try {
    const config = parse(environment, application);
    expect(config.application).toBeDefined();
  } catch (error) {
    expect((error as Error).message).not.toMatch(/runbook-infra:application/);
    expect((error as Error).message).toMatch(/^production: runbook-infra:(dr|backups|monitoring)/);
  }
}

const app = (services: unknown[], extra: Record<string, unknown> = {}) => ({ namespace: "stock-analysis-system", services, ...extra });

describe("application config: replicas", () => {
  it("rejects minReplicas above maxReplicas", () => {
    expect(() => parse("staging", app([{ ...API, minReplicas: 5, maxReplicas: 3 }]))).toThrow(
      /^staging: runbook-infra:application\.services\[0\]\.minReplicas: 5 — must not exceed maxReplicas \(3\)/,
    );
  });
  it("accepts the runbook's API HPA (3 to 10 at 70 % CPU)", () => {
    const config = parse("staging", app([API]));
    expect(config.application!.services[0]).toMatchObject({ minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70, autoscale: true });
  });

  it("rejects a single replica in production without the opt-out", () => {
    expect(() => parse("production", app([{ ...API, minReplicas: 1 }]))).toThrow(
      /^production: runbook-infra:application\.services\[0\]\.minReplicas: 1 — must be at least 2 in production .*allowSingleReplica/,
    );
  });
  it("accepts a single replica in production when allowSingleReplica is set, and in staging without it", () => {
    expectAccepted("production", app([{ ...API, minReplicas: 1, allowSingleReplica: true }]));
    expect(parse("staging", app([{ ...API, minReplicas: 1 }])).application!.services[0].minReplicas).toBe(1);
  });

  it("rejects an autoscaled service whose minReplicas equals maxReplicas", () => {
    expect(() => parse("staging", app([{ ...API, minReplicas: 4, maxReplicas: 4 }]))).toThrow(/services\[0\]\.maxReplicas: 4 — must exceed minReplicas \(4\).*autoscale: false/);
  });
  it("accepts a fixed count when autoscale is false, without targets", () => {
    const config = parse("staging", app([{ name: "websocket-server", autoscale: false, minReplicas: 4, maxReplicas: 4 }]));
    expect(config.application!.services[0].autoscale).toBe(false);
  });
  it("rejects autoscale false with different minReplicas and maxReplicas", () => {
    expect(() => parse("staging", app([{ name: "websocket-server", autoscale: false, minReplicas: 2, maxReplicas: 4 }]))).toThrow(
      /services\[0\]\.maxReplicas: 4 — must equal minReplicas \(2\) when autoscale is false/,
    );
  });
});

describe("application config: targets", () => {
  it("rejects a CPU target of 0 and of 101", () => {
    expect(() => parse("staging", app([{ ...API, targetCpuUtilization: 0 }]))).toThrow(/services\[0\]\.targetCpuUtilization: 0 — must be an integer from 1 to 100/);
    expect(() => parse("staging", app([{ ...API, targetCpuUtilization: 101 }]))).toThrow(/services\[0\]\.targetCpuUtilization: 101 — must be an integer from 1 to 100/);
  });
  it("accepts targets of 1 and 100", () => {
    expect(parse("staging", app([{ ...API, targetCpuUtilization: 1, targetMemoryUtilization: 100 }])).application!.services[0].targetMemoryUtilization).toBe(100);
  });
  it("rejects an autoscaled service without any target", () => {
    const { targetCpuUtilization, ...noTarget } = API;
    void targetCpuUtilization;
    expect(() => parse("staging", app([noTarget]))).toThrow(/services\[0\]\.targetCpuUtilization: \(missing\) — an autoscaled service needs targetCpuUtilization and\/or targetMemoryUtilization/);
  });
  it("accepts the relayer's CPU and memory targets (runbook 002: 3-20 at 70 % CPU, 80 % memory)", () => {
    const relayer = { name: "backend-relayer", minReplicas: 3, maxReplicas: 20, targetCpuUtilization: 70, targetMemoryUtilization: 80 };
    expect(parse("staging", app([relayer])).application!.services[0]).toMatchObject({ targetCpuUtilization: 70, targetMemoryUtilization: 80 });
  });
});

describe("application config: names", () => {
  it("rejects duplicate service names", () => {
    expect(() => parse("staging", app([API, { ...API }]))).toThrow(/services\[1\]\.name: "stock-analysis-api" — must be unique among application\.services/);
  });
  it("accepts distinct service names", () => {
    expect(parse("staging", app([API, { ...API, name: "celery-worker" }])).application!.services.map((s) => s.name)).toEqual(["stock-analysis-api", "celery-worker"]);
  });
  it("rejects a service name that is not a Kubernetes name", () => {
    expect(() => parse("staging", app([{ ...API, name: "Stock_API" }]))).toThrow(/services\[0\]\.name: "Stock_API" — must be a Kubernetes name/);
  });
  it("rejects load figures for an unknown service", () => {
    const capacity = { services: { "stock-analysis-ap": { currentReplicas: 3, currentCpuUtilization: 40 } } };
    expect(() => parse("staging", app([API], { capacity }))).toThrow(
      /runbook-infra:application\.capacity\.services\.stock-analysis-ap: .* — unknown service; application\.services has: stock-analysis-api/,
    );
  });
  it("accepts load figures for a configured service", () => {
    const capacity = { services: { "stock-analysis-api": { currentReplicas: 3, currentCpuUtilization: 40 } } };
    expect(parse("staging", app([API], { capacity })).application!.capacity!.services["stock-analysis-api"].growthDriver).toBe("requests");
  });
  it("rejects an unknown key in the application section", () => {
    expect(() => parse("staging", app([API], { replicas: 3 }))).toThrow(/runbook-infra:application\.replicas: 3 — unknown key; allowed keys here: namespace, quota, limitRange, services, capacity/);
  });
});

describe("application config: disruption budgets", () => {
  it("rejects minAvailable equal to minReplicas (a drain could never evict)", () => {
    expect(() => parse("staging", app([{ ...API, disruptionBudget: { minAvailable: 3 } }]))).toThrow(
      /services\[0\]\.disruptionBudget\.minAvailable: 3 — must be below minReplicas \(3\)/,
    );
    expect(() => parse("staging", app([{ ...API, disruptionBudget: { minAvailable: "100%" } }]))).toThrow(/disruptionBudget\.minAvailable: "100%" — must be below minReplicas/);
  });
  it("accepts minAvailable below minReplicas, as a count or a percentage", () => {
    expect(parse("staging", app([{ ...API, disruptionBudget: { minAvailable: 2 } }])).application!.services[0].disruptionBudget.minAvailable).toBe(2);
    expect(parse("staging", app([{ ...API, disruptionBudget: { minAvailable: "50%" } }])).application!.services[0].disruptionBudget.minAvailable).toBe("50%");
  });
  it("rejects maxUnavailable 0", () => {
    expect(() => parse("staging", app([{ ...API, disruptionBudget: { maxUnavailable: 0 } }]))).toThrow(/disruptionBudget\.maxUnavailable: 0 — must allow at least one pod/);
  });
  it("rejects minAvailable and maxUnavailable together", () => {
    expect(() => parse("staging", app([{ ...API, disruptionBudget: { minAvailable: 1, maxUnavailable: 1 } }]))).toThrow(/services\[0\]\.disruptionBudget: .* — set minAvailable or maxUnavailable, not both/);
  });
  it("accepts maxUnavailable 1 (the default)", () => {
    expect(parse("staging", app([API])).application!.services[0].disruptionBudget).toEqual({});
    expect(parse("staging", app([{ ...API, disruptionBudget: { maxUnavailable: 1 } }])).application!.services[0].disruptionBudget.maxUnavailable).toBe(1);
  });
});

describe("application config: scaling behaviour", () => {
  it("rejects a scale-down window shorter than the scale-up window (flapping)", () => {
    expect(() => parse("staging", app([{ ...API, behavior: { scaleUpStabilizationSeconds: 120, scaleDownStabilizationSeconds: 60 } }]))).toThrow(
      /services\[0\]\.behavior\.scaleDownStabilizationSeconds: 60 — must be at least scaleUpStabilizationSeconds \(120\)/,
    );
  });
  it("defaults to a 300 s scale-down window and a 60 s scale-up window", () => {
    expect(parse("staging", app([API])).application!.services[0].behavior).toMatchObject({ scaleDownStabilizationSeconds: 300, scaleUpStabilizationSeconds: 60 });
  });
});

describe("application config: quota and limits", () => {
  const quota = { requestsCpu: "24", requestsMemory: "48Gi", limitsCpu: "48", limitsMemory: "96Gi", pods: 60 };
  it("rejects quantities that are not Kubernetes quantities", () => {
    expect(() => parse("staging", app([API], { quota: { ...quota, requestsCpu: "lots" } }))).toThrow(/quota\.requestsCpu: "lots" — must be a CPU quantity/);
    expect(() => parse("staging", app([API], { quota: { ...quota, requestsMemory: "48GB" } }))).toThrow(/quota\.requestsMemory: "48GB" — must be a memory quantity/);
    expect(() => parse("staging", app([API], { quota: { ...quota, requestsCpu: "0" } }))).toThrow(/quota\.requestsCpu: "0" — must be greater than zero/);
  });
  it("accepts the production quota", () => {
    expect(parse("staging", app([API], { quota })).application!.quota).toMatchObject({ requestsCpu: "24", pods: 60, persistentVolumeClaims: 0 });
  });
  it("rejects a quota that cannot hold every service at maxReplicas", () => {
    // 10 replicas + 25 % surge = 13 pods × 500m = 6.5 cores
    expect(() => parse("staging", app([API], { quota: { ...quota, requestsCpu: "6" } }))).toThrow(
      /quota\.requestsCpu: "6" — must hold every service at maxReplicas plus a 25 % rollout surge × podRequests\.cpu \(6\.5 cores\)/,
    );
    expect(() => parse("staging", app([API], { quota: { ...quota, pods: 12 } }))).toThrow(/quota\.pods: 12 — must hold every service at maxReplicas plus a 25 % rollout surge \(13 pods\)/);
  });
  it("accepts a quota exactly at the services' maxima plus surge", () => {
    expect(parse("staging", app([API], { quota: { requestsCpu: "6500m", requestsMemory: "13Gi", pods: 13 } })).application!.quota!.requestsCpu).toBe("6500m");
  });
  it("rejects quota limits below quota requests", () => {
    expect(() => parse("staging", app([API], { quota: { ...quota, limitsCpu: "12" } }))).toThrow(/quota\.limitsCpu: "12" — must be at least requestsCpu \(24\)/);
  });
  it("rejects a LimitRange whose default request exceeds its default limit", () => {
    expect(() => parse("staging", app([API], { limitRange: { defaultRequestMemory: "1Gi", defaultLimitMemory: "512Mi" } }))).toThrow(
      /limitRange\.defaultRequestMemory: "1Gi" — must not exceed defaultLimitMemory \(512Mi\)/,
    );
  });
  it("accepts LimitRange defaults within its maxima", () => {
    expect(parse("staging", app([API], { limitRange: { maxCpu: "1", maxMemory: "4Gi" } })).application!.limitRange).toMatchObject({ defaultLimitCpu: "500m", maxCpu: "1" });
  });
  it("rejects pod requests above the LimitRange maximum", () => {
    expect(() => parse("staging", app([{ ...API, podRequests: { cpu: "2", memory: "1Gi" } }], { limitRange: { maxCpu: "1" } }))).toThrow(
      /services\[0\]\.podRequests\.cpu: "2" — must not exceed limitRange\.maxCpu \(1\)/,
    );
  });
});

describe("application config: capacity inputs", () => {
  it("rejects a negative growth rate", () => {
    expect(() => parse("staging", app([API], { capacity: { monthlyGrowthPercent: { users: -5 } } }))).toThrow(/capacity\.monthlyGrowthPercent\.users: -5 — must be a number from 0 to 500/);
  });
  it("defaults to the runbook's growth rates (users 20 %, data 15 %, requests 25 %)", () => {
    expect(parse("staging", app([API], { capacity: {} })).application!.capacity!.monthlyGrowthPercent).toEqual({ users: 20, data: 15, requests: 25 });
  });
  it("rejects load figures without the utilisation of the metric the HPA scales on", () => {
    const capacity = { services: { "stock-analysis-api": { currentReplicas: 3, currentMemoryUtilization: 40 } } };
    expect(() => parse("staging", app([API], { capacity }))).toThrow(/capacity\.services\.stock-analysis-api\.currentCpuUtilization: \(missing\) — is needed because the service scales on CPU/);
  });
  it("rejects an unknown growth driver", () => {
    const capacity = { services: { "stock-analysis-api": { currentReplicas: 3, currentCpuUtilization: 40, growthDriver: "revenue" } } };
    expect(() => parse("staging", app([API], { capacity }))).toThrow(/growthDriver: "revenue" — must be one of users, requests, data/);
  });
});

describe("refineApplication", () => {
  it("does nothing for a stack without an application section", () => {
    const config = parseStackConfig("staging", { "aws:region": "us-east-1", "runbook-infra:environment": "staging", "runbook-infra:cluster": JSON.stringify(CLUSTER) });
    const report = jest.fn();
    refineApplication(config, report);
    expect(report).not.toHaveBeenCalled();
  });
});
