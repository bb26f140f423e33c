/**
 * `npm run bench`: how fast the offline preview is, against the floor every Pulumi TypeScript program
 * pays (loading @pulumi/pulumi, @pulumi/aws and @pulumi/kubernetes), and how it scales with services.
 *
 * Targets (issue "Fast feedback"), all measured in this one run so that machine speed cancels out:
 *   - production preview ≤ 2 × floor
 *   - synthetic stacks of 10, 50, 200 services (each with HPA, PDB, alerts and SLO rules): under 5 ms per
 *     resource above the floor, growth close to linear, and under 1 GiB peak memory at 200 services.
 *   - the stack program as the Pulumi CLI loads it (Pulumi.yaml `main`, TypeScript loader off) from a cold
 *     cache — a fresh copy of the project with no .build/, as on every CI runner — under 2 s
 *   - `npm run preview -- --stack production` as users type it (npm and the transpile step included) ≤ 2 × floor
 * Exits 1 when a target is missed. `--runs N` sets the repetitions (median is reported).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { projectRoot } from "../core/project-file";

interface Measurement {
  seconds: number;
  /** Median CPU time (user + system) of the child: steadier than wall time on a shared machine. */
  cpuSeconds?: number;
  /** Seconds from process start until the program module was loaded (`LOADED=` on stderr), when reported. */
  loadedSeconds?: number;
  maxRssMiB: number;
  resources?: number;
}

const root = projectRoot();
const cli = path.join(root, ".build/preview/cli.js");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `node -e script` and returns wall time and the child's own peak RSS. */
function measure(script: string, runs: number): Measurement {
  const samples: Measurement[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ["-e", `${script};process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nMAXRSS="+u.maxRSS+"\\nCPU="+(u.userCPUTime+u.systemCPUTime)+"\\n")})`], { cwd: root, encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (child.status !== 0) throw new Error(`benchmark run failed (exit ${child.status}): ${child.stderr}`);
    const rss = Number(/MAXRSS=(\d+)/.exec(child.stderr)?.[1] ?? 0) / 1024;
    const loaded = /LOADED=([\d.]+)/.exec(child.stderr)?.[1];
    const cpuSeconds = Number(/CPU=(\d+)/.exec(child.stderr)?.[1] ?? 0) / 1e6;
    samples.push({ seconds, cpuSeconds, maxRssMiB: rss, loadedSeconds: loaded === undefined ? undefined : Number(loaded) });
  }
  const loads = samples.flatMap((s) => (s.loadedSeconds === undefined ? [] : [s.loadedSeconds]));
  return { seconds: median(samples.map((s) => s.seconds)), cpuSeconds: median(samples.map((s) => s.cpuSeconds ?? 0)), maxRssMiB: Math.max(...samples.map((s) => s.maxRssMiB)), loadedSeconds: loads.length ? median(loads) : undefined };
}

/**
 * A fresh copy of the project's sources (no .build/, node_modules linked), so the Pulumi program's launcher
 * starts from nothing, as on a CI runner or after a clone.
 */
function coldCopy(tmp: string): string {
  const copy = path.join(tmp, "cold-project");
  fs.mkdirSync(copy);
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if ([".build", "dist", "node_modules", ".git", "test"].includes(entry.name)) continue;
    fs.cpSync(path.join(root, entry.name), path.join(copy, entry.name), { recursive: true });
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  return copy;
}

/**
 * What the Node.js language host does with this project: load the SDK, then plain-`require` Pulumi.yaml's
 * `main` (typescript: false). Run under the offline mocks, with the SDK's stack traces left on as the CLI has them.
 */
function cliLoaderScript(project: string, referencePlans: Record<string, string>): string {
  const main = parse(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8")).main as string;
  return [
    `process.env.RUNBOOK_PREVIEW_TRACES="1"`,
    `const {runProgram}=require(${JSON.stringify(path.join(root, ".build/preview/engine.js"))})`,
    `const {loadStackFile}=require(${JSON.stringify(path.join(root, ".build/preview/stack-files.js"))})`,
    `const s=loadStackFile("runbook-infra",${JSON.stringify(path.join(project, "Pulumi.production.yaml"))})`,
    // Stack references (the DR stack's outputs) come from that stack's saved plan, as the backend would serve them.
    `const plans=${JSON.stringify(referencePlans)}`,
    `const stackOutputs=async(n)=>JSON.parse(require("node:fs").readFileSync(plans[n.split("/").pop()],"utf8")).outputs`,
    `runProgram({project:s.project,stack:s.stack,config:s.config,secretKeys:s.secretKeys,region:s.config["aws:region"],stackOutputs,program:()=>{const m=require(${JSON.stringify(path.join(project, main))});process.stderr.write("\\nLOADED="+process.uptime()+"\\n");return m}})` +
      `.then((r)=>{if(r.resources.length<100)throw new Error("only "+r.resources.length+" resources")})`,
  ].join(";");
}

function previewScript(args: string[]): string {
  return `require(${JSON.stringify(cli)}).preview(${JSON.stringify(args)}).then((code)=>{process.exitCode=code})`;
}

/** The production stack file with its services replaced by `count` synthetic ones. */
export function syntheticStack(count: number): string {
  const doc = parse(fs.readFileSync(path.join(root, "Pulumi.production.yaml"), "utf8"));
  const config = doc.config;
  const names = Array.from({ length: count }, (_, i) => `svc-${String(i + 1).padStart(3, "0")}`);
  const app = config["runbook-infra:application"];
  app.services = names.map((name) => ({
    name,
    minReplicas: 2,
    maxReplicas: 6,
    targetCpuUtilization: 70,
    targetMemoryUtilization: 80,
    podRequests: { cpu: "100m", memory: "128Mi" },
    disruptionBudget: { maxUnavailable: 1 },
  }));
  // Room for every service at maxReplicas (6) plus the 25 % rollout surge, rounded up per service, and the backup jobs.
  const pods = Math.ceil(6 * 1.25) * count;
  app.quota = { requestsCpu: String(Math.ceil(pods * 0.1) + 8), requestsMemory: `${Math.ceil((pods * 128) / 1024) + 16}Gi`, limitsCpu: String(Math.ceil(pods * 0.2) + 16), limitsMemory: `${Math.ceil((pods * 256) / 1024) + 32}Gi`, pods: pods + 40 };
  if (app.capacity) app.capacity.services = {};
  const monitoring = config["runbook-infra:monitoring"];
  if (monitoring?.slo) monitoring.slo.services = names.map((name) => ({ name }));
  const dr = config["runbook-infra:dr"];
  if (dr?.drReplicas) dr.drReplicas = Object.fromEntries(names.slice(0, 2).map((name) => [name, 5]));
  const edge = config["runbook-infra:edge"];
  if (edge?.service) edge.service = names[0];
  return stringify(doc);
}

function main(): number {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
  const runs = Math.max(1, Number(values.runs));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "runbook-bench-"));
  const rows: Array<[string, string, string, string, string, string]> = [];
  const failures: string[] = [];

  const floor = measure(`require("@pulumi/pulumi");require("@pulumi/aws");require("@pulumi/kubernetes")`, runs + 2);
  rows.push(["floor (load pulumi, aws, kubernetes)", "-", floor.seconds.toFixed(2), "1.00", "-", floor.maxRssMiB.toFixed(0)]);

  const countResources = (file: string) => (JSON.parse(fs.readFileSync(file, "utf8")).resources as Array<{ custom: boolean }>).length;
  const productionJson = path.join(tmp, "production.json");
  const production = measure(previewScript(["--stack", "production", "--quiet", "--json", productionJson]), runs);
  production.resources = countResources(productionJson);
  const productionRatio = production.seconds / floor.seconds;
  rows.push(["production preview", String(production.resources), production.seconds.toFixed(2), productionRatio.toFixed(2), (((production.seconds - floor.seconds) * 1000) / production.resources).toFixed(2), production.maxRssMiB.toFixed(0)]);
  if (productionRatio > 2) failures.push(`production preview takes ${productionRatio.toFixed(2)}× the floor (target ≤ 2×)`);

  // Review outputs (issue "Reviewing a change"): --diff against the plan just written, --markdown and --graph, and
  // the cost estimate (always computed; timed in-process here). Together under 10 % of the production preview.
  const review = measure(previewScript(["--stack", "production", "--quiet", "--json", path.join(tmp, "review.json"), "--diff", productionJson, "--markdown", path.join(tmp, "review.md"), "--graph", path.join(tmp, "review.mmd")]), runs);
  const { estimateCost } = require(path.join(root, ".build/model/cost.js")) as typeof import("../model/cost");
  const productionPlan = JSON.parse(fs.readFileSync(productionJson, "utf8"));
  const costStarted = process.hrtime.bigint();
  const costRuns = 50;
  for (let i = 0; i < costRuns; i++) estimateCost(productionPlan.resources);
  const costSeconds = Number(process.hrtime.bigint() - costStarted) / 1e9 / costRuns;
  // CPU time, not wall time: on a shared machine the wall clock mostly measures the neighbours.
  const withoutReview = production.cpuSeconds! - costSeconds;
  const added = (review.cpuSeconds! - production.cpuSeconds! + costSeconds) / withoutReview;
  rows.push(["production + --diff --markdown --graph", String(production.resources), review.seconds.toFixed(2), (review.seconds / floor.seconds).toFixed(2), "-", review.maxRssMiB.toFixed(0)]);
  const reviewNote = `review outputs and cost estimate add ${(added * 100).toFixed(1)} % CPU to the production preview (${production.cpuSeconds!.toFixed(2)} s → ${review.cpuSeconds!.toFixed(2)} s CPU, cost estimate ${(costSeconds * 1000).toFixed(1)} ms; target < 10 %)`;
  if (added >= 0.1) failures.push(reviewNote);

  // The stack program through the CLI's own loader, cold: the first `pulumi preview` on a fresh clone.
  const referencePlans: Record<string, string> = {};
  for (const file of fs.readdirSync(root).filter((f) => /^Pulumi\..+-dr\.yaml$/.test(f))) {
    const stack = file.slice("Pulumi.".length, -".yaml".length);
    referencePlans[stack] = path.join(tmp, `${stack}.json`);
    measure(previewScript(["--stack", stack, "--quiet", "--json", referencePlans[stack]]), 1);
  }
  const coldRuns: Measurement[] = [];
  for (let i = 0; i < runs; i++) {
    const copy = coldCopy(fs.mkdtempSync(path.join(tmp, "cold-")));
    coldRuns.push(measure(cliLoaderScript(copy, referencePlans), 1));
  }
  const coldLoad = median(coldRuns.map((m) => m.loadedSeconds ?? Number.POSITIVE_INFINITY));
  const coldRun = median(coldRuns.map((m) => m.seconds));
  rows.push(["CLI loader: stack program loaded, cold cache", "-", coldLoad.toFixed(2), (coldLoad / floor.seconds).toFixed(2), "-", "-"]);
  rows.push(["CLI loader: program run to the end (traces on)", String(production.resources), coldRun.toFixed(2), (coldRun / floor.seconds).toFixed(2), "-", Math.max(...coldRuns.map((m) => m.maxRssMiB)).toFixed(0)]);
  if (coldLoad > 2) failures.push(`the CLI loads the stack program in ${coldLoad.toFixed(2)} s from a cold cache (target < 2 s)`);

  // As users type it: npm, the incremental transpile and the preview in one command.
  const typed: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const child = spawnSync("npm", ["run", "--silent", "preview", "--", "--stack", "production", "--quiet"], { cwd: root, encoding: "utf8" });
    if (child.status !== 0) throw new Error(`npm run preview failed (exit ${child.status}): ${child.stderr}`);
    typed.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  const typedRatio = median(typed) / floor.seconds;
  rows.push(["npm run preview -- --stack production", String(production.resources), median(typed).toFixed(2), typedRatio.toFixed(2), "-", "-"]);
  if (typedRatio > 2) failures.push(`npm run preview takes ${typedRatio.toFixed(2)}× the floor (target ≤ 2×)`);

  const sizes = [10, 50, 200];
  const synthetic: Measurement[] = [];
  for (const size of sizes) {
    const file = path.join(tmp, `Pulumi.synthetic-${size}.yaml`);
    fs.writeFileSync(file, syntheticStack(size));
    // Its DR stack reference (dr.stack) is answered from the DR stack file beside it.
    fs.copyFileSync(path.join(root, "Pulumi.production-dr.yaml"), path.join(tmp, "Pulumi.production-dr.yaml"));
    const json = path.join(tmp, `synthetic-${size}.json`);
    const m = measure(previewScript(["--config", file, "--quiet", "--json", json]), runs);
    m.resources = countResources(json);
    synthetic.push(m);
    const perResource = ((m.seconds - floor.seconds) * 1000) / m.resources;
    rows.push([`synthetic ${size} services`, String(m.resources), m.seconds.toFixed(2), (m.seconds / floor.seconds).toFixed(2), perResource.toFixed(2), m.maxRssMiB.toFixed(0)]);
    if (perResource > 5) failures.push(`${size} services: ${perResource.toFixed(2)} ms per resource above the floor (target < 5)`);
  }
  const last = synthetic[synthetic.length - 1];
  if (last.maxRssMiB > 1024) failures.push(`200 services peak at ${last.maxRssMiB.toFixed(0)} MiB (target < 1024)`);
  // Linear growth: the marginal cost per resource from 50 to 200 services stays within 2× that from 10 to 50.
  const slope = (a: Measurement, b: Measurement) => (b.seconds - a.seconds) / (b.resources! - a.resources!);
  const early = slope(synthetic[0], synthetic[1]);
  const late = slope(synthetic[1], synthetic[2]);
  const growth = late / Math.max(early, 1e-6);

  const header = ["run", "resources", "seconds", "× floor", "ms/resource above floor", "peak MiB"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  console.log(`\n${reviewNote}`);
  console.log(`marginal cost per resource: ${(early * 1000).toFixed(2)} ms (10→50 services), ${(late * 1000).toFixed(2)} ms (50→200); ratio ${growth.toFixed(2)}`);
  if (late * 1000 > 1 && growth > 2) failures.push(`growth is not linear: marginal cost per resource rose ${growth.toFixed(2)}× from 10→50 to 50→200 services`);

  fs.rmSync(tmp, { recursive: true, force: true });
  if (failures.length) {
    for (const failure of failures) console.error(`MISSED: ${failure}`);
    return 1;
  }
  console.log("all targets met");
  return 0;
}

if (require.main === module) process.exit(main());
