/**
 * RBAC subjects: no Role or ClusterRole is bound to a group Kubernetes or EKS reserves. The config
 * refuses such a group name (core/rbac.ts); this holds the same line for any binding in the plan,
 * whoever made it.
 */
import { asArray, get, resourceRule } from "./common";
import { isReservedGroup, RESERVED_GROUP_PREFIXES } from "../../core/rbac";

const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
const ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry";

export const rbacSubjectPolicies = [
  resourceRule({
    name: "k8s-rbac-no-reserved-groups",
    description: `No RoleBinding, ClusterRoleBinding or EKS access entry names a reserved group (${RESERVED_GROUP_PREFIXES.join(", ")}*): system:authenticated is every signed-in user and system:masters bypasses RBAC (Kubernetes RBAC good practices, CIS EKS 4.1.1).`,
    grade: "mandatory",
    severity: "critical",
    remediation: "Bind a group of your own (e.g. dr-operators) and map IAM principals to it with EKS access entries.",
    types: [ROLE_BINDING, CLUSTER_ROLE_BINDING, ACCESS_ENTRY],
    check: (props, _ctx, args) => {
      const groups =
        args.type === ACCESS_ENTRY
          ? asArray<string>(props.kubernetesGroups)
          : asArray<Record<string, unknown>>(props.subjects)
              .filter((s) => get(s, "kind") === "Group")
              .map((s) => String(get(s, "name") ?? ""));
      return groups.filter(isReservedGroup).map((g) => `binds the reserved group ${g}`);
    },
  }),
];
