import { z } from "zod";
import { cidr, int, k8sName, oneOf, str } from "./fields";
import { logRetentionDays } from "./network";
import type { Refinement } from "./refinement";
import { internetExposure, overlaps } from "../../core/cidr";
import { accessSchema, deployPathSchema } from "./cluster-access";
import { DEFAULT_VERSIONS, acceptedVersions, supportStatus } from "../../core/versions";

export const nodeGroupSchema = z
  .object({
    /** Node group name (also its Kubernetes label `runbook.dev/node-group`). */
    name: k8sName(),
    /** EC2 instance types, first preferred. @default ["m5.xlarge"] */
    instanceTypes: z.array(str(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type such as "m5.xlarge"')).min(1, { error: "must list at least one instance type" }).default(["m5.xlarge"]),
    /** Fewest nodes. */
    minSize: int(0, 1000),
    /** Most nodes (the cluster autoscaler's ceiling). */
    maxSize: int(1, 1000),
    /** Nodes at creation; the autoscaler owns it afterwards. */
    desiredSize: int(0, 1000),
    /** Root volume size (GiB), encrypted gp3. @default 100 */
    diskSizeGiB: int(20, 16384).default(100),
    /** ON_DEMAND or SPOT capacity. @default "ON_DEMAND" */
    capacityType: oneOf(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
  })
  .strict();

export const clusterSchema = z
  .object({
    /** EKS Kubernetes version, one EKS still creates (core/versions.ts). @default "1.35" */
    version: str(/^1\.\d{2}$/, 'an EKS Kubernetes minor version such as "1.35" (quoted)').default(DEFAULT_VERSIONS.eks),
    /** CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private only. Together at most a /8 of public addresses (never the internet). @default [] */
    publicAccessCidrs: z.array(cidr()).max(40, { error: "must list at most 40 blocks (EKS's limit)" }).default([]),
    /** Days control-plane logs are kept. @default 90 */
    logRetentionDays: logRetentionDays().default(90),
    /** Managed node groups. */
    nodeGroups: z.array(nodeGroupSchema).min(1, { error: "must define at least one node group" }),
    /** Who may use the cluster: EKS access entries (admins, the CI deploy role, read-only, groups). @default {} */
    access: accessSchema.prefault({}),
    /** How `pulumi up` reaches the API; required when the endpoint is private. @default none */
    deployPath: deployPathSchema.optional(),
  })
  .strict();

export type ClusterConfig = z.infer<typeof clusterSchema>;
export type NodeGroupConfig = z.infer<typeof nodeGroupSchema>;

export const refineCluster: Refinement = (config, report) => {
  const support = supportStatus("eks", config.cluster.version);
  if (support.status === "ended" || support.status === "unknown")
    report(["cluster", "version"], config.cluster.version, `must be an EKS version AWS still creates: ${acceptedVersions("eks").join(", ")} (${support.summary})`);
  const seen = new Set<string>();
  config.cluster.nodeGroups.forEach((group, i) => {
    const path = ["cluster", "nodeGroups", i];
    if (seen.has(group.name)) report([...path, "name"], group.name, "must be unique among node groups");
    seen.add(group.name);
    if (group.minSize > group.maxSize) report([...path, "minSize"], group.minSize, `must not exceed maxSize (${group.maxSize})`);
    if (group.desiredSize < group.minSize || group.desiredSize > group.maxSize)
      report([...path, "desiredSize"], group.desiredSize, `must be between minSize (${group.minSize}) and maxSize (${group.maxSize})`);
  });
  // Judged by what the blocks cover, in every environment (the EksCluster component refuses the same):
  // 0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0 spelt differently.
  const cidrs = config.cluster.publicAccessCidrs;
  const exposure = internetExposure(cidrs);
  if (exposure) report(["cluster", "publicAccessCidrs"], cidrs, `must not open the API endpoint to the internet: the blocks ${exposure}; list the office/VPN CIDRs`);
  cidrs.forEach((block, i) => {
    const earlier = cidrs.slice(0, i).find((other) => overlaps(other, block));
    if (earlier) report(["cluster", "publicAccessCidrs", i], block, `must not overlap ${earlier} (listed before it)`);
  });
};
