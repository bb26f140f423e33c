import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { isNetworkCidr } from "../core/cidr";
import { EKS_UNSUPPORTED_ZONE_IDS } from "../core/zones";

export interface NetworkArgs {
  /** VPC CIDR, prefix /16 to /20. @default "10.0.0.0/16" */
  cidrBlock?: string;
  /** Availability zones to use, looked up in the provider's region (never hard-coded). @default 3 */
  availabilityZoneCount?: number;
  /** "perAz": one NAT gateway per AZ so an AZ outage never cuts the others off; "single": one shared NAT. @default "perAz" */
  natGateways?: "perAz" | "single";
  /** Days VPC flow logs are kept in CloudWatch Logs. @default 90 */
  flowLogRetentionDays?: number;
  /** EKS cluster name, for the `kubernetes.io/cluster/<name>` subnet tags. @default none (no cluster tag) */
  clusterName?: string;
  /** Tags for every resource. @default {} */
  tags?: Record<string, string>;
}

/** Splits `cidr` into the `index`-th subnet that has `newBits` more prefix bits (Terraform's cidrsubnet). */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText) + newBits;
  if (prefix > 28) throw new Error(`cidrSubnet: ${cidr} + ${newBits} bits is narrower than /28`);
  if (index >= 2 ** newBits) throw new Error(`cidrSubnet: index ${index} does not fit in ${newBits} bits`);
  const base = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const value = base + index * 2 ** (32 - prefix);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".")}/${prefix}`;
}

/**
 * A VPC spread over N availability zones: a private subnet per AZ (large, for nodes, pods, databases)
 * and a public subnet per AZ (small, for load balancers and NAT), an internet gateway, NAT per AZ or one
 * shared, route tables, VPC flow logs to CloudWatch, and the subnet tags EKS load balancers look for.
 *
 * Layout for a /16: private subnets are the first N /19s, public subnets are /22s in the last /19.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly vpcCidrBlock: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  /** CIDRs of the private and public subnets, known at plan time (NetworkPolicy ipBlocks are built from them). */
  public readonly privateSubnetCidrs: string[] = [];
  public readonly publicSubnetCidrs: string[] = [];
  public readonly availabilityZones: pulumi.Output<string[]>;
  /** Zone IDs of the subnets, in subnet order (the same physical zones in every account). */
  public readonly availabilityZoneIds: pulumi.Output<string[]>;
  public readonly natGatewayIds: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
    const azCount = args.availabilityZoneCount ?? 3;
    const natMode = args.natGateways ?? "perAz";
    const prefix = Number(cidrBlock.split("/")[1]);
    // Host bits set (10.0.5.7/16) would shift every computed subnet off the network (10.0.37.7/19).
    if (!isNetworkCidr(cidrBlock, 4) || prefix < 16 || prefix > 20) rejectArg("Network", "cidrBlock", cidrBlock, "must be an IPv4 network block (no host bits set) from /16 to /20");
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > 6) rejectArg("Network", "availabilityZoneCount", azCount, "must be an integer from 2 to 6");
    if (natMode !== "perAz" && natMode !== "single") rejectArg("Network", "natGateways", natMode, 'must be "perAz" or "single"');
    super("runbook:network:Network", name, {}, opts);

    const tags = args.tags ?? {};
    const clusterTag: Record<string, string> = args.clusterName ? { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" } : {};
    // Zones by ID (the same physical zone in every account), leaving out the zone IDs EKS refuses when
    // the subnets are for a cluster.
    const zones = aws.getAvailabilityZonesOutput(
      {
        state: "available",
        filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        ...(args.clusterName ? { excludeZoneIds: [...EKS_UNSUPPORTED_ZONE_IDS] } : {}),
      },
      { parent: this },
    );

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: `${name}-vpc` } }, { parent: this });

    // The default security group allows all traffic between members; strip its rules so nothing relies on it.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags }, { parent: this });

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { ...tags, Name: `${name}-igw` } }, { parent: this });
    const publicRoutes = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { ...tags, Name: `${name}-public` } }, { parent: this });

    const publicSubnets: aws.ec2.Subnet[] = [];
    const privateSubnets: aws.ec2.Subnet[] = [];
    const natGateways: aws.ec2.NatGateway[] = [];
    const lastBlock = 2 ** (19 - 16) - 1;
    for (let i = 0; i < azCount; i++) {
      const zoneId = zones.zoneIds.apply((ids) => {
        if (ids.length < azCount) throw new Error(`Network: region offers ${ids.length} usable availability zones (${ids.join(", ")}), ${azCount} requested`);
        return ids[i];
      });
      const privateCidr = cidrSubnet(cidrBlock, 19 - 16, i);
      const publicCidr = cidrSubnet(cidrSubnet(cidrBlock, 19 - 16, lastBlock), 22 - 19, i);
      this.privateSubnetCidrs.push(privateCidr);
      this.publicSubnetCidrs.push(publicCidr);
      const publicSubnet = new aws.ec2.Subnet(
        `${name}-public-${i + 1}`,
        { vpcId: vpc.id, cidrBlock: publicCidr, availabilityZoneId: zoneId, mapPublicIpOnLaunch: false, tags: { ...tags, ...clusterTag, Name: `${name}-public-${i + 1}`, "kubernetes.io/role/elb": "1", tier: "public" } },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${i + 1}`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id }, { parent: this });
      publicSubnets.push(publicSubnet);

      if (natMode === "perAz" || i === 0) {
        const eip = new aws.ec2.Eip(`${name}-nat-${i + 1}`, { domain: "vpc", tags: { ...tags, Name: `${name}-nat-${i + 1}` } }, { parent: this });
        natGateways.push(new aws.ec2.NatGateway(`${name}-nat-${i + 1}`, { allocationId: eip.id, subnetId: publicSubnet.id, tags: { ...tags, Name: `${name}-nat-${i + 1}` } }, { parent: this, dependsOn: [igw] }));
      }
      const nat = natGateways[natMode === "perAz" ? i : 0];
      const privateSubnet = new aws.ec2.Subnet(
        `${name}-private-${i + 1}`,
        { vpcId: vpc.id, cidrBlock: privateCidr, availabilityZoneId: zoneId, tags: { ...tags, ...clusterTag, Name: `${name}-private-${i + 1}`, "kubernetes.io/role/internal-elb": "1", tier: "private" } },
        { parent: this },
      );
      const privateRoutes = new aws.ec2.RouteTable(`${name}-private-rt-${i + 1}`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: { ...tags, Name: `${name}-private-${i + 1}` } }, { parent: this });
      new aws.ec2.RouteTableAssociation(`${name}-private-${i + 1}`, { subnetId: privateSubnet.id, routeTableId: privateRoutes.id }, { parent: this });
      privateSubnets.push(privateSubnet);
    }

    const flowLogGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { retentionInDays: args.flowLogRetentionDays ?? 90, tags }, { parent: this });
    const flowLogRole = new aws.iam.Role(
      `${name}-flow-logs`,
      {
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        tags,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs`,
      {
        role: flowLogRole.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
              Resource: [flowLogGroup.arn, pulumi.interpolate`${flowLogGroup.arn}:*`],
            },
          ],
        }),
      },
      { parent: this },
    );
    new aws.ec2.FlowLog(`${name}-flow-log`, { vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: flowLogGroup.arn, iamRoleArn: flowLogRole.arn, maxAggregationInterval: 60, tags }, { parent: this });

    this.vpcId = vpc.id;
    this.vpcCidrBlock = vpc.cidrBlock;
    this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
    this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));
    this.availabilityZones = pulumi.all(privateSubnets.map((s) => s.availabilityZone));
    this.availabilityZoneIds = pulumi.all(privateSubnets.map((s) => s.availabilityZoneId));
    this.natGatewayIds = pulumi.all(natGateways.map((n) => n.id));
    this.registerOutputs({
      vpcId: this.vpcId,
      vpcCidrBlock: this.vpcCidrBlock,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
      availabilityZones: this.availabilityZones,
      availabilityZoneIds: this.availabilityZoneIds,
      natGatewayIds: this.natGatewayIds,
    });
  }
}
