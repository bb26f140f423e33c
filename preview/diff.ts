/**
 * Compares a plan with a base plan (the `--json` of the base branch) the way `pulumi preview` compares a
 * program with the stack's state: resources are matched by URN; a URN only in the new plan is a create,
 * only in the base a delete; a matched resource whose inputs differ is an update, or a replace when a
 * changed input is create-only for its type (`core/create-only.ts`). Secrets are compared by their
 * fingerprints and shown as "[secret]". The result also has the `steps` and `changeSummary` that
 * `pulumi preview --json` writes (pkg/backend/display/json.go: previewDigest / previewStep, with
 * `oldState`/`newState` in the apitype.ResourceV3 shape), so tools that read the CLI's JSON read ours.
 */
import { forcesReplacement } from "../core/create-only";
import type { PlannedResource } from "./engine";

/** What the diff needs of a planned resource: the `--json` shape, where older plans may lack `dependencies`. */
export type DiffResource = Omit<PlannedResource, "dependencies"> & { dependencies?: string[] };

export type Op = "create" | "update" | "replace" | "delete" | "same";

export interface ChangedInput {
  path: string;
  /** Absent when the input was added. */
  old?: unknown;
  /** Absent when the input was removed. */
  new?: unknown;
  /** Whether changing this path forces the replacement. */
  replaces: boolean;
}

export interface ResourceChange {
  op: Op;
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  changes: ChangedInput[];
}

/** apitype.ResourceV3, the fields we fill. */
export interface StepState {
  urn: string;
  custom: boolean;
  type: string;
  inputs: Record<string, unknown>;
  parent?: string;
  dependencies?: string[];
  provider?: string;
}

/** display.PreviewStep of `pulumi preview --json`. */
export interface PreviewStep {
  op: Op;
  urn: string;
  provider?: string;
  oldState?: StepState;
  newState?: StepState;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, { kind: "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace"; inputDiff: boolean }>;
}

export interface PlanDiff {
  changes: ResourceChange[];
  steps: PreviewStep[];
  /** Count per op, like the CLI's `changeSummary` (ops with no resource are left out, as the CLI does). */
  changeSummary: Partial<Record<Op, number>>;
}

const SECRET = "[secret]";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Collects the leaf paths where `a` and `b` differ; secrets differ when their fingerprints do. */
function diffValues(a: unknown, b: unknown, path: string, out: Array<{ path: string; old?: unknown; new?: unknown }>, secretsA: Record<string, string>, secretsB: Record<string, string>, hasA = true, hasB = true): void {
  if (!hasA) return void out.push({ path, new: b });
  if (!hasB) return void out.push({ path, old: a });
  if (a === SECRET && b === SECRET) {
    if (secretsA[path] !== secretsB[path]) out.push({ path, old: SECRET, new: SECRET });
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diffValues(a[key], b[key], path ? `${path}.${key}` : key, out, secretsA, secretsB, key in a, key in b);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.max(a.length, b.length);
    for (let i = 0; i < length; i++) diffValues(a[i], b[i], `${path}[${i}]`, out, secretsA, secretsB, i < a.length, i < b.length);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, old: a, new: b });
}

/** The changed inputs of one resource, old → new. */
export function changedInputs(type: string, before: DiffResource, after: DiffResource): ChangedInput[] {
  const raw: Array<{ path: string; old?: unknown; new?: unknown }> = [];
  diffValues(before.inputs ?? {}, after.inputs ?? {}, "", raw, before.secretDigests ?? {}, after.secretDigests ?? {});
  return raw.map((change) => ({ ...change, replaces: forcesReplacement(type, change.path) }));
}

function state(resource: DiffResource): StepState {
  return {
    urn: resource.urn,
    custom: resource.custom,
    type: resource.type,
    inputs: resource.inputs ?? {},
    ...(resource.parent ? { parent: resource.parent } : {}),
    ...(resource.dependencies && resource.dependencies.length > 0 ? { dependencies: resource.dependencies } : {}),
    ...(resource.provider ? { provider: resource.provider } : {}),
  };
}

/** The top-level property key of a diff path (`tags.env` → `tags`, `rules[0].id` → `rules`). */
function topKey(path: string): string {
  return /^[^.[]*/.exec(path)![0];
}

/** Diffs `plan` against `base` (pass `[]` for a first deployment: everything is a create). */
export function diffPlans(base: DiffResource[], plan: DiffResource[]): PlanDiff {
  // Matched by URN; a URN registered twice (which the real engine refuses) is matched occurrence by occurrence.
  const key = (urn: string, seen: Map<string, number>) => {
    const n = seen.get(urn) ?? 0;
    seen.set(urn, n + 1);
    return n === 0 ? urn : `${urn}#${n}`;
  };
  const seenBase = new Map<string, number>();
  const before = new Map(base.map((r) => [key(r.urn, seenBase), r]));
  const seenPlan = new Map<string, number>();
  const planKeys = plan.map((r) => key(r.urn, seenPlan));
  const after = new Set(planKeys);
  const changes: ResourceChange[] = [];
  const steps: PreviewStep[] = [];

  plan.forEach((resource, index) => {
    const old = before.get(planKeys[index]);
    if (!old) {
      changes.push({ op: "create", urn: resource.urn, type: resource.type, name: resource.name, custom: resource.custom, changes: [] });
      steps.push({ op: "create", urn: resource.urn, ...(resource.provider ? { provider: resource.provider } : {}), newState: state(resource) });
      return;
    }
    const changed = changedInputs(resource.type, old, resource);
    const op: Op = changed.length === 0 ? "same" : changed.some((c) => c.replaces) ? "replace" : "update";
    changes.push({ op, urn: resource.urn, type: resource.type, name: resource.name, custom: resource.custom, changes: changed });
    const step: PreviewStep = { op, urn: resource.urn, ...(resource.provider ? { provider: resource.provider } : {}), oldState: state(old), newState: state(resource) };
    if (op !== "same") {
      step.diffReasons = [...new Set(changed.map((c) => topKey(c.path)))];
      if (op === "replace") step.replaceReasons = [...new Set(changed.filter((c) => c.replaces).map((c) => topKey(c.path)))];
      step.detailedDiff = {};
      for (const c of changed) {
        const kind = !("old" in c) ? "add" : !("new" in c) ? "delete" : "update";
        step.detailedDiff[c.path] = { kind: c.replaces ? (`${kind}-replace` as const) : kind, inputDiff: true };
      }
    }
    steps.push(step);
  });
  // Deletes come last, children before their parents (the reverse of the base's registration order).
  for (const [k, old] of [...before].reverse()) {
    if (after.has(k)) continue;
    changes.push({ op: "delete", urn: old.urn, type: old.type, name: old.name, custom: old.custom, changes: [] });
    steps.push({ op: "delete", urn: old.urn, ...(old.provider ? { provider: old.provider } : {}), oldState: state(old) });
  }

  const changeSummary: Partial<Record<Op, number>> = {};
  for (const step of steps) changeSummary[step.op] = (changeSummary[step.op] ?? 0) + 1;
  return { changes, steps, changeSummary };
}

const SYMBOL: Record<Op, string> = { create: "+ ", update: "~ ", replace: "+-", delete: "- ", same: "  " };

/** A value for one line of the diff: JSON, cut at `max` characters; secrets stay "[secret]". */
export function showValue(value: unknown, max = 80): string {
  if (value === SECRET) return SECRET;
  const text = value === undefined ? "(none)" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Whether a resource is one a reviewer counts (providers and the stack itself are not). */
export function counted(change: { type: string }): boolean {
  return !change.type.startsWith("pulumi:providers:") && change.type !== "pulumi:pulumi:Stack";
}

/** One line per counted resource change: `+`, `~` with the changed paths, `-`, `+-`. */
export function renderDiff(diff: PlanDiff, options: { maxPaths?: number } = {}): string {
  const maxPaths = options.maxPaths ?? 20;
  const lines: string[] = [];
  for (const change of diff.changes) {
    if (change.op === "same" || !counted(change)) continue;
    const replaced = change.op === "replace" ? `  (replace: ${[...new Set(change.changes.filter((c) => c.replaces).map((c) => c.path))].join(", ")})` : "";
    lines.push(`${SYMBOL[change.op]} ${change.type} ${change.name}${replaced}`);
    if (change.op === "update" || change.op === "replace") {
      for (const c of change.changes.slice(0, maxPaths)) lines.push(`      ${c.replaces ? "*" : " "}${c.path}: ${showValue(c.old)} → ${showValue(c.new)}`);
      if (change.changes.length > maxPaths) lines.push(`       … ${change.changes.length - maxPaths} more changed input(s)`);
    }
  }
  return lines.join("\n");
}

/** Counts of counted resources per op, e.g. `1 to create, 2 to update, 0 to replace, 0 to delete, 158 unchanged`. */
export function diffCounts(diff: PlanDiff): Record<Op, number> {
  const counts: Record<Op, number> = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
  for (const change of diff.changes) if (counted(change)) counts[change.op]++;
  return counts;
}

export function renderDiffCounts(diff: PlanDiff): string {
  const c = diffCounts(diff);
  return `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete, ${c.same} unchanged`;
}
