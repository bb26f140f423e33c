/**
 * The flows of every namespace the library creates, derived from a validated stack config: which
 * workloads the stack runs where (application services, backup and restore jobs, the configuration
 * backup, the DR namespace's copy, exporters other steps declare) and what each of them reaches. Pure:
 * the same config always gives the same flows, so a test can read them without running the program.
 */
import type { StackConfig } from "../stacks/config/schema";
import { CACHE_PORT, DATABASE_PORT, MESSAGING_PORT, ExporterFlowInput, FlowInputs, ServiceFlowInput, WorkloadFlows, deriveWorkloadFlows } from "../core/network-flows";

/** A workload another step adds to a namespace (an exporter, a maintenance job) and what it reaches. */
export interface ExtraWorkload {
  /** Namespace the pods run in. */
  namespace: string;
  /** Policy name suffix (`allow-<name>`). */
  name: string;
  /** The pods' labels (matchLabels). */
  selector: Record<string, string>;
  /** Port Prometheus scrapes; omit when the pods expose no metrics. */
  metricsPort?: number;
  reaches: ExporterFlowInput["reaches"];
}

export interface NamespaceFlows {
  namespace: string;
  /** Subnets the load balancer's ENIs live in (its traffic's source with IP targets): public for internet-facing. */
  loadBalancerSubnets: "public" | "private";
  /** The library owns every pod of the namespace: default-deny applies. False: only the listed workloads are isolated. */
  defaultDeny: boolean;
  /** The namespace runs application pods an operator may quarantine. */
  quarantine: boolean;
  workloads: WorkloadFlows[];
}

/** What a service reaches when `security.networkPolicies.services` does not list it. */
const SERVICE_DEFAULTS = { ports: [] as number[], fromServices: [] as string[], database: true, cache: true, messaging: true, internetHttps: false };

/** The edge the stack builds (issue 18's `edge` key), as far as flows need it. */
interface EdgeConfig {
  /** Service behind the load balancer. @default the first application service */
  service?: string;
  scheme?: "internal" | "internet-facing";
}

function edgeOf(config: StackConfig): EdgeConfig | undefined {
  return (config as { edge?: EdgeConfig }).edge;
}

function serviceInputs(config: StackConfig, names: string[]): ServiceFlowInput[] {
  const app = config.application!;
  const declared = config.security?.networkPolicies.services ?? {};
  const edge = edgeOf(config);
  // With the stack's own edge, only the service it binds receives load-balancer traffic unless config says otherwise.
  const edgeService = edge ? (edge.service ?? app.services[0]?.name) : undefined;
  return names.map((name) => {
    const service = app.services.find((s) => s.name === name);
    const flows = { ...SERVICE_DEFAULTS, ...declared[name] };
    const fromLoadBalancer = declared[name]?.fromLoadBalancer ?? (edge ? name === edgeService : true);
    return { name, selector: service?.selector ?? { app: name }, ...flows, fromLoadBalancer, fromServices: flows.fromServices.filter((caller) => names.includes(caller)) };
  });
}

/**
 * The namespaces the stack governs and each one's workload flows. Empty when network policies are off
 * or the stack has no application namespace.
 */
export function stackNetworkFlows(config: StackConfig, extras: ExtraWorkload[] = []): NamespaceFlows[] {
  const app = config.application;
  if (!app || config.security?.networkPolicies.enabled === false) return [];
  const database = config.database ? { port: DATABASE_PORT } : undefined;
  const cache = config.cache ? { port: CACHE_PORT } : undefined;
  const messaging = config.messaging?.kafka ? { port: MESSAGING_PORT } : undefined;
  const scrapedByPrometheus = !!config.monitoring;
  const exportersIn = (namespace: string) =>
    extras.filter((e) => e.namespace === namespace).map((e) => ({ name: e.name, selector: e.selector, metricsPort: e.metricsPort ?? 0, reaches: e.reaches }));

  const primary: FlowInputs = {
    database,
    cache,
    messaging,
    // stacks/backups.ts: dump and restore CronJobs exist with a database; the configuration backup always.
    backups: config.backups ? { postgresDumps: !!config.database, postgresRestore: !!config.database, kubernetesConfig: true } : undefined,
    services: serviceInputs(
      config,
      app.services.map((s) => s.name),
    ),
    exporters: exportersIn(app.namespace),
    scrapedByPrometheus,
  };
  const loadBalancerSubnets = edgeOf(config)?.scheme === "internal" ? "private" : "public";
  const out: NamespaceFlows[] = [{ namespace: app.namespace, loadBalancerSubnets, defaultDeny: true, quarantine: true, workloads: deriveWorkloadFlows(primary) }];

  // stacks/dr.ts: the DR namespace exists with DR active and services at DR scale; its restore job with a replicated bucket.
  const dr = config.dr;
  const drServices = Object.keys(dr?.drReplicas ?? {});
  if (dr?.enabled && config.drRegion && drServices.length > 0) {
    const namespace = `${app.namespace}-dr`;
    const replicated = !!config.backups?.replicateToDrRegion;
    out.push({
      namespace,
      loadBalancerSubnets,
      defaultDeny: true,
      quarantine: true,
      workloads: deriveWorkloadFlows({
        database,
        cache,
        messaging,
        backups: replicated ? { postgresDumps: false, postgresRestore: !!config.database, kubernetesConfig: false } : undefined,
        services: serviceInputs(config, drServices),
        exporters: exportersIn(namespace),
        scrapedByPrometheus,
      }),
    });
  }

  // Extra workloads in namespaces the library does not own whole (the monitoring namespace): allow policies only.
  const governed = new Set(out.map((n) => n.namespace));
  for (const namespace of [...new Set(extras.map((e) => e.namespace))].filter((ns) => !governed.has(ns))) {
    const exporters = exportersIn(namespace);
    const workloads = deriveWorkloadFlows({ database, cache, messaging, services: [], exporters, scrapedByPrometheus });
    out.push({ namespace, loadBalancerSubnets, defaultDeny: false, quarantine: false, workloads });
  }
  return out;
}
