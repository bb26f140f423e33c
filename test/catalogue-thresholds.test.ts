/**
 * Issue 16, "names that break later": a threshold the config accepts must build an expression
 * Prometheus accepts. Every catalogue alert with a threshold is built at its bounds and, unless the
 * catalogue declares it whole-numbered, at a fraction inside them; and the config refuses a fraction
 * where the catalogue says integer (IntentProcessingStalled: minutes in a range selector, where
 * `[3.5m]` is a PromQL syntax error that used to surface as AlertRules.groups[...].expr).
 */
import { ALERT_CATALOGUE } from "../monitoring/catalogue";
import { promqlProblem } from "../monitoring/promql";
import { monitoringSchema } from "../stacks/config/monitoring";

const withThreshold = ALERT_CATALOGUE.filter((def) => def.threshold);

describe("catalogue thresholds build valid PromQL across the range the config accepts", () => {
  it.each(withThreshold.map((def) => [def.name, def] as const))("%s", (_name, def) => {
    const t = def.threshold!;
    const values = [t.min, t.max, t.default];
    if (!t.integer) values.push(t.min + (Math.min(t.max, t.min + 1) - t.min) / 2);
    for (const threshold of values) {
      const expr = def.expr({ threshold, scope: ['namespace=~"app"'] } as never);
      expect({ threshold, problem: promqlProblem(expr) }).toEqual({ threshold, problem: undefined });
    }
  });

  it("refuses a fraction for a whole-numbered threshold, accepts a whole number", () => {
    const integer = withThreshold.filter((def) => def.threshold!.integer);
    expect(integer.map((d) => d.name)).toContain("IntentProcessingStalled");
    const parse = (threshold: number) => monitoringSchema.safeParse({ runbookUrl: "https://runbooks.example.com/x.md", alerts: { IntentProcessingStalled: { threshold } } });
    const refused = parse(3.5);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].message).toMatch(/must be an integer from 1 to 1440/);
    expect(parse(7).success).toBe(true);
  });
});
