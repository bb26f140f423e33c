import { z } from "zod";
import { bool, cidr, int, k8sName, oneOf, str } from "./fields";
import type { Refinement } from "./refinement";

const hostname = () => str(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, "a DNS name such as api.example.com");

/** ALB idle timeout limits (seconds): the API accepts 1–4000. */
export const ALB_IDLE_TIMEOUT = { min: 1, max: 4000 } as const;

/**
 * The edge of one cluster: an Application Load Balancer the stack owns (so DNS aliases a real
 * resource), the AWS Load Balancer Controller that binds the API's pods to it, an ACM certificate at
 * the load balancer, and cert-manager with Route53 DNS-01 issuers for the certificate the pods serve.
 */
export const edgeSchema = z
  .object({
    /** This site's own name (an alias record to this stack's load balancer): what the Route53 health check asks for. @default "primary.<domain>" (role primary) or "dr.<domain>" (role dr) */
    siteName: hostname().optional(),
    /** Further names the load balancer serves (certificate SANs and listener host rules); the failover name `dr.records.name` is added on the primary. @default [] */
    hosts: z.array(hostname()).default([]),
    /** `internal` keeps the load balancer inside the VPC; `internet-facing` publishes it (a visible choice the policy pack sees). @default "internal" */
    scheme: oneOf(["internal", "internet-facing"]).default("internal"),
    /** CIDRs allowed to reach the listeners. @default the VPC CIDR when internal; required for internet-facing */
    allowedCidrs: z.array(cidr()).optional(),
    /** The Kubernetes Service in application.namespace whose pods receive the traffic. @default the first application service */
    service: k8sName().optional(),
    /** Port of that Service. @default 8000 */
    servicePort: int(1, 65535).default(8000),
    /** Protocol from the load balancer to the pods: HTTPS (cert-manager certificate in the pod) or HTTP (plaintext inside the VPC: opt-out). @default "HTTPS" */
    backendProtocol: oneOf(["HTTPS", "HTTP"]).default("HTTPS"),
    /** Path the target group's health check calls on each pod. @default "/health" */
    healthCheckPath: str(/^\/[^\s?#]*$/, 'an absolute URL path such as "/health"').default("/health"),
    /** Seconds an idle connection stays open; WebSockets (runbook 002) need more than the 60 s default. @default 60 */
    idleTimeoutSeconds: int(ALB_IDLE_TIMEOUT.min, ALB_IDLE_TIMEOUT.max).default(60),
    /** Session affinity by load-balancer cookie (runbook 002: WebSocket clients reconnect to the same pod). @default { enabled: false } */
    stickiness: z
      .object({
        /** Route a client to the same pod while its cookie lives. @default false */
        enabled: bool().default(false),
        /** Cookie lifetime in seconds (ALB: 1–604800). @default 86400 */
        durationSeconds: int(1, 604800).default(86400),
      })
      .strict()
      .prefault({}),
    /** Seconds a deregistering pod keeps its connections (long WebSockets need longer drains). @default 60 */
    deregistrationDelaySeconds: int(0, 3600).default(60),
    /** Refuse deletion of the load balancer. @default true in production, false elsewhere */
    deletionProtection: bool().optional(),
    /** ACME account e-mail for cert-manager's Let's Encrypt issuers. @default none (then `monitoring.email.to`) */
    acmeEmail: str(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an e-mail address").optional(),
    /** Issuer for the pods' certificate: letsencrypt-staging while testing, letsencrypt-production for real. @default "letsencrypt-production" */
    issuer: oneOf(["letsencrypt-staging", "letsencrypt-production"]).default("letsencrypt-production"),
  })
  .strict();

export type EdgeConfig = z.infer<typeof edgeSchema>;

export const refineEdge: Refinement = (config, report) => {
  const edge = config.edge;
  if (!edge) return;
  if (!config.domain) report(["edge"], "(set)", "needs runbook-infra:domain (the zone the certificate is validated in and the site record lives in)");
  if (!config.application) report(["edge"], "(set)", "needs runbook-infra:application (the load balancer forwards to one of its services)");
  const app = config.application;
  if (app && edge.service && !app.services.some((s) => s.name === edge.service))
    report(["edge", "service"], edge.service, `must be one of application.services: ${app.services.map((s) => s.name).join(", ") || "(none)"}`);
  if (edge.scheme === "internet-facing" && !edge.allowedCidrs)
    report(["edge", "allowedCidrs"], edge.allowedCidrs, 'must be listed for an internet-facing load balancer (["0.0.0.0/0"] for a public API: a visible choice)');
  if (edge.scheme === "internal" && edge.allowedCidrs?.includes("0.0.0.0/0"))
    report(["edge", "allowedCidrs"], edge.allowedCidrs, "must not include 0.0.0.0/0 for an internal load balancer (set scheme: internet-facing to publish it)");
  if (!edge.acmeEmail && !config.monitoring?.email?.to) report(["edge", "acmeEmail"], edge.acmeEmail, "must be set (or set monitoring.email.to): Let's Encrypt mails expiry notices there");
  const domain = config.domain;
  if (domain)
    for (const [i, host] of [edge.siteName, ...edge.hosts].entries())
      if (host !== undefined && host !== domain && !host.endsWith(`.${domain}`))
        report(i === 0 && edge.siteName ? ["edge", "siteName"] : ["edge", "hosts", edge.siteName ? i - 1 : i], host, `must be inside the zone ${domain}`);
  if (edge.stickiness.enabled && edge.idleTimeoutSeconds < 60) report(["edge", "idleTimeoutSeconds"], edge.idleTimeoutSeconds, "must be at least 60 with stickiness (WebSocket sessions)");
};
