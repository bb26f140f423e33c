/** Route53 rules: failover DNS only fails over if the primary is health-checked and a secondary exists. */
import { asArray, get, ofType, resourceRule, stackRule } from "./common";

export const RECORD = "aws:route53/record:Record";
export const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";

export function failoverType(props: Record<string, any>): string | undefined {
  return get(asArray(props.failoverRoutingPolicies)[0], "type");
}

export const route53Policies = [
  resourceRule({
    name: "route53-failover-health-check",
    description: "A PRIMARY failover record has a health check (or an alias that evaluates target health); without one Route53 never fails over (runbook 001 DR: health check on /health; Route53 failover routing).",
    grade: "mandatory",
    remediation: "Set healthCheckId to an aws.route53.HealthCheck on the primary endpoint, or aliases[].evaluateTargetHealth: true.",
    types: [RECORD],
    check: (props) => {
      if (failoverType(props) !== "PRIMARY") return undefined;
      if (props.healthCheckId) return undefined;
      if (asArray(props.aliases).some((a) => get(a, "evaluateTargetHealth") === true)) return undefined;
      return `PRIMARY record ${props.name} has no healthCheckId and no alias evaluating target health`;
    },
  }),
  stackRule({
    name: "route53-failover-pair",
    description: "Every PRIMARY failover record has a SECONDARY record with the same zone, name and type (runbook 001 DR: fail DNS over to the DR site).",
    grade: "mandatory",
    remediation: "Add the SECONDARY record (failoverRoutingPolicies: [{ type: \"SECONDARY\" }]) pointing at the DR endpoint.",
    check: (resources) => {
      const records = ofType(resources, RECORD);
      const key = (r: (typeof records)[number]) => `${r.props.zoneId}|${String(r.props.name).replace(/\.$/, "")}|${r.props.type}`;
      const secondaries = new Set(records.filter((r) => failoverType(r.props) === "SECONDARY").map(key));
      const primaries = new Set(records.filter((r) => failoverType(r.props) === "PRIMARY").map(key));
      return records
        .filter((r) => failoverType(r.props) === "PRIMARY" && !secondaries.has(key(r)))
        .map((r) => ({ urn: r.urn, message: `PRIMARY ${r.props.type} ${r.props.name} has no SECONDARY` }))
        .concat(records.filter((r) => failoverType(r.props) === "SECONDARY" && !primaries.has(key(r))).map((r) => ({ urn: r.urn, message: `SECONDARY ${r.props.type} ${r.props.name} has no PRIMARY` })));
    },
  }),
  resourceRule({
    name: "route53-health-check-detects-quickly",
    description: "Route53 health checks probe HTTPS on a path (the runbooks' /health), every 10 or 30 s, failing after at most `maxFailureThreshold` misses, so detection stays inside the RTO budget (runbook 001 DR).",
    grade: "advisory",
    config: { maxFailureThreshold: { type: "integer", minimum: 1, maximum: 10, default: 3, description: "Most consecutive failures before unhealthy. @default 3" } },
    remediation: "Set type HTTPS (or HTTPS_STR_MATCH), resourcePath /health, requestInterval 10 or 30 and failureThreshold ≤ 3.",
    types: [HEALTH_CHECK],
    check: (props, ctx) => {
      if (["CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL"].includes(props.type)) return undefined;
      const problems: string[] = [];
      if (!String(props.type ?? "").startsWith("HTTPS")) problems.push(`type is ${props.type}, not HTTPS`);
      if (!props.resourcePath) problems.push("resourcePath is unset");
      if (Number(props.failureThreshold ?? 3) > Number(ctx.config.maxFailureThreshold)) problems.push(`failureThreshold ${props.failureThreshold} exceeds ${ctx.config.maxFailureThreshold}`);
      return problems;
    },
  }),
];
