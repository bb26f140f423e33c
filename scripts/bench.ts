/**
 * `npm run bench`: how fast the offline preview is, against the floor every Pulumi TypeScript program
 * pays (loading @pulumi/pulumi, @pulumi/aws and @pulumi/kubernetes), and how it scales with services.
 *
 * Targets (issue "Fast feedback"), all measured in this one run so that machine speed cancels out:
 *   - production preview ≤ 2 × floor
 *   - synthetic stacks of 10, 50, 200 services (each with HPA, PDB, alerts and SLO rules): under 5 ms per
 *     resource above the floor, growth close to linear, and under 1 GiB peak memory at 200 services.
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
    const child = spawnSync(process.execPath, ["-e", `${script};process.on("exit",()=>process.stderr.write("\\nMAXRSS="+process.resourceUsage().maxRSS+"\\n"))`], { cwd: root, encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (child.status !== 0) throw new Error(`benchmark run failed (exit ${child.status}): ${child.stderr}`);
    const rss = Number(/MAXRSS=(\d+)/.exec(child.stderr)?.[1] ?? 0) / 1024;
    samples.push({ seconds, maxRssMiB: rss });
  }
  return { seconds: median(samples.map((s) => s.seconds)), maxRssMiB: Math.max(...samples.map((s) => s.maxRssMiB)) };
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

  const sizes = [10, 50, 200];
  const synthetic: Measurement[] = [];
  for (const size of sizes) {
    const file = path.join(tmp, `Pulumi.synthetic-${size}.yaml`);
    fs.writeFileSync(file, syntheticStack(size));
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
  console.log(`\nmarginal cost per resource: ${(early * 1000).toFixed(2)} ms (10→50 services), ${(late * 1000).toFixed(2)} ms (50→200); ratio ${growth.toFixed(2)}`);
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
