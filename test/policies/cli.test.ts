/**
 * `npm run policy -- <plan.json>`: a plan edited to make the database unencrypted, the bucket public or
 * a CronJob concurrent is rejected (exit 1); a clean plan passes; bad input is one line, exit 2.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../policies/cli";
import type { Plan } from "../../policies/evaluate";
import { compliantPlan, one } from "./fixtures";

const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
const ROOT = join(__dirname, "..", "..");

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err };
}

function edited(edit: (plan: Plan) => void): Plan {
  const plan = compliantPlan();
  edit(plan);
  return plan;
}

describe("policy CLI", () => {
  it("passes the compliant plan with exit 0", () => {
    const result = run(write("clean.json", compliantPlan()));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/0 mandatory, 0 advisory violation\(s\)/);
  });

  it("rejects a plan whose database is unencrypted", () => {
    const result = run(write("unencrypted.json", edited((p) => (one(p, "aws:rds/instance:Instance").inputs.storageEncrypted = false))));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/\[rds-storage-encrypted\] aws:rds\/instance:Instance::database-instance: storageEncrypted is not true/);
    expect(result.out).toMatch(/the plan must not be applied/);
  });

  it("rejects a plan whose backup bucket is public", () => {
    const plan = edited((p) => {
      one(p, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs.blockPublicAcls = false;
      one(p, "aws:s3/bucket:Bucket").inputs.acl = "public-read";
    });
    const result = run(write("public.json", plan));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/\[s3-no-public-acl\]/);
    expect(result.out).toMatch(/\[s3-public-access-block-all\].*blockPublicAcls is not true/);
  });

  it("rejects a plan whose backup CronJob may run concurrently", () => {
    const result = run(write("concurrent.json", edited((p) => (one(p, "kubernetes:batch/v1:CronJob", "postgres-daily").inputs.spec.concurrencyPolicy = "Allow"))));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/\[k8s-cronjob-no-concurrency\].*concurrencyPolicy is Allow on a backup job/);
  });

  it("exits 0 on advisory findings only: a single-AZ database is judged leniently in staging", () => {
    const path = write("single-az.json", edited((p) => (one(p, "aws:rds/instance:Instance").inputs.multiAz = false)));
    expect(run(path).code).toBe(1);
    const staging = run(path, "--environment", "staging");
    expect(staging.code).toBe(0);
    expect(staging.out).toMatch(/advisory \(1\):\n {2}\[rds-multi-az\]/);
  });

  it("applies a --policy-pack-config style file", () => {
    const plan = write("unencrypted2.json", edited((p) => (one(p, "aws:rds/instance:Instance").inputs.storageEncrypted = false)));
    const config = write("config.json", { "rds-storage-encrypted": "advisory" });
    expect(run(plan, "--config", config).code).toBe(0);
  });

  it("writes the violations as JSON with --json", () => {
    const result = run(write("json.json", edited((p) => (one(p, "aws:rds/instance:Instance").inputs.publiclyAccessible = true))), "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out).violations).toEqual([expect.objectContaining({ policy: "rds-not-public", level: "mandatory", message: "publiclyAccessible is true" })]);
  });

  it.each([
    ["a missing file", [join(dir, "nope.json")], /^policy: .*nope.json: cannot read the plan \(ENOENT\)$/],
    ["invalid JSON", [write("bad.json", "{ not json")], /^policy: .*bad.json: the plan is not valid JSON/],
    ["a plan without resources", [write("empty.json", { project: "x" })], /^policy: plan.resources: must be an array$/],
    ["an unknown environment", [write("ok.json", compliantPlan()), "--environment", "qa"], /^policy: environment: "qa" — must be one of production, staging, development$/],
    ["an unknown flag", [write("ok2.json", compliantPlan()), "--strict"], /^policy: Unknown option '--strict'.* — usage: npm run policy/],
    ["no plan", [], /^policy: expected one plan file, got 0 — usage/],
  ])("rejects %s with one line and exit 2", (_what, argv, pattern) => {
    const result = run(...(argv as string[]));
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(pattern);
  });

  it("runs as `npm run policy` does: the transpiled CLI exits 1 on the unencrypted plan, without a stack trace on bad input", () => {
    execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: ROOT });
    const plan = write("spawned.json", edited((p) => (one(p, "aws:rds/instance:Instance").inputs.storageEncrypted = false)));
    const bad = spawnSync(process.execPath, [".build/policies/cli.js", plan], { cwd: ROOT, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/\[rds-storage-encrypted\]/);
    const invalid = spawnSync(process.execPath, [".build/policies/cli.js", join(dir, "missing.json")], { cwd: ROOT, encoding: "utf8" });
    expect(invalid.status).toBe(2);
    expect(invalid.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("loads as a Pulumi policy pack: the entry point starts the analyzer and prints its port", async () => {
    execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: ROOT });
    // The CLI runs the pack from the pack's folder (it reads package.json from there for the version).
    const child = spawn(process.execPath, [join(ROOT, ".build/policies/index.js")], { cwd: join(ROOT, "policies"), stdio: ["ignore", "pipe", "pipe"] });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => {
          out += d;
          if (/^\d+\n/.test(out)) resolve(out.trim());
        });
        child.stderr.on("data", (d) => (err += d));
        child.on("exit", (code) => reject(new Error(`pack exited ${code}: ${err}`)));
      });
      expect(Number(port)).toBeGreaterThan(0);
    } finally {
      child.kill();
    }
  });
});
