/**
 * Which pod may talk to what, derived from the stack rather than written by hand. Pure: no Pulumi, no
 * Kubernetes client. `deriveWorkloadFlows` turns what the stack runs (services, backup and restore
 * jobs, the configuration backup, exporters) into the flows each needs; `renderNetworkPolicies` turns
 * those flows into NetworkPolicy specs for one namespace; `effectiveFlows` evaluates a set of specs
 * against a pod's labels the way a CNI does (the union of every policy that selects the pod), so a test
 * can show that a workload gets exactly what it needs and that a quarantined pod gets nothing.
 *
 * The data tier (RDS, ElastiCache, MSK) and the EKS control plane's ENIs live in the private subnets, outside
 * the cluster's pod selectors: they are reached by ipBlock on the private subnets' CIDRs and the exact
 * port, never the whole VPC. AWS APIs (S3, STS for IRSA) have no stable address ranges a NetworkPolicy
 * could name: HTTPS to public addresses only, every private and link-local range excepted.
 */

/** Label an operator puts on a pod during an incident; the quarantine policy then cuts it off. */
export const QUARANTINE_LABEL = "runbook.dev/quarantine";
/**
 * Label of the namespaces the library creates: `application` (runs the system's pods; default-deny is
 * required) or `platform` (monitoring and other shared tooling whose pods the library does not enumerate).
 */
export const NAMESPACE_KIND_LABEL = "runbook.dev/namespace-kind";
/** Label the library's backup CronJobs put on their pods (values: postgres-daily, postgres-hourly, postgres-restore, k8s-config). */
export const BACKUP_POD_LABEL = "runbook.dev/backup";

/** PostgreSQL and Redis ports of the data tier the library builds. */
export const DATABASE_PORT = 5432;
export const CACHE_PORT = 6379;
/** Amazon MSK's port for SASL/IAM over TLS from inside the VPC (the only listener the library opens). */
export const MESSAGING_PORT = 9098;
/** The EKS API endpoint behind the `kubernetes` Service and its ENIs. */
export const KUBE_API_PORT = 443;
export const HTTPS_PORT = 443;
export const DNS_PORT = 53;

/** Ranges "AWS APIs over HTTPS" never includes: RFC 1918, link-local (instance metadata), carrier-grade NAT. */
export const NON_PUBLIC_IPV4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"] as const;

/** Where an egress flow goes. `service:<name>` is a service of the same namespace. */
export type EgressTarget = "dns" | "database" | "cache" | "messaging" | "aws-apis" | "kube-api" | `service:${string}`;
/** Where an ingress flow comes from. */
export type IngressSource = "load-balancer" | "prometheus" | `service:${string}`;

export interface EgressFlow {
  to: EgressTarget;
  protocol: "TCP" | "UDP";
  port: number;
}

export interface IngressFlow {
  from: IngressSource;
  protocol: "TCP";
  /** Destination port on the pod; undefined means every port (the service declared none). */
  port?: number;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** One workload's pods and everything they may send and receive. */
export interface WorkloadFlows {
  /** Policy name suffix: `allow-<name>`. */
  name: string;
  /** Why the workload exists, for the policy's annotation. */
  description: string;
  selector: LabelSelector;
  egress: EgressFlow[];
  ingress: IngressFlow[];
}

/** An application service (a Deployment the pipelines own) and what it talks to. */
export interface ServiceFlowInput {
  name: string;
  /** Pod labels of the Deployment. */
  selector: Record<string, string>;
  /** Container ports the load balancer and peer services reach; empty means every port. */
  ports: number[];
  /** The public load balancer forwards to it. */
  fromLoadBalancer: boolean;
  /** Services of the same namespace that call it. */
  fromServices: string[];
  /** It uses the database / the cache (only when the stack has one). */
  database: boolean;
  cache: boolean;
  /** It produces to or consumes from Kafka (MSK, IAM auth: also STS over HTTPS for its IRSA credentials). */
  messaging: boolean;
  /** It calls AWS APIs or other HTTPS endpoints outside the VPC. */
  internetHttps: boolean;
}

/**
 * An exporter the monitoring work runs in the namespace (postgres_exporter, redis_exporter, a CloudWatch
 * exporter) or another library workload: Prometheus scrapes `metricsPort` (0: no ingress at all), and it
 * reaches what `reaches` lists.
 */
export interface ExporterFlowInput {
  name: string;
  selector: Record<string, string>;
  metricsPort: number;
  reaches: Array<"database" | "cache" | "messaging" | "aws-apis" | "kube-api">;
}

export interface FlowInputs {
  /** The stack has a database / a cache (ports default to the library's). */
  database?: { port: number };
  cache?: { port: number };
  messaging?: { port: number };
  /** Backup jobs the stack runs in this namespace. */
  backups?: { postgresDumps: boolean; postgresRestore: boolean; kubernetesConfig: boolean };
  services: ServiceFlowInput[];
  exporters: ExporterFlowInput[];
  /** A Prometheus scrapes this namespace (services' metrics). */
  scrapedByPrometheus: boolean;
}

const dns: EgressFlow[] = [
  { to: "dns", protocol: "UDP", port: DNS_PORT },
  { to: "dns", protocol: "TCP", port: DNS_PORT },
];
const awsApis: EgressFlow = { to: "aws-apis", protocol: "TCP", port: HTTPS_PORT };
const kubeApi: EgressFlow = { to: "kube-api", protocol: "TCP", port: KUBE_API_PORT };

/**
 * The flows each workload of a namespace needs. A flow to the database or cache appears only when the
 * stack has one; a backup job appears only when the stack runs it. Every workload resolves names (DNS).
 */
export function deriveWorkloadFlows(inputs: FlowInputs): WorkloadFlows[] {
  const out: WorkloadFlows[] = [];
  const db = inputs.database ? { to: "database" as const, protocol: "TCP" as const, port: inputs.database.port } : undefined;
  const cache = inputs.cache ? { to: "cache" as const, protocol: "TCP" as const, port: inputs.cache.port } : undefined;
  const messaging = inputs.messaging ? { to: "messaging" as const, protocol: "TCP" as const, port: inputs.messaging.port } : undefined;
  const servicesByName = new Map(inputs.services.map((s) => [s.name, s]));

  for (const service of inputs.services) {
    const egress: EgressFlow[] = [...dns];
    if (service.database && db) egress.push(db);
    if (service.cache && cache) egress.push(cache);
    if (service.messaging && messaging) egress.push(messaging);
    // MSK IAM auth signs with IRSA credentials from STS; other AWS/third-party calls are the same flow.
    if (service.internetHttps || (service.messaging && messaging)) egress.push(awsApis);
    // A caller's egress mirrors the callee's ingress: both sides must allow a flow under default-deny.
    for (const callee of inputs.services) {
      if (!callee.fromServices.includes(service.name)) continue;
      const ports = callee.ports.length ? callee.ports : [undefined];
      for (const port of ports) egress.push({ to: `service:${callee.name}`, protocol: "TCP", port: port ?? 0 });
    }
    const ingress: IngressFlow[] = [];
    const ports = service.ports.length ? service.ports : [undefined];
    for (const port of ports) {
      if (service.fromLoadBalancer) ingress.push({ from: "load-balancer", protocol: "TCP", port });
      for (const caller of service.fromServices) if (servicesByName.has(caller)) ingress.push({ from: `service:${caller}`, protocol: "TCP", port });
    }
    if (inputs.scrapedByPrometheus) ingress.push({ from: "prometheus", protocol: "TCP" });
    out.push({ name: service.name, description: `application service ${service.name}`, selector: { matchLabels: { ...service.selector } }, egress, ingress });
  }

  const backups = inputs.backups;
  if (backups?.postgresDumps && db)
    out.push({
      name: "postgres-backup",
      description: "pg_dump CronJobs: read the database, upload to S3 (IRSA: STS and S3 over HTTPS)",
      selector: { matchExpressions: [{ key: BACKUP_POD_LABEL, operator: "In", values: ["postgres-daily", "postgres-hourly"] }] },
      egress: [...dns, db, awsApis],
      ingress: [],
    });
  if (backups?.postgresRestore && db)
    out.push({
      name: "postgres-restore",
      description: "restore job: download from S3 (IRSA: STS and S3 over HTTPS), pg_restore into the database",
      selector: { matchLabels: { [BACKUP_POD_LABEL]: "postgres-restore" } },
      egress: [...dns, db, awsApis],
      ingress: [],
    });
  if (backups?.kubernetesConfig)
    out.push({
      name: "k8s-config-backup",
      description: "configuration backup: read the Kubernetes API, upload to S3 (IRSA: STS and S3 over HTTPS)",
      selector: { matchLabels: { [BACKUP_POD_LABEL]: "k8s-config" } },
      egress: [...dns, kubeApi, awsApis],
      ingress: [],
    });

  for (const exporter of inputs.exporters) {
    const egress: EgressFlow[] = [...dns];
    for (const target of exporter.reaches) {
      if (target === "database" && db) egress.push(db);
      else if (target === "cache" && cache) egress.push(cache);
      else if (target === "messaging" && messaging) egress.push(messaging, awsApis);
      else if (target === "aws-apis") egress.push(awsApis);
      else if (target === "kube-api") egress.push(kubeApi);
    }
    out.push({
      name: exporter.name,
      description: exporter.metricsPort ? `${exporter.name}: Prometheus scrapes port ${exporter.metricsPort}` : `${exporter.name}: no ingress`,
      selector: { matchLabels: { ...exporter.selector } },
      egress,
      ingress: exporter.metricsPort ? [{ from: "prometheus", protocol: "TCP", port: exporter.metricsPort }] : [],
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Rendering

/** The addresses the flows resolve to. */
/**
 * ClusterIP of the `kubernetes` Service when EKS picks the service range itself: 172.20.0.0/16 for a VPC
 * inside 10.0.0.0/8, else 10.100.0.0/16. Allowed next to the API ENIs because a pod's kubectl dials the
 * ClusterIP and where a CNI evaluates egress relative to kube-proxy's DNAT is the CNI's choice.
 */
export function kubernetesServiceIp(vpcCidr: string): string {
  return vpcCidr.startsWith("10.") ? "172.20.0.1" : "10.100.0.1";
}

export interface NetworkAddresses {
  /** CIDRs of the private subnets: nodes and pods, RDS, ElastiCache and the EKS control-plane ENIs. */
  privateSubnetCidrs: string[];
  /** CIDRs the load balancer's ENIs live in (public subnets for internet-facing, private for internal): with IP targets its traffic comes from there. */
  loadBalancerCidrs: string[];
  /** Namespace of the Prometheus that scrapes this one. @default "monitoring" */
  monitoringNamespace?: string;
  /** ClusterIP of the `kubernetes` Service (see kubernetesServiceIp). @default none */
  kubernetesServiceIp?: string;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
export interface NetworkPolicyPort {
  protocol: "TCP" | "UDP";
  port?: number;
}
export interface NetworkPolicyRule {
  peers: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}
/** The spec of a `networking.k8s.io/v1` NetworkPolicy. */
export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: Array<"Ingress" | "Egress">;
  ingress?: Array<{ from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>;
  egress?: Array<{ to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>;
}
export interface RenderedPolicy {
  name: string;
  /** Why the policy exists (annotation `runbook.dev/purpose`). */
  purpose: string;
  spec: NetworkPolicySpec;
}

/** Selector of Prometheus pods (kube-prometheus-stack's operator labels them app.kubernetes.io/name=prometheus). */
export function prometheusPeer(monitoringNamespace: string): NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monitoringNamespace } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } };
}

const KUBE_DNS: NetworkPolicyPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };
const NOT_QUARANTINED: LabelSelectorRequirement = { key: QUARANTINE_LABEL, operator: "NotIn", values: ["true"] };

function withoutQuarantined(selector: LabelSelector): LabelSelector {
  return { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), NOT_QUARANTINED] };
}

function egressPeers(target: EgressTarget, addresses: NetworkAddresses, selectors: Map<string, LabelSelector>): NetworkPolicyPeer[] {
  if (target === "dns") return [KUBE_DNS];
  if (target === "kube-api")
    return [...addresses.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })), ...(addresses.kubernetesServiceIp ? [{ ipBlock: { cidr: `${addresses.kubernetesServiceIp}/32` } }] : [])];
  if (target === "database" || target === "cache" || target === "messaging") return addresses.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  if (target === "aws-apis") return [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC_IPV4] } }];
  const service = target.slice("service:".length);
  return [{ podSelector: withoutQuarantined(selectors.get(service) ?? { matchLabels: { app: service } }) }];
}

function ingressPeers(source: IngressSource, addresses: NetworkAddresses, selectors: Map<string, LabelSelector>): NetworkPolicyPeer[] {
  if (source === "load-balancer") return addresses.loadBalancerCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  if (source === "prometheus") return [prometheusPeer(addresses.monitoringNamespace ?? "monitoring")];
  const service = source.slice("service:".length);
  return [{ podSelector: withoutQuarantined(selectors.get(service) ?? { matchLabels: { app: service } }) }];
}

/** Groups flows with the same peer into one rule with every port, in first-seen order. */
function groupRules<F>(flows: F[], key: (f: F) => string, port: (f: F) => NetworkPolicyPort | undefined): Array<{ key: string; ports?: NetworkPolicyPort[] }> {
  const rules = new Map<string, { key: string; ports?: NetworkPolicyPort[]; anyPort: boolean }>();
  for (const flow of flows) {
    const k = key(flow);
    const rule = rules.get(k) ?? { key: k, ports: [], anyPort: false };
    const p = port(flow);
    if (!p) rule.anyPort = true;
    else if (!rule.ports!.some((q) => q.protocol === p.protocol && q.port === p.port)) rule.ports!.push(p);
    rules.set(k, rule);
  }
  return [...rules.values()].map((r) => (r.anyPort ? { key: r.key } : { key: r.key, ports: r.ports }));
}

/**
 * The NetworkPolicies of one namespace: `default-deny` (every pod, both directions; `defaultDeny: false` for a
 * namespace whose other pods are not the library's), one `allow-<workload>`
 * per workload with exactly its flows, and `quarantine`. Allow policies never select a pod labelled
 * `runbook.dev/quarantine=true` (policies add up, so an allow that still selected it would win over the
 * quarantine); the quarantine policy admits only Prometheus, so the pod's metrics stay visible while it
 * is investigated. Logs, `kubectl exec`, `cp` and `debug` go through the kubelet, not the pod network.
 */
export function renderNetworkPolicies(workloads: WorkloadFlows[], addresses: NetworkAddresses, options: { quarantine?: boolean; defaultDeny?: boolean } = {}): RenderedPolicy[] {
  const selectors = new Map(workloads.map((w) => [w.name, w.selector]));
  const policies: RenderedPolicy[] = [];
  if (options.defaultDeny ?? true)
    policies.push({ name: "default-deny", purpose: "deny every ingress and egress not allowed by a named policy", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
  for (const workload of workloads) {
    const spec: NetworkPolicySpec = { podSelector: withoutQuarantined(workload.selector), policyTypes: ["Ingress", "Egress"] };
    // Port 0 stands for "every port" of a peer service that declared none.
    const egress = groupRules(workload.egress, (f) => f.to, (f) => (f.port ? { protocol: f.protocol, port: f.port } : undefined));
    const ingress = groupRules(workload.ingress, (f) => f.from, (f) => (f.port ? { protocol: f.protocol, port: f.port } : undefined));
    spec.egress = egress.map((r) => ({ to: egressPeers(r.key as EgressTarget, addresses, selectors), ...(r.ports ? { ports: r.ports } : {}) }));
    spec.ingress = ingress.map((r) => ({ from: ingressPeers(r.key as IngressSource, addresses, selectors), ...(r.ports ? { ports: r.ports } : {}) }));
    policies.push({ name: `allow-${workload.name}`, purpose: workload.description, spec });
  }
  if (options.quarantine ?? true)
    policies.push({
      name: "quarantine",
      purpose: `pods labelled ${QUARANTINE_LABEL}=true: no egress at all (not even DNS), ingress only from Prometheus; exec/logs/cp work through the kubelet`,
      spec: {
        podSelector: { matchLabels: { [QUARANTINE_LABEL]: "true" } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [prometheusPeer(addresses.monitoringNamespace ?? "monitoring")] }],
        egress: [],
      },
    });
  return policies;
}

// ---------------------------------------------------------------------------------------------------
// Evaluation (what a CNI enforces for one pod)

/** Kubernetes label-selector semantics: every matchLabels pair and every requirement must hold. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = req.values ?? [];
    if (req.operator === "In" && !(has && values.includes(labels[req.key]))) return false;
    if (req.operator === "NotIn" && has && values.includes(labels[req.key])) return false;
    if (req.operator === "Exists" && !has) return false;
    if (req.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** One allowed (peer, port) pair, as text: `egress TCP/5432 to ipBlock 10.0.0.0/19`. */
function describePeer(peer: NetworkPolicyPeer): string {
  if (peer.ipBlock) return `ipBlock ${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(",")}` : ""}`;
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespace ${JSON.stringify(peer.namespaceSelector)}`);
  if (peer.podSelector) parts.push(`pods ${JSON.stringify(peer.podSelector)}`);
  return parts.join(" ");
}

export interface EffectiveFlows {
  /** Policies that select the pod. */
  policies: string[];
  /** The pod is isolated in that direction (some selecting policy lists the type). */
  ingressIsolated: boolean;
  egressIsolated: boolean;
  /** Allowed pairs, sorted: `TCP/5432 ipBlock 10.0.0.0/19`; `*` for every port. */
  egress: string[];
  ingress: string[];
}

/**
 * What a pod with `labels` may send and receive under `policies` (all in its namespace): the union of the
 * rules of every policy that selects it, as NetworkPolicy semantics define. An isolated direction with
 * no rule allows nothing.
 */
export function effectiveFlows(policies: RenderedPolicy[], labels: Record<string, string>): EffectiveFlows {
  const selecting = policies.filter((p) => selectorMatches(p.spec.podSelector, labels));
  const collect = (rules: Array<{ peers?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>) => {
    const out = new Set<string>();
    for (const rule of rules) {
      const ports = rule.ports?.length ? rule.ports.map((p) => `${p.protocol}/${p.port ?? "*"}`) : ["*"];
      const peers = rule.peers?.length ? rule.peers.map(describePeer) : ["anywhere"];
      for (const port of ports) for (const peer of peers) out.add(`${port} ${peer}`);
    }
    return [...out].sort();
  };
  return {
    policies: selecting.map((p) => p.name),
    ingressIsolated: selecting.some((p) => p.spec.policyTypes.includes("Ingress")),
    egressIsolated: selecting.some((p) => p.spec.policyTypes.includes("Egress")),
    egress: collect(selecting.flatMap((p) => (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })))),
    ingress: collect(selecting.flatMap((p) => (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })))),
  };
}
