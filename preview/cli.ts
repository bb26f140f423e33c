/**
 * `npm run preview -- --stack <name> [--config <stack file>] [--json <plan.json>] [--out <dir>]`
 *
 * The offline preview: runs the stack's program (the same `main()` that `pulumi up` runs) under
 * Pulumi's mock runtime with the stack's config, then prints the plan. A user error exits 1 with one
 * line and no stack trace.
 */
// First: caches V8's compiled code of every module loaded after it (the SDKs are most of a preview's time).
import "v8-compile-cache";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runProgram, PlannedResource } from "./engine";
import { loadStackFile, readProjectName, StackFileError } from "./stack-files";
import { renderSummary } from "./summary";
import { renderKubernetesManifests, RenderedFile } from "./manifests";
import { stackReports, StackReports } from "./reports";
import { renderMonitoringFiles } from "../preview/render";

const USAGE = "usage: npm run preview -- (--stack <name> | --config <stack file>) [--json <plan.json>] [--out <dir>] [--quiet]";

export interface Plan {
  project: string;
  stack: string;
  environment?: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  reports: StackReports["json"];
  policies: { violations: StackReports["violations"] };
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

  const started = Date.now();
  const log = (line: string) => {
    if (!args.quiet) process.stdout.write(`${line}\n`);
  };
  try {
    const project = readProjectName(projectDir);
    const file = args.config ?? path.join(projectDir, `Pulumi.${args.stack}.yaml`);
    const loaded = loadStackFile(project, file, args.stack);
    const region = loaded.config["aws:region"] ?? "us-east-1";
    log(`Previewing update (${loaded.stack}) offline — ${path.relative(projectDir, file) || file}, mock runtime, no cloud calls`);
    if (loaded.placeholders.length)
      log(`Credentials unset in the stack file, given offline placeholder secrets: ${loaded.placeholders.join(", ")} (before pulumi up: pulumi config set --secret <key>)`);

    const showProgress = !args.quiet && process.stdout.isTTY;
    // The program is loaded only now, after config is in place, exactly as the CLI's language host does.
    const { main } = require("../stacks/program") as { main: () => unknown };
    const { resources, outputs } = await runProgram({
      project: loaded.project,
      stack: loaded.stack,
      config: loaded.config,
      secretKeys: loaded.secretKeys,
      region,
      program: main,
      onRegister: (resource, count) => {
        if (showProgress) process.stdout.write(`\r  registering… ${count} resources (${resource.type})`.padEnd(100).slice(0, 100));
        else if (!args.quiet && count % 100 === 0) log(`  registered ${count} resources…`);
      },
    });
    if (showProgress) process.stdout.write("\r".padEnd(101) + "\r");

    const environment = loaded.config[`${project}:environment`];
    const reports = stackReports(loaded, resources);
    log("");
    log(renderSummary(resources));
    for (const section of reports.text) log(`\n${section}`);
    log(`\nDuration: ${((Date.now() - started) / 1000).toFixed(1)}s`);

    const plan: Plan = { project, stack: loaded.stack, environment, resources, outputs, reports: reports.json, policies: { violations: reports.violations } };
    if (args.json) {
      fs.writeFileSync(args.json, `${JSON.stringify(plan, null, 2)}\n`);
      log(`Plan written to ${args.json}`);
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
