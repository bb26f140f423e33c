import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { isLoadBalancerHostname } from "../core/elb";

/** The regions Route53 can run health checkers from. */
export const ROUTE53_HEALTH_CHECK_REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"];

/** One side of the failover pair: exactly one of `alias`, `cname`, `ip`. */
export interface FailoverTarget {
  /** Alias to a load balancer (A record, evaluates target health). @default none */
  alias?: { dnsName: pulumi.Input<string>; zoneId: pulumi.Input<string> };
  /** Host name served as a CNAME with `ttlSeconds`. @default none */
  cname?: string;
  /** IPv4 address served as an A record with `ttlSeconds`. @default none */
  ip?: string;
}

export interface FailoverHealthCheckArgs {
  /** Host the checkers call (a host the primary serves, never the failover name or a load balancer's own name). @default the cname target's host; an ip target is called by address; required for an alias target */
  fqdn?: pulumi.Input<string>;
  /** HTTPS path that answers 2xx/3xx when healthy. @default "/health" */
  path?: string;
  /** HTTPS port. @default 443 */
  port?: number;
  /** Seconds between checks from each checker (10 or 30). @default 30 */
  intervalSeconds?: number;
  /** Consecutive failures before unhealthy (1–10). @default 3 */
  failureThreshold?: number;
  /** Checker regions, at least 3 of ROUTE53_HEALTH_CHECK_REGIONS. @default ["us-east-1", "us-west-2", "eu-west-1"] */
  regions?: string[];
}

export interface FailoverDnsArgs {
  /** Hosted zone that holds the records. No default. */
  zoneId: pulumi.Input<string>;
  /** The name users call, served PRIMARY/SECONDARY (e.g. api.stockanalysis.com). No default. */
  recordName: string;
  /** The primary site. No default. */
  primary: FailoverTarget;
  /** The DR site. No default. */
  secondary: FailoverTarget;
  /**
   * The targets were typed into config rather than taken from load balancer resources; recorded on
   * this component (its `allowLiteralTargets` input) so the policy pack accepts them visibly. @default false
   */
  allowLiteralTargets?: boolean;
  /** A plain record for the DR site itself (e.g. dr.stockanalysis.com), pointing at `secondary`. @default none */
  drRecordName?: string;
  /** TTL for CNAME/IP records (alias records take the target's). @default 60 */
  ttlSeconds?: number;
  /** The health check on the primary. @default {} (all its defaults) */
  healthCheck?: FailoverHealthCheckArgs;
  /** SNS topics notified when the primary turns unhealthy and when it recovers. @default [] */
  alarmActions?: pulumi.Input<string>[];
  /**
   * Provider in us-east-1 for the CloudWatch alarm: Route53 publishes HealthCheckStatus only there.
   * @default the default AWS provider (correct only when the stack's region is us-east-1)
   */
  metricsProvider?: pulumi.ProviderResource;
  /** Tags for the health check and the alarm. @default {} */
  tags?: Record<string, string>;
}

const HOST = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function recordType(target: FailoverTarget): "A" | "CNAME" {
  return target.cname !== undefined ? "CNAME" : "A";
}

function checkTarget(side: "primary" | "secondary", target: FailoverTarget): void {
  const kinds = (["alias", "cname", "ip"] as const).filter((k) => target?.[k] !== undefined);
  if (kinds.length !== 1) rejectArg("FailoverDns", side, target, "must set exactly one of alias {dnsName, zoneId}, cname, ip");
  if (target.cname !== undefined && !HOST.test(target.cname)) rejectArg("FailoverDns", `${side}.cname`, target.cname, "must be a DNS name such as dr.example.com");
  if (target.ip !== undefined && !IPV4.test(target.ip)) rejectArg("FailoverDns", `${side}.ip`, target.ip, "must be an IPv4 address");
}

/**
 * DNS failover for one name: a Route53 health check on the primary site (HTTPS, from several checker
 * regions), a PRIMARY record that Route53 serves while that check passes and a SECONDARY record for
 * the DR site, plus a CloudWatch alarm so that people hear about a failover when it happens. This
 * replaces runbook 001's cron-polled curl + hand-run `change-resource-record-sets`.
 */
export class FailoverDns extends pulumi.ComponentResource {
  public readonly healthCheckId: pulumi.Output<string>;
  public readonly alarmArn: pulumi.Output<string>;
  public readonly primaryRecordId: pulumi.Output<string>;
  public readonly secondaryRecordId: pulumi.Output<string>;
  /** The record name served PRIMARY/SECONDARY. */
  public readonly recordName: string;

  constructor(name: string, args: FailoverDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    const hc = args.healthCheck ?? {};
    const path = hc.path ?? "/health";
    const port = hc.port ?? 443;
    const intervalSeconds = hc.intervalSeconds ?? 30;
    const failureThreshold = hc.failureThreshold ?? 3;
    const regions = hc.regions ?? ["us-east-1", "us-west-2", "eu-west-1"];
    const ttl = args.ttlSeconds ?? 60;
    if (!HOST.test(args.recordName)) rejectArg("FailoverDns", "recordName", args.recordName, "must be a DNS name such as api.example.com");
    if (args.drRecordName !== undefined && (!HOST.test(args.drRecordName) || args.drRecordName === args.recordName))
      rejectArg("FailoverDns", "drRecordName", args.drRecordName, "must be a DNS name other than recordName");
    checkTarget("primary", args.primary);
    checkTarget("secondary", args.secondary);
    if (recordType(args.primary) !== recordType(args.secondary))
      rejectArg("FailoverDns", "secondary", args.secondary, `must have the primary's record type (${recordType(args.primary)}): a failover pair shares one type`);
    if (intervalSeconds !== 10 && intervalSeconds !== 30) rejectArg("FailoverDns", "healthCheck.intervalSeconds", intervalSeconds, "must be 10 or 30");
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 10)
      rejectArg("FailoverDns", "healthCheck.failureThreshold", failureThreshold, "must be an integer from 1 to 10");
    if (!Number.isInteger(port) || port < 1 || port > 65535) rejectArg("FailoverDns", "healthCheck.port", port, "must be an integer from 1 to 65535");
    if (!path.startsWith("/")) rejectArg("FailoverDns", "healthCheck.path", path, 'must be an absolute path such as "/health"');
    if (regions.length < 3 || new Set(regions).size !== regions.length || regions.some((r) => !ROUTE53_HEALTH_CHECK_REGIONS.includes(r)))
      rejectArg("FailoverDns", "healthCheck.regions", regions, `must list at least 3 different regions from ${ROUTE53_HEALTH_CHECK_REGIONS.join(", ")}`);
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 86400) rejectArg("FailoverDns", "ttlSeconds", ttl, "must be an integer from 0 to 86400");
    if (hc.fqdn === args.recordName)
      rejectArg("FailoverDns", "healthCheck.fqdn", hc.fqdn, "must name the primary site itself, not recordName (after failover it would check the DR site)");
    if (hc.fqdn === undefined && args.primary.alias)
      rejectArg("FailoverDns", "healthCheck.fqdn", hc.fqdn, "must be set for an alias primary: a load balancer answers its own name with the wrong Host header; name the host it serves");
    if (isLoadBalancerHostname(hc.fqdn))
      rejectArg("FailoverDns", "healthCheck.fqdn", hc.fqdn, "must be a host the primary serves, not a load balancer's own name");
    super("runbook:dr:FailoverDns", name, { allowLiteralTargets: args.allowLiteralTargets ?? false, recordName: args.recordName }, opts);

    const tags = args.tags ?? {};
    const target = args.primary;
    const fqdn = hc.fqdn ?? target.cname;
    const healthCheck = new aws.route53.HealthCheck(
      `${name}-primary`,
      {
        type: "HTTPS",
        ...(fqdn !== undefined ? { fqdn } : { ipAddress: target.ip }),
        port,
        resourcePath: path,
        requestInterval: intervalSeconds,
        failureThreshold,
        regions,
        enableSni: fqdn !== undefined,
        measureLatency: true,
        tags: { ...tags, Name: `${args.recordName} primary` },
      },
      { parent: this },
    );

    const alarm = new aws.cloudwatch.MetricAlarm(
      `${name}-primary-unhealthy`,
      {
        alarmDescription: `Route53 health check for ${args.recordName} (primary) is failing: DNS has failed over to the DR site. Scale the DR deployments and restore the database (runbook: DR Site Activation).`,
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: healthCheck.id },
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        // No data means the checkers cannot report at all: treat as down, not as fine.
        treatMissingData: "breaching",
        alarmActions: args.alarmActions ?? [],
        okActions: args.alarmActions ?? [],
        tags,
      },
      { parent: this, ...(args.metricsProvider ? { provider: args.metricsProvider } : {}) },
    );

    const record = (resourceName: string, recordName: string, side: FailoverTarget, extra: Partial<aws.route53.RecordArgs>) =>
      new aws.route53.Record(
        resourceName,
        {
          zoneId: args.zoneId,
          name: recordName,
          type: recordType(side),
          ...(side.alias
            ? { aliases: [{ name: side.alias.dnsName, zoneId: side.alias.zoneId, evaluateTargetHealth: true }] }
            : { ttl, records: [(side.cname ?? side.ip) as string] }),
          ...extra,
        },
        { parent: this },
      );

    const primary = record(`${name}-primary`, args.recordName, args.primary, {
      setIdentifier: "primary",
      failoverRoutingPolicies: [{ type: "PRIMARY" }],
      healthCheckId: healthCheck.id,
    });
    const secondary = record(`${name}-secondary`, args.recordName, args.secondary, {
      setIdentifier: "secondary",
      failoverRoutingPolicies: [{ type: "SECONDARY" }],
    });
    if (args.drRecordName !== undefined) record(`${name}-dr-site`, args.drRecordName, args.secondary, {});

    this.recordName = args.recordName;
    this.healthCheckId = healthCheck.id;
    this.alarmArn = alarm.arn;
    this.primaryRecordId = primary.id;
    this.secondaryRecordId = secondary.id;
    this.registerOutputs({ healthCheckId: this.healthCheckId, alarmArn: this.alarmArn, primaryRecordId: this.primaryRecordId, secondaryRecordId: this.secondaryRecordId });
  }
}
