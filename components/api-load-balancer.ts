import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { ELB_TLS_POLICY, LOAD_BALANCER_NAME } from "../core/elb";

const HOST = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;
/** An ALB listener rule holds at most five condition values. */
const HOSTS_PER_RULE = 5;

export interface ApiLoadBalancerArgs {
  /** Physical name of the load balancer (AWS: 1–32 letters, digits, hyphens). No default. */
  loadBalancerName: string;
  /** VPC of the load balancer and its targets. No default. */
  vpcId: pulumi.Input<string>;
  /** CIDR of that VPC: the load balancer may send traffic only there. No default. */
  vpcCidr: pulumi.Input<string>;
  /** Subnets of the load balancer: public ones for `internet-facing`, private ones for `internal`. No default. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** `internal` (reachable from the VPC) or `internet-facing`. @default "internal" */
  scheme?: "internal" | "internet-facing";
  /** CIDRs admitted to ports 443 and 80. @default [vpcCidr] */
  allowedCidrs?: pulumi.Input<string>[];
  /** Public hosted zone for the certificate's validation records and the site record. No default. */
  zoneId: pulumi.Input<string>;
  /** This site's own name: an alias record to the load balancer, the certificate's subject, the health-check host. No default. */
  siteName: string;
  /** Further names served (certificate SANs, listener host rules), e.g. the failover name. @default [] */
  hosts?: string[];
  /** Name of the Service whose pods receive the traffic (for descriptions; the controller binds it). No default. */
  serviceName: string;
  /** That Service's port (the target group's port). No default. */
  servicePort: number;
  /** Protocol to the pods (HTTPS: the pods serve the cert-manager certificate). @default "HTTPS" */
  backendProtocol?: "HTTPS" | "HTTP";
  /** Path of the per-pod health check. @default "/health" */
  healthCheckPath?: string;
  /** Idle connection timeout (seconds, 1–4000); WebSockets need long ones. @default 60 */
  idleTimeoutSeconds?: number;
  /** Load-balancer cookie stickiness. @default { enabled: false, durationSeconds: 86400 } */
  stickiness?: { enabled: boolean; durationSeconds: number };
  /** Seconds a deregistering target drains. @default 60 */
  deregistrationDelaySeconds?: number;
  /** Refuse deletion of the load balancer. @default true */
  deletionProtection?: boolean;
  /** Security group of the targets (the EKS cluster security group pods use); gets one rule admitting this load balancer. No default. */
  targetSecurityGroupId: pulumi.Input<string>;
  /** Tags for the AWS resources. @default {} */
  tags?: Record<string, string>;
}

/**
 * The API's load balancer, owned by the stack: an ALB with its own security group, an HTTPS listener
 * (ACM certificate validated in the zone, TLS 1.3/1.2 policy) that forwards only the hosts this site
 * serves and answers 404 to any other Host header, HTTP redirected to HTTPS, an IP target group
 * (idle timeout, stickiness and drain from config for runbook 002's WebSockets) that the AWS Load
 * Balancer Controller fills with the Service's pod IPs (`LoadBalancerController.bindings`), and an
 * alias record for the site's own name.
 */
export class ApiLoadBalancer extends pulumi.ComponentResource {
  public readonly loadBalancerArn: pulumi.Output<string>;
  public readonly loadBalancerDnsName: pulumi.Output<string>;
  public readonly loadBalancerZoneId: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly targetGroupArn: pulumi.Output<string>;
  public readonly httpsListenerArn: pulumi.Output<string>;
  public readonly certificateArn: pulumi.Output<string>;
  /** Every name the listener and certificate serve, the site name first. */
  public readonly hosts: string[];
  public readonly siteName: string;

  constructor(name: string, args: ApiLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!LOAD_BALANCER_NAME.test(args.loadBalancerName))
      rejectArg("ApiLoadBalancer", "loadBalancerName", args.loadBalancerName, "must be 1–32 letters, digits or hyphens, not starting or ending with a hyphen or starting with internal-");
    if (!HOST.test(args.siteName)) rejectArg("ApiLoadBalancer", "siteName", args.siteName, "must be a DNS name such as primary.example.com");
    const hosts = [args.siteName, ...(args.hosts ?? []).filter((h) => h !== args.siteName)];
    for (const host of hosts) if (!HOST.test(host)) rejectArg("ApiLoadBalancer", "hosts", host, "must be DNS names such as api.example.com");
    if (new Set(hosts).size !== hosts.length) rejectArg("ApiLoadBalancer", "hosts", args.hosts, "must not repeat a name");
    // ACM: at most 10 names per certificate by default.
    if (hosts.length > 10) rejectArg("ApiLoadBalancer", "hosts", hosts.length, "must name at most 10 hosts with siteName (ACM's default limit per certificate)");
    const idle = args.idleTimeoutSeconds ?? 60;
    if (!Number.isInteger(idle) || idle < 1 || idle > 4000) rejectArg("ApiLoadBalancer", "idleTimeoutSeconds", idle, "must be an integer from 1 to 4000");
    const stickiness = args.stickiness ?? { enabled: false, durationSeconds: 86400 };
    if (!Number.isInteger(stickiness.durationSeconds) || stickiness.durationSeconds < 1 || stickiness.durationSeconds > 604800)
      rejectArg("ApiLoadBalancer", "stickiness.durationSeconds", stickiness.durationSeconds, "must be an integer from 1 to 604800");
    const drain = args.deregistrationDelaySeconds ?? 60;
    if (!Number.isInteger(drain) || drain < 0 || drain > 3600) rejectArg("ApiLoadBalancer", "deregistrationDelaySeconds", drain, "must be an integer from 0 to 3600");
    if (!Number.isInteger(args.servicePort) || args.servicePort < 1 || args.servicePort > 65535) rejectArg("ApiLoadBalancer", "servicePort", args.servicePort, "must be an integer from 1 to 65535");
    for (const c of args.allowedCidrs ?? []) if (typeof c === "string" && !CIDR.test(c)) rejectArg("ApiLoadBalancer", "allowedCidrs", c, "must be IPv4 CIDR blocks");
    const scheme = args.scheme ?? "internal";
    super("runbook:edge:ApiLoadBalancer", name, { scheme, hosts, siteName: args.siteName, idleTimeoutSeconds: idle, stickiness }, opts);

    const tags = args.tags ?? {};
    const backendProtocol = args.backendProtocol ?? "HTTPS";
    const allowed = args.allowedCidrs ?? [args.vpcCidr];

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: `${args.loadBalancerName}: HTTPS (and HTTP redirect) in, the API's pods out`,
        ingress: [
          { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: allowed, description: "HTTPS" },
          { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: allowed, description: "HTTP, redirected to HTTPS" },
        ],
        egress: [{ protocol: "tcp", fromPort: args.servicePort, toPort: args.servicePort, cidrBlocks: [args.vpcCidr], description: "to the API's pods" }],
        tags: { ...tags, Name: `${args.loadBalancerName}-alb` },
      },
      { parent: this },
    );
    // The binding declares no `networking`, so the controller needs no security-group rights: this one rule admits the ALB.
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-to-pods`,
      { securityGroupId: args.targetSecurityGroupId, referencedSecurityGroupId: securityGroup.id, ipProtocol: "tcp", fromPort: args.servicePort, toPort: args.servicePort, description: `${args.loadBalancerName} to ${args.serviceName}`, tags },
      { parent: this },
    );

    const lb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        name: args.loadBalancerName,
        loadBalancerType: "application",
        internal: scheme === "internal",
        subnets: args.subnetIds,
        securityGroups: [securityGroup.id],
        idleTimeout: idle,
        enableHttp2: true,
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "defensive",
        enableDeletionProtection: args.deletionProtection ?? true,
        tags,
      },
      { parent: this },
    );

    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      { domainName: args.siteName, subjectAlternativeNames: hosts.slice(1), validationMethod: "DNS", keyAlgorithm: "EC_prime256v1", tags },
      // A new certificate must be issued before the listener lets go of the old one.
      { parent: this, deleteBeforeReplace: false },
    );
    // The validation CNAME for a name is the same for every certificate of this account, so the DR
    // site's certificate for the shared failover name reuses the record: overwrite, do not fail.
    const validationRecords = hosts.map((host, i) => {
      const option = certificate.domainValidationOptions.apply((options) => options.find((o) => o.domainName === host) ?? options[i]);
      return new aws.route53.Record(
        `${name}-validation-${i}`,
        { zoneId: args.zoneId, name: option.apply((o) => o.resourceRecordName), type: option.apply((o) => o.resourceRecordType), records: [option.apply((o) => o.resourceRecordValue)], ttl: 300, allowOverwrite: true },
        { parent: this },
      );
    });
    const validation = new aws.acm.CertificateValidation(`${name}-cert-validation`, { certificateArn: certificate.arn, validationRecordFqdns: validationRecords.map((r) => r.fqdn) }, { parent: this });

    const targetGroup = new aws.lb.TargetGroup(
      `${name}-targets`,
      {
        vpcId: args.vpcId,
        targetType: "ip",
        port: args.servicePort,
        protocol: backendProtocol,
        protocolVersion: "HTTP1",
        deregistrationDelay: drain,
        healthCheck: { enabled: true, protocol: backendProtocol, path: args.healthCheckPath ?? "/health", matcher: "200-399", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
        stickiness: { type: "lb_cookie", enabled: stickiness.enabled, cookieDuration: stickiness.durationSeconds },
        tags,
      },
      { parent: this },
    );

    const https = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: ELB_TLS_POLICY,
        certificateArn: validation.certificateArn,
        // A Host header this site does not serve gets 404, not the API: the health check must ask for a served host.
        defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "unknown host" } }],
        tags,
      },
      { parent: this },
    );
    for (let i = 0; i * HOSTS_PER_RULE < hosts.length; i++)
      new aws.lb.ListenerRule(
        `${name}-hosts-${i}`,
        {
          listenerArn: https.arn,
          priority: 10 + i,
          conditions: [{ hostHeader: { values: hosts.slice(i * HOSTS_PER_RULE, (i + 1) * HOSTS_PER_RULE) } }],
          actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
          tags,
        },
        { parent: this },
      );
    new aws.lb.Listener(
      `${name}-http`,
      { loadBalancerArn: lb.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }], tags },
      { parent: this },
    );

    new aws.route53.Record(
      `${name}-site`,
      { zoneId: args.zoneId, name: args.siteName, type: "A", aliases: [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true }] },
      { parent: this },
    );

    this.hosts = hosts;
    this.siteName = args.siteName;
    this.loadBalancerArn = lb.arn;
    this.loadBalancerDnsName = lb.dnsName;
    this.loadBalancerZoneId = lb.zoneId;
    this.securityGroupId = securityGroup.id;
    this.targetGroupArn = targetGroup.arn;
    this.httpsListenerArn = https.arn;
    this.certificateArn = validation.certificateArn;
    this.registerOutputs({
      loadBalancerArn: this.loadBalancerArn,
      loadBalancerDnsName: this.loadBalancerDnsName,
      loadBalancerZoneId: this.loadBalancerZoneId,
      securityGroupId: this.securityGroupId,
      targetGroupArn: this.targetGroupArn,
      httpsListenerArn: this.httpsListenerArn,
      certificateArn: this.certificateArn,
    });
  }
}
