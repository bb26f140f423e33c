/**
 * What a reviewer gets from the offline preview, run as the pull-request workflow runs it (a child
 * process on the transpiled sources): `--markdown` for every stack and example under GitHub's comment
 * limit with the policy and recovery sections, `--diff` against a base plan with exactly the expected
 * steps (a config change, a secret change, an RDS identifier rename), Pulumi-shaped JSON, `--details`
 * and `--graph`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { previewDigestFields } from "./support/pulumi-preview-schema";
import { composeComment, shareOfLimit, type StackEntry } from "../preview/pr-comment";

const root = path.join(__dirname, "..");
const cli = path.join(root, ".build/preview/cli.js");
// The changed stack files are written to .build/; production reads its DR stack through a stack reference, which the
// preview answers from the DR stack file beside the previewed one.
fs.mkdirSync(path.join(root, ".build"), { recursive: true });
fs.copyFileSync(path.join(root, "Pulumi.production-dr.yaml"), path.join(root, ".build", "Pulumi.production-dr.yaml"));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preview-review-"));

function preview(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
}
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

/** Every stack file the PR workflow previews: Pulumi.<env>.yaml and examples/<system>/Pulumi.<env>.yaml (symlinks once). */
const stackFiles = [
  ...fs.readdirSync(root).filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f)),
  ...fs.readdirSync(path.join(root, "examples")).flatMap((dir) =>
    fs
      .readdirSync(path.join(root, "examples", dir))
      .filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f) && !fs.lstatSync(path.join(root, "examples", dir, f)).isSymbolicLink())
      .map((f) => path.join("examples", dir, f)),
  ),
];

beforeAll(() => execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: root }));

describe("--markdown for every stack and example", () => {
  // As the workflow runs them: each stack gets its share of the comment limit.
  const share = shareOfLimit(stackFiles.length);
  const entries: StackEntry[] = [];

  it.each(stackFiles)("%s: under its share of 65,536 characters, with the policy, recovery, change and cost sections", (file) => {
    const md = path.join(tmp, `${file.replace(/\W+/g, "-")}.md`);
    const json = path.join(tmp, `${file.replace(/\W+/g, "-")}.json`);
    const run = preview("--config", file, "--markdown", md, "--markdown-limit", String(share), "--json", json, "--quiet");
    expect(run.stderr).not.toMatch(/internal error/);
    const text = fs.readFileSync(md, "utf8");
    entries.push({ name: file, status: run.status ?? 1, markdown: text, plan: readJson(json) });
    expect(text.length).toBeLessThanOrEqual(share);
    expect(text).toMatch(/#### Mandatory policy violations/);
    expect(text).toMatch(/#### Recovery objectives/);
    expect(text).toMatch(/\*\*Resources:\*\* \d+ to create/);
    expect(text).toMatch(/\*\*Cost:\*\* \*\*\$[\d,]+\.\d\d\*\* per month/);
    expect(text).toMatch(/<details><summary>Advisory policy findings/);
    // The tree is there, or shortened / left out with a note saying so.
    expect(text).toMatch(/<details><summary>Resource tree|_Cut to stay under [\d,]+ characters: .*Resource tree/);
    // Must-haves come before every collapsible section.
    expect(text.indexOf("#### Recovery objectives")).toBeLessThan(text.indexOf("<details>"));
    // Without --diff the plan still carries Pulumi-shaped steps: everything is a create.
    const plan = readJson(json);
    expect(() => previewDigestFields.parse(plan)).not.toThrow();
    expect(Object.keys(plan.changeSummary)).toEqual(["create"]);
    expect(plan.reports.cost.monthlyUsd).toBeGreaterThan(0);
    expect(plan.reports.cost.components.length).toBeGreaterThan(0);
  });

  it("composes the pull-request comment of every stack under 65,536 characters, each with its policy and recovery sections", () => {
    expect(entries).toHaveLength(stackFiles.length);
    const comment = composeComment(entries);
    expect(comment.length).toBeLessThanOrEqual(65_536);
    expect(comment.match(/#### Mandatory policy violations/g)).toHaveLength(stackFiles.length);
    expect(comment.match(/#### Recovery objectives/g)).toHaveLength(stackFiles.length);
    for (const file of stackFiles) expect(comment).toContain(`| \`${file}\` | ✅ passes |`);
  });

  it("cuts the least important parts, and says so, when the limit is small", () => {
    const md = path.join(tmp, "small.md");
    const run = preview("--stack", "production", "--markdown", md, "--markdown-limit", "6000", "--quiet");
    expect(run.status).toBe(0);
    const text = fs.readFileSync(md, "utf8");
    expect(text.length).toBeLessThanOrEqual(6000);
    expect(text).toMatch(/#### Mandatory policy violations/);
    expect(text).toMatch(/#### Recovery objectives/);
    expect(text).toMatch(/\*\*Cost:\*\*/);
    expect(text).toMatch(/_Cut to stay under 6,000 characters: .*Resource tree/);
  });

  it("refuses a limit it cannot honour, with one line", () => {
    const run = preview("--stack", "production", "--markdown", path.join(tmp, "x.md"), "--markdown-limit", "70000");
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: --markdown-limit "70000": must be a whole number of characters from 1000 to 65536/);
  });
});

describe("--diff against a base plan", () => {
  let base: string;
  let changed: any;
  let output: string;
  beforeAll(() => {
    base = path.join(tmp, "base.json");
    const first = preview("--stack", "production", "--json", base, "--quiet");
    if (first.status !== 0) throw new Error(first.stderr);
    // The base branch named the database differently: the rename must be a replace.
    const plan = readJson(base);
    const db = plan.resources.find((r: any) => r.type === "aws:rds/instance:Instance");
    expect(db.inputs.identifier).not.toBe("stock-analysis-postgres");
    db.inputs.identifier = "stock-analysis-postgres";
    fs.writeFileSync(base, JSON.stringify(plan));
    // The change under review: one more node and a new Slack webhook (a new ciphertext).
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.production.yaml"), "utf8"));
    doc.config["runbook-infra:cluster"].nodeGroups[0].desiredSize = 9;
    doc.config["runbook-infra:slackWebhookUrl"] = { secure: "AAABAChangedCiphertextOfTheNewWebhook" };
    const file = path.join(root, ".build", "Pulumi.review-test.yaml");
    fs.writeFileSync(file, stringify(doc));
    const json = path.join(tmp, "changed.json");
    const run = spawnSync(process.execPath, [cli, "--config", file, "--stack", "production", "--diff", base, "--json", json], { cwd: root, encoding: "utf8" });
    if (run.status !== 0) throw new Error(run.stderr);
    output = run.stdout;
    changed = readJson(json);
  });

  it("gives exactly the expected steps: node group update, webhook secret update, RDS identifier replace", () => {
    const notSame = changed.steps.filter((s: any) => s.op !== "same").map((s: any) => [s.op, s.urn.split("::").pop()]);
    expect(notSame.sort()).toEqual([
      ["replace", "database-instance"],
      ["update", "alertmanager-secret"],
      ["update", "cluster-general"],
    ]);
    const replace = changed.steps.find((s: any) => s.op === "replace");
    expect(replace.replaceReasons).toEqual(["identifier"]);
    expect(changed.changeSummary).toEqual({ same: changed.steps.length - 3, update: 2, replace: 1 });
    expect(() => previewDigestFields.parse(changed)).not.toThrow();
  });

  it("prints the changed paths old → new, secrets as [secret] only, unchanged resources counted", () => {
    expect(output).toMatch(/~ {2}aws:eks\/nodeGroup:NodeGroup cluster-general\n\s+scalingConfig\.desiredSize: 8 → 9/);
    const identifier = changed.resources.find((r: any) => r.type === "aws:rds/instance:Instance").inputs.identifier;
    expect(output).toContain(`+- aws:rds/instance:Instance database-instance  (replace: identifier)\n      *identifier: "stock-analysis-postgres" → "${identifier}"`);
    expect(output).toMatch(/~ {2}kubernetes:core\/v1:Secret alertmanager-secret\n(\s+\S+: \[secret\] → \[secret\]\n)+/);
    expect(output).toMatch(/Resources: 0 to create, 2 to update, 1 to replace, 0 to delete, \d+ unchanged/);
    expect(output).not.toMatch(/offline-placeholder|AAABAChanged/);
    expect(JSON.stringify(changed)).not.toMatch(/offline-placeholder|AAABAChanged/);
  });

  it("prints the cost change of one more m5.xlarge node (730 h × $0.192 + 100 GiB × $0.08 = $148.16)", () => {
    expect(output).toMatch(/Cost: \$[\d,.]+ → \$[\d,.]+ per month \(\+\$148\.16\)/);
    expect(changed.diff.costDeltaUsd).toBe(148.16);
  });

  it("refuses a base that is not a plan with one line, before running the program", () => {
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ hello: 1 }));
    const run = preview("--stack", "production", "--diff", bad);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: --diff .*bad\.json: not a plan written by --json/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stdout).not.toMatch(/Resources:/);
  });
});

describe("cost.monthlyBudgetUsd", () => {
  it("puts the budget in the plan and reports an estimate above it as an advisory finding, in the summary too", () => {
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.production.yaml"), "utf8"));
    doc.config["runbook-infra:cost"] = { monthlyBudgetUsd: 1000 };
    const file = path.join(root, ".build", "Pulumi.budget-test.yaml");
    fs.writeFileSync(file, stringify(doc));
    const json = path.join(tmp, "budget.json");
    const md = path.join(tmp, "budget.md");
    const run = spawnSync(process.execPath, [cli, "--config", file, "--stack", "production", "--json", json, "--markdown", md, "--quiet"], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(0); // advisory: an estimate informs, it does not block
    const plan = readJson(json);
    expect(plan.resources.find((r: any) => r.type === "runbook:cost:CostBudget").inputs).toEqual({ monthlyBudgetUsd: 1000 });
    const found = plan.policies.violations.filter((v: any) => v.policy === "stack-monthly-budget");
    expect(found).toEqual([{ policy: "stack-monthly-budget", level: "advisory", urn: expect.stringContaining("runbook:cost:CostBudget::cost-budget"), message: expect.stringMatching(/^the estimated cost \$[\d,.]+ per month exceeds cost\.monthlyBudgetUsd \$1,000\.00/) }]);
    // The policy prices the plan the same way as the preview's own estimate.
    expect(found[0].message).toContain(`$${plan.reports.cost.monthlyUsd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
    expect(fs.readFileSync(md, "utf8")).toMatch(/Advisory policy findings \(1\)[\s\S]*stack-monthly-budget/);
  });
});

describe("--details and --graph", () => {
  it("lists every resource under its component with qualified short types, and the outputs as the CLI does", () => {
    const graph = path.join(tmp, "graph.mmd");
    const run = preview("--stack", "production", "--details", "--graph", graph);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/│ {2}├─ iam:Role /);
    expect(run.stdout).toMatch(/rbac:Role /);
    expect(run.stdout).toMatch(/\+ {2}├─ Network network\n\+ {2}│ {2}├─ LogGroup network-flow-logs\n/);
    expect(run.stdout).toMatch(/\+ {2}│ {2}├─ Vpc network-vpc\n/);
    expect(run.stdout).toMatch(/\nOutputs:\n {4}alertCount +: \d+\n/);
    expect(run.stdout).toMatch(/ {4}kubeconfig +: \[secret\]/);
    expect(run.stdout).toMatch(/ {4}privateSubnetIds +: \[\n {8}\[0\]: "subnet-/);
    const mermaid = fs.readFileSync(graph, "utf8");
    expect(mermaid.startsWith("flowchart LR\n")).toBe(true);
    expect(mermaid).toMatch(/\["cluster<br\/><small>eks:EksCluster<\/small><br\/>\$[\d,]+\/month"\]/);
    // The cluster component depends on the network (subnets, VPC).
    const id = (name: string) => new RegExp(`(c\\d+)\\["${name}<br`).exec(mermaid)![1];
    expect(mermaid).toContain(`${id("cluster")} --> ${id("network")}`);
  });
});
