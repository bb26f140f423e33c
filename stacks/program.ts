/**
 * Composes the components into one stack from the validated config. Config is read and checked in
 * full before the first resource is registered, so a bad value never leaves a half-made plan.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config/load";
import { PROJECT } from "./config/schema";
import { systemName } from "./config/naming";
import { effectiveAccess } from "./config/cluster-access";
import { namePrefix } from "../core/names";
import { Network } from "../components/network";
import { EksCluster } from "../components/eks-cluster";
import type { StackContext } from "./context";
import { deployData } from "./data";
import { deployApplication } from "./application";
import { deployBackups } from "./backups";
import { deployMonitoring } from "./monitoring";
import { deployDr } from "./dr";
import { deployCost } from "./cost";
import { deploySecurity } from "./security";
import { deployMessaging } from "./messaging";
import { deployObservability } from "./observability";
import { deployEdge } from "./edge";
import { deployStandby } from "./standby";
import { siteConfig } from "../model/standby";

export function main(): Record<string, unknown> {
  const loaded = loadStackConfig();
  // A DR stack standing by runs its node groups and services small; `dr.active` restores their sizes.
  const config = siteConfig(loaded.config);
  const secrets = loaded.secrets;
  const stack = pulumi.getStack();
  // runbook-infra:system or the tag system; production refuses a stack without one.
  const system = systemName(config);
  const prefix = namePrefix(system, stack);
  const tags = { ...config.tags, system, project: PROJECT, stack, environment: config.environment, "managed-by": "pulumi" };
  const accountId = aws.getCallerIdentityOutput({}).accountId;

  const network = new Network("network", {
    cidrBlock: config.network.cidr,
    availabilityZoneCount: config.network.availabilityZones,
    natGateways: config.network.natGateways,
    flowLogRetentionDays: config.network.flowLogRetentionDays,
    clusterName: prefix,
    tags,
  });

  const cluster = new EksCluster("cluster", {
    clusterName: prefix,
    kubernetesVersion: config.cluster.version,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    publicAccessCidrs: config.cluster.publicAccessCidrs,
    logRetentionDays: config.cluster.logRetentionDays,
    nodeGroups: config.cluster.nodeGroups,
    access: effectiveAccess(config),
    deployPath: config.cluster.deployPath,
    // A deleted claim keeps its volume in production: Prometheus's history is not thrown away by a typo.
    storageReclaimPolicy: config.environment === "production" ? "Retain" : "Delete",
    tags,
  });

  // The DR region is used exactly when DR is enabled: the recovery report counts replication on the same condition.
  const drProvider = config.drRegion && config.dr?.enabled ? new aws.Provider("dr-region", { region: config.drRegion as aws.Region, defaultTags: { tags } }) : undefined;
  const ctx: StackContext = { stack, prefix, accountId, config, secrets, tags, network, cluster, drProvider };

  return {
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    clusterName: cluster.clusterName,
    clusterEndpoint: cluster.endpoint,
    oidcProviderArn: cluster.oidcProviderArn,
    kubeconfig: pulumi.secret(cluster.kubeconfig),
    ...deployApplication(ctx),
    ...deployData(ctx),
    ...deployStandby(ctx),
    ...deployBackups(ctx),
    ...deployMonitoring(ctx),
    ...deployMessaging(ctx),
    ...deployObservability(ctx),
    ...deployEdge(ctx),
    ...deployDr(ctx),
    ...deployCost(ctx),
    // Last: the network policies cover every workload the steps above added.
    ...deploySecurity(ctx),
  };
}
