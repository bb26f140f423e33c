/**
 * Runs a Pulumi program under Pulumi's own mock runtime and records what it registers: the resource
 * tree (parents), the inputs (secrets masked), and the dependency edges the program declares. This is
 * the same path `pulumi preview` takes through the SDK, minus the engine and the providers.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { OfflineMocks, awsRefusal } from "./mocks";

export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** One resource of the plan, in the shape `--json` writes. */
export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  /** false for component resources, which only group children. */
  custom: boolean;
  inputs: Record<string, unknown>;
  /** URNs this resource depends on, from `dependsOn` and from the Outputs its inputs were built from. */
  dependencies: string[];
  /** Explicit provider reference, when one was passed. */
  provider?: string;
  /**
   * Fingerprints of the secret inputs, by path (`a.b[0]`), so that `--diff` can tell that a secret changed
   * without ever writing it: a truncated SHA-256 of what the offline run saw, which is a placeholder
   * derived from the stack file's ciphertext or a mock's value (the offline preview cannot decrypt).
   */
  secretDigests?: Record<string, string>;
}

/** Replaces secret values by "[secret]" and resource references by their URN, recursively. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  const plain = value && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value));
  if (plain) {
    const record = value as Record<string, unknown>;
    if (record[SPECIAL_SIG_KEY] === SECRET_SIG) return "[secret]";
    if (record[SPECIAL_SIG_KEY] === RESOURCE_SIG) return record.urn;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(record)) out[key] = maskSecrets(inner);
    return out;
  }
  return value;
}

/** Like maskSecrets, and records a fingerprint of each secret under its path in `digests`. */
export function maskSecretsWithDigests(value: unknown, digests: Record<string, string>, path = ""): unknown {
  if (Array.isArray(value)) return value.map((inner, i) => maskSecretsWithDigests(inner, digests, `${path}[${i}]`));
  const plain = value && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value));
  if (plain) {
    const record = value as Record<string, unknown>;
    if (record[SPECIAL_SIG_KEY] === SECRET_SIG) {
      digests[path] = createHash("sha256").update("runbook-infra secret fingerprint\0").update(JSON.stringify(record.value ?? null)).digest("hex").slice(0, 16);
      return "[secret]";
    }
    if (record[SPECIAL_SIG_KEY] === RESOURCE_SIG) return record.urn;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(record)) out[key] = maskSecretsWithDigests(inner, digests, path ? `${path}.${key}` : key);
    return out;
  }
  return value;
}

class RecordingMonitor extends MockMonitor {
  readonly duplicates: string[] = [];
  /** What the AWS API would refuse (awsRefusal); recorded, not thrown, and the run fails once it is over. */
  readonly refusals: string[] = [];
  private readonly urns = new Set<string>();

  constructor(
    mocks: pulumi.runtime.Mocks,
    private readonly sink: PlannedResource[],
    private readonly onRegister?: (resource: PlannedResource, count: number) => void,
  ) {
    super(mocks);
  }

  // The mock monitor's request type is the generated protobuf class; only its getters are used here.
  async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
    const parent: string = req.getParent();
    // newUrn is private in the SDK's typings; the URN must match the one MockMonitor hands back.
    const urn: string = (this as any).newUrn(parent, req.getType(), req.getName());
    const dependencies = new Set<string>(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((deps: any) => deps.getUrnsList().forEach((u: string) => dependencies.add(u)));
    dependencies.delete(parent);
    // The Pulumi engine refuses a second registration of one URN ("Duplicate resource URN"); the mock
    // monitor would accept it, so the preview refuses it here, once the run is over.
    if (this.urns.has(urn)) this.duplicates.push(urn);
    this.urns.add(urn);
    const digests: Record<string, string> = {};
    const inputs = maskSecretsWithDigests(pulumi.runtime.deserializeProperties(req.getObject()), digests) as Record<string, unknown>;
    const refusal = awsRefusal(req.getType(), inputs);
    if (refusal) this.refusals.push(`${req.getType()} ${req.getName()}: ${refusal}`);
    const resource: PlannedResource = {
      urn,
      type: req.getType(),
      name: req.getName(),
      parent: parent || null,
      custom: req.getCustom(),
      inputs,
      dependencies: [...dependencies].sort(),
      ...(req.getProvider() ? { provider: req.getProvider() } : {}),
      ...(Object.keys(digests).length > 0 ? { secretDigests: digests } : {}),
    };
    this.sink.push(resource);
    this.onRegister?.(resource, this.sink.length);
    return super.registerResource(req, callback);
  }

  // Stack references are read, not registered; they belong in the plan all the same (the policy pack
  // checks that the SECONDARY record comes from one).
  async readResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
    const parent: string = req.getParent();
    const urn: string = (this as any).newUrn(parent, req.getType(), req.getName());
    const resource: PlannedResource = {
      urn,
      type: req.getType(),
      name: req.getName(),
      parent: parent || null,
      custom: true,
      inputs: maskSecrets(pulumi.runtime.deserializeProperties(req.getProperties())) as Record<string, unknown>,
      dependencies: [],
      ...(req.getProvider() ? { provider: req.getProvider() } : {}),
    };
    this.sink.push(resource);
    this.onRegister?.(resource, this.sink.length);
    return super.readResource(req, callback);
  }
}

/**
 * Resolves the program's stack outputs, keeping secrecy: the stack's own `outputs` promise unwraps
 * secrets, so each output is resolved here and a secret one is written as "[secret]".
 */
async function resolveOutputs(returned: unknown): Promise<Record<string, unknown>> {
  // Like the CLI, only a plain object's properties become stack outputs (not a returned resource's).
  if (!returned || typeof returned !== "object" || pulumi.Resource.isInstance(returned)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(returned as Record<string, unknown>)) {
    // Output's `isSecret` and `promise()` are internal to the SDK's typings but stable runtime members.
    const output = pulumi.output(value) as unknown as { isSecret: Promise<boolean>; promise(): Promise<unknown> };
    const [resolved, secret] = await Promise.all([output.promise(), output.isSecret]);
    out[key] = secret ? "[secret]" : maskSecrets(resolved);
  }
  return out;
}

/** Two resources with one URN (same type, same parent type, same name): the Pulumi engine stops the update on it. */
export class DuplicateUrnError extends Error {
  constructor(urn: string) {
    super(`duplicate resource URN ${urn} — two resources of one type under parents of one type share a name; the Pulumi engine refuses the update (give the child a name derived from its parent's)`);
    // Named RunError so that the CLI prints it as one line, as the Pulumi CLI prints the engine's error.
    this.name = "RunError";
  }
}

/** A resource the real AWS API would refuse (preview/mocks.ts awsRefusal): the run fails as `pulumi up` would. */
export class AwsRefusalError extends Error {
  constructor(refusal: string) {
    super(`AWS would refuse ${refusal}`);
    // Named RunError so that the CLI prints it as one line.
    this.name = "RunError";
  }
}

export interface RunOptions {
  project: string;
  stack: string;
  /** `project:key` -> string value, exactly what the CLI passes in PULUMI_CONFIG. */
  config: Record<string, string>;
  secretKeys: string[];
  /** Region the default AWS provider would use. */
  region: string;
  /** The Pulumi program: what `stacks/main.ts` runs. */
  program: () => unknown;
  /** Outputs of another stack, for `pulumi.StackReference` (from that stack's saved plan). @default none: a stack reference fails */
  stackOutputs?: (stack: string) => Promise<Record<string, unknown>>;
  /** Called as each resource registers (progress display). */
  onRegister?: (resource: PlannedResource, count: number) => void;
}

export interface RunResult {
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

/** Runs `program` under mocks with `config` and returns everything it registered. */
export async function runProgram(options: RunOptions): Promise<RunResult> {
  pulumi.runtime.setAllConfig(options.config, options.secretKeys);
  const mocks = new OfflineMocks({ region: options.region, stackOutputs: options.stackOutputs });
  const resources: PlannedResource[] = [];
  await pulumi.runtime.setMocks(mocks, options.project, options.stack, true);
  const monitor = new RecordingMonitor(mocks, resources, options.onRegister);
  pulumi.runtime.setMockOptions(monitor, options.project, options.stack, true);
  // The SDK stamps a formatted stack trace on every internal promise (tens per resource) for its
  // promise-leak report, which only PULUMI_DEBUG_PROMISE_LEAKS prints. Formatting them is over half of
  // the per-resource cost under mocks, so the offline run captures no frames unless traces are asked for.
  const keepTraces = Boolean(process.env.PULUMI_DEBUG_PROMISE_LEAKS || process.env.RUNBOOK_PREVIEW_TRACES);
  const traceLimit = Error.stackTraceLimit;
  if (!keepTraces) Error.stackTraceLimit = 0;
  try {
    let returned: unknown;
    // A user error the program throws (a ConfigError) is caught inside the stack callback and rethrown
    // once the run is over: thrown through runInPulumiStack it would also reject the stack resource's
    // own promises, which nobody awaits, and an in-process caller (a test) would see an unhandled rejection.
    let failure: { error: unknown } | undefined;
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        returned = await options.program();
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw failure.error;
    if (monitor.duplicates.length) throw new DuplicateUrnError(monitor.duplicates[0]);
    const outputs = await resolveOutputs(returned);
    await pulumi.runtime.disconnect();
    // After disconnect: every registration has reached the monitor by then.
    if (monitor.refusals.length) throw new AwsRefusalError(monitor.refusals[0]);
    return { resources, outputs };
  } finally {
    Error.stackTraceLimit = traceLimit;
  }
}
