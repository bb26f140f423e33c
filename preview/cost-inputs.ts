/**
 * What the cost estimate (`model/cost.ts`) takes from the validated config rather than from the plan:
 * growth factors for the 6- and 12-month projections (from the capacity plan) and how many backup
 * objects each key prefix receives per day (from the CronJob schedules).
 */
import { CronExpressionParser } from "cron-parser";
import type { StackConfig } from "../stacks/config/schema";
import type { CostOptions, GrowthFactors } from "../model/cost";
import { growthFactor, HORIZONS, type CapacityPlan } from "../model/capacity-plan";

/** Runs per day of a cron schedule, averaged over two weeks (UTC). */
export function runsPerDay(schedule: string): number | undefined {
  try {
    const start = new Date("2026-11-30T00:00:00Z");
    const end = new Date(start.getTime() + 14 * 86_400_000);
    const it = CronExpressionParser.parse(schedule, { currentDate: start, endDate: end, tz: "UTC" });
    let runs = 0;
    while (it.hasNext() && runs < 14 * 24 * 60) {
      it.next();
      runs++;
    }
    return runs / 14;
  } catch {
    return undefined;
  }
}

/** Growth of a capacity-plan row after `months` (ratio to its current figure), if the row has both figures. */
function rowGrowth(plan: CapacityPlan, item: string, months: 6 | 12): number | undefined {
  const row = plan.rows.find((r) => r.item === item);
  const later = months === 6 ? row?.month6 : row?.month12;
  return row?.current && later !== undefined ? later / row.current : undefined;
}

export function costOptionsFor(config: StackConfig, capacity: CapacityPlan): CostOptions {
  const growth: GrowthFactors[] = HORIZONS.map((months) => {
    const requests = growthFactor(config, "requests", months);
    const cpu = rowGrowth(capacity, "app CPU requests", months);
    const memory = rowGrowth(capacity, "app memory requests", months);
    const compute = cpu !== undefined || memory !== undefined ? Math.max(cpu ?? 0, memory ?? 0, 1) : requests;
    const storage = rowGrowth(capacity, "database storage", months) ?? growthFactor(config, "data", months);
    return { months, compute, storage, requests };
  });
  const perDay: Record<string, number> = {};
  const pg = config.backups?.postgres as { daily?: { schedule?: string }; hourly?: { schedule?: string } } | undefined;
  const daily = pg?.daily?.schedule ? runsPerDay(pg.daily.schedule) : undefined;
  if (daily !== undefined) perDay["postgresql/daily/"] = daily;
  const hourly = pg?.hourly?.schedule ? runsPerDay(pg.hourly.schedule) : undefined;
  if (hourly !== undefined) perDay["postgresql/hourly/"] = hourly;
  const k8s = (config.backups as { kubernetesConfig?: { schedule?: string } } | undefined)?.kubernetesConfig?.schedule;
  const k8sRuns = k8s ? runsPerDay(k8s) : undefined;
  if (k8sRuns !== undefined) perDay["k8s-configs/"] = k8sRuns;
  return { growth, backupObjectsPerDay: perDay };
}
