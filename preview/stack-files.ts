/**
 * Reads `Pulumi.yaml` and a stack file the way the Pulumi CLI does, and produces what the CLI hands a
 * program: the `project:key` -> string config map and the list of secret keys. `secure:` values cannot
 * be decrypted here (no CLI, no secrets provider), so they become placeholders that are still secrets.
 */
import * as fs from "node:fs";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { Document, isPair, isScalar, isSeq, parse, parseDocument, visit } from "yaml";
import { escapeText, showPath } from "../core/text";
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
    // The ciphertext's digest is part of the placeholder, so that a changed secret (new ciphertext) is a
    // changed input in the plan's secret fingerprints (`--diff` shows it as "[secret]"), never its value.
    if ("secure" in value) return `offline-placeholder-for-${key}-${createHash("sha256").update(String((value as { secure: unknown }).secure)).digest("hex").slice(0, 12)}`;
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

/**
 * Stack files are small; anything this big is a mistake (or an attack), refused before parsing. Set well
 * above what a bad value needs to be refused by its key (a 20 MB tag parses in about 0.4 s and is then
 * refused as `runbook-infra:tags.<key>`), so only absurd files get the file-level line.
 */
export const MAX_STACK_FILE_BYTES = 32 * 1024 * 1024;

/** Tags a stack file may carry: YAML's core types, which the Pulumi CLI's reader resolves the same way. */
const CORE_TAGS = new Set(["tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"]);

/** The config key path of a node: `config`, then map keys and list indexes. */
function nodePath(ancestors: readonly unknown[], node: unknown): Array<string | number> {
  const out: Array<string | number> = [];
  const chain = [...ancestors, node];
  chain.forEach((item, i) => {
    if (isPair(item)) out.push(isScalar(item.key) ? String(item.key.value) : String(item.key));
    else if (isSeq(item) && i + 1 < chain.length) out.push(item.items.indexOf(chain[i + 1] as never));
  });
  return out;
}

/** `runbook-infra:database.name` for a path under `config:` (short keys get the project prefix, as the CLI does). */
function configKeyOf(project: string, docPath: Array<string | number>): string {
  const [, top, ...rest] = docPath;
  if (top === undefined) return "config";
  const key = String(top).includes(":") ? String(top) : `${project}:${top}`;
  return `${escapeText(key, 120)}${rest.length ? (typeof rest[0] === "number" ? "" : ".") + showPath(rest) : ""}`;
}

/**
 * Parses a stack file as the Pulumi CLI's YAML reader (go-yaml v3) does: YAML 1.2 core types, merge
 * keys (`<<: *base`) merged, duplicate keys refused. What it would not read as a plain value is refused
 * with one line instead of being changed silently: tags such as `!Ref` (the yaml package drops them
 * with a warning) and numbers no config value can hold (`1e400`, `.inf`, `.nan`, which JSON would turn
 * into null).
 */
function parseStackYaml(text: string, file: string, project: string, stackName: string): unknown {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    throw new StackFileError(`${file}: not valid YAML — ${escapeText((error as Error).message.split("\n")[0], 200)}`);
  }
  const [error] = doc.errors;
  if (error) throw new StackFileError(`${file}: not valid YAML — ${escapeText(error.message.split("\n")[0], 200)} (line ${text.slice(0, error.pos[0]).split("\n").length})`);
  let problem: string | undefined;
  const where = (node: { range?: unknown }) => {
    const range = (node as { range?: [number, number, number] }).range;
    return range ? `line ${text.slice(0, range[0]).split("\n").length}` : "";
  };
  visit(doc, {
    Node(_key, node, ancestors) {
      if (problem) return visit.BREAK;
      const tag = (node as { tag?: string }).tag;
      if (tag && !CORE_TAGS.has(tag)) {
        problem = `${stackName}: ${configKeyOf(project, nodePath(ancestors, node))}: ${escapeText(tag.replace("tag:yaml.org,2002:", "!!"), 40)} (${where(node)}) — YAML tags are not evaluated in stack files (the Pulumi CLI reads plain values); write the value itself`;
        return visit.BREAK;
      }
      if (isScalar(node) && typeof node.value === "number" && !Number.isFinite(node.value)) {
        const source = (node as { source?: string }).source ?? String(node.value);
        problem = `${stackName}: ${configKeyOf(project, nodePath(ancestors, node))}: ${escapeText(source, 40)} (${where(node)}) — must be a finite number (YAML reads it as ${node.value}); quote it if it is text`;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (problem) throw new StackFileError(problem);
  const [warning] = doc.warnings;
  if (warning) throw new StackFileError(`${file}: ${escapeText(warning.message.split("\n")[0], 200)} — the Pulumi CLI would not read this file the same way`);
  return doc.toJS({ maxAliasCount: 100 });
}

/** Loads a stack file. `stack` defaults to the `<name>` of `Pulumi.<name>.yaml`. */
export function loadStackFile(project: string, file: string, stack?: string): LoadedStack {
  if (!fs.existsSync(file)) throw new StackFileError(`${file}: not found — pass --stack <name> for Pulumi.<name>.yaml or --config <path to a stack file>`);
  const size = fs.statSync(file).size;
  if (size > MAX_STACK_FILE_BYTES) throw new StackFileError(`${file}: ${size} bytes — a stack file must be at most ${MAX_STACK_FILE_BYTES} bytes; no config value needs more`);
  const stackName = stack ?? path.basename(file).match(/^Pulumi\.(.+)\.ya?ml$/)?.[1] ?? path.basename(file).replace(/\.ya?ml$/, "");
  const doc = parseStackYaml(fs.readFileSync(file, "utf8"), file, project, stackName);
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
