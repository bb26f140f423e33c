/**
 * Runs the policy pack over a saved plan (the offline preview's `--json`), calling each policy the way
 * @pulumi/policy's analyzer server does: resource policies once per resource with
 * `{ type, props, urn, name, opts, provider, stackTags, isType, asType, getConfig, notApplicable }`,
 * stack policies once with every resource (parents, dependencies and providers linked as objects).
 * Levels follow the server too: pack config > policy > pack default, and a violation reported as an
 * object carries its own level (how graded rules turn advisory outside production).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EnforcementLevel, PolicyPackConfig, PolicyProviderResource, PolicyResource, PolicyResourceOptions, ReportViolation } from "@pulumi/policy";
import { ENVIRONMENTS } from "./rules/common";
import { PACK_ENFORCEMENT_LEVEL, policies as packPolicies } from "./rules";
import type { RunbookPolicy } from "./rules/common";
import { escapeText } from "../core/text";

export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  parent?: string | null;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  dependencies?: string[];
  /** Explicit provider reference "<provider urn>::<id>", when one was passed. */
  provider?: string;
}

export interface Plan {
  project?: string;
  stack?: string;
  environment?: string;
  resources: PlanResource[];
}

export interface Violation {
  policy: string;
  level: "mandatory" | "advisory";
  /** The resource the violation is about; "" when it is about the stack as a whole. */
  urn: string;
  message: string;
}

export interface EvaluateOptions {
  /** Environment to judge the plan as; overrides the plan's own `environment`. */
  environment?: string;
  /** Same shape as `--policy-pack-config`: per-policy `enforcementLevel` and properties, plus `all`. */
  config?: PolicyPackConfig;
  /** Policies to run. @default the whole pack */
  policies?: RunbookPolicy[];
}

/** A plan or option the evaluator cannot use; the CLI prints its message as one line. */
export class PlanError extends Error {}

class NotApplicable extends Error {}

const DEFAULT_OPTS: Omit<PolicyResourceOptions, "parent"> = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/**
 * The per-stack pack config kept in `policies/config/<environment>.json` (the same file is passed to the
 * Pulumi CLI with `--policy-pack-config`), or undefined when there is none. Looked up beside this module
 * and, when running from the transpiled `.build/policies/`, in the source folder.
 */
export function loadPackConfig(environment: string | undefined): PolicyPackConfig | undefined {
  if (!environment || !/^[a-z]+$/.test(environment)) return undefined;
  for (const dir of [join(__dirname, "config"), join(__dirname, "..", "..", "policies", "config")]) {
    const file = join(dir, `${environment}.json`);
    if (!existsSync(file)) continue;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as PolicyPackConfig;
    } catch (error) {
      throw new PlanError(`${file}: not valid JSON (${(error as Error).message.split("\n")[0]})`);
    }
  }
  return undefined;
}

/** Checks the shape of a parsed plan and returns it typed; throws PlanError naming the first problem. */
export function validatePlan(value: unknown): Plan {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new PlanError("plan: must be a JSON object with a resources array");
  const plan = value as Record<string, unknown>;
  if (!Array.isArray(plan.resources)) throw new PlanError("plan.resources: must be an array");
  plan.resources.forEach((r, i) => {
    const res = r as Record<string, unknown>;
    if (!res || typeof res !== "object") throw new PlanError(`plan.resources[${i}]: must be an object`);
    for (const key of ["urn", "type", "name"]) if (typeof res[key] !== "string" || res[key] === "") throw new PlanError(`plan.resources[${i}].${key}: ${JSON.stringify(res[key])} — must be a non-empty string`);
    if (res.inputs !== undefined && (typeof res.inputs !== "object" || res.inputs === null || Array.isArray(res.inputs))) throw new PlanError(`plan.resources[${i}].inputs: must be an object`);
    if (res.dependencies !== undefined && !Array.isArray(res.dependencies)) throw new PlanError(`plan.resources[${i}].dependencies: must be an array of URNs`);
  });
  if (plan.environment !== undefined && typeof plan.environment !== "string") throw new PlanError(`plan.environment: ${JSON.stringify(plan.environment)} — must be a string`);
  return plan as unknown as Plan;
}

/**
 * Checks that the plan is one graph the Pulumi engine could have produced, before anything judges it:
 * at least one resource, every URN once, every parent, dependency and explicit provider a resource
 * of the plan, and no parent chain that loops. A hand-edited or truncated plan would otherwise be
 * judged silently (a dependency on a missing bucket looks like "no bucket", a cycle like nothing).
 * Throws PlanError naming the first problem.
 */
export function validatePlanGraph(plan: Plan): void {
  const show = (urn: unknown) => escapeText(String(urn), 160);
  if (plan.resources.length === 0) throw new PlanError("plan.resources: [] — the plan has no resources; write it with npm run preview -- --stack <name> --json <file>");
  const byUrn = new Map<string, PlanResource>();
  plan.resources.forEach((r, i) => {
    if (byUrn.has(r.urn)) throw new PlanError(`plan.resources[${i}].urn: ${show(r.urn)} — appears twice; every resource has its own URN (the Pulumi engine refuses duplicates)`);
    byUrn.set(r.urn, r);
  });
  plan.resources.forEach((r, i) => {
    if (r.parent !== undefined && r.parent !== null && !byUrn.has(r.parent)) throw new PlanError(`plan.resources[${i}].parent: ${show(r.parent)} — no resource of the plan has this URN`);
    (r.dependencies ?? []).forEach((dep, j) => {
      if (typeof dep !== "string" || !byUrn.has(dep)) throw new PlanError(`plan.resources[${i}].dependencies[${j}]: ${show(dep)} — no resource of the plan has this URN`);
      if (dep === r.urn) throw new PlanError(`plan.resources[${i}].dependencies[${j}]: ${show(dep)} — a resource cannot depend on itself`);
    });
    if (r.provider !== undefined) {
      const providerUrn = String(r.provider).replace(/::[^:]*$/, "");
      if (!byUrn.has(providerUrn)) throw new PlanError(`plan.resources[${i}].provider: ${show(r.provider)} — no provider resource of the plan has this URN`);
    }
  });
  // Parent chains must end at a root: walk each chain, remembering the resources already known to end.
  const rooted = new Set<string>();
  for (const start of plan.resources) {
    const chain: string[] = [];
    const onChain = new Set<string>();
    let current: PlanResource | undefined = start;
    while (current && !rooted.has(current.urn)) {
      if (onChain.has(current.urn)) {
        const loop = chain.slice(chain.indexOf(current.urn)).map((u) => show(u.split("::").pop()));
        throw new PlanError(`plan.resources: parent cycle ${[...loop, loop[0]].join(" -> ")} — parents must form a tree (starting at ${show(current.urn)})`);
      }
      chain.push(current.urn);
      onChain.add(current.urn);
      current = current.parent ? byUrn.get(current.parent) : undefined;
    }
    for (const urn of chain) rooted.add(urn);
  }
}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

/** Rejects config for policies or properties the pack does not have: a typo must not silently do nothing. */
function checkConfig(config: PolicyPackConfig, policies: RunbookPolicy[]): void {
  for (const [name, entry] of Object.entries(config)) {
    const policy = policies.find((p) => p.name === name);
    if (!policy && name !== "all") throw new PlanError(`config: ${JSON.stringify(name)} — no such policy in the pack`);
    const level = typeof entry === "string" ? entry : entry?.enforcementLevel;
    if (level !== undefined && !LEVELS.includes(level)) throw new PlanError(`config.${name}.enforcementLevel: ${JSON.stringify(level)} — must be one of ${LEVELS.join(", ")}`);
    if (typeof entry !== "object" || entry === null) continue;
    const known = Object.keys(policy?.configSchema?.properties ?? {});
    for (const key of Object.keys(entry)) {
      if (key !== "enforcementLevel" && !known.includes(key)) throw new PlanError(`config.${name}.${key}: not a setting of this policy${known.length ? ` (it has ${known.join(", ")})` : ""}`);
    }
  }
}

function levelOf(policy: RunbookPolicy, config: PolicyPackConfig): EnforcementLevel {
  const own = config[policy.name];
  const all = config.all;
  const configured = typeof own === "string" ? own : own?.enforcementLevel;
  const allLevel = typeof all === "string" ? all : all?.enforcementLevel;
  // As the Pulumi CLI expands it: a policy's own entry beats `all`, which beats the policy's default.
  return configured ?? allLevel ?? policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
}

function configOf(policy: RunbookPolicy, config: PolicyPackConfig): Record<string, unknown> {
  const own = config[policy.name];
  if (!own || typeof own === "string") return {};
  const { enforcementLevel: _level, ...properties } = own;
  return properties;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  return (resourceClass as { __pulumiType?: string })?.__pulumiType === type;
}

function assertSync(result: unknown, policy: string): void {
  if (result && typeof (result as Promise<void>).then === "function") throw new Error(`policy ${policy} returned a promise; the offline evaluator runs synchronous policies only`);
}

/** Builds PolicyResource objects as the analyzer's stack analysis does, linked to each other. */
function toPolicyResources(plan: Plan): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const list = plan.resources.map((r) => {
    const props = (r.inputs ?? {}) as Record<string, any>;
    const resource: PolicyResource = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props,
      opts: { ...DEFAULT_OPTS, ...(r.parent ? { parent: r.parent } : {}) },
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls),
      asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    };
    byUrn.set(r.urn, resource);
    return resource;
  });
  plan.resources.forEach((r, i) => {
    const resource = list[i];
    if (r.parent) resource.parent = byUrn.get(r.parent);
    resource.dependencies = (r.dependencies ?? []).map((d) => byUrn.get(d)).filter((d): d is PolicyResource => !!d);
    const provider = providerOf(r, byUrn);
    if (provider) resource.provider = provider;
  });
  return list;
}

function providerOf(r: PlanResource, byUrn: Map<string, PolicyResource>): PolicyProviderResource | undefined {
  if (!r.provider) return undefined;
  const urn = r.provider.includes("::") ? r.provider.slice(0, r.provider.lastIndexOf("::")) : r.provider;
  const found = byUrn.get(urn) ?? byUrn.get(r.provider);
  if (found) return { type: found.type, name: found.name, urn: found.urn, props: found.props };
  const parts = urn.split("::");
  return { type: parts[2] ?? "", name: parts[3] ?? "", urn, props: {} };
}

/** Runs every policy over the plan and returns the violations, mandatory first. */
export function evaluatePlan(plan: Plan, options: EvaluateOptions = {}): Violation[] {
  const checked = validatePlan(plan);
  const environment = options.environment ?? checked.environment;
  if (environment !== undefined && !(ENVIRONMENTS as readonly string[]).includes(environment)) {
    throw new PlanError(`environment: ${JSON.stringify(environment)} — must be one of ${ENVIRONMENTS.join(", ")}`);
  }
  const config = options.config ?? {};
  checkConfig(config, options.policies ?? packPolicies);
  const stackTags = new Map<string, string>();
  if (checked.project) stackTags.set("pulumi:project", checked.project);
  if (environment) stackTags.set("environment", environment);
  const resources = toPolicyResources(checked);
  const violations: Violation[] = [];

  for (const policy of options.policies ?? packPolicies) {
    const level = levelOf(policy, config);
    if (level === "disabled") continue;
    const blocking: "mandatory" | "advisory" = level === "advisory" ? "advisory" : "mandatory";
    const makeReport =
      (fallbackUrn: string): ReportViolation =>
      (message: string | { message?: string; description?: string; urn?: string; enforcementLevel?: EnforcementLevel }, urn?: string) => {
        if (typeof message === "object") {
          const own = message.enforcementLevel === "advisory" ? "advisory" : blocking;
          const text = message.description && message.message?.startsWith(`${message.description}\n`) ? message.message.slice(message.description.length + 1) : (message.message ?? policy.description);
          violations.push({ policy: policy.name, level: own, urn: message.urn ?? fallbackUrn, message: text });
        } else {
          violations.push({ policy: policy.name, level: blocking, urn: urn ?? fallbackUrn, message: message || policy.description });
        }
      };
    const getConfig = <T extends object>() => configOf(policy, config) as T;
    const notApplicable = (reason?: string): never => {
      throw new NotApplicable(reason);
    };

    try {
      if ("validateStack" in policy && policy.validateStack) {
        assertSync(policy.validateStack({ resources, stackTags, getConfig, notApplicable }, makeReport("")), policy.name);
      }
      if ("validateResource" in policy && policy.validateResource) {
        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const resource of resources) {
          if (resource.type.startsWith("pulumi:providers:")) continue;
          const args = {
            type: resource.type,
            props: resource.props,
            urn: resource.urn,
            name: resource.name,
            opts: resource.opts,
            provider: resource.provider,
            stackTags,
            isType: resource.isType,
            asType: resource.asType as any,
            getConfig,
            notApplicable,
          };
          for (const validate of validations) {
            try {
              assertSync(validate(args, makeReport(resource.urn)), policy.name);
            } catch (error) {
              if (!(error instanceof NotApplicable)) throw error;
            }
          }
        }
      }
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return violations.sort((a, b) => (a.level === b.level ? 0 : a.level === "mandatory" ? -1 : 1));
}
