/**
 * Who may use the cluster and how `pulumi up` reaches its API: `cluster.access` and `cluster.deployPath`.
 *
 * The cluster runs EKS access entries only (authentication mode API). A principal without an entry
 * cannot reach Kubernetes at all, and a Kubernetes group exists only through the `kubernetesGroups` of
 * an entry, so a RoleBinding to a group nobody is mapped to grants nothing. These rules make both
 * mistakes config errors, before any resource is registered.
 */
import { z } from "zod";
import { bool, cidr, oneOf, str } from "./fields";
import type { Refinement } from "./refinement";
import { IAM_PRINCIPAL } from "../../core/names";
import type { StackConfig } from "./schema";

/**
 * IAM role or user ARNs (with path), as access entries take them, or `role/<name>` / `user/<name>` in the
 * deploying account (so stack files carry no account id); never STS session ARNs.
 */
export const PRINCIPAL_ARN = IAM_PRINCIPAL;
const PRINCIPAL_ALLOWED = 'an IAM role or user: "role/platform-admins" (this account) or "arn:aws:iam::111122223333:role/platform-admins" (not an sts assumed-role ARN)';
const principal = () => str(PRINCIPAL_ARN, PRINCIPAL_ALLOWED);

/** Kubernetes group names an access entry may carry; EKS refuses names starting with `system:`. */
export const ACCESS_GROUP = /^(?!system:)[A-Za-z0-9][A-Za-z0-9:._@-]{0,127}$/;

export const accessSchema = z
  .object({
    /** IAM principals with AmazonEKSClusterAdminPolicy on the whole cluster. Production needs at least one. @default [] */
    admins: z.array(principal()).default([]),
    /** The role CI assumes to run `pulumi up` (cluster admin: it creates CRDs, RBAC and Helm releases). Required in production. @default none */
    deployRole: principal().optional(),
    /** IAM principals with AmazonEKSViewPolicy on the whole cluster (no Secrets). @default [] */
    readOnly: z.array(principal()).default([]),
    /** Principals mapped to Kubernetes groups, which RoleBindings name; no access policy, RBAC alone decides. @default [] */
    groups: z
      .array(
        z
          .object({
            /** IAM role or user ARN. */
            principal: principal(),
            /** Kubernetes groups (not `system:*`), e.g. the DR operator group. */
            kubernetesGroups: z.array(str(ACCESS_GROUP, 'a Kubernetes group name not starting with "system:" such as "dr-operators"')).min(1, { error: "must list at least one group" }),
          })
          .strict(),
      )
      .default([]),
    /**
     * Let EKS make whoever creates the cluster an admin (not an entry in this config). Refused in production.
     * @default false; outside production true when neither admins nor deployRole is set (EKS's own default)
     */
    bootstrapCreatorAdmin: bool().optional(),
  })
  .strict();

export const deployPathSchema = z
  .object({
    /**
     * `privateRunner`: `pulumi up` runs on a self-hosted runner inside the VPC or a network routed to it
     * (VPN, peering, transit gateway); its CIDRs may reach the private endpoint on 443.
     * `publicRunnerCidrs`: runners outside the VPC with fixed egress IPs; those CIDRs open the public endpoint.
     */
    mode: oneOf(["privateRunner", "publicRunnerCidrs"]),
    /** Source CIDRs of the runners (private ranges for privateRunner, their public egress IPs otherwise). */
    runnerCidrs: z.array(cidr()).min(1, { error: "must list at least one CIDR" }),
    /** `runs-on` labels of the deploy job for this stack in .github/workflows/deploy.yml. @default [] */
    runnerLabels: z.array(z.string({ error: "must be a string" })).default([]),
  })
  .strict();

export type AccessConfig = z.infer<typeof accessSchema>;
export type DeployPathConfig = z.infer<typeof deployPathSchema>;

/**
 * Kubernetes groups that RoleBindings built from this config name. A step that binds a group from a
 * config key adds one line here, so the group cannot be left without members.
 */
export const GROUPS_BOUND_BY_CONFIG: Array<{ key: Array<string | number>; groups: (config: StackConfig) => string[] }> = [
  { key: ["dr", "operatorGroup"], groups: (c) => (c.dr?.enabled ? [c.dr.operatorGroup] : []) },
  { key: ["application", "operators", "group"], groups: (c) => (c.application?.operators ? [c.application.operators.group] : []) },
];

function ipv4(cidrText: string): [number, number] {
  const [address, prefix] = cidrText.split("/");
  return [address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0), Number(prefix)];
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map(ipv4);

/** True when the CIDR lies inside RFC 1918 / shared address space (reachable only through the VPC or a VPN). */
export function isPrivateCidr(cidrText: string): boolean {
  const [address, prefix] = ipv4(cidrText);
  return PRIVATE_RANGES.some(([base, bits]) => prefix >= bits && Math.floor(address / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** The access the program builds: `bootstrapCreatorAdmin` resolved from its environment default. */
export function effectiveAccess(config: Pick<StackConfig, "environment" | "cluster">): AccessConfig & { bootstrapCreatorAdmin: boolean } {
  const access = config.cluster.access;
  const nobodyNamed = access.admins.length === 0 && !access.deployRole;
  return { ...access, bootstrapCreatorAdmin: access.bootstrapCreatorAdmin ?? (config.environment !== "production" && nobodyNamed) };
}

export const refineClusterAccess: Refinement = (config, report) => {
  const access = effectiveAccess(config);
  const at = (...rest: Array<string | number>) => ["cluster", "access", ...rest];
  const production = config.environment === "production";
  if (production && access.admins.length === 0) report(at("admins"), access.admins, "must list at least one admin principal in production (nobody but the creator could use the cluster)");
  if (production && !access.deployRole) report(at("deployRole"), access.deployRole, "must be set in production: the role `pulumi up` runs as needs its own access entry");
  if (production && access.bootstrapCreatorAdmin) report(at("bootstrapCreatorAdmin"), true, "must be false in production: access must not depend on whoever created the cluster");
  if (!access.bootstrapCreatorAdmin && access.admins.length === 0 && !access.deployRole)
    report(at("admins"), access.admins, "must list an admin or set deployRole (or set bootstrapCreatorAdmin: true outside production); otherwise nobody can use the cluster");

  // EKS allows one access entry per principal.
  const seen = new Map<string, string>();
  const claim = (arn: string, path: Array<string | number>) => {
    const first = seen.get(arn);
    if (first) report(path, arn, `must appear once across cluster.access; already given at ${first}`);
    else seen.set(arn, `cluster.access.${path.slice(2).join(".")}`);
  };
  access.admins.forEach((arn, i) => claim(arn, at("admins", i)));
  if (access.deployRole) claim(access.deployRole, at("deployRole"));
  access.readOnly.forEach((arn, i) => claim(arn, at("readOnly", i)));
  access.groups.forEach((g, i) => claim(g.principal, at("groups", i, "principal")));

  const mapped = new Set(access.groups.flatMap((g) => g.kubernetesGroups));
  for (const bound of GROUPS_BOUND_BY_CONFIG) {
    for (const group of bound.groups(config)) {
      if (!mapped.has(group))
        report(bound.key, group, `must be mapped to a principal in cluster.access.groups (kubernetesGroups): in EKS API mode a group has no members otherwise`);
    }
  }

  const path = config.cluster.deployPath;
  const privateEndpoint = config.cluster.publicAccessCidrs.length === 0;
  if (!path) {
    // Outside production the policy pack warns (eks-private-endpoint-deploy-path); production refuses here.
    if (privateEndpoint && production)
      report(["cluster", "deployPath"], undefined, "must say how `pulumi up` reaches the private API endpoint: { mode: privateRunner, runnerCidrs: [...] } or { mode: publicRunnerCidrs, runnerCidrs: [...] }");
    return;
  }
  path.runnerCidrs.forEach((c, i) => {
    const where = ["cluster", "deployPath", "runnerCidrs", i];
    if (path.mode === "privateRunner" && !isPrivateCidr(c)) report(where, c, "must be a private range (10/8, 172.16/12, 192.168/16, 100.64/10) for mode privateRunner; public egress IPs need mode publicRunnerCidrs");
    if (path.mode === "publicRunnerCidrs") {
      if (isPrivateCidr(c)) report(where, c, "must be a public egress range for mode publicRunnerCidrs; runners inside the VPC need mode privateRunner");
      if (Number(c.split("/")[1]) < (production ? 24 : 16)) report(where, c, `must be /${production ? 24 : 16} or narrower${production ? " in production" : ""}: list the runners' fixed egress IPs, not a provider's whole range`);
    }
  });
};
