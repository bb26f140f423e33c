/** Kubernetes RBAC rules: the library's Roles grant named verbs on named resources, never a path to more rights. */
import { asArray, get, resourceRule } from "./common";

const ROLE_TYPES = ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"];
const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];
/** Verbs that hand out more rights than the Role itself holds. */
const ESCALATING_VERBS = ["escalate", "bind", "impersonate"];

export const rbacPolicies = [
  resourceRule({
    name: "k8s-rbac-no-wildcard-or-escalation",
    description:
      "A Role or ClusterRole grants no wildcard verbs, no write verbs on wildcard resources, and no escalate/bind/impersonate (CKV_K8S_49, CKV_K8S_155, CKV_K8S_156, CKV_K8S_157; runbook 002 2.37 least privilege).",
    grade: "mandatory",
    severity: "high",
    remediation: "List the verbs and resources the procedure needs (see components/namespace-operator-role.ts); read-only wildcards (get/list) are allowed for backups.",
    types: ROLE_TYPES,
    check: (props) => {
      const problems: string[] = [];
      asArray(get(props, "rules")).forEach((rule, i) => {
        const verbs = asArray<string>(get(rule, "verbs"));
        const resources = asArray<string>(get(rule, "resources"));
        if (verbs.includes("*")) problems.push(`rules[${i}] grants every verb ("*") on ${resources.join(", ") || "(none)"}`);
        const escalating = verbs.filter((v) => ESCALATING_VERBS.includes(v));
        if (escalating.length) problems.push(`rules[${i}] grants ${escalating.join(", ")}: a holder can give itself more rights`);
        const writes = verbs.filter((v) => WRITE_VERBS.includes(v));
        if (resources.includes("*") && writes.length) problems.push(`rules[${i}] grants ${writes.join(", ")} on every resource ("*")`);
      });
      return problems;
    },
  }),
];
