import * as aws from "@pulumi/aws";
import type { StackContext } from "./context";
import type { ApplicationOutputs } from "./application";
import type { MonitoringContext } from "./monitoring";
import { ApiLoadBalancer } from "../components/api-load-balancer";
import { LoadBalancerController } from "../components/load-balancer-controller";
import { CertManager } from "../components/cert-manager";
import { loadBalancerName } from "../core/elb";

/** What the edge step leaves on `ctx.edge` (DR failover aliases the load balancer; WAF attaches to it). */
export interface EdgeOutputs {
  loadBalancer: ApiLoadBalancer;
  controller: LoadBalancerController;
  certManager: CertManager;
  /** This site's own name (the health-check host on the primary). */
  siteName: string;
  /** Every name the load balancer serves. */
  hosts: string[];
}

/** This site's own name: `edge.siteName`, else `primary.<domain>` or `dr.<domain>` by the stack's role. */
export function edgeSiteName(ctx: Pick<StackContext, "config">): string | undefined {
  const { config } = ctx;
  if (!config.edge || !config.domain) return undefined;
  return config.edge.siteName ?? `${config.role === "dr" ? "dr" : "primary"}.${config.domain}`;
}

/** The names this site serves: its own name, `edge.hosts`, and on a primary with failover the failover name. */
export function edgeHosts(ctx: Pick<StackContext, "config">): string[] {
  const site = edgeSiteName(ctx);
  if (!site) return [];
  const { config } = ctx;
  const failoverName = config.role !== "dr" && config.dr?.enabled ? config.dr.records?.name : undefined;
  return [...new Set([site, ...config.edge!.hosts, ...(failoverName ? [failoverName] : [])])];
}

/**
 * Composes the edge of the cluster when `edge` is configured: the stack's own ALB for the API, the AWS
 * Load Balancer Controller that binds the API Service's pods to it, and cert-manager with Route53
 * DNS-01 issuers and the certificate the pods serve behind the load balancer (HTTPS to the targets).
 * Runs after the application (namespace) and monitoring (ServiceMonitor CRDs) steps.
 */
export function deployEdge(ctx: StackContext): Record<string, unknown> {
  const { config, cluster, network } = ctx;
  const edge = config.edge;
  const app = ctx.application as ApplicationOutputs | undefined;
  if (!edge || !config.domain || !app) return {};
  const production = config.environment === "production";
  const siteName = edgeSiteName(ctx)!;
  const hosts = edgeHosts(ctx);
  const serviceName = edge.service ?? app.services[0].name;
  const zoneId = aws.route53.getZoneOutput({ name: config.domain, privateZone: false }).zoneId;
  const publicFacing = edge.scheme === "internet-facing";

  const loadBalancer = new ApiLoadBalancer("edge", {
    loadBalancerName: loadBalancerName(ctx.prefix, "api"),
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidrBlock,
    subnetIds: publicFacing ? network.publicSubnetIds : network.privateSubnetIds,
    scheme: edge.scheme,
    allowedCidrs: edge.allowedCidrs,
    zoneId,
    siteName,
    hosts: hosts.slice(1),
    serviceName,
    servicePort: edge.servicePort,
    backendProtocol: edge.backendProtocol,
    healthCheckPath: edge.healthCheckPath,
    idleTimeoutSeconds: edge.idleTimeoutSeconds,
    stickiness: edge.stickiness,
    deregistrationDelaySeconds: edge.deregistrationDelaySeconds,
    deletionProtection: edge.deletionProtection ?? production,
    targetSecurityGroupId: cluster.clusterSecurityGroupId,
    tags: ctx.tags,
  });

  // Helm releases go through the provider that waits for nodes and coredns (a release with no node to run on times out).
  const provider = cluster.workloadProvider;
  const controller = new LoadBalancerController(
    "lb-controller",
    {
      clusterName: cluster.clusterName,
      region: config.region,
      vpcId: network.vpcId,
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuer: cluster.oidcIssuer,
      targetGroupArns: [loadBalancer.targetGroupArn],
      bindings: [{ namespace: app.namespace.metadata.name, serviceName, servicePort: edge.servicePort, targetGroupArn: loadBalancer.targetGroupArn }],
      tags: ctx.tags,
    },
    { provider },
  );

  const monitoring = ctx.monitoring as MonitoringContext | undefined;
  const certManager = new CertManager(
    "cert-manager",
    {
      zoneId,
      zoneName: config.domain,
      region: config.region,
      email: (edge.acmeEmail ?? config.monitoring?.email?.to)!,
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuer: cluster.oidcIssuer,
      // The pods' own certificate, for HTTPS from the load balancer to the targets.
      certificates: edge.backendProtocol === "HTTPS" ? [{ namespace: app.namespace.metadata.name, name: `${serviceName}-tls`, dnsNames: hosts, issuer: edge.issuer }] : [],
      serviceMonitor: Boolean(monitoring?.managedStack),
      releaseDependsOn: monitoring?.stackComponent ? [monitoring.stackComponent] : [],
      tags: ctx.tags,
    },
    { provider },
  );

  ctx.edge = { loadBalancer, controller, certManager, siteName, hosts } satisfies EdgeOutputs;
  return {
    edgeLoadBalancerArn: loadBalancer.loadBalancerArn,
    edgeLoadBalancerDnsName: loadBalancer.loadBalancerDnsName,
    edgeLoadBalancerZoneId: loadBalancer.loadBalancerZoneId,
    edgeSiteName: siteName,
    edgeHosts: hosts,
    edgeRegion: config.region,
  };
}
