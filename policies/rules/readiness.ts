/**
 * First-deploy rules (issue 14): what the mocks accept but a real `pulumi up` into a fresh account
 * refuses or leaves broken. Who can reach the cluster and from where, whether a volume can ever bind,
 * whether nodes and Helm releases wait for what they need, whether names collide across systems, and
 * whether a version is still supported. Each rule names the mistake as a class, so the next component
 * cannot repeat it.
 */
import type { PolicyResource } from "@pulumi/policy";
import { asArray, Finding, get, k8sName, ofType, resourceRule, stackRule } from "./common";
import { EKS_CLUSTER, NODE_GROUP } from "./eks";
import { CRON_JOB, DAEMON_SET, DEPLOYMENT, HELM_RELEASE, JOB, STATEFUL_SET, podSpecOf } from "./kubernetes";
import { DB_INSTANCE } from "./rds";
import { REPLICATION_GROUP } from "./elasticache";
import { supportStatus, SupportStatus, today, VersionKind, WARN_DAYS } from "../../core/versions";
import { EKS_UNSUPPORTED_ZONE_IDS } from "../../core/zones";

export const ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry";
export const ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
export const EKS_ADDON = "aws:eks/addon:Addon";
export const SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";
export const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
export const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
export const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
export const HELM_CHART_V4 = "kubernetes:helm.sh/v4:Chart";
const SUBNET = "aws:ec2/subnet:Subnet";
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const CLUSTER_ADMIN = "AmazonEKSClusterAdminPolicy";

/** True when `child` was built from `target` (an Output of it, or an explicit dependsOn). */
function dependsOn(child: PolicyResource, target: PolicyResource): boolean {
  return child.dependencies.some((d) => d.urn === target.urn);
}

/** Resources of the plan that belong to an EKS cluster: by dependency, or by the cluster's name. */
function ofCluster(resources: PolicyResource[], type: string, cluster: PolicyResource): PolicyResource[] {
  return ofType(resources, type).filter((r) => dependsOn(r, cluster) || (get(cluster.props, "name") !== undefined && get(r.props, "clusterName") === get(cluster.props, "name")));
}

/**
 * Everything a resource waits for: its dependencies, its provider and what that provider waits for,
 * transitively; a dependency on a component waits for the component's children. A Helm release that
 * uses a provider created after the nodes waits for the nodes.
 */
export function waitsFor(resource: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, PolicyResource[]>();
  for (const r of resources) if (r.parent) children.set(r.parent.urn, [...(children.get(r.parent.urn) ?? []), r]);
  const seen = new Map<string, PolicyResource>();
  const queue: PolicyResource[] = [resource];
  while (queue.length) {
    const current = queue.shift()!;
    const next = [...current.dependencies, ...(current === resource ? [] : (children.get(current.urn) ?? []))];
    const providerUrn = current.provider?.urn;
    if (providerUrn && byUrn.has(providerUrn)) next.push(byUrn.get(providerUrn)!);
    for (const r of next) {
      if (seen.has(r.urn)) continue;
      seen.set(r.urn, r);
      queue.push(byUrn.get(r.urn) ?? r);
    }
  }
  return [...seen.values()];
}

/** Every `volumeClaimTemplate` / `persistence` block in Helm values, with its path. */
function helmClaims(values: unknown, path = "values"): Array<{ path: string; storageClassName: unknown }> {
  if (!values || typeof values !== "object") return [];
  const out: Array<{ path: string; storageClassName: unknown }> = [];
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    const here = `${path}.${key}`;
    if (key === "volumeClaimTemplate" && value && typeof value === "object") out.push({ path: here, storageClassName: get(value, "spec", "storageClassName") });
    else if (key === "persistence" && get(value, "enabled") === true) out.push({ path: here, storageClassName: get(value, "storageClassName") ?? get(value, "storageClass") });
    else out.push(...helmClaims(value, here));
  }
  return out;
}

/** The images a workload runs. */
function imagesOf(resource: PolicyResource): string[] {
  const pod = podSpecOf(resource.type, resource.props);
  return [...asArray(get(pod, "initContainers")), ...asArray(get(pod, "containers"))].map((c) => get(c, "image")).filter((i): i is string => typeof i === "string");
}

interface VersionUse {
  resource: PolicyResource;
  kind: VersionKind;
  version: string;
  name?: string;
  what: string;
}

/** Every version the plan pins that the table (core/versions.ts) judges. */
function versionUses(resources: PolicyResource[]): VersionUse[] {
  const uses: VersionUse[] = [];
  for (const r of resources) {
    const props = r.props as Record<string, any>;
    if (r.type === EKS_CLUSTER && props.version) uses.push({ resource: r, kind: "eks", version: String(props.version), what: "" });
    if (r.type === DB_INSTANCE && props.engine === "postgres" && props.engineVersion) uses.push({ resource: r, kind: "postgres", version: String(props.engineVersion), what: "" });
    if (r.type === REPLICATION_GROUP && props.engineVersion) {
      const engine = props.engine === "valkey" ? "valkey" : "redis";
      uses.push({ resource: r, kind: engine, version: String(props.engineVersion).split(".").slice(0, 2).join("."), what: "" });
    }
    if ((r.type === HELM_RELEASE || r.type === HELM_CHART_V4) && props.chart && props.version) uses.push({ resource: r, kind: "helmChart", name: String(props.chart), version: String(props.version), what: "chart " });
    if ([CRON_JOB, JOB, DEPLOYMENT, STATEFUL_SET, DAEMON_SET].includes(r.type))
      for (const image of imagesOf(r)) if (/:[\w.-]+$/.test(image.split("/").pop() ?? "")) uses.push({ resource: r, kind: "image", version: image, what: "image " });
  }
  return uses;
}

/** Findings for the versions whose status on `day` is one of `statuses`. */
function versionFindings(resources: PolicyResource[], day: unknown, statuses: SupportStatus[]): Finding[] {
  return versionUses(resources)
    .map((u) => ({ u, verdict: supportStatus(u.kind, u.version, typeof day === "string" ? day : today(), u.name) }))
    .filter(({ verdict }) => statuses.includes(verdict.status))
    .map(({ u, verdict }) => ({ urn: u.resource.urn, message: `${u.what}${verdict.summary}` }));
}

const SUPPORT_DAY = { type: "string" as const, pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Day support is judged on (YYYY-MM-DD). @default today (UTC), or RUNBOOK_TODAY" };

export const readinessPolicies = [
  stackRule({
    name: "eks-access-beyond-creator",
    description:
      "Every EKS cluster has an access entry with AmazonEKSClusterAdminPolicy for a named principal, and production does not rely on the creator's bootstrap admin, so CI and on-call can reach the API after the first `pulumi up` (AWS EKS access entries). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set cluster.access.admins and cluster.access.deployRole; keep bootstrapCreatorAdmin false in production.",
    check: (resources, ctx) => {
      const findings: Finding[] = [];
      for (const cluster of ofType(resources, EKS_CLUSTER)) {
        const mode = get(cluster.props, "accessConfig", "authenticationMode");
        if (mode === "CONFIG_MAP") continue; // aws-auth: not judged here
        const admins = ofCluster(resources, ACCESS_POLICY_ASSOCIATION, cluster).filter((a) => String(get(a.props, "policyArn") ?? "").endsWith(`/${CLUSTER_ADMIN}`));
        const bootstrap = get(cluster.props, "accessConfig", "bootstrapClusterCreatorAdminPermissions") !== false;
        if (admins.length === 0)
          findings.push({ urn: cluster.urn, message: `cluster ${get(cluster.props, "name") ?? cluster.name} has no access entry with ${CLUSTER_ADMIN}: ${bootstrap ? "only whoever created it" : "nobody"} can use it` });
        else if (ctx.production && bootstrap)
          findings.push({ urn: cluster.urn, message: `cluster ${get(cluster.props, "name") ?? cluster.name} keeps bootstrapClusterCreatorAdminPermissions: production access must not depend on whoever created it` });
      }
      return findings;
    },
  }),
  stackRule({
    name: "k8s-group-binding-has-members",
    description:
      "Every Kubernetes group a RoleBinding or ClusterRoleBinding names is mapped by an EKS access entry's kubernetesGroups; in API mode a group has no members otherwise (AWS EKS access entries). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Map the group in cluster.access.groups: { principal: role/<operators>, kubernetesGroups: [<group>] }.",
    check: (resources) => {
      if (ofType(resources, EKS_CLUSTER).length === 0) return []; // a cluster made elsewhere keeps its own entries
      const mapped = new Set(ofType(resources, ACCESS_ENTRY).flatMap((e) => asArray<string>(get(e.props, "kubernetesGroups"))));
      const findings: Finding[] = [];
      for (const binding of ofType(resources, ROLE_BINDING, CLUSTER_ROLE_BINDING)) {
        for (const subject of asArray(get(binding.props, "subjects"))) {
          const group = get(subject, "name");
          if (get(subject, "kind") !== "Group" || typeof group !== "string" || group.startsWith("system:")) continue;
          if (!mapped.has(group)) findings.push({ urn: binding.urn, message: `${k8sName(binding)} binds group ${group}, which no access entry maps: the binding grants nothing` });
        }
      }
      return findings;
    },
  }),
  stackRule({
    name: "eks-private-endpoint-deploy-path",
    description:
      "A cluster whose API endpoint is private declares how `pulumi up` reaches it: a 443 ingress rule on the cluster security group from the deploy runners (AWS EKS cluster endpoint access). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set cluster.deployPath (privateRunner with the runners' CIDRs, or publicRunnerCidrs).",
    check: (resources) =>
      ofType(resources, EKS_CLUSTER)
        .filter((cluster) => get(cluster.props, "vpcConfig", "endpointPublicAccess") === false)
        .filter(
          (cluster) =>
            !ofType(resources, SG_INGRESS_RULE).some((rule) => {
              const from = Number(get(rule.props, "fromPort"));
              const to = Number(get(rule.props, "toPort"));
              return dependsOn(rule, cluster) && (get(rule.props, "ipProtocol") === "-1" || (from <= 443 && 443 <= to));
            }),
        )
        .map((cluster) => ({ urn: cluster.urn, message: `cluster ${get(cluster.props, "name") ?? cluster.name} has a private endpoint and no ingress on 443 for the deploy runners: every Kubernetes resource would time out` })),
  }),
  stackRule({
    name: "k8s-claim-storage-class",
    description:
      "Every volume claim (PersistentVolumeClaim, StatefulSet volumeClaimTemplates, claims in Helm values) names a StorageClass this plan creates; EKS 1.30 and later have no default class, so an unnamed claim stays Pending (Kubernetes storage classes).",
    grade: "mandatory",
    remediation: "Set storageClassName to the cluster's class (EksCluster.storageClassName, \"gp3-encrypted\").",
    check: (resources) => {
      const classes = new Set(ofType(resources, STORAGE_CLASS).map((c) => get(c.props, "metadata", "name")));
      const findings: Finding[] = [];
      const judge = (r: PolicyResource, where: string, storageClassName: unknown) => {
        if (typeof storageClassName !== "string" || storageClassName === "") findings.push({ urn: r.urn, message: `${where} names no storageClassName` });
        else if (!classes.has(storageClassName)) findings.push({ urn: r.urn, message: `${where} names StorageClass ${storageClassName}, which this plan does not create` });
      };
      for (const pvc of ofType(resources, PVC)) judge(pvc, `claim ${k8sName(pvc)}`, get(pvc.props, "spec", "storageClassName"));
      for (const set of ofType(resources, STATEFUL_SET))
        for (const t of asArray(get(set.props, "spec", "volumeClaimTemplates"))) judge(set, `${k8sName(set)} volumeClaimTemplate ${get(t, "metadata", "name") ?? ""}`.trim(), get(t, "spec", "storageClassName"));
      for (const release of ofType(resources, HELM_RELEASE, HELM_CHART_V4))
        for (const claim of helmClaims(get(release.props, "values"))) judge(release, `release ${get(release.props, "name") ?? release.name} ${claim.path}`, claim.storageClassName);
      return findings;
    },
  }),
  resourceRule({
    name: "k8s-storage-class-encrypted",
    description: "An EBS StorageClass encrypts its volumes with a customer-managed KMS key of the stack (AWS FSBP EC2.7, CIS AWS 2.2.1). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set parameters: { type: gp3, encrypted: \"true\", kmsKeyId: <key ARN> }.",
    types: [STORAGE_CLASS],
    check: (props) => {
      if (get(props, "provisioner") !== "ebs.csi.aws.com") return undefined;
      if (String(get(props, "parameters", "encrypted")) !== "true") return `StorageClass ${get(props, "metadata", "name")} does not set parameters.encrypted "true"`;
      if (!get(props, "parameters", "kmsKeyId")) return `StorageClass ${get(props, "metadata", "name")} encrypts with the AWS-managed key, not the stack's KMS key`;
      return undefined;
    },
  }),
  stackRule({
    name: "eks-node-group-after-cni",
    description: "Managed node groups are created after the vpc-cni add-on (the node role carries no CNI policy; aws-node gets its IRSA role from the add-on), so nodes do not come up NotReady (AWS EKS add-ons).",
    grade: "mandatory",
    remediation: "Give the node group dependsOn: [the vpc-cni Addon] (EksCluster does).",
    check: (resources) => {
      const findings: Finding[] = [];
      for (const cluster of ofType(resources, EKS_CLUSTER)) {
        const cni = ofCluster(resources, EKS_ADDON, cluster).filter((a) => get(a.props, "addonName") === "vpc-cni");
        for (const group of ofCluster(resources, NODE_GROUP, cluster)) {
          if (cni.length === 0) findings.push({ urn: group.urn, message: `node group ${get(group.props, "nodeGroupName") ?? group.name}: the plan has no vpc-cni add-on for its cluster` });
          else if (!cni.some((a) => dependsOn(group, a))) findings.push({ urn: group.urn, message: `node group ${get(group.props, "nodeGroupName") ?? group.name} does not wait for the vpc-cni add-on` });
        }
      }
      return findings;
    },
  }),
  stackRule({
    name: "helm-release-path-to-nodes",
    description: "Every Helm release waits (directly or through its Kubernetes provider) for a node group and the coredns add-on; on a fresh stack it would otherwise time out and roll back (AWS EKS add-ons, Kubernetes scheduling).",
    grade: "mandatory",
    remediation: "Install releases through EksCluster.workloadProvider, or dependsOn EksCluster.readyForWorkloads.",
    check: (resources) => {
      if (ofType(resources, EKS_CLUSTER).length === 0) return []; // nodes made elsewhere
      const findings: Finding[] = [];
      for (const release of ofType(resources, HELM_RELEASE, HELM_CHART_V4)) {
        const before = waitsFor(release, resources);
        const missing = [
          ...(before.some((r) => r.type === NODE_GROUP) ? [] : ["a node group"]),
          ...(before.some((r) => r.type === EKS_ADDON && get(r.props, "addonName") === "coredns") ? [] : ["the coredns add-on"]),
        ];
        if (missing.length) findings.push({ urn: release.urn, message: `release ${get(release.props, "name") ?? release.name} does not wait for ${missing.join(" or ")}` });
      }
      return findings;
    },
  }),
  stackRule({
    name: "physical-names-carry-system",
    description:
      "Physical names (EKS cluster, RDS instance, ElastiCache group, S3 bucket) start with the system's name (the `system` tag), and bucket names carry the account id, so two systems share an account and no bucket collides with anyone's in the world (AWS EKS cluster and S3 bucket naming rules). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Build names with core/names.ts: namePrefix(system, stack) and globalBucketName(...).",
    check: (resources) => {
      const findings: Finding[] = [];
      const named: Array<[string, string]> = [
        [EKS_CLUSTER, "name"],
        [DB_INSTANCE, "identifier"],
        [REPLICATION_GROUP, "replicationGroupId"],
        ...BUCKET_TYPES.map((t): [string, string] => [t, "bucket"]),
      ];
      for (const [type, key] of named) {
        for (const r of ofType(resources, type)) {
          const value = get(r.props, key);
          const system = get(r.props, "tags", "system");
          if (typeof value !== "string") continue; // auto-named: unique by construction
          if (typeof system !== "string" || !value.startsWith(`${system}-`))
            findings.push({ urn: r.urn, message: `${key} ${value} does not start with the system name${typeof system === "string" ? ` ${system}-` : " (no system tag)"}: another system in this account would take the same name` });
          if (BUCKET_TYPES.includes(type) && !/-\d{12}-[a-z]{2}(-gov)?-[a-z]+-\d$/.test(value))
            findings.push({ urn: r.urn, message: `bucket ${value} is not unique by construction: end it with -<account id>-<region>` });
        }
      }
      return findings;
    },
  }),
  stackRule({
    name: "versions-not-end-of-life",
    description:
      "No Kubernetes, engine, chart or image version in the plan is past every support on the day of the plan (core/versions.ts): AWS will not create it, or nobody patches its base (AWS EKS/RDS/ElastiCache version calendars, Debian/Amazon Linux lifecycles).",
    grade: "mandatory",
    config: { day: SUPPORT_DAY },
    remediation: "Upgrade to a version in standard support (see core/versions.ts).",
    check: (resources, ctx) => versionFindings(resources, ctx.config.day, ["ended"]),
  }),
  stackRule({
    name: "versions-in-support",
    description:
      "Kubernetes, engine, chart and image versions are in standard support on the day of the plan, not in paid extended or LTS-only support (core/versions.ts) (AWS EKS/RDS/ElastiCache version calendars). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    config: { day: SUPPORT_DAY },
    remediation: "Upgrade to a version in standard support (see core/versions.ts).",
    check: (resources, ctx) => versionFindings(resources, ctx.config.day, ["extended"]),
  }),
  stackRule({
    name: "versions-support-ending",
    description: `Warns when a pinned version's standard support ends within ${WARN_DAYS} days (core/versions.ts), while there is time to plan the upgrade (AWS EKS/RDS/ElastiCache version calendars).`,
    grade: "advisory",
    config: { day: SUPPORT_DAY },
    remediation: "Plan the upgrade to the next version in standard support.",
    check: (resources, ctx) => versionFindings(resources, ctx.config.day, ["ending"]),
  }),
  resourceRule({
    name: "eks-subnet-zone-id",
    description: `Subnets of an EKS cluster are placed by zone ID (names map to different zones per account) and never in a zone ID EKS refuses (${EKS_UNSUPPORTED_ZONE_IDS.join(", ")}) (AWS EKS VPC and subnet requirements).`,
    grade: "mandatory",
    remediation: "Set availabilityZoneId from getAvailabilityZones({ excludeZoneIds: EKS_UNSUPPORTED_ZONE_IDS }).zoneIds.",
    types: [SUBNET],
    check: (props) => {
      const tags = (get(props, "tags") ?? {}) as Record<string, string>;
      if (!Object.keys(tags).some((k) => k.startsWith("kubernetes.io/cluster/"))) return undefined;
      const zoneId = get(props, "availabilityZoneId");
      if (typeof zoneId !== "string") return `cluster subnet ${tags.Name ?? ""} is placed by AZ name ${get(props, "availabilityZone") ?? "(none)"}, not by zone ID`.replace("  ", " ");
      return EKS_UNSUPPORTED_ZONE_IDS.includes(zoneId) ? `cluster subnet ${tags.Name ?? ""} is in ${zoneId}, where EKS does not create clusters` : undefined;
    },
  }),
];
