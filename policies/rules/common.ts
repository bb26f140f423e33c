/**
 * The shared machinery of the pack's rules: how a rule finds the environment it judges, how a rule
 * that is strict in production and lenient elsewhere reports, and small readers for the plan's
 * values. Every rule is a plain `@pulumi/policy` object, so the CLI's analyzer, the offline
 * evaluator and the tests all call the same functions.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export type RunbookPolicy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * How a rule blocks: always (`mandatory`), never (`advisory`), or `graded`: mandatory in the
 * environments listed in its `mandatoryIn` config (production unless configured), advisory elsewhere.
 */
export type Grade = "mandatory" | "advisory" | "graded";

/** Environments whose stack names or tags the pack understands; anything else is judged as production. */
export const ENVIRONMENTS = ["production", "staging", "development"] as const;

const ENVIRONMENT_ALIASES: Record<string, string> = { prod: "production", production: "production", stage: "staging", staging: "staging", dev: "development", development: "development" };

/** The config keys every rule accepts. */
const COMMON_SCHEMA: Record<string, PolicyConfigJSONSchema> = {
  environment: {
    type: "string",
    enum: [...ENVIRONMENTS],
    description: "Environment the stack is judged as. @default the stack tag `environment`, else the resources' `environment` tag, else the stack name, else production",
  },
};

const GRADED_SCHEMA: Record<string, PolicyConfigJSONSchema> = {
  mandatoryIn: {
    type: "array",
    items: { type: "string" },
    default: ["production"],
    description: "Environments in which a violation blocks the update; elsewhere it is reported as advisory. @default [\"production\"]",
  },
};

/** Config as a rule reads it: the schema's defaults overlaid with what the user set. */
export type RuleConfig = Record<string, unknown> & { environment?: string; mandatoryIn?: string[] };

function withDefaults(schema: PolicyConfigSchema | undefined, given: object): RuleConfig {
  const out: RuleConfig = {};
  for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
    if (typeof prop === "object" && prop.default !== undefined) out[key] = prop.default;
  }
  return { ...out, ...(given as RuleConfig) };
}

/** Maps a stack name or tag value to one of ENVIRONMENTS, or undefined when it is not one of them. */
export function normalizeEnvironment(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return ENVIRONMENT_ALIASES[value.trim().toLowerCase()];
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → stack. */
export function stackOfUrn(urn: string): string | undefined {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

/**
 * The environment a rule judges. Order: the rule's `environment` config; the stack tag
 * `environment` (the offline evaluator sets it from the plan); the `environment` tag the program puts
 * on every AWS resource; the stack name. Unknown means production: an unrecognised stack is held to
 * the strict rules rather than waved through.
 */
export function resolveEnvironment(config: RuleConfig, stackTags: ReadonlyMap<string, string> | undefined, hints: { tags?: unknown; urn?: string }[]): string {
  const fromConfig = normalizeEnvironment(config.environment);
  if (fromConfig) return fromConfig;
  const fromTag = normalizeEnvironment(stackTags?.get("environment") ?? stackTags?.get("runbook:environment"));
  if (fromTag) return fromTag;
  for (const hint of hints) {
    const tags = hint.tags as Record<string, unknown> | undefined;
    const fromResource = normalizeEnvironment(tags && typeof tags === "object" ? tags.environment : undefined);
    if (fromResource) return fromResource;
  }
  for (const hint of hints) {
    const fromStack = normalizeEnvironment(hint.urn ? stackOfUrn(hint.urn) : undefined);
    if (fromStack) return fromStack;
  }
  return "production";
}

/** What a rule's check sees besides the resource's properties. */
export interface RuleContext {
  environment: string;
  config: RuleConfig;
  production: boolean;
}

export interface Finding {
  message: string;
  /** Resource the finding is about (stack rules); resource rules always report on the resource checked. */
  urn?: string;
}

interface RuleMeta {
  name: string;
  /** What the rule demands, ending with the control(s) it implements, e.g. "(AWS FSBP RDS.3, CKV_AWS_16)". */
  description: string;
  grade: Grade;
  /** Extra config keys, beyond `environment` (and `mandatoryIn` for graded rules). */
  config?: Record<string, PolicyConfigJSONSchema>;
  /** One sentence on how to fix a violation. */
  remediation: string;
  severity?: "low" | "medium" | "high" | "critical";
}

function schemaOf(meta: RuleMeta): PolicyConfigSchema {
  return { properties: { ...COMMON_SCHEMA, ...(meta.grade === "graded" ? GRADED_SCHEMA : {}), ...(meta.config ?? {}) } };
}

/** Reports a finding at the rule's level for this environment. */
function reporter(meta: RuleMeta, ctx: RuleContext, reportViolation: ReportViolation) {
  const relaxed = meta.grade === "graded" && !(ctx.config.mandatoryIn ?? ["production"]).includes(ctx.environment);
  return (finding: Finding) => {
    if (relaxed) {
      // @pulumi/policy's reportViolation also takes a diagnostic object whose enforcementLevel wins
      // over the policy's (server.js makeReportViolationFun); that is how one rule blocks production
      // and only warns in staging. Only ever lowers the level, so a pack-config "advisory" still holds.
      (reportViolation as unknown as (d: object) => void)({ message: `${meta.description}\n${finding.message}`, description: meta.description, urn: finding.urn, enforcementLevel: "advisory" });
    } else {
      reportViolation(finding.message, finding.urn);
    }
  };
}

function baseLevel(grade: Grade): EnforcementLevel {
  return grade === "advisory" ? "advisory" : "mandatory";
}

/** What the CLI shows of a policy, the same for resource and stack rules. */
function policyMetadata(meta: RuleMeta, configSchema: ReturnType<typeof schemaOf>) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: baseLevel(meta.grade),
    severity: meta.severity ?? (meta.grade === "advisory" ? ("low" as const) : ("high" as const)),
    remediationSteps: meta.remediation,
    configSchema,
  };
}

type Check<P> = (props: P, ctx: RuleContext, args: ResourceValidationArgs) => string | string[] | undefined | void;

/**
 * A rule over single resources of the given type tokens. `check` returns the violation message(s),
 * nothing when the resource complies.
 */
export function resourceRule<P = Record<string, any>>(meta: RuleMeta & { types: string[]; check: Check<P> }): ResourceValidationPolicy {
  const configSchema = schemaOf(meta);
  return {
    ...policyMetadata(meta, configSchema),
    validateResource: (args, reportViolation) => {
      if (!meta.types.includes(args.type)) return;
      const config = withDefaults(configSchema, args.getConfig());
      const environment = resolveEnvironment(config, args.stackTags, [{ tags: (args.props as Record<string, unknown>).tags, urn: args.urn }]);
      const ctx: RuleContext = { environment, config, production: environment === "production" };
      const result = meta.check(args.props as P, ctx, args);
      const report = reporter(meta, ctx, reportViolation);
      for (const message of ([] as string[]).concat(result ?? [])) report({ message });
    },
  };
}

/** A rule over the whole plan (relations between resources). `check` returns findings with the URN they are about. */
export function stackRule(meta: RuleMeta & { check: (resources: PolicyResource[], ctx: RuleContext, args: StackValidationArgs) => Finding[] }): StackValidationPolicy {
  const configSchema = schemaOf(meta);
  return {
    ...policyMetadata(meta, configSchema),
    validateStack: (args, reportViolation) => {
      const config = withDefaults(configSchema, args.getConfig());
      const environment = resolveEnvironment(
        config,
        args.stackTags,
        args.resources.map((r) => ({ tags: r.type.startsWith("aws:") ? (r.props as Record<string, unknown>).tags : undefined, urn: r.urn })),
      );
      const ctx: RuleContext = { environment, config, production: environment === "production" };
      const report = reporter(meta, ctx, reportViolation);
      for (const finding of meta.check(args.resources, ctx, args)) report(finding);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Readers for plan values.

/** Reads a nested value: `get(props, "vpcConfig", "endpointPublicAccess")`. */
export function get(value: unknown, ...path: (string | number)[]): any {
  let current: any = value;
  for (const key of path) {
    if (current === null || current === undefined || typeof current !== "object") return undefined;
    current = current[key];
  }
  return current;
}

export function asArray<T = any>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? (value as T[]) : [value as T];
}

/** Accepts the boolean or the "true"/"false" strings some provider inputs use (launch template EBS). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Parses a JSON policy document given as a string or object; undefined when it cannot. */
export function policyDocument(value: unknown): { Statement?: unknown } | undefined {
  if (value && typeof value === "object") return value as { Statement?: unknown };
  if (typeof value !== "string") return undefined;
  try {
    const parsed = JSON.parse(value);
    return parsed && typeof parsed === "object" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

export function statements(doc: { Statement?: unknown } | undefined): Statement[] {
  return asArray<Statement>(doc?.Statement).filter((s) => s && typeof s === "object");
}

/** Resources of one type in a stack. */
export function ofType(resources: PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

/** Reads a property that may be unknown during a real preview (the analyzer's proxy throws on unknowns). */
export function known(props: Record<string, unknown>, key: string): unknown {
  try {
    return props[key];
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * True when `child`'s `input` points at `target` (e.g. a BucketVersioning's `bucket`). In order: the
 * analyzer's per-property dependencies; the input's value equal to one of the target's identifying
 * values or to its auto-name (`<name>-<suffix>`); a dependency on exactly one resource of the target's
 * type (several, as a replication config has on source and destination, is ambiguous).
 */
export function references(child: PolicyResource, target: PolicyResource, input: string, targetKeys: string[]): boolean {
  const byProperty = asArray<PolicyResource>(child.propertyDependencies?.[input]);
  if (byProperty.length > 0) return byProperty.some((d) => d.urn === target.urn);
  const value = known(child.props as Record<string, unknown>, input);
  if (typeof value === "string" && value !== "") {
    const matches = targetKeys.some((key) => {
      const targetValue = key === "name" ? target.name : known(target.props as Record<string, unknown>, key);
      return typeof targetValue === "string" && targetValue !== "" && targetValue === value;
    });
    if (matches || new RegExp(`^${escapeRegExp(target.name)}-[0-9a-z]{7,8}$`).test(value)) return true;
  }
  const sameType = child.dependencies.filter((d) => d.type === target.type);
  return sameType.length === 1 && sameType[0].urn === target.urn;
}

/** Kubernetes object labels. */
export function labelsOf(props: unknown): Record<string, string> {
  return (get(props, "metadata", "labels") ?? {}) as Record<string, string>;
}

/** `kind namespace/name` for messages about Kubernetes objects. */
export function k8sName(resource: { props: unknown; name: string }): string {
  const ns = get(resource.props, "metadata", "namespace");
  const name = get(resource.props, "metadata", "name") ?? resource.name;
  return ns ? `${ns}/${name}` : String(name);
}
