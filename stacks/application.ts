import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import type { ApplicationConfig, ServiceConfig } from "./config/application";
import { AppNamespace } from "../components/app-namespace";
import { NamespaceOperatorRole } from "../components/namespace-operator-role";
import { ServiceScaling, ServiceScalingArgs } from "../components/service-scaling";
import { ClusterAutoscaling } from "../components/cluster-autoscaling";

/** What this step leaves on `ctx.application` for the data, backup, monitoring and DR steps. */
export interface ApplicationOutputs {
  /** Namespace the application pipelines deploy into (connection Secrets and backup CronJobs go here). */
  namespaceName: string;
  namespace: k8s.core.v1.Namespace;
  /** The namespace component (quota, LimitRange). */
  appNamespace: AppNamespace;
  /** Validated service settings, in config order. */
  services: ServiceConfig[];
  /** HPA + PDB per service, keyed by service name. */
  scaling: Record<string, ServiceScaling>;
  /** The whole validated section (quota, limitRange, capacity), for steps that size a copy (DR). */
  config: ApplicationConfig;
}

/** What this step leaves on `ctx.clusterAutoscaling`. */
export interface ClusterAutoscalingOutputs {
  component: ClusterAutoscaling;
  autoscalerRoleArn: pulumi.Output<string>;
}

/**
 * ServiceScaling arguments for a configured service; `overrides` lets the DR step reuse a service's
 * settings at its own replica counts (`{ minReplicas: 5, maxReplicas: 10 }`).
 */
export function serviceScalingArgs(service: ServiceConfig, namespace: pulumi.Input<string>, production: boolean, overrides: Partial<ServiceScalingArgs> = {}): ServiceScalingArgs {
  return {
    namespace,
    serviceName: service.name,
    minReplicas: service.minReplicas,
    maxReplicas: service.maxReplicas,
    autoscale: service.autoscale,
    targetCpuUtilization: service.targetCpuUtilization,
    targetMemoryUtilization: service.targetMemoryUtilization,
    requireHighAvailability: production && !service.allowSingleReplica,
    selector: service.selector,
    behavior: service.behavior,
    disruptionBudget: service.disruptionBudget,
    ...overrides,
  };
}

/**
 * Composes metrics-server and the cluster autoscaler (always: node groups have a min and a max, and
 * something must move between them), then the application namespace with an HPA and a PDB per service.
 * Runs first among the area steps, so later steps find `ctx.application`.
 */
export function deployApplication(ctx: StackContext): Record<string, unknown> {
  const { config, cluster } = ctx;
  const provider = cluster.provider;

  const autoscaling = new ClusterAutoscaling(
    "cluster-autoscaling",
    {
      clusterName: cluster.clusterName,
      kubernetesVersion: config.cluster.version,
      region: config.region,
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuer: cluster.oidcIssuer,
      nodeGroupAsgNames: cluster.nodeGroupAsgNames,
      tags: ctx.tags,
    },
    // Helm releases run pods: the provider that waits for nodes and coredns.
    { provider: cluster.workloadProvider },
  );
  ctx.clusterAutoscaling = { component: autoscaling, autoscalerRoleArn: autoscaling.autoscalerRoleArn } satisfies ClusterAutoscalingOutputs;
  const outputs: Record<string, unknown> = { clusterAutoscalerRoleArn: autoscaling.autoscalerRoleArn };

  const app = config.application;
  if (!app) return outputs;

  const production = config.environment === "production";
  const appNamespace = new AppNamespace("application", { namespace: app.namespace, quota: app.quota, limitRange: app.limitRange }, { provider });
  const scaling: Record<string, ServiceScaling> = {};
  for (const service of app.services) {
    scaling[service.name] = new ServiceScaling(
      `service-${service.name}`,
      serviceScalingArgs(service, appNamespace.namespaceName, production, { metricsApi: autoscaling.metricsServer }),
      { provider },
    );
  }

  // Runbook 002 2.37: the operators' Role in this namespace, bound to the group cluster.access maps principals to.
  const operators = app.operators
    ? new NamespaceOperatorRole("application-operators", { namespace: appNamespace.namespaceName, group: app.operators.group, roleName: app.operators.roleName, allowExec: app.operators.allowExec }, { provider })
    : undefined;
  if (operators) outputs.operatorGroup = operators.group;

  ctx.application = {
    namespaceName: app.namespace,
    namespace: appNamespace.namespace,
    appNamespace,
    services: app.services,
    scaling,
    config: app,
  } satisfies ApplicationOutputs;

  outputs.applicationNamespace = appNamespace.namespaceName;
  outputs.autoscaledServices = app.services.map((s) => ({ name: s.name, minReplicas: s.minReplicas, maxReplicas: s.maxReplicas, autoscale: s.autoscale }));
  return outputs;
}
