/**
 * Create-only inputs: the inputs of each resource type this project uses that a provider cannot change
 * in place, so a change replaces the resource (Pulumi's `+-` / "replace"). This is the ONE table the
 * offline `--diff` uses to tell an update from a replace; add a line when you add a resource type whose
 * names or immutable settings can change through config.
 *
 * Source: the "forces replacement" / ForceNew markings of the Pulumi AWS provider (7.x, bridged from the
 * Terraform AWS provider's schema), the Kubernetes provider's replace-on-change fields (object identity
 * and fields the API server treats as immutable) and the random provider (every input of a random
 * resource is create-only). Paths use the same notation as the diff: `a.b`, `a[0]`. A listed path also
 * covers everything under it (`metadata.name` covers itself only; `scalingConfig` would cover its keys).
 */

/** Paths that force a replacement, by Pulumi type token. */
export const CREATE_ONLY_INPUTS: Readonly<Record<string, readonly string[]>> = {
  // Network
  "aws:ec2/vpc:Vpc": ["cidrBlock", "instanceTenancy"],
  "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"],
  "aws:ec2/eip:Eip": ["domain", "publicIpv4Pool"],
  "aws:ec2/natGateway:NatGateway": ["subnetId", "allocationId", "connectivityType"],
  "aws:ec2/routeTable:RouteTable": ["vpcId"],
  "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock"],
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "vpcId", "description"],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
  "aws:ec2/flowLog:FlowLog": ["vpcId", "subnetId", "logDestination", "logDestinationType", "trafficType", "iamRoleArn", "maxAggregationInterval", "logFormat"],
  "aws:ec2/launchTemplate:LaunchTemplate": ["name", "namePrefix"],
  // EKS
  "aws:eks/cluster:Cluster": ["name", "roleArn", "encryptionConfig", "kubernetesNetworkConfig.serviceIpv4Cidr", "kubernetesNetworkConfig.ipFamily", "bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions"],
  "aws:eks/nodeGroup:NodeGroup": ["clusterName", "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "subnetIds", "amiType", "capacityType", "diskSize", "instanceTypes", "remoteAccess"],
  "aws:eks/addon:Addon": ["clusterName", "addonName"],
  "aws:eks/accessEntry:AccessEntry": ["clusterName", "principalArn", "type"],
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ["clusterName", "principalArn", "policyArn", "accessScope"],
  // IAM and KMS
  "aws:iam/role:Role": ["name", "namePrefix", "path"],
  "aws:iam/policy:Policy": ["name", "namePrefix", "path", "description"],
  "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["url"],
  "aws:kms/key:Key": ["keyUsage", "customerMasterKeySpec", "keySpec", "multiRegion", "customKeyStoreId"],
  "aws:kms/alias:Alias": ["name", "namePrefix"],
  "aws:kms/replicaKey:ReplicaKey": ["primaryKeyArn"],
  // Data tier
  "aws:rds/instance:Instance": ["identifier", "identifierPrefix", "engine", "dbName", "username", "availabilityZone", "kmsKeyId", "storageEncrypted", "characterSetName", "ncharCharacterSetName", "timezone", "snapshotIdentifier", "replicateSourceDb", "restoreToPointInTime", "s3Import", "customIamInstanceProfile"],
  "aws:rds/parameterGroup:ParameterGroup": ["name", "namePrefix", "family", "description"],
  "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix"],
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": ["sourceDbInstanceArn", "kmsKeyId", "retentionPeriod", "preSignedUrl"],
  "aws:elasticache/replicationGroup:ReplicationGroup": ["replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "port", "subnetGroupName", "snapshotArns", "snapshotName", "preferredCacheClusterAzs", "dataTieringEnabled", "networkType"],
  "aws:elasticache/subnetGroup:SubnetGroup": ["name"],
  "aws:elasticache/parameterGroup:ParameterGroup": ["name", "family", "description"],
  "aws:msk/cluster:Cluster": ["clusterName", "kafkaVersion", "brokerNodeGroupInfo.clientSubnets", "brokerNodeGroupInfo.securityGroups", "encryptionInfo.encryptionAtRestKmsKeyArn"],
  "aws:msk/serverlessCluster:ServerlessCluster": ["clusterName", "vpcConfigs", "clientAuthentication"],
  // Storage and backups
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
  "aws:s3/bucketVersioning:BucketVersioning": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ["bucket"],
  // Logs, DNS, secrets, messaging
  "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
  "aws:route53/zone:Zone": ["name", "delegationSetId"],
  "aws:route53/record:Record": ["zoneId", "name", "setIdentifier"],
  "aws:route53/healthCheck:HealthCheck": ["type", "requestInterval", "measureLatency", "referenceName", "routingControlArn"],
  "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretId"],
  "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
  "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
  "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType"],
  "aws:lb/targetGroup:TargetGroup": ["name", "namePrefix", "port", "protocol", "vpcId", "targetType"],
  "aws:wafv2/webAcl:WebAcl": ["name", "scope"],
  "aws:wafv2/webAclAssociation:WebAclAssociation": ["resourceArn", "webAclArn"],
  "aws:budgets/budget:Budget": ["name", "namePrefix", "accountId"],
  // random: every input is create-only
  "random:index/randomPassword:RandomPassword": ["length", "special", "upper", "lower", "numeric", "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial", "keepers"],
  "random:index/randomId:RandomId": ["byteLength", "prefix", "keepers"],
  // Kubernetes: a Helm release is identified by its name and namespace; StorageClass parameters are immutable.
  "kubernetes:helm.sh/v3:Release": ["name", "namespace"],
  "kubernetes:storage.k8s.io/v1:StorageClass": ["metadata.name", "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
  "kubernetes:core/v1:PersistentVolumeClaim": ["metadata.name", "metadata.namespace", "spec.storageClassName", "spec.accessModes", "spec.selector"],
};

/** Every Kubernetes object is identified by its name and namespace: changing either replaces it. */
export const KUBERNETES_IDENTITY: readonly string[] = ["metadata.name", "metadata.namespace"];

/** Create-only paths of a type: its table entry, plus the object identity for every Kubernetes kind. */
export function createOnlyPaths(type: string): readonly string[] {
  const listed = CREATE_ONLY_INPUTS[type] ?? [];
  if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/")) return [...new Set([...KUBERNETES_IDENTITY, ...listed])];
  return listed;
}

/** Whether changing `path` (diff notation) of a resource of `type` forces a replacement. */
export function forcesReplacement(type: string, path: string): boolean {
  return createOnlyPaths(type).some((prefix) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
}
