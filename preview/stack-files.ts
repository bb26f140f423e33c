/**
 * Reads `Pulumi.yaml` and a stack file the way the Pulumi CLI does, and produces what the CLI hands a
 * program: the `project:key` -> string config map and the list of secret keys. `secure:` values cannot
 * be decrypted here (no CLI, no secrets provider), so they become placeholders that are still secrets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { missingCredentials } from "../stacks/config/load";
import { PROJECT } from "../stacks/config/schema";

export class StackFileError extends Error {}

export interface LoadedStack {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** Credentials the stack needs that its file leaves unset: given placeholder secrets offline (see below). */
  placeholders: string[];
}

function hasSecure(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSecure);
  if (value && typeof value === "object") return "secure" in value || Object.values(value).some(hasSecure);
  return false;
}

function replaceSecure(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceSecure(v, key));
  if (value && typeof value === "object") {
    if ("secure" in value) return `offline-placeholder-for-${key}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecure(v, key)]));
  }
  return value;
}

export function readProjectName(projectDir: string): string {
  const file = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new StackFileError(`${file}: not found — run from the project directory`);
  const doc = parse(fs.readFileSync(file, "utf8")) as { name?: unknown };
  if (typeof doc?.name !== "string") throw new StackFileError(`${file}: name — must be the project name`);
  return doc.name;
}

/** Loads a stack file. `stack` defaults to the `<name>` of `Pulumi.<name>.yaml`. */
export function loadStackFile(project: string, file: string, stack?: string): LoadedStack {
  if (!fs.existsSync(file)) throw new StackFileError(`${file}: not found — pass --stack <name> for Pulumi.<name>.yaml or --config <path to a stack file>`);
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new StackFileError(`${file}: not valid YAML — ${(error as Error).message.split("\n")[0]}`);
  }
  const stackName = stack ?? path.basename(file).match(/^Pulumi\.(.+)\.ya?ml$/)?.[1] ?? path.basename(file).replace(/\.ya?ml$/, "");
  const rawConfig = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof rawConfig !== "object" || Array.isArray(rawConfig)) throw new StackFileError(`${stackName}: config — must be a map of keys to values`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [shortKey, value] of Object.entries(rawConfig as Record<string, unknown>)) {
    const key = shortKey.includes(":") ? shortKey : `${project}:${shortKey}`;
    const plain = replaceSecure(value, key);
    if (hasSecure(value)) secretKeys.push(key);
    config[key] = typeof plain === "string" ? plain : typeof plain === "object" && plain !== null ? JSON.stringify(plain) : String(plain);
  }
  // Committed stack files hold no credentials at all (`pulumi config set --secret` writes real ciphertext that
  // only the stack's secrets provider can read). Offline, the credentials the config's routes need get
  // placeholder values that are still secrets, so the same program runs and the plan shows "[secret]".
  const placeholders = project === PROJECT ? missingCredentials(stackName, config, new Set(secretKeys)) : [];
  for (const key of placeholders) {
    config[key] = `offline-placeholder-for-${key}`;
    secretKeys.push(key);
  }
  return { project, stack: stackName, config, secretKeys, placeholders };
}
