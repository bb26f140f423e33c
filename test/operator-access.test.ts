/**
 * Runbook 002 2.37 "Kubernetes RBAC" (`intendly-operator`): the operator Role in the application
 * namespace, its verbs derived from the runbook's procedures, and the group binding.
 */
import * as path from "node:path";
import { planOf } from "./support/plan";
import { NamespaceOperatorRole, operatorRules } from "../components/namespace-operator-role";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile } from "../preview/stack-files";

const ROOT = path.join(__dirname, "..");
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";

/** Whether `rules` allow `verb` on `group/resource` (no wildcards are ever granted, so a plain lookup). */
function allows(rules: any[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
}

describe("NamespaceOperatorRole", () => {
  it("binds the intendly-operator Role in the namespace to the operators' group", async () => {
    const plan = await planOf(() => new NamespaceOperatorRole("ops", { namespace: "intendly", group: "intendly-operators", roleName: "intendly-operator" }), { stack: "production" });
    const role = plan.one(ROLE).inputs as any;
    expect(role.metadata).toMatchObject({ name: "intendly-operator", namespace: "intendly" });
    const binding = plan.one(BINDING).inputs as any;
    expect(binding.metadata).toMatchObject({ name: "intendly-operator", namespace: "intendly" });
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "intendly-operator" });
    expect(binding.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "intendly-operators" }]);
  });

  it("grants what the runbook's procedures run, and the runbook's own Role's rules", () => {
    const rules = operatorRules(false);
    const procedures: Array<[string, string, string, string]> = [
      ["kubectl get pods / describe pod", "", "pods", "list"],
      ["kubectl logs -f deployment/backend-relayer", "", "pods/log", "get"],
      ["kubectl get all: services", "", "services", "list"],
      ["runbook Role: configmaps get", "", "configmaps", "get"],
      ["kubectl top pods", "metrics.k8s.io", "pods", "list"],
      ["kubectl scale deployment --replicas", "apps", "deployments/scale", "patch"],
      ["kubectl rollout restart / set env / patch deployment", "apps", "deployments", "patch"],
      ["kubectl rollout undo (reads replicasets)", "apps", "replicasets", "list"],
      ["kubectl delete pod -l app=backend-relayer", "", "pods", "delete"],
      ["kubectl create job --from=cronjob/postgres-restore", "batch", "jobs", "create"],
      ["... reads the CronJob", "batch", "cronjobs", "get"],
    ];
    for (const [what, group, resource, verb] of procedures) expect({ what, allowed: allows(rules, group, resource, verb) }).toEqual({ what, allowed: true });
  });

  it("grants nothing the procedures do not need: no Secrets, no new workloads, no RBAC, no exec, no wildcards", () => {
    const rules = operatorRules(false);
    const denied: Array<[string, string, string]> = [
      ["", "secrets", "get"],
      ["", "secrets", "list"],
      ["", "pods/exec", "create"],
      ["apps", "deployments", "create"],
      ["apps", "deployments", "delete"],
      ["autoscaling", "horizontalpodautoscalers", "patch"],
      ["rbac.authorization.k8s.io", "roles", "create"],
      ["batch", "cronjobs", "create"],
    ];
    for (const [group, resource, verb] of denied) expect({ resource, verb, allowed: allows(rules, group, resource, verb) }).toEqual({ resource, verb, allowed: false });
    expect(JSON.stringify(rules)).not.toContain('"*"');
  });

  it("adds pods/exec only when asked", () => {
    expect(allows(operatorRules(true), "", "pods/exec", "create")).toBe(true);
  });

  it.each([
    ["a system: group", { group: "system:masters" }, /^production: NamespaceOperatorRole.group: "system:masters" — must be a group name .* not starting with system/],
    ["a Role name Kubernetes refuses", { group: "ops", roleName: "Ops_Role" }, /^production: NamespaceOperatorRole.roleName: "Ops_Role" — must be a Kubernetes name/],
  ])("rejects %s before registering anything", async (_what, args, message) => {
    let error = "(accepted)";
    const plan = await planOf(() => {
      try {
        new NamespaceOperatorRole("ops", { namespace: "intendly", group: "ops", ...(args as any) });
      } catch (e) {
        error = (e as Error).message;
      }
    }, { stack: "production" });
    expect(error).toMatch(message);
    expect(plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toHaveLength(0);
  });
});

describe("application.operators config", () => {
  const FILE = "examples/intent-trading/Pulumi.production.yaml";
  function parseWith(edit: (operators: any) => void): string {
    const file = loadStackFile("runbook-infra", path.join(ROOT, FILE));
    const raw = { ...file.config };
    const application = JSON.parse(raw["runbook-infra:application"]);
    edit(application.operators);
    raw["runbook-infra:application"] = JSON.stringify(application);
    try {
      parseStackConfig(file.stack, raw, new Set(file.secretKeys));
      return "(accepted)";
    } catch (error) {
      return (error as Error).message;
    }
  }

  it("rejects a system: group and accepts a plain one", () => {
    expect(parseWith((o) => (o.group = "system:masters"))).toMatch(/^production: runbook-infra:application.operators.group: "system:masters" — must be a Kubernetes group name/);
    expect(parseWith((o) => (o.group = "intendly-operators"))).toBe("(accepted)");
  });

  it("rejects a group that no access entry maps (cluster.access.groups): it would have no members", () => {
    expect(parseWith((o) => (o.group = "trading-operators"))).toMatch(/^production: runbook-infra:application.operators.group: "trading-operators" — must be mapped to a principal in cluster.access.groups/);
  });

  it("rejects a typo in its keys", () => {
    expect(parseWith((o) => (o.allowexec = true))).toMatch(/application.operators.allowexec: true — unknown key; allowed keys here: group, roleName, allowExec/);
  });
});

describe("examples/intent-trading: the intendly-operator Role in the plan", () => {
  it("binds intendly-operator in intendly to intendly-operators", async () => {
    const file = loadStackFile("runbook-infra", path.join(ROOT, "examples/intent-trading/Pulumi.production.yaml"));
    const plan = await planOf(() => require("../stacks/program").main(), { stack: file.stack, config: file.config, secretKeys: file.secretKeys });
    const role = plan.ofType(ROLE).find((r) => (r.inputs as any).metadata.name === "intendly-operator")!;
    expect((role.inputs as any).metadata.namespace).toBe("intendly");
    const binding = plan.ofType(BINDING).find((r) => (r.inputs as any).metadata.name === "intendly-operator")!;
    expect((binding.inputs as any).subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "intendly-operators" }]);
    expect(plan.outputs.operatorGroup).toBe("intendly-operators");
  });
});
