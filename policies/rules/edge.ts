/**
 * Edge and failover-target rules: DNS points at load balancers that resources create (not names typed
 * into config), the Route53 health check asks for a host the primary serves, and a production stack
 * with DR fails over to a DR stack's load balancer in the DR region, read through a stack reference.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isLoadBalancerHostname, loadBalancerRegion } from "../../core/elb";
import { asArray, Finding, get, known, ofType, stackRule } from "./common";
import { failoverType, HEALTH_CHECK, RECORD } from "./route53";

export const LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";
export const STACK_REFERENCE = "pulumi:pulumi:StackReference";
export const FAILOVER_DNS = "runbook:dr:FailoverDns";
export const API_LOAD_BALANCER = "runbook:edge:ApiLoadBalancer";
const CERTIFICATE = "aws:acm/certificate:Certificate";
const RECOVERY_OBJECTIVES = "runbook:dr:RecoveryObjectives";
const LB_SOURCES = [LOAD_BALANCER, "aws:alb/loadBalancer:LoadBalancer", STACK_REFERENCE];

/** The names a record points at: alias targets and plain values. */
function targetsOf(record: PolicyResource): string[] {
  const props = record.props as Record<string, unknown>;
  const aliases = asArray(known(props, "aliases")).map((a) => get(a, "name"));
  return [...aliases, ...asArray(known(props, "records"))].filter((v): v is string => typeof v === "string");
}

/** True when the record's value comes from a load balancer resource or a stack reference (directly or through its inputs). */
function fromResource(record: PolicyResource): boolean {
  const deps = [...record.dependencies, ...Object.values(record.propertyDependencies ?? {}).flat()];
  return deps.some((d) => LB_SOURCES.includes(d.type));
}

function optedIn(record: PolicyResource): boolean {
  return record.parent?.type === FAILOVER_DNS && get(record.parent.props, "allowLiteralTargets") === true;
}

/** The hosts the plan's load balancers serve: their listener host names and certificate names. */
export function servedHosts(resources: PolicyResource[]): Set<string> {
  const hosts = new Set<string>();
  for (const lb of ofType(resources, API_LOAD_BALANCER)) for (const h of asArray(get(lb.props, "hosts"))) if (typeof h === "string") hosts.add(h);
  for (const cert of ofType(resources, CERTIFICATE)) {
    const props = cert.props as Record<string, unknown>;
    for (const h of [known(props, "domainName"), ...asArray(known(props, "subjectAlternativeNames"))]) if (typeof h === "string") hosts.add(h);
  }
  return hosts;
}

function drRegionOf(resources: PolicyResource[]): string | undefined {
  const declared = ofType(resources, RECOVERY_OBJECTIVES).map((r) => get(r.props, "drRegion")).find((v) => typeof v === "string" && v !== "");
  if (declared) return declared;
  const provider = resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "dr-region");
  const region = provider ? get(provider.props, "region") : undefined;
  return typeof region === "string" ? region : undefined;
}

const clean = (name: unknown) => String(name ?? "").replace(/\.$/, "");

export const edgePolicies = [
  stackRule({
    name: "route53-no-literal-load-balancer-targets",
    description:
      "DNS records that point at a load balancer take its name from a load balancer resource or a stack reference, never from a name typed into config: a typed `*.elb.amazonaws.com` is a placeholder or a stale copy that Route53 rejects or that outlives the load balancer; a FailoverDns with allowLiteralTargets: true is the visible opt-in (runbook 001 DR; issue 14 item 4).",
    grade: "mandatory",
    remediation: "Remove the typed target so the stack aliases its own load balancer (runbook-infra:edge) and the DR stack's (dr.stack), or set dr.records.allowLiteralTargets: true.",
    check: (resources) =>
      ofType(resources, RECORD).flatMap((record) => {
        const literal = targetsOf(record).filter(isLoadBalancerHostname);
        if (literal.length === 0 || fromResource(record) || optedIn(record)) return [];
        return [{ urn: record.urn, message: `record ${clean(get(record.props, "name"))} points at ${literal.join(", ")}, a load balancer name no resource or stack reference in this plan provides` }];
      }),
  }),
  stackRule({
    name: "route53-health-check-served-host",
    description:
      "A Route53 health check asks for a host the primary serves (its site name, on its listener and certificate): not a load balancer's own DNS name (wrong Host header and certificate, so the primary never passes) and not the failover name (after failover it would check the DR site) (runbook 001 DR: curl the primary's /health; issue 14 item 4).",
    grade: "graded",
    remediation: "Set dr.healthCheck.fqdn to the primary's site name (edge.siteName), which its load balancer serves.",
    check: (resources) => {
      const served = servedHosts(resources);
      const failoverNames = new Set(ofType(resources, RECORD).filter((r) => failoverType(r.props)).map((r) => clean(get(r.props, "name"))));
      const findings: Finding[] = [];
      for (const check of ofType(resources, HEALTH_CHECK)) {
        const props = check.props as Record<string, unknown>;
        if (!String(known(props, "type") ?? "").startsWith("HTTP")) continue;
        const fqdn = known(props, "fqdn");
        if (typeof fqdn !== "string") continue;
        const host = clean(fqdn);
        if (isLoadBalancerHostname(host)) findings.push({ urn: check.urn, message: `health check asks for ${host}, the load balancer's own name: its listener and certificate serve the site's names` });
        else if (failoverNames.has(host)) findings.push({ urn: check.urn, message: `health check asks for ${host}, the failover name: after failover it checks the DR site` });
        else if (served.size > 0 && !served.has(host)) findings.push({ urn: check.urn, message: `health check asks for ${host}, which no load balancer in this plan serves (served: ${[...served].join(", ")})` });
        else if (served.size === 0) findings.push({ urn: check.urn, message: `health check asks for ${host}, but no load balancer in this plan serves any host` });
      }
      return findings;
    },
  }),
  stackRule({
    name: "dr-stack-reference",
    description:
      "A production stack with failover DNS reads its DR site through a stack reference, and the SECONDARY record takes its target from it: the DR site is a stack of its own in the DR region, not a name typed into config (runbook 001 DR site; issue 18). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set dr.stack to the DR stack (e.g. production-dr) and remove dr.records.secondary.",
    check: (resources) => {
      const secondaries = ofType(resources, RECORD).filter((r) => failoverType(r.props) === "SECONDARY");
      if (secondaries.length === 0) return [];
      const references = ofType(resources, STACK_REFERENCE);
      if (references.length === 0) return secondaries.map((r) => ({ urn: r.urn, message: `SECONDARY ${clean(get(r.props, "name"))} has failover but the stack reads no DR stack (no pulumi:pulumi:StackReference)` }));
      return secondaries
        .filter((r) => ![...r.dependencies, ...Object.values(r.propertyDependencies ?? {}).flat()].some((d) => d.type === STACK_REFERENCE))
        .map((r) => ({ urn: r.urn, message: `SECONDARY ${clean(get(r.props, "name"))} does not take its target from the DR stack reference` }));
    },
  }),
  stackRule({
    name: "route53-secondary-in-dr-region",
    description: "The SECONDARY failover target is a load balancer in the DR region (drRegion), not in the primary's: failing over inside the failed region recovers nothing (runbook 001 DR site in drRegion; issue 18).",
    grade: "mandatory",
    remediation: "Point the SECONDARY record at the DR stack's load balancer (dr.stack), whose stack runs in drRegion.",
    check: (resources) => {
      const drRegion = drRegionOf(resources);
      if (!drRegion) return [];
      return ofType(resources, RECORD)
        .filter((r) => failoverType(r.props) === "SECONDARY")
        .flatMap((r) =>
          targetsOf(r)
            .filter((t) => isLoadBalancerHostname(t) && loadBalancerRegion(t) !== drRegion)
            .map((t) => ({ urn: r.urn, message: `SECONDARY ${clean(get(r.props, "name"))} points at ${t} in ${loadBalancerRegion(t)}, not in the DR region ${drRegion}` })),
        );
    },
  }),
];
