/**
 * A program another team writes against the published package: three components composed, imported through
 * the package's entry points (one per component, and the barrel), type-checked with strict consumer settings.
 */
import * as pulumi from "@pulumi/pulumi";
import { Network } from "runbook-infra/network";
import { EksCluster } from "runbook-infra/eks-cluster";
import { PostgresDatabase, IrsaRole } from "runbook-infra";

const network = new Network("shop-network", { cidrBlock: "10.42.0.0/16", availabilityZoneCount: 2, natGateways: "single", clusterName: "shop" });

const cluster = new EksCluster("shop-cluster", {
  clusterName: "shop",
  vpcId: network.vpcId,
  privateSubnetIds: network.privateSubnetIds,
  nodeGroups: [{ name: "general", instanceTypes: ["m7i.large"], minSize: 2, maxSize: 4, desiredSize: 2 }],
});

const database = new PostgresDatabase("shop-db", {
  identifier: "shop-db",
  vpcId: network.vpcId,
  subnetIds: network.privateSubnetIds,
  allowedSecurityGroupIds: [cluster.clusterSecurityGroupId],
});

const reader = new IrsaRole("shop-reader", {
  oidcProviderArn: cluster.oidcProviderArn,
  oidcIssuer: cluster.oidcIssuer,
  namespace: "shop",
  serviceAccount: "reader",
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::shop-assets/*"] }] }),
});

const firstSubnet: pulumi.Output<string | undefined> = network.privateSubnetIds.apply((ids) => ids[0]);

export const vpcId = network.vpcId;
export const subnet = firstSubnet;
export const clusterName = cluster.clusterName;
export const databaseEndpoint = database.endpoint;
export const readerRoleArn = reader.roleArn;
