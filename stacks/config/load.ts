/**
 * Turns the raw stack config (what the CLI passes in PULUMI_CONFIG: `project:key` -> string) into a
 * typed, validated `StackConfig`, or throws one `ConfigError` line for the first bad value.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, showValue } from "./errors";
import { refineNaming } from "./naming";
import { PROJECT, SECRET_KEYS, StackConfig, refinements, stackConfigSchema } from "./schema";
import { monitoringSecrets } from "./monitoring";
import { MAX_CONFIG_DEPTH, MAX_CONFIG_ENTRIES, MAX_CONFIG_KEY, configStringProblem, escapeText, showPath } from "../../core/text";

export interface LoadedConfig {
  config: StackConfig;
  /** Credentials from `secure:` keys, as Pulumi secrets. */
  secrets: Record<string, pulumi.Output<string>>;
}

const STRING_TYPES = new Set(["string", "enum"]);

/** A zod definition with its optional/default/nullable wrappers (and a pipe's output side) removed. */
function unwrapDef(def: any): any {
  while (def && ["optional", "default", "prefault", "nullable", "pipe"].includes(def.type)) def = def.type === "pipe" ? def.in.def : def.innerType.def;
  return def;
}

/** The zod type of a top-level key: what the raw text must parse into. */
function baseType(schema: z.ZodType): string {
  return unwrapDef((schema as any).def)?.type ?? "unknown";
}

/** The keys an object schema at `path` accepts, to list them when a key is unknown. */
function allowedKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  let def: any = unwrapDef((stackConfigSchema as any).def);
  for (const part of path) {
    if (def?.type === "object") def = unwrapDef(def.shape[part as string]?.def);
    else if (def?.type === "array") def = unwrapDef(def.element.def);
    else if (def?.type === "record") def = unwrapDef(def.valueType.def);
    else return [];
  }
  return def?.type === "object" ? Object.keys(def.shape) : [];
}

/** The stack key as the user wrote it (`runbook-infra:database.name`), every part escaped and cut. */
function keyName(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 1 && path[0] === "region") return "aws:region";
  return `${PROJECT}:${showPath(path)}`;
}

/**
 * The bounds every config value keeps whatever its key (core/text.ts): strings and map keys of bounded
 * length without control characters, finite numbers, bounded lists and nesting. Runs before the schema,
 * so a 20 MB tag or an ESC in a key is refused in one line before anything else looks at it.
 */
function firstUnboundedValue(value: unknown, path: Array<string | number>, depth = 0): { path: Array<string | number>; value: unknown; allowed: string } | undefined {
  if (typeof value === "string") {
    const problem = configStringProblem(value);
    return problem ? { path, value, allowed: problem } : undefined;
  }
  if (typeof value === "number") return Number.isFinite(value) ? undefined : { path, value, allowed: "must be a finite number" };
  if (value === null || typeof value !== "object") return undefined;
  if (depth >= MAX_CONFIG_DEPTH) return { path, value: "(nested too deep)", allowed: `must not nest more than ${MAX_CONFIG_DEPTH} levels` };
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (entries.length > MAX_CONFIG_ENTRIES) return { path, value: `(${entries.length} entries)`, allowed: `must hold at most ${MAX_CONFIG_ENTRIES} entries` };
  for (const [key, inner] of entries) {
    if (typeof key === "string") {
      const problem = configStringProblem(key, MAX_CONFIG_KEY);
      if (problem) return { path: [...path, key], value: key, allowed: `key ${problem}` };
    }
    const found = firstUnboundedValue(inner, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  return path.reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as any)[part as any] : undefined), input);
}

/**
 * Validates raw config for `stack`. `raw` is keyed like PULUMI_CONFIG (`runbook-infra:database`,
 * `aws:region`); keys of other namespaces (aws:, kubernetes:) belong to their providers and are left alone.
 */
export function parseStackConfig(stack: string, raw: Record<string, string>, secretKeys: ReadonlySet<string> = new Set()): StackConfig {
  // The program and the preview's reports validate the same config; do the work once per input.
  const key = JSON.stringify([stack, raw, [...secretKeys].sort()]);
  const cached = parsedConfigs.get(key);
  // Callers own what they get (tests edit it), so the cache keeps its own copy. The config is plain
  // JSON data; a JSON round trip (not structuredClone) keeps arrays of the caller's realm, which
  // pulumi.all's `instanceof Array` checks rely on under jest's per-file contexts.
  if (cached) return JSON.parse(cached) as StackConfig;
  const config = validateStackConfig(stack, raw, secretKeys);
  parsedConfigs.set(key, JSON.stringify(config));
  return config;
}

const parsedConfigs = new Map<string, string>();

/**
 * Credentials (full `project:key` names) that `raw`'s routes need and that are not set as secrets. The offline
 * preview supplies placeholder secrets for exactly these, so stack files never carry fake ciphertext; the real CLI
 * gets the one-line "must be set with pulumi config set --secret" error instead. Returns [] when the config is
 * invalid otherwise: that error is reported by the program's own validation, with its key.
 */
export function missingCredentials(stack: string, raw: Record<string, string>, secretKeys: ReadonlySet<string>): string[] {
  let config: StackConfig;
  try {
    config = validateStackConfig(stack, raw, secretKeys, false);
  } catch {
    return [];
  }
  return monitoringSecrets(config)
    .map(({ key }) => `${PROJECT}:${key}`)
    .filter((key) => !secretKeys.has(key) && raw[key] === undefined);
}

function validateStackConfig(stack: string, raw: Record<string, string>, secretKeys: ReadonlySet<string>, checkCredentials = true): StackConfig {
  const fail = (key: string, value: unknown, allowed: string): never => {
    throw new ConfigError(`${escapeText(stack, 64)}: ${escapeText(key, 120)}: ${showValue(value)} — ${allowed}`);
  };
  const shape = stackConfigSchema.shape as Record<string, z.ZodType>;
  const input: Record<string, unknown> = {};
  if (secretKeys.has("aws:region")) fail("aws:region", "[secret]", "must not be a secret: the region is not a credential; set it without --secret");
  if (raw["aws:region"] !== undefined) input.region = raw["aws:region"];
  for (const [fullKey, text] of Object.entries(raw)) {
    if (!fullKey.startsWith(`${PROJECT}:`)) continue;
    const key = fullKey.slice(PROJECT.length + 1);
    // A secret where no credential belongs would be copied in plaintext into tags, names and the plan;
    // refused before anything reads it, and never shown.
    if (secretKeys.has(fullKey) && !SECRET_KEYS.includes(key))
      fail(fullKey, "[secret]", `must not be a secret: only ${SECRET_KEYS.join(", ")} hold credentials; set this key without --secret (pulumi config set ${PROJECT}:${key} <value>)`);
    if (SECRET_KEYS.includes(key)) {
      if (!secretKeys.has(fullKey)) fail(fullKey, "(plaintext)", "must be set as a secret: pulumi config set --secret " + fullKey);
      continue;
    }
    if (key === "region") fail(fullKey, text, "the primary region is the AWS provider's key aws:region; remove this key");
    if (!Object.hasOwn(shape, key)) fail(fullKey, text, `unknown key; allowed keys: aws:region, ${[...Object.keys(shape).filter((k) => k !== "region"), ...SECRET_KEYS].map((k) => `${PROJECT}:${k}`).join(", ")}`);
    if (STRING_TYPES.has(baseType(shape[key]))) {
      input[key] = text;
    } else {
      try {
        input[key] = JSON.parse(text);
      } catch {
        fail(fullKey, text, "must be a structured value (a YAML map or list in the stack file)");
      }
    }
  }

  const unbounded = firstUnboundedValue(input, []);
  if (unbounded) fail(keyName(unbounded.path), unbounded.value, unbounded.allowed);

  const parsed = stackConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === "unrecognized_keys") {
      const path = [...issue.path, issue.keys[0]];
      fail(keyName(path), valueAt(input, path), `unknown key; allowed keys here: ${allowedKeysAt(issue.path).join(", ")}`);
    }
    fail(keyName(issue.path), valueAt(input, issue.path), issue.message);
  }
  const config = parsed.data as StackConfig;
  for (const refine of refinements) refine(config, (path, value, allowed) => fail(keyName(path), value, allowed));
  refineNaming(stack)(config, (path, value, allowed) => fail(keyName(path), value, allowed));
  // Secrets are checked here too, so a missing credential stops the run before any resource registers.
  if (checkCredentials) for (const { key, reason } of monitoringSecrets(config)) {
    if (!secretKeys.has(`${PROJECT}:${key}`)) fail(`${PROJECT}:${key}`, undefined, `must be set with pulumi config set --secret ${PROJECT}:${key}: ${reason}`);
  }
  return config;
}

/** Reads and validates the running stack's config through the Pulumi runtime (CLI or mocks alike). */
export function loadStackConfig(): LoadedConfig {
  const raw = pulumi.runtime.allConfig();
  // isConfigSecret is exported by the SDK's runtime but missing from its typings.
  const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
  const secretKeys = new Set(Object.keys(raw).filter((key) => runtime.isConfigSecret(key)));
  const config = parseStackConfig(pulumi.getStack(), raw, secretKeys);
  const projectConfig = new pulumi.Config(PROJECT);
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const key of SECRET_KEYS) {
    const value = projectConfig.getSecret(key);
    if (value !== undefined) secrets[key] = value;
  }
  return { config, secrets };
}
