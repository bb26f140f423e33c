/**
 * What the compliant plan needs for a first `pulumi up` to work (issue 14), added to the EKS cluster of
 * the fixture the way EksCluster registers it: access entries, the deploy path's 443 rule, the CNI and
 * coredns add-ons with the node group after the CNI, the workload provider that Helm releases use, the
 * encrypted default StorageClass, and cluster subnets placed by zone ID.
 */
import type { Plan, PlanResource } from "../../policies/evaluate";

export const ADDON = "aws:eks/addon:Addon";
export const ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry";
export const ACCESS_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
export const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";
export const K8S_PROVIDER = "pulumi:providers:kubernetes";

export function withClusterReadiness(plan: Plan): Plan {
  const find = (type: string) => plan.resources.find((r) => r.type === type)!;
  const cluster = find("aws:eks/cluster:Cluster");
  const nodeGroup = find("aws:eks/nodeGroup:NodeGroup");
  const clusterName = (cluster.inputs as { name: string }).name;
  const tags = (cluster.inputs as { tags: Record<string, string> }).tags;
  const make = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource => ({
    urn: `urn:pulumi:${plan.stack}::${plan.project}::${type}::${name}`,
    type,
    name,
    parent: null,
    custom: true,
    inputs,
    dependencies: [],
    ...extra,
  });
  (cluster.inputs as Record<string, unknown>).accessConfig = { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false };
  const onCluster = { dependencies: [cluster.urn] };
  const cni = make(ADDON, "cluster-vpc-cni", { clusterName, addonName: "vpc-cni", tags }, onCluster);
  const coredns = make(ADDON, "cluster-coredns", { clusterName, addonName: "coredns", tags }, { dependencies: [cluster.urn, nodeGroup.urn] });
  nodeGroup.dependencies = [...(nodeGroup.dependencies ?? []), cluster.urn, cni.urn];
  const deployEntry = make(ACCESS_ENTRY, "cluster-deploy-stock-analysis-deploy-production", { clusterName, principalArn: "arn:aws:iam::123456789012:role/stock-analysis-deploy-production", type: "STANDARD", tags }, onCluster);
  const deployAdmin = make(
    ACCESS_ASSOCIATION,
    "cluster-deploy-stock-analysis-deploy-production",
    { clusterName, principalArn: "arn:aws:iam::123456789012:role/stock-analysis-deploy-production", policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } },
    { dependencies: [cluster.urn, deployEntry.urn] },
  );
  const operators = make(
    ACCESS_ENTRY,
    "cluster-group-stock-analysis-dr-operators",
    { clusterName, principalArn: "arn:aws:iam::123456789012:role/stock-analysis-dr-operators", type: "STANDARD", kubernetesGroups: ["stock-analysis-dr-operators"], tags },
    onCluster,
  );
  const deployPath = make(INGRESS, "cluster-deploy-path-1", { securityGroupId: "sg-cluster", cidrIpv4: "10.100.0.0/24", ipProtocol: "tcp", fromPort: 443, toPort: 443, tags }, onCluster);
  const workloads = make(K8S_PROVIDER, "cluster-k8s-workloads", { kubeconfig: "{}" }, { custom: true, dependencies: [cluster.urn, deployAdmin.urn, nodeGroup.urn, coredns.urn] });
  const storageClass = make(STORAGE_CLASS, "cluster-gp3-encrypted", {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "gp3-encrypted", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/volumes" },
    volumeBindingMode: "WaitForFirstConsumer",
  });
  const operatorBinding = make("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "dr-operators", {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "dr-operators", namespace: "stock-analysis-system-dr" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "dr-operator" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "stock-analysis-dr-operators" }],
  });
  for (const release of plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")) release.provider = `${workloads.urn}::0123456789abcdef`;
  for (const subnet of plan.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet")) {
    const inputs = subnet.inputs as Record<string, any>;
    delete inputs.availabilityZone;
    inputs.availabilityZoneId = "use1-az1";
    inputs.tags = { ...inputs.tags, [`kubernetes.io/cluster/${clusterName}`]: "shared" };
  }
  plan.resources.push(cni, coredns, deployEntry, deployAdmin, operators, deployPath, workloads, storageClass, operatorBinding);
  return plan;
}
