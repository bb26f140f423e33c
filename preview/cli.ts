/**
 * `npm run preview -- --stack <name> [--config <stack file>] [--json <plan.json>] [--out <dir>]
 *   [--diff <base plan.json>] [--details] [--markdown <file> [--markdown-limit <chars>]] [--graph <file>]`
 *
 * The offline preview: runs the stack's program (the same `main()` that `pulumi up` runs) under
 * Pulumi's mock runtime with the stack's config, then prints the plan. A user error exits 1 with one
 * line and no stack trace.
 */
// First: caches V8's compiled code of every module loaded after it (the SDKs are most of a preview's time).
import "v8-compile-cache";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { runProgram, PlannedResource } from "./engine";
import { loadStackFile, readProjectName, StackFileError } from "./stack-files";
import { renderSummary } from "./summary";
import { renderKubernetesManifests, RenderedFile } from "./manifests";
import { stackReports, StackReports } from "./reports";
import { renderMonitoringFiles } from "../preview/render";
import { diffPlans, renderDiff, renderDiffCounts, type DiffResource, type PlanDiff, type PreviewStep } from "./diff";
import { renderDetails, renderOutputs } from "./details";
import { renderMermaid } from "./graph";
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from "./markdown";
import { estimateCost, formatUsd, type CostEstimate } from "../model/cost";

const USAGE =
  "usage: npm run preview -- (--stack <name> | --config <stack file>) [--json <plan.json>] [--out <dir>] [--diff <base plan.json>] [--details] [--markdown <file>] [--markdown-limit <chars>] [--graph <file>] [--stack-reference <stack>=<plan.json>]... [--quiet]";

/** Stacks whose previews are running up the chain (a stack reference previews the other stack first). */
const CHAIN_ENV = "RUNBOOK_PREVIEW_REFERENCE_CHAIN";

/**
 * Where a referenced stack's plan is cached: under the transpiled build, keyed by the stack file's path
 * and content and by every transpiled file's name, size and time (the transpile rewrites only what
 * changed). Undefined when not running from the build (tests under ts-jest), where nothing is cached.
 */
function referenceCacheFile(stackFile: string): string | undefined {
  const build = path.join(__dirname, "..");
  if (path.basename(build) !== ".build") return undefined;
  const hash = createHash("sha256").update(path.resolve(stackFile)).update(fs.readFileSync(stackFile));
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "stack-refs") walk(file);
      } else if (entry.name.endsWith(".js")) {
        const stat = fs.statSync(file);
        hash.update(`${path.relative(build, file)}:${stat.size}:${stat.mtimeMs}\n`);
      }
    }
  };
  walk(build);
  return path.join(build, "stack-refs", `${hash.digest("hex").slice(0, 32)}.json`);
}

/**
 * Answers `pulumi.StackReference` offline from the other stack's saved plan: a file given with
 * `--stack-reference <stack>=<plan.json>`, else the preview of `Pulumi.<stack>.yaml` next to this
 * stack's file, run first in a child process exactly as a user would run it with `--json`.
 */
function stackOutputsResolver(given: string[], stackFile: string, stack: string) {
  const files = new Map<string, string>();
  for (const entry of given) {
    const at = entry.indexOf("=");
    if (at < 1) throw new StackFileError(`--stack-reference ${entry} — must be <stack>=<plan.json>`);
    files.set(entry.slice(0, at), entry.slice(at + 1));
  }
  const read = new Map<string, Record<string, unknown>>();
  const resolve = async (reference: string): Promise<Record<string, unknown>> => {
    // "org/project/stack" and "stack" name the same stack file.
    const short = reference.split("/").pop()!;
    if (read.has(reference)) return read.get(reference)!;
    let planFile = files.get(reference) ?? files.get(short);
    if (!planFile) {
      const other = path.join(path.dirname(stackFile), `Pulumi.${short}.yaml`);
      if (!fs.existsSync(other)) throw new StackFileError(`${stack}: stack reference "${reference}": no plan given and no ${path.relative(process.cwd(), other)} — pass --stack-reference ${reference}=<plan.json>`);
      const chain = (process.env[CHAIN_ENV] ?? "").split(",").filter(Boolean);
      if (chain.includes(other)) throw new StackFileError(`${stack}: stack reference "${reference}": the stacks reference each other; pass --stack-reference ${reference}=<plan.json> to break the cycle`);
      // The other stack's plan depends only on its stack file and the program: reuse it while neither changed.
      const cached = referenceCacheFile(other);
      if (cached && fs.existsSync(cached)) planFile = cached;
    }
    if (!planFile) {
      const other = path.join(path.dirname(stackFile), `Pulumi.${short}.yaml`);
      const chain = (process.env[CHAIN_ENV] ?? "").split(",").filter(Boolean);
      planFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "runbook-ref-")), `${short}.json`);
      // The CLI as users run it: this module's transpiled copy (under jest this module is the TypeScript source).
      let cliScript = __filename;
      if (cliScript.endsWith(".ts")) {
        const projectRoot = path.join(__dirname, "..");
        require(path.join(projectRoot, "scripts", "transpile.js")).transpile(projectRoot);
        cliScript = path.join(projectRoot, ".build", "preview", "cli.js");
      }
      const run = spawnSync(process.execPath, [cliScript, "--config", other, "--json", planFile, "--quiet"], {
        encoding: "utf8",
        env: { ...process.env, [CHAIN_ENV]: [...chain, stackFile, other].join(",") },
      });
      // A plan is written even when that stack's own policies or recovery targets fail (its preview reports
      // those); only a stack that could not be planned at all stops this one, as a missing stack would.
      if (!fs.existsSync(planFile))
        throw new StackFileError(`${stack}: stack reference "${reference}": the preview of ${path.relative(process.cwd(), other)} failed — ${(run.stderr || run.stdout).trim().split("\n")[0]}`);
      const cacheFile = referenceCacheFile(other);
      if (cacheFile) {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
        fs.copyFileSync(planFile, cacheFile);
      }
    }
    let plan: { outputs?: Record<string, unknown> };
    try {
      plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
    } catch (error) {
      throw new StackFileError(`${stack}: stack reference "${reference}": ${planFile} is not a plan written by --json (${(error as Error).message.split("\n")[0]})`);
    }
    read.set(reference, plan.outputs ?? {});
    return plan.outputs ?? {};
  };
  // The SDK wraps a failed read in its own serialization errors; keep the user's one line to print.
  const resolver = async (reference: string) => {
    try {
      return await resolve(reference);
    } catch (error) {
      resolver.failure ??= error as Error;
      throw error;
    }
  };
  resolver.failure = undefined as Error | undefined;
  return resolver;
}

export interface Plan {
  project: string;
  stack: string;
  environment?: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  reports: StackReports["json"];
  policies: { violations: StackReports["violations"] };
  /** `pulumi preview --json` fields: one step per resource against the base plan (all creates without `--diff`). */
  steps: PreviewStep[];
  changeSummary: PlanDiff["changeSummary"];
  /** With `--diff`: the base plan and the cost change. */
  diff?: { base: string; counts: string; costDeltaUsd: number; baseMonthlyUsd: number };
}

/** Reads a base plan for `--diff`; a file that is not a plan is a user error (one line). */
function readBasePlan(file: string): { resources: DiffResource[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new StackFileError(`--diff ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `not JSON (${(error as Error).message.split("\n")[0]})`}`);
  }
  const resources = (parsed as { resources?: unknown })?.resources;
  if (!Array.isArray(resources) || resources.some((r) => !r || typeof r !== "object" || typeof r.urn !== "string" || typeof r.type !== "string")) {
    throw new StackFileError(`--diff ${file}: not a plan written by --json (needs "resources": [{ "urn", "type", ... }])`);
  }
  return parsed as { resources: DiffResource[] };
}

function isUserError(error: unknown): error is Error {
  return error instanceof StackFileError || (error instanceof Error && (error.name === "ConfigError" || error.name === "RunError"));
}

export async function preview(argv: string[], projectDir = process.cwd()): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", short: "s" },
        config: { type: "string", short: "c" },
        json: { type: "string" },
        out: { type: "string" },
        quiet: { type: "boolean", short: "q", default: false },
        diff: { type: "string" },
        details: { type: "boolean", default: false },
        markdown: { type: "string" },
        "markdown-limit": { type: "string" },
        graph: { type: "string" },
        "stack-reference": { type: "string", multiple: true, default: [] },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.stack && !args.config) {
    process.stderr.write(`error: pass --stack or --config\n${USAGE}\n`);
    return 2;
  }

  const markdownLimit = args["markdown-limit"] === undefined ? GITHUB_COMMENT_LIMIT : Number(args["markdown-limit"]);
  if (!Number.isInteger(markdownLimit) || markdownLimit < 1000 || markdownLimit > GITHUB_COMMENT_LIMIT) {
    process.stderr.write(`error: --markdown-limit ${JSON.stringify(String(args["markdown-limit"]).slice(0, 40))}: must be a whole number of characters from 1000 to ${GITHUB_COMMENT_LIMIT}\n${USAGE}\n`);
    return 2;
  }

  const started = Date.now();
  const log = (line: string) => {
    if (!args.quiet) process.stdout.write(`${line}\n`);
  };
  let references: ReturnType<typeof stackOutputsResolver> | undefined;
  try {
    const project = readProjectName(projectDir);
    const file = args.config ?? path.join(projectDir, `Pulumi.${args.stack}.yaml`);
    const loaded = loadStackFile(project, file, args.stack);
    // Read before the program runs: a bad base plan is a one-line error, not a wasted preview.
    const base = args.diff ? readBasePlan(args.diff) : undefined;
    const region = loaded.config["aws:region"] ?? "us-east-1";
    log(`Previewing update (${loaded.stack}) offline — ${path.relative(projectDir, file) || file}, mock runtime, no cloud calls`);
    if (loaded.placeholders.length)
      log(`Credentials unset in the stack file, given offline placeholder secrets: ${loaded.placeholders.join(", ")} (before pulumi up: pulumi config set --secret <key>)`);

    const showProgress = !args.quiet && process.stdout.isTTY;
    // The program is loaded only now, after config is in place, exactly as the CLI's language host does.
    const { main } = require("../stacks/program") as { main: () => unknown };
    references = stackOutputsResolver(args["stack-reference"] ?? [], file, loaded.stack);
    const { resources, outputs } = await runProgram({
      project: loaded.project,
      stack: loaded.stack,
      config: loaded.config,
      secretKeys: loaded.secretKeys,
      region,
      program: main,
      stackOutputs: references,
      onRegister: (resource, count) => {
        if (showProgress) process.stdout.write(`\r  registering… ${count} resources (${resource.type})`.padEnd(100).slice(0, 100));
        else if (!args.quiet && count % 100 === 0) log(`  registered ${count} resources…`);
      },
    });
    if (showProgress) process.stdout.write("\r".padEnd(101) + "\r");

    const environment = loaded.config[`${project}:environment`];
    const reports = stackReports(loaded, resources);
    // Against the base plan, or against nothing (a first deployment: every resource is a create).
    const diff = diffPlans(base?.resources ?? [], resources);
    const baseCost: CostEstimate | undefined = base ? estimateCost(base.resources, { ...reports.costOptions, growth: [] }) : undefined;
    const ops = new Map(diff.changes.map((c) => [c.urn, c.op]));
    const deleted = diff.changes.filter((c) => c.op === "delete").map((c) => base!.resources.find((r) => r.urn === c.urn)! as PlannedResource);
    log("");
    if (args.details) {
      log(renderDetails(resources, base ? ops : undefined, deleted));
      log("");
      log(renderOutputs(outputs));
    } else log(renderSummary(resources));
    for (const section of reports.text) log(`\n${section}`);
    let costLine: string | undefined;
    if (base && baseCost) {
      const delta = reports.cost.monthlyUsd - baseCost.monthlyUsd;
      costLine = `Cost: ${formatUsd(baseCost.monthlyUsd)} → ${formatUsd(reports.cost.monthlyUsd)} per month (${delta >= 0 ? "+" : "−"}${formatUsd(Math.abs(delta))})`;
      const changes = renderDiff(diff);
      log(`\nChanges against ${args.diff}:`);
      if (changes) log(changes);
      log(`Resources: ${renderDiffCounts(diff)}`);
      log(costLine);
    }
    log(`\nDuration: ${((Date.now() - started) / 1000).toFixed(1)}s`);

    const plan: Plan = {
      project,
      stack: loaded.stack,
      environment,
      resources,
      outputs,
      reports: reports.json,
      policies: { violations: reports.violations },
      steps: diff.steps,
      changeSummary: diff.changeSummary,
      ...(base && baseCost ? { diff: { base: args.diff!, counts: renderDiffCounts(diff), costDeltaUsd: Math.round((reports.cost.monthlyUsd - baseCost.monthlyUsd) * 100) / 100, baseMonthlyUsd: baseCost.monthlyUsd } } : {}),
    };
    if (args.json) {
      fs.writeFileSync(args.json, `${JSON.stringify(plan, null, 2)}\n`);
      log(`Plan written to ${args.json}`);
    }
    const graph = args.graph || args.markdown ? renderMermaid(resources, new Map(reports.cost.components.map((c) => [c.component, c.monthlyUsd]))) : undefined;
    if (args.graph) {
      fs.writeFileSync(args.graph, `${graph}\n`);
      log(`Graph (Mermaid) written to ${args.graph}`);
    }
    if (args.markdown) {
      const markdown = renderMarkdown({
        stack: loaded.stack,
        file: path.relative(projectDir, file) || file,
        passes: reports.failures.length === 0,
        failures: reports.failures,
        violations: reports.violations,
        recovery: reports.sections.recovery,
        capacity: reports.sections.capacity,
        changeCounts: renderDiffCounts(diff),
        changes: base ? renderDiff(diff) || "(no changes)" : undefined,
        base: args.diff,
        cost: reports.cost,
        baseCost,
        tree: renderDetails(resources, base ? ops : undefined, deleted),
        outputs: renderOutputs(outputs),
        graph,
        extras: reports.text.filter((text) => !Object.values(reports.sections).includes(text)),
        limit: markdownLimit,
      });
      fs.writeFileSync(args.markdown, markdown);
      log(`Pull-request summary (${markdown.length} characters) written to ${args.markdown}`);
    }
    if (args.out) {
      // Rendered only when asked for: YAML for a few hundred objects is a noticeable share of a preview.
      const files: RenderedFile[] = [...renderKubernetesManifests(resources), ...renderMonitoringFiles(resources)];
      for (const rendered of files) {
        const target = path.join(args.out, rendered.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, rendered.content);
      }
      log(`${files.length} manifests written under ${args.out}`);
    }
    if (reports.failures.length > 0) {
      for (const failure of reports.failures) process.stderr.write(`error: ${loaded.stack}: ${failure}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (references?.failure && isUserError(references.failure)) error = references.failure;
    if (isUserError(error)) {
      process.stderr.write(`error: ${error.message.split("\n")[0]}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  preview(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`internal error (a bug in runbook-infra, please report it): ${(error as Error).stack ?? error}\n`);
      process.exit(70);
    },
  );
}
