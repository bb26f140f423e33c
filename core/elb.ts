/**
 * Elastic Load Balancing facts the edge, the failover records, the offline mocks and the policy pack
 * share. Pure data: no Pulumi resources.
 */

/**
 * The Route53 hosted zone of each region's load balancers (AWS "Elastic Load Balancing endpoints and
 * quotas"). An alias record names the load balancer's DNS name and this zone; the provider reports it
 * as `aws.lb.LoadBalancer.zoneId`, so the program never types it — the offline mocks answer with it.
 */
export const ELB_HOSTED_ZONES: Readonly<Record<string, { application: string; network: string }>> = {
  "us-east-1": { application: "Z35SXDOTRQ7X7K", network: "Z26RNL4JYFTOTI" },
  "us-east-2": { application: "Z3AADJGX6KTTL2", network: "ZLMOA37VPKANP" },
  "us-west-1": { application: "Z368ELLRRE2KJ0", network: "Z24FKFUX50B4VW" },
  "us-west-2": { application: "Z1H1FL5HABSF5", network: "Z18D5FSROUN65G" },
  "ca-central-1": { application: "ZQSVJUPU6J1EY", network: "Z2EPGBW3API2WT" },
  "eu-west-1": { application: "Z32O12XQLNTSW2", network: "Z2IFOLAFXWLO4F" },
  "eu-west-2": { application: "ZHURV8PSTC4K8", network: "ZD4D7Y8KGAS4G" },
  "eu-central-1": { application: "Z215JYRZR1TBD5", network: "Z3F0SRJ5LGBH90" },
  "eu-north-1": { application: "Z23TAZ7KFHAS", network: "Z1UDT6IFJ4EJM" },
  "ap-south-1": { application: "ZP97RAFLXTNZK", network: "ZVDDRBQ08TROA" },
  "ap-southeast-1": { application: "Z1LMS91P8CMLE5", network: "ZKVM4W9LS7TM" },
  "ap-southeast-2": { application: "Z1GM3OXH4ZPM65", network: "ZCT6FZBF4DROD" },
  "ap-northeast-1": { application: "Z14GRHDCWA56QT", network: "Z31USIVHYNEOWT" },
  "sa-east-1": { application: "Z2P70J7HTTTPLU", network: "ZTK26PT1VY4CU" },
};

/**
 * A load balancer's AWS-assigned DNS name: `<name>-<id>.<region>.elb.amazonaws.com` (ALB, CLB),
 * `<name>-<id>.elb.<region>.amazonaws.com` (NLB), optionally prefixed `internal-` or `dualstack.`.
 * Such a name is only ever known after AWS creates the load balancer, so one typed into config is a
 * placeholder or a copy of another stack's state — both go stale without anyone noticing.
 */
export const ELB_HOSTNAME = /(^|\.)[a-z0-9-]+\.(([a-z]{2}(-gov)?-[a-z]+-\d)\.elb|elb\.([a-z]{2}(-gov)?-[a-z]+-\d))\.amazonaws\.com(\.cn)?\.?$/i;

/** True when `name` looks like an AWS load balancer DNS name. */
export function isLoadBalancerHostname(name: unknown): boolean {
  return typeof name === "string" && ELB_HOSTNAME.test(name);
}

/** The region a load balancer DNS name carries, or undefined when `name` is not one. */
export function loadBalancerRegion(name: unknown): string | undefined {
  if (typeof name !== "string") return undefined;
  const m = ELB_HOSTNAME.exec(name);
  return m ? (m[3] ?? m[5]) : undefined;
}

/** ALB/NLB names: 1–32 characters, letters, digits and hyphens, not starting or ending with a hyphen, not starting with "internal-". */
export const LOAD_BALANCER_NAME = /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/** TLS policy for HTTPS listeners: TLS 1.3 with 1.2 fallback, forward-secret ciphers only. */
export const ELB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * A load balancer name from a physical-name prefix: `<prefix>-<suffix>` when it fits AWS's 32
 * characters, else the prefix cut and a short stable hash added so two long prefixes never collide.
 */
export function loadBalancerName(prefix: string, suffix: string): string {
  const full = `${prefix}-${suffix}`.replace(/[^A-Za-z0-9-]/g, "-");
  if (full.length <= 32) return full;
  let hash = 0x811c9dc5;
  for (let i = 0; i < full.length; i++) hash = Math.imul(hash ^ full.charCodeAt(i), 0x01000193) >>> 0;
  const tag = hash.toString(36).slice(0, 6);
  return `${full.slice(0, 32 - suffix.length - tag.length - 2).replace(/-+$/, "")}-${tag}-${suffix}`;
}
