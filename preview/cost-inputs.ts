/**
 * What the cost estimate (`model/cost.ts`) takes from the validated config rather than from the plan:
 * growth factors for the 6- and 12-month projections (from the capacity plan). Everything else the
 * estimate reads from the plan itself, so the policy pack, which sees only the plan, prices it the same.
 */
import type { StackConfig } from "../stacks/config/schema";
import type { CostOptions, GrowthFactors } from "../model/cost";
import { growthFactor, HORIZONS, type CapacityPlan } from "../model/capacity-plan";

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
  return { growth };
}
