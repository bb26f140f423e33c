import { Network, cidrSubnet } from "../components/network";
import { planOf } from "./support/plan";
import { accountZones } from "../preview/mocks";

describe("Network", () => {
  it("computes subnet CIDRs like Terraform's cidrsubnet", () => {
    expect(cidrSubnet("10.0.0.0/16", 3, 0)).toBe("10.0.0.0/19");
    expect(cidrSubnet("10.0.0.0/16", 3, 2)).toBe("10.0.64.0/19");
    expect(cidrSubnet("10.0.224.0/19", 3, 1)).toBe("10.0.228.0/22");
    expect(() => cidrSubnet("10.0.0.0/16", 3, 8)).toThrow(/does not fit/);
  });

  it("spreads private and public subnets over three looked-up AZs with a NAT gateway per AZ", async () => {
    const plan = await planOf(() => new Network("net", { clusterName: "demo", natGateways: "perAz" }), { region: "eu-west-1" });
    const privateSubnets = plan.ofType("aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as any).tier === "private");
    const publicSubnets = plan.ofType("aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as any).tier === "public");
    // Placed by zone ID (the same physical zone in every account), the first three the region offers.
    const ids = accountZones("eu-west-1").map((z) => z.id);
    expect(privateSubnets.map((s) => s.inputs.availabilityZoneId)).toEqual(ids.slice(0, 3));
    expect(privateSubnets.every((s) => s.inputs.availabilityZone === undefined)).toBe(true);
    expect(privateSubnets.map((s) => s.inputs.cidrBlock)).toEqual(["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
    expect(publicSubnets.map((s) => s.inputs.cidrBlock)).toEqual(["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"]);
    expect(publicSubnets.every((s) => s.inputs.mapPublicIpOnLaunch === false)).toBe(true);
    expect(plan.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    // Each private route table sends 0.0.0.0/0 to a different NAT gateway.
    const natRoutes = plan.ofType("aws:ec2/routeTable:RouteTable").flatMap((rt) => (rt.inputs.routes as any[]).map((r) => r.natGatewayId)).filter(Boolean);
    expect(new Set(natRoutes).size).toBe(3);
  });

  it("tags subnets for EKS load balancers", async () => {
    const plan = await planOf(() => new Network("net", { clusterName: "demo" }));
    for (const subnet of plan.ofType("aws:ec2/subnet:Subnet")) {
      const tags = subnet.inputs.tags as Record<string, string>;
      expect(tags["kubernetes.io/cluster/demo"]).toBe("shared");
      expect(tags[tags.tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]).toBe("1");
    }
  });

  it("shares one NAT gateway when asked (staging)", async () => {
    const plan = await planOf(() => new Network("net", { natGateways: "single" }));
    expect(plan.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    expect(plan.ofType("aws:ec2/eip:Eip")).toHaveLength(1);
  });

  it("records all VPC traffic in flow logs with the configured retention", async () => {
    const plan = await planOf(() => new Network("net", { flowLogRetentionDays: 365 }));
    expect(plan.one("aws:ec2/flowLog:FlowLog").inputs).toMatchObject({ trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
    expect(plan.one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).toBe(365);
    expect(plan.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs).toMatchObject({ ingress: [], egress: [] });
  });

  it("rejects a VPC too small for the subnet layout, and accepts a /20", async () => {
    await planOf(() => {
      expect(() => new Network("bad", { cidrBlock: "10.0.0.0/24" })).toThrow(/^test: Network.cidrBlock: "10.0.0.0\/24" — must be an IPv4 network block \(no host bits set\) from \/16 to \/20$/);
      // Host bits set: 10.0.5.7/16 would yield subnets such as 10.0.37.7/19.
      expect(() => new Network("bad-host", { cidrBlock: "10.0.5.7/16" })).toThrow(/^test: Network.cidrBlock: "10.0.5.7\/16" — must be an IPv4 network block \(no host bits set\)/);
      expect(() => new Network("bad-az", { availabilityZoneCount: 1 })).toThrow(/Network.availabilityZoneCount: 1 — must be an integer from 2 to 6/);
      expect(() => new Network("bad-nat", { natGateways: "none" as any })).toThrow(/Network.natGateways: "none" — must be "perAz" or "single"/);
      new Network("good", { cidrBlock: "10.8.0.0/20", availabilityZoneCount: 2 });
    }).then((plan) => {
      expect(plan.ofType("aws:ec2/vpc:Vpc").map((v) => v.inputs.cidrBlock)).toEqual(["10.8.0.0/20"]);
      expect(plan.ofType("aws:ec2/subnet:Subnet")).toHaveLength(4);
    });
  });
});
