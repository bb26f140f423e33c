/**
 * Offline answers for Pulumi's mock runtime: the computed attributes AWS, Kubernetes and random would
 * return (ids, ARNs, endpoints, the EKS OIDC issuer) and the invokes the program makes.
 *
 * Values are deterministic (derived from type and name) so plans diff cleanly between runs. An invoke
 * with no offline answer fails loudly instead of returning something made up.
 */
import * as pulumi from "@pulumi/pulumi";
import { ELB_HOSTED_ZONES, LOAD_BALANCER_NAME } from "../core/elb";
import { NAME_LIMITS } from "../core/names";
import { acceptedVersions } from "../core/versions";
import { EKS_UNSUPPORTED_ZONE_IDS } from "../core/zones";

export const MOCK_ACCOUNT_ID = "123456789012";

/**
 * 40 hex digits derived from the parts (five FNV-1a passes with different seeds). Only stable ids
 * are needed here, not a cryptographic hash, and this runs several times per resource.
 */
function digest(...parts: string[]): string {
  const text = parts.join("|");
  let out = "";
  for (const seed of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35]) {
    let hash = seed >>> 0;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    out += hash.toString(16).padStart(8, "0");
  }
  return out;
}

function awsService(type: string): string {
  // "aws:rds/instance:Instance" -> "rds"
  const service = type.split(":")[1]?.split("/")[0] ?? "aws";
  return service === "lb" || service === "alb" ? "elasticloadbalancing" : service;
}

export interface OfflineMocksOptions {
  /** Region of the default AWS provider (`aws:region`). */
  region: string;
  /**
   * Answers a `pulumi.StackReference`: the outputs of the named stack, as its saved plan (`--json`)
   * holds them. Without it a stack reference fails loudly.
   */
  stackOutputs?: (stack: string) => Promise<Record<string, unknown>>;
}

/**
 * What AWS's API refuses outright where a simple rule says so (name limits, versions EKS no longer
 * creates, zone IDs EKS rejects), so a plan that the real `pulumi up` would fail on fails here too.
 */
export function awsRefusal(type: string, inputs: Record<string, unknown>): string | undefined {
  const text = (key: string) => (typeof inputs[key] === "string" ? (inputs[key] as string) : undefined);
  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = text("bucket");
      if (bucket !== undefined && !(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes("..")))
        return `InvalidBucketName: "${bucket}" (3–63 lowercase letters, digits, '.' and '-')`;
      return undefined;
    }
    case "aws:elasticache/replicationGroup:ReplicationGroup": {
      const id = text("replicationGroupId");
      if (id !== undefined && !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id.toLowerCase())) return `InvalidParameterValue: ReplicationGroupId "${id}" must begin with a letter and contain only letters, digits and single hyphens`;
      if (id !== undefined && id.length > NAME_LIMITS.elasticacheReplicationGroupId) return `InvalidParameterValue: ReplicationGroupId "${id}" is ${id.length} characters; at most ${NAME_LIMITS.elasticacheReplicationGroupId}`;
      return undefined;
    }
    case "aws:rds/instance:Instance": {
      const id = text("identifier");
      if (id !== undefined && id.length > NAME_LIMITS.rdsIdentifier) return `InvalidParameterValue: DBInstanceIdentifier "${id}" is ${id.length} characters; at most ${NAME_LIMITS.rdsIdentifier}`;
      return undefined;
    }
    case "aws:eks/cluster:Cluster": {
      const version = text("version");
      if (version !== undefined && !acceptedVersions("eks").includes(version)) return `InvalidParameterException: unsupported Kubernetes version ${version} (EKS creates ${acceptedVersions("eks").join(", ")})`;
      return undefined;
    }
    case "aws:ec2/subnet:Subnet": {
      const zoneId = text("availabilityZoneId");
      const tags = (inputs.tags ?? {}) as Record<string, string>;
      const forCluster = Object.keys(tags).some((k) => k.startsWith("kubernetes.io/cluster/"));
      if (forCluster && zoneId !== undefined && EKS_UNSUPPORTED_ZONE_IDS.includes(zoneId)) return `UnsupportedAvailabilityZoneException: EKS does not create clusters in ${zoneId}`;
      return undefined;
    }
    case "aws:eks/accessEntry:AccessEntry": {
      const groups = (inputs.kubernetesGroups as string[] | undefined) ?? [];
      const bad = groups.find((g) => g.startsWith("system:"));
      return bad ? `InvalidParameterException: kubernetesGroups may not start with "system:" (${bad})` : undefined;
    }
    default:
      return undefined;
  }
}

/** AWS's short region codes in zone IDs ("us-east-1" -> "use1", "ap-southeast-2" -> "apse2"). */
function zoneIdPrefix(region: string): string {
  const [area, direction, number] = region.split("-");
  const dir: Record<string, string> = { east: "e", west: "w", north: "n", south: "s", central: "c", northeast: "ne", northwest: "nw", southeast: "se", southwest: "sw" };
  return `${area}${dir[direction] ?? direction.slice(0, 1)}${number}`;
}

/**
 * The mock account's zones: six per region, names shuffled against zone IDs as AWS does per account
 * (us-east-1a is not use1-az1), so code that confuses the two shows it in plans.
 */
export function accountZones(region: string): Array<{ name: string; id: string }> {
  const letters = ["a", "b", "c", "d", "e", "f"];
  const shift = (parseInt(digest("zones", region).slice(0, 2), 16) % 5) + 1;
  return letters.map((l, i) => ({ name: `${region}${l}`, id: `${zoneIdPrefix(region)}-az${((i + shift) % 6) + 1}` }));
}

export class OfflineMocks implements pulumi.runtime.Mocks {
  /** Provider reference ("urn::id") -> region, learned as explicit providers register. */
  private readonly providerRegions = new Map<string, string>();

  constructor(private readonly options: OfflineMocksOptions) {}

  private regionOf(provider: string | undefined, inputs: Record<string, unknown>): string {
    if (typeof inputs.region === "string" && inputs.region) return inputs.region;
    if (provider) {
      for (const [suffix, region] of this.providerRegions) if (provider.includes(suffix)) return region;
    }
    return this.options.region;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } | Promise<{ id: string | undefined; state: Record<string, unknown> }> {
    if (args.type === "pulumi:pulumi:StackReference") return this.stackReference(String(args.inputs.name ?? ""));
    return this.resource(args);
  }

  /** A stack reference reads the other stack's outputs; offline they come from that stack's saved plan. */
  private async stackReference(stack: string): Promise<{ id: string; state: Record<string, unknown> }> {
    if (!this.options.stackOutputs) throw new Error(`the offline preview has no plan for stack reference "${stack}"; pass --stack-reference ${stack}=<plan.json> (a plan written by --json)`);
    const outputs = await this.options.stackOutputs(stack);
    // A saved plan writes secret outputs as "[secret]"; they stay secret here.
    const secretOutputNames = Object.keys(outputs).filter((k) => outputs[k] === "[secret]");
    return { id: stack, state: { name: stack, outputs, secretOutputNames } };
  }

  private resource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const { type, name, inputs } = args;
    const hex = digest(type, name);
    const region = this.regionOf(args.provider, inputs);
    const state: Record<string, unknown> = { ...inputs };
    let id = `${name}-${hex.slice(0, 8)}`;

    if (type.startsWith("pulumi:providers:")) {
      id = hex.slice(0, 16);
      if (type === "pulumi:providers:aws" && typeof inputs.region === "string") {
        // Provider references are "<urn>::<id>"; the URN ends in "<type>::<name>" whatever the parent chain.
        this.providerRegions.set(`${type}::${name}::`, inputs.region);
      }
      return { id, state };
    }

    const arn = (resource: string) => `arn:aws:${awsService(type)}:${region}:${MOCK_ACCOUNT_ID}:${resource}`;
    switch (type) {
      case "aws:ec2/vpc:Vpc":
        id = `vpc-${hex.slice(0, 17)}`;
        Object.assign(state, { arn: arn(`vpc/${id}`), defaultSecurityGroupId: `sg-${hex.slice(1, 18)}`, mainRouteTableId: `rtb-${hex.slice(2, 19)}` });
        break;
      case "aws:ec2/subnet:Subnet": {
        id = `subnet-${hex.slice(0, 17)}`;
        state.arn = arn(`subnet/${id}`);
        // AWS fills in the other half of the zone: name from ID, ID from name (this account's mapping).
        const zones = accountZones(region);
        if (typeof inputs.availabilityZoneId === "string") state.availabilityZone = zones.find((z) => z.id === inputs.availabilityZoneId)?.name;
        else if (typeof inputs.availabilityZone === "string") state.availabilityZoneId = zones.find((z) => z.name === inputs.availabilityZone)?.id;
        break;
      }
      case "aws:ec2/internetGateway:InternetGateway":
        id = `igw-${hex.slice(0, 17)}`;
        break;
      case "aws:ec2/natGateway:NatGateway":
        id = `nat-${hex.slice(0, 17)}`;
        break;
      case "aws:ec2/eip:Eip":
        id = `eipalloc-${hex.slice(0, 17)}`;
        state.publicIp = `203.0.113.${parseInt(hex.slice(0, 2), 16) % 250}`;
        break;
      case "aws:ec2/routeTable:RouteTable":
        id = `rtb-${hex.slice(0, 17)}`;
        break;
      case "aws:ec2/securityGroup:SecurityGroup":
        id = `sg-${hex.slice(0, 17)}`;
        state.arn = arn(`security-group/${id}`);
        break;
      case "aws:ec2/launchTemplate:LaunchTemplate":
        id = `lt-${hex.slice(0, 17)}`;
        Object.assign(state, { latestVersion: 1, arn: arn(`launch-template/${id}`) });
        break;
      case "aws:ec2/flowLog:FlowLog":
        id = `fl-${hex.slice(0, 17)}`;
        break;
      case "aws:kms/key:Key":
        id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
        Object.assign(state, { keyId: id, arn: arn(`key/${id}`) });
        break;
      case "aws:kms/replicaKey:ReplicaKey":
        id = `mrk-${hex.slice(0, 32)}`;
        Object.assign(state, { keyId: id, arn: arn(`key/${id}`) });
        break;
      case "aws:iam/role:Role":
      case "aws:iam/policy:Policy": {
        const roleName = (inputs.name as string) ?? id;
        id = roleName;
        const kind = type === "aws:iam/role:Role" ? "role" : "policy";
        Object.assign(state, { name: roleName, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:${kind}/${roleName}`, uniqueId: `AROA${hex.slice(0, 17).toUpperCase()}` });
        break;
      }
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        const host = String(inputs.url ?? "").replace(/^https:\/\//, "");
        state.arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${host}`;
        id = String(state.arn);
        break;
      }
      case "aws:cloudwatch/logGroup:LogGroup":
        id = (inputs.name as string) ?? id;
        // CloudWatch Logs ARNs are in the "logs" service, not the provider module's "cloudwatch".
        state.arn = `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:${id}`;
        break;
      case "aws:eks/cluster:Cluster": {
        const clusterName = (inputs.name as string) ?? id;
        id = clusterName;
        const oidcId = hex.toUpperCase().slice(0, 32);
        Object.assign(state, {
          name: clusterName,
          arn: arn(`cluster/${clusterName}`),
          endpoint: `https://${oidcId}.gr7.${region}.eks.amazonaws.com`,
          certificateAuthority: { data: Buffer.from(`offline-ca-${clusterName}`).toString("base64") },
          identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}` }] }],
          vpcConfig: { ...(inputs.vpcConfig as object), clusterSecurityGroupId: `sg-${hex.slice(3, 20)}`, vpcId: "vpc-offline" },
          platformVersion: "eks.1",
          status: "ACTIVE",
        });
        break;
      }
      case "aws:eks/nodeGroup:NodeGroup":
        state.arn = arn(`nodegroup/${inputs.clusterName}/${inputs.nodeGroupName ?? name}/${hex.slice(0, 8)}`);
        state.resources = [{ autoscalingGroups: [{ name: `eks-${name}-${hex.slice(0, 8)}` }], remoteAccessSecurityGroupId: "" }];
        break;
      case "aws:rds/instance:Instance": {
        const identifier = (inputs.identifier as string) ?? id;
        id = identifier;
        const address = `${identifier}.c${hex.slice(0, 11)}.${region}.rds.amazonaws.com`;
        const port = (inputs.port as number) ?? 5432;
        Object.assign(state, {
          identifier,
          address,
          port,
          endpoint: `${address}:${port}`,
          arn: arn(`db:${identifier}`),
          resourceId: `db-${hex.slice(0, 26).toUpperCase()}`,
          masterUserSecrets: inputs.manageMasterUserPassword
            ? [{ secretArn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:rds!db-${hex.slice(0, 8)}-${hex.slice(8, 14)}`, secretStatus: "active", kmsKeyId: inputs.masterUserSecretKmsKeyId ?? "" }]
            : [],
        });
        break;
      }
      case "aws:elasticache/replicationGroup:ReplicationGroup": {
        const groupId = (inputs.replicationGroupId as string) ?? id;
        id = groupId;
        const host = `${groupId}.${hex.slice(0, 6)}.${region.replace(/-/g, "")}.cache.amazonaws.com`;
        // Like AWS: cluster mode (node groups) has only a configuration endpoint, no primary or reader endpoint.
        const endpoints = inputs.numNodeGroups !== undefined
          ? { configurationEndpointAddress: `clustercfg.${host}` }
          : { primaryEndpointAddress: `master.${host}`, readerEndpointAddress: `replica.${host}` };
        Object.assign(state, { arn: arn(`replicationgroup:${groupId}`), ...endpoints, port: inputs.port ?? 6379 });
        break;
      }
      case "aws:msk/cluster:Cluster":
      case "aws:msk/serverlessCluster:ServerlessCluster": {
        const clusterName = (inputs.clusterName as string) ?? name;
        const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}-${type.includes("serverless") ? "s1" : "3"}`;
        id = `arn:aws:kafka:${region}:${MOCK_ACCOUNT_ID}:cluster/${clusterName}/${uuid}`;
        const host = (n: number) => `b-${n}.${clusterName.toLowerCase()}.${hex.slice(0, 6)}.c${n}.kafka.${region}.amazonaws.com:9098`;
        // Like MSK: one bootstrap address per broker (serverless: one endpoint), SASL/IAM on 9098.
        const count = type.includes("serverless") ? 1 : Math.min(3, Number(inputs.numberOfBrokerNodes ?? 3));
        Object.assign(state, { arn: id, clusterName, clusterUuid: uuid, bootstrapBrokersSaslIam: Array.from({ length: count }, (_, i) => host(i + 1)).join(",") });
        break;
      }
      case "aws:msk/configuration:Configuration":
        state.arn = `arn:aws:kafka:${region}:${MOCK_ACCOUNT_ID}:configuration/${inputs.name ?? name}/${hex.slice(0, 8)}`;
        state.latestRevision = 1;
        break;
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2": {
        const bucket = (inputs.bucket as string) ?? `${name}-${hex.slice(0, 8)}`;
        id = bucket;
        Object.assign(state, { bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, region });
        break;
      }
      case "aws:route53/zone:Zone":
        id = `Z${hex.slice(0, 20).toUpperCase()}`;
        Object.assign(state, { zoneId: id, arn: `arn:aws:route53:::hostedzone/${id}`, nameServers: ["ns-1.awsdns-00.org"] });
        break;
      case "aws:route53/healthCheck:HealthCheck":
        id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
        state.arn = `arn:aws:route53:::healthcheck/${id}`;
        break;
      case "aws:route53/record:Record":
        id = `${inputs.zoneId}_${inputs.name}_${inputs.type}${inputs.setIdentifier ? `_${inputs.setIdentifier}` : ""}`;
        state.fqdn = String(inputs.name ?? "").replace(/\.$/, "");
        break;
      case "aws:sns/topic:Topic":
        state.arn = arn(`${inputs.name ?? name}`);
        id = String(state.arn);
        break;
      case "aws:secretsmanager/secret:Secret":
        state.arn = `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${inputs.name ?? name}-${hex.slice(0, 6)}`;
        id = String(state.arn);
        break;
      case "aws:lb/loadBalancer:LoadBalancer":
      case "aws:alb/loadBalancer:LoadBalancer": {
        // AWS refuses names it cannot put into a DNS label; the provider autonames 32 characters at most.
        const lbName = (inputs.name as string | undefined) ?? `${name.slice(0, 24)}-${hex.slice(0, 7)}`;
        if (!LOAD_BALANCER_NAME.test(lbName)) throw new Error(`ValidationError: load balancer name '${lbName}' must have 1-32 alphanumeric characters or hyphens and must not begin or end with a hyphen or begin with 'internal-'`);
        const kind = inputs.loadBalancerType === "network" ? "net" : "app";
        const suffix = String(parseInt(digest(lbName, region).slice(0, 8), 16)).padStart(10, "0");
        id = arn(`loadbalancer/${kind}/${lbName}/${hex.slice(0, 16)}`);
        const host = `${inputs.internal ? "internal-" : ""}${lbName}-${suffix}`;
        Object.assign(state, {
          name: lbName,
          arn: id,
          arnSuffix: `${kind}/${lbName}/${hex.slice(0, 16)}`,
          // ALBs answer under <region>.elb.amazonaws.com, NLBs under elb.<region>.amazonaws.com, each in its region's ELB zone.
          dnsName: kind === "net" ? `${host}.elb.${region}.amazonaws.com` : `${host}.${region}.elb.amazonaws.com`,
          zoneId: ELB_HOSTED_ZONES[region]?.[kind === "net" ? "network" : "application"] ?? `Z${hex.slice(0, 13).toUpperCase()}`,
        });
        break;
      }
      case "aws:lb/targetGroup:TargetGroup": {
        const tgName = (inputs.name as string | undefined) ?? `${name.slice(0, 24)}-${hex.slice(0, 7)}`;
        if (tgName.length > 32) throw new Error(`ValidationError: target group name '${tgName}' cannot be longer than 32 characters`);
        id = arn(`targetgroup/${tgName}/${hex.slice(0, 16)}`);
        Object.assign(state, { name: tgName, arn: id, arnSuffix: `targetgroup/${tgName}/${hex.slice(0, 16)}` });
        break;
      }
      case "aws:lb/listener:Listener":
      case "aws:lb/listenerRule:ListenerRule":
        id = `${String(inputs.loadBalancerArn ?? inputs.listenerArn ?? arn("listener")).replace(":loadbalancer/", ":listener/")}/${hex.slice(0, 16)}`;
        state.arn = id;
        break;
      case "aws:acm/certificate:Certificate": {
        id = arn(`certificate/${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`);
        const names = [inputs.domainName as string, ...((inputs.subjectAlternativeNames as string[] | undefined) ?? [])];
        // The validation CNAME depends on the name and the account only, as ACM's does.
        Object.assign(state, {
          arn: id,
          status: "PENDING_VALIDATION",
          domainValidationOptions: names.map((domainName) => {
            const token = digest("acm", MOCK_ACCOUNT_ID, domainName);
            return { domainName, resourceRecordName: `_${token.slice(0, 32)}.${domainName}.`, resourceRecordType: "CNAME", resourceRecordValue: `_${token.slice(8, 40)}.acm-validations.aws.` };
          }),
        });
        break;
      }
      case "aws:acm/certificateValidation:CertificateValidation":
        id = String(inputs.certificateArn);
        break;
      case "random:index/randomPassword:RandomPassword":
        // The engine marks `result` secret (additionalSecretOutputs); the mock runtime does not, so do it here.
        state.result = pulumi.secret(`offline-${hex.slice(0, Math.max(8, Math.min(32, Number(inputs.length ?? 32) - 8)))}`);
        break;
      default:
        if (type.startsWith("aws:") && state.arn === undefined) state.arn = arn(`${type.split(":")[2]?.toLowerCase() ?? "resource"}/${id}`);
    }

    if (type.startsWith("kubernetes:")) {
      const metadata = { ...((inputs.metadata as Record<string, unknown>) ?? {}) };
      metadata.name ??= name;
      metadata.uid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
      state.metadata = metadata;
      id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : String(metadata.name);
    }
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const region = this.regionOf(args.provider, {});
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        // Like AWS: names map to zone IDs differently per account, and exclusions apply to either.
        const excludeIds = (args.inputs.excludeZoneIds as string[] | undefined) ?? [];
        const excludeNames = (args.inputs.excludeNames as string[] | undefined) ?? [];
        const zones = accountZones(region).filter((z) => !excludeIds.includes(z.id) && !excludeNames.includes(z.name));
        return { id: region, names: zones.map((z) => z.name), zoneIds: zones.map((z) => z.id), groupNames: [region] };
      }
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline`, userId: "AIDAOFFLINE", id: MOCK_ACCOUNT_ID };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
      case "aws:route53/getZone:getZone": {
        const zoneName = String(args.inputs.name ?? "example.com").replace(/\.$/, "");
        const zoneId = `Z${digest("zone", zoneName).slice(0, 20).toUpperCase()}`;
        return { id: zoneId, zoneId, name: zoneName, arn: `arn:aws:route53:::hostedzone/${zoneId}`, privateZone: false, nameServers: [] };
      }
      default:
        throw new Error(`the offline preview has no answer for invoke ${args.token}; add one to preview/mocks.ts`);
    }
  }
}
