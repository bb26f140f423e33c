/**
 * The policy CLI refuses a plan that is not one graph the engine could have produced — no resources,
 * a URN twice, a parent or dependency or provider that is not in the plan, a parent cycle — with exit 2
 * and one line, instead of judging it silently. Table: plan edit -> exit code and message.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../policies/cli";
import type { Plan } from "../../policies/evaluate";
import { compliantPlan, one } from "./fixtures";

const dir = mkdtempSync(join(tmpdir(), "malformed-plans-"));
const EKS = "aws:eks/cluster:Cluster";
const BUCKET = "aws:s3/bucket:Bucket";

function run(plan: Plan | string, name: string) {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, typeof plan === "string" ? plan : JSON.stringify(plan));
  const out: string[] = [];
  const err: string[] = [];
  const code = main([path], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const edited = (edit: (plan: Plan) => void) => {
  const plan = compliantPlan();
  edit(plan);
  return plan;
};

const cases: Array<[string, () => Plan, RegExp]> = [
  ["no resources", () => edited((p) => (p.resources = [])), /^policy: plan\.resources: \[\] — the plan has no resources/],
  [
    "a dependency on a URN that is not in the plan",
    () => edited((p) => one(p, EKS).dependencies!.push("urn:pulumi:production::runbook-infra::aws:s3/bucket:Bucket::gone")),
    /^policy: plan\.resources\[\d+\]\.dependencies\[\d+\]: urn:pulumi:production::runbook-infra::aws:s3\/bucket:Bucket::gone — no resource of the plan has this URN$/,
  ],
  ["a parent that is not in the plan", () => edited((p) => (one(p, BUCKET).parent = "urn:pulumi:production::runbook-infra::runbook:backup:BackupBucket::nowhere")), /^policy: plan\.resources\[\d+\]\.parent: .*::nowhere — no resource of the plan has this URN$/],
  [
    "a parent cycle of two",
    () =>
      edited((p) => {
        const a = one(p, BUCKET);
        const b = one(p, EKS);
        a.parent = b.urn;
        b.parent = a.urn;
      }),
    /^policy: plan\.resources: parent cycle .* -> .* -> .* — parents must form a tree/,
  ],
  ["a resource that is its own parent", () => edited((p) => (one(p, BUCKET).parent = one(p, BUCKET).urn)), /^policy: plan\.resources: parent cycle backups-bucket -> backups-bucket — parents must form a tree/],
  ["a resource that depends on itself", () => edited((p) => one(p, BUCKET).dependencies!.push(one(p, BUCKET).urn)), /— a resource cannot depend on itself$/],
  ["a URN twice", () => edited((p) => p.resources.push({ ...one(p, BUCKET) })), /^policy: plan\.resources\[\d+\]\.urn: .*backups-bucket — appears twice/],
  ["an explicit provider that is not in the plan", () => edited((p) => (one(p, BUCKET).provider = "urn:pulumi:production::runbook-infra::pulumi:providers:aws::elsewhere::1234")), /^policy: plan\.resources\[\d+\]\.provider: .*elsewhere::1234 — no provider resource of the plan has this URN$/],
  ["a URN with an escape sequence (shown escaped)", () => edited((p) => one(p, EKS).dependencies!.push("urn:\u001b[31mred")), /dependencies\[\d+\]: urn:\\x1b\[31mred — no resource/],
];

describe("policy CLI on malformed plans", () => {
  it.each(cases)("refuses %s with exit 2 and one line", (_name, plan, message) => {
    const result = run(plan(), _name.replace(/\W+/g, "-"));
    expect(result.code).toBe(2);
    expect(result.out).toEqual([]);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(message);
    expect(result.err[0]).not.toMatch(/[\u0000-\u001f]|\s+at .*:\d+:\d+/);
  });

  it("accepts the compliant plan as well-formed (the preview's own plans: test/preview-cli.test.ts)", () => {
    const result = run(compliantPlan(), "compliant");
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
  });
});

describe("policy CLI output from a hostile plan", () => {
  it("escapes names before they reach the terminal", () => {
    const plan = compliantPlan();
    const db = one(plan, "aws:rds/instance:Instance");
    db.inputs.storageEncrypted = false;
    const hostile = `${db.urn}\u001b]0;pwned\u0007`;
    for (const r of plan.resources) r.dependencies = (r.dependencies ?? []).map((d) => (d === db.urn ? hostile : d));
    db.urn = hostile;
    const result = run(plan, "hostile");
    expect(result.code).toBe(1);
    const text = result.out.join("\n");
    expect(text).toMatch(/database-instance\\x1b\]0;pwned\\x07: storageEncrypted is not true/);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});
