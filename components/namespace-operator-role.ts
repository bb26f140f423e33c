import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { LIBRARY_LABELS } from "../core/labels";
import { K8S_NAME } from "../core/patterns";

export interface NamespaceOperatorRoleArgs {
  /** Namespace the operators work in (the application namespace). No default. */
  namespace: pulumi.Input<string>;
  /** Kubernetes group bound to the Role; IAM principals reach it through the cluster's EKS access entries. No default. */
  group: string;
  /** Name of the Role and RoleBinding (runbook 002 calls it intendly-operator). @default "operator" */
  roleName?: string;
  /** Also allow `kubectl exec` (runbook 002's in-pod diagnostics). It reaches whatever the pod can read, Secrets included, so it is off unless asked. @default false */
  allowExec?: boolean;
  /** Extra labels on the Role and RoleBinding. @default {} */
  labels?: Record<string, string>;
}

/**
 * The rules, each from a procedure of runbook 002 (and 001's restore), and nothing more:
 * - look: `kubectl get pods/all`, `logs`, `describe`, `top pods` (the runbook's own Role: pods, services,
 *   configmaps get/list/watch; plus logs, events, endpoints and pod metrics that those commands read);
 * - scale and roll: `kubectl scale deployment`, `rollout restart|undo|status`, `set env|image`, `patch
 *   deployment` (the runbook's Role: deployments and replicasets update/patch; `deployments/scale`);
 * - restart a leaking pod: `kubectl delete pod -l app=...` (pods delete);
 * - restore: `kubectl create job --from=cronjob/postgres-restore` (cronjobs get, jobs create);
 * - HPAs and PDBs are read, not changed: their bounds are declared in the stack and would be reverted.
 * Not granted: Secrets (the connection Secrets are managed by the stack; the runbook's `get secrets -o yaml`
 * backup is the KubernetesConfigBackup job's), creating workloads (`kubectl apply -k` is the pipeline's),
 * and `exec` unless `allowExec`.
 */
export function operatorRules(allowExec: boolean): k8s.types.input.rbac.v1.PolicyRule[] {
  return [
    { apiGroups: [""], resources: ["pods", "pods/log", "services", "endpoints", "events", "configmaps"], verbs: ["get", "list", "watch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["delete"] },
    ...(allowExec ? [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }] : []),
    { apiGroups: ["metrics.k8s.io"], resources: ["pods"], verbs: ["get", "list"] },
    { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: ["get", "list", "watch", "update", "patch"] },
    { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["get", "update", "patch"] },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "create"] },
  ];
}

/**
 * Runbook 002 2.37 `intendly-operator`: a Role in the application namespace with the verbs the runbooks'
 * procedures use, bound to one Kubernetes group. Who is in the group is decided outside the cluster:
 * the EKS access entries map IAM roles to it (`cluster.access.groups`), so access is reviewed in IAM
 * and no aws-auth ConfigMap or user list lives here.
 */
export class NamespaceOperatorRole extends pulumi.ComponentResource {
  public readonly roleName: pulumi.Output<string>;
  public readonly group: string;

  constructor(name: string, args: NamespaceOperatorRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const roleName = args.roleName ?? "operator";
    if (!K8S_NAME.test(roleName)) rejectArg("NamespaceOperatorRole", "roleName", roleName, "must be a Kubernetes name (lowercase letters, digits and '-', at most 63 characters)");
    // EKS refuses access entries for system: groups, and Kubernetes reserves them for itself.
    if (!/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(args.group) || args.group.startsWith("system")) {
      rejectArg("NamespaceOperatorRole", "group", args.group, "must be a group name of lowercase letters, digits, '-' or '.', not starting with system (EKS reserves those)");
    }
    super("runbook:access:NamespaceOperatorRole", name, {}, opts);

    const labels = { ...LIBRARY_LABELS, "app.kubernetes.io/component": "operator-access", ...(args.labels ?? {}) };
    const role = new k8s.rbac.v1.Role(`${name}-role`, { metadata: { name: roleName, namespace: args.namespace, labels }, rules: operatorRules(args.allowExec ?? false) }, { parent: this });
    new k8s.rbac.v1.RoleBinding(
      `${name}-binding`,
      {
        metadata: { name: roleName, namespace: args.namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: args.group }],
      },
      { parent: this },
    );
    this.roleName = role.metadata.name;
    this.group = args.group;
    this.registerOutputs({ roleName: this.roleName });
  }
}
