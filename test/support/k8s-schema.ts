/**
 * Validates Kubernetes objects against the upstream OpenAPI schemas with `kubernetes-models` (each
 * model's `validate()`). The package is ESM-only and jest runs CommonJS, so the check runs in one child
 * `node` process per call: objects in on stdin, one line per invalid object out.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

const SCRIPT = `
import { readFileSync } from "node:fs";
const objects = JSON.parse(readFileSync(0, "utf8"));
const out = [];
for (const [i, o] of objects.entries()) {
  let mod;
  try { mod = await import("kubernetes-models/" + o.apiVersion + "/" + o.kind); }
  catch (e) { out.push(i + ": no upstream model for " + o.apiVersion + " " + o.kind); continue; }
  try { new mod[o.kind](o).validate(); } catch (e) { out.push(i + ": " + o.kind + " " + (o.metadata?.namespace ?? "") + "/" + (o.metadata?.name ?? "") + ": " + e.message); }
}
process.stdout.write(JSON.stringify(out));
`;

/** Schema errors of `objects` (empty when all pass), e.g. `0: NetworkPolicy ns/name: data/spec/policyTypes/1 must be ...`. */
export function schemaErrors(objects: K8sObject[]): string[] {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
    cwd: path.join(__dirname, "..", ".."),
    input: JSON.stringify(objects),
    encoding: "utf8",
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`schema validation failed to run: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

/** A plan resource's inputs as a full object (the plan leaves apiVersion/kind in the type token). */
export function asK8sObject(resource: { type: string; inputs: any }): K8sObject {
  const [, groupVersion, kind] = /^kubernetes:([^:]+):(.+)$/.exec(resource.type) ?? [];
  const apiVersion = groupVersion?.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
  return { apiVersion, kind, ...resource.inputs };
}
