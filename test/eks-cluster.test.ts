import { EksCluster, EKS_LOG_TYPES } from "../components/eks-cluster";
import { planOf } from "./support/plan";

const baseArgs = {
  clusterName: "demo",
  vpcId: "vpc-123",
  privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  nodeGroups: [{ name: "general", minSize: 5, maxSize: 20, desiredSize: 8 }],
};

describe("EksCluster", () => {
  it("keeps the API endpoint private, logs every control-plane stream and envelope-encrypts secrets", async () => {
    const plan = await planOf(() => new EksCluster("cluster", baseArgs));
    const cluster = plan.one("aws:eks/cluster:Cluster").inputs as any;
    expect(cluster.vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(cluster.enabledClusterLogTypes).toEqual([...EKS_LOG_TYPES]);
    expect(cluster.encryptionConfig.resources).toEqual(["secrets"]);
    const key = plan.one("aws:kms/key:Key", "secrets");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(cluster.encryptionConfig.provider.keyArn).toMatch(/^arn:aws:kms:/);
  });

  it("opens the public endpoint only to the listed CIDRs", async () => {
    const plan = await planOf(() => new EksCluster("cluster", { ...baseArgs, publicAccessCidrs: ["198.51.100.0/24"] }));
    expect((plan.one("aws:eks/cluster:Cluster").inputs as any).vpcConfig).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] });
  });

  it("scales the general node group 5/20/8 on a launch template that requires IMDSv2 and encrypts volumes", async () => {
    const plan = await planOf(() => new EksCluster("cluster", baseArgs));
    const group = plan.one("aws:eks/nodeGroup:NodeGroup").inputs as any;
    expect(group.scalingConfig).toEqual({ minSize: 5, maxSize: 20, desiredSize: 8 });
    expect(group.tags["k8s.io/cluster-autoscaler/demo"]).toBe("owned");
    const template = plan.one("aws:ec2/launchTemplate:LaunchTemplate").inputs as any;
    expect(template.metadataOptions.httpTokens).toBe("required");
    expect(template.blockDeviceMappings[0].ebs).toMatchObject({ encrypted: "true", volumeType: "gp3" });
  });

  it("creates an OIDC provider from the cluster's issuer for IRSA, and IRSA roles for the CNI and EBS CSI add-ons", async () => {
    const plan = await planOf(() => new EksCluster("cluster", baseArgs));
    const oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs as any;
    expect(oidc.url).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(oidc.clientIdLists).toEqual(["sts.amazonaws.com"]);
    expect(plan.ofType("aws:eks/addon:Addon").map((a) => a.inputs.addonName).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
    const cniRole = plan.one("aws:iam/role:Role", "vpc-cni").inputs as any;
    const trust = JSON.parse(cniRole.assumeRolePolicy);
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain("system:serviceaccount:kube-system:aws-node");
    // The node role itself carries no CNI policy: pods other than aws-node cannot use it.
    const nodePolicies = plan.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("cluster-node-")).map((a) => a.inputs.policyArn);
    expect(nodePolicies.join()).not.toContain("CNI");
  });

  it("exposes a Kubernetes provider that authenticates with aws eks get-token", async () => {
    const plan = await planOf(() => new EksCluster("cluster", baseArgs));
    const provider = plan.ofType("pulumi:providers:kubernetes").find((p) => p.name === "cluster-k8s")!;
    const kubeconfig = JSON.parse(provider.inputs.kubeconfig as string);
    expect(kubeconfig.users[0].user.exec.args).toEqual(["eks", "get-token", "--cluster-name", "demo", "--output", "json"]);
  });

  it("rejects impossible node group sizes and an API endpoint open to the world", async () => {
    await planOf(() => {
      expect(() => new EksCluster("bad", { ...baseArgs, nodeGroups: [{ name: "general", minSize: 5, maxSize: 4, desiredSize: 5 }] })).toThrow(
        /^test: EksCluster.nodeGroups\[general\]: \{"minSize":5,"desiredSize":5,"maxSize":4\} — must satisfy minSize ≤ desiredSize ≤ maxSize$/,
      );
      expect(() => new EksCluster("bad2", { ...baseArgs, publicAccessCidrs: ["0.0.0.0/0"] })).toThrow(/EksCluster.publicAccessCidrs: \["0.0.0.0\/0"\] — must not open the API endpoint to the internet/);
      expect(() => new EksCluster("bad2b", { ...baseArgs, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] })).toThrow(/EksCluster.publicAccessCidrs: .* — must not open the API endpoint to the internet: the blocks together cover the whole internet/);
      expect(() => new EksCluster("bad2c", { ...baseArgs, publicAccessCidrs: ["203.0.113.7/24"] })).toThrow(/EksCluster.publicAccessCidrs: "203.0.113.7\/24" — must be IPv4 network blocks without host bits/);
      expect(() => new EksCluster("bad3", { ...baseArgs, kubernetesVersion: "latest" })).toThrow(/EksCluster.kubernetesVersion: "latest"/);
      expect(() => new EksCluster("bad4", { ...baseArgs, nodeGroups: [] })).toThrow(/EksCluster.nodeGroups: \[\] — must define at least one node group/);
    });
  });
});
