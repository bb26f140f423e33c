/**
 * The config fuzz cases of issue 16, kept as a table: a stack file mutated the way a careless or hostile
 * user would, and the exit code and the one line the offline preview must answer with. Every case goes
 * through the preview CLI in-process (stack file -> YAML reader -> config validation -> program), so a
 * check a component makes after config passed would show up here under its component name and fail
 * the "names the stack key" assertion.
 *
 * Each failing case must: exit 1, print exactly one line, name the stack key the user wrote (never a
 * component argument), show no stack trace, no raw control character, no secret placeholder, and stay
 * short. Accepting cases (exit 0) prove each rule lets good input through.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Document, isMap, parseDocument } from "yaml";
import { preview } from "../preview/cli";
import { COMPONENT_TAG_KEYS, COMPONENT_TAG_PREFIXES, MAX_TAGS_PER_RESOURCE, STACK_TAG_KEYS, TAGS_ADDED_PER_RESOURCE } from "../core/tags";

const root = path.join(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "config-fuzz-"));
// Production reads its DR stack through a stack reference, which the preview answers from the DR stack file
// next to the one it previews: the mutated files live in tmp, so the DR stack file goes there too.
for (const file of fs.readdirSync(root).filter((f) => /^Pulumi\..+-dr\.yaml$/.test(f))) fs.copyFileSync(path.join(root, file), path.join(tmp, file));
const BASE = fs.readFileSync(path.join(root, "Pulumi.production.yaml"), "utf8");
const STAGING = fs.readFileSync(path.join(root, "Pulumi.staging.yaml"), "utf8");

type Edit = (doc: Document) => void;

interface Case {
  name: string;
  /** Edits the production stack file's document, or replaces the file's text. */
  edit?: Edit;
  text?: (base: string) => string;
  base?: "production" | "staging";
  exit: 0 | 1;
  /** The error line (after "error: "), required for exit 1. */
  message?: RegExp;
}

const P = "runbook-infra";
const set = (key: string, ...pathAndValue: unknown[]): Edit => (doc) => {
  const value = pathAndValue.pop();
  doc.setIn(["config", `${P}:${key}`, ...(pathAndValue as string[])], doc.createNode(value));
};
const setTop = (key: string, value: unknown): Edit => (doc) => {
  (doc.get("config") as any).set(key, doc.createNode(value));
};
const editTags = (edit: (tags: Record<string, string>) => void): Edit => (doc) => {
  const tags = (doc.getIn(["config", `${P}:tags`]) as any).toJSON() as Record<string, string>;
  edit(tags);
  doc.setIn(["config", `${P}:tags`], doc.createNode(tags));
};
const replace = (from: string | RegExp, to: string) => (text: string) => {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`fixture: ${String(from)} not found in the stack file`);
  return out;
};

const cases: Case[] = [
  // --- Tags: AWS's rules, before anything is created -------------------------------------------------
  { name: "tag key of 129 characters", edit: editTags((t) => (t["k".repeat(129)] = "v")), exit: 1, message: /^production: runbook-infra:tags\["k{40}\.\.\."\]: "k+\.\.\. — tag key must be from 1 to 128 characters/ },
  { name: "tag key of 10 KB (cut in the line)", edit: editTags((t) => (t["k".repeat(10_000)] = "v")), exit: 1, message: /^production: runbook-infra:tags\["k{40}\.\.\."\]: "k{60,80}\.\.\. — key must be at most 256 characters long$/ },
  { name: "tag value of 257 characters", edit: editTags((t) => (t.owner = "o".repeat(257))), exit: 1, message: /^production: runbook-infra:tags\.owner: "o+\.\.\. — must be at most 256 characters long \(AWS tag value limit\)$/ },
  { name: "tag value of 10 KB", edit: editTags((t) => (t.owner = "o".repeat(10_000))), exit: 1, message: /^production: runbook-infra:tags\.owner: "o+\.\.\. — must be at most 2048 characters long$/ },
  { name: "tag value of 20 MB (refused by its key, before any resource)", text: replace("    owner: devops-team\n", `    owner: ${"o".repeat(20_000_000)}\n`), exit: 1, message: /^production: runbook-infra:tags\.owner: "o+\.\.\. — must be at most 2048 characters long$/ },
  { name: "a stack file of 40 MB", text: (base) => `${base}# ${"x".repeat(40 * 1024 * 1024)}\n`, exit: 1, message: /Pulumi\.production\.yaml: \d+ bytes — a stack file must be at most 33554432 bytes/ },
  { name: "tag value with NUL", edit: editTags((t) => (t.owner = "dev\u0000ops")), exit: 1, message: /^production: runbook-infra:tags\.owner: "dev\\u0000ops" — must not contain control characters/ },
  { name: "tag key with ESC (escaped, never sent to the terminal)", edit: editTags((t) => (t["\u001b[31mred"] = "v")), exit: 1, message: /^production: runbook-infra:tags\["\\x1b\[31mred"\]: "\\u001b\[31mred" — key must not contain control characters/ },
  { name: "tag value with an emoji", edit: editTags((t) => (t.owner = "devops 🚀")), exit: 1, message: /^production: runbook-infra:tags\.owner: "devops 🚀" — must use only letters, digits, spaces and _ \. : \/ = \+ - @ \(AWS tag characters\)$/ },
  { name: "tag key with the reserved aws: prefix", edit: editTags((t) => (t["AWS:CreatedBy"] = "me")), exit: 1, message: /^production: runbook-infra:tags\["AWS:CreatedBy"\]: "AWS:CreatedBy" — tag key must not start with aws: \(reserved for AWS\)$/ },
  { name: "tag key the stack sets itself", edit: editTags((t) => (t.environment = "prod")), exit: 1, message: /^production: runbook-infra:tags\.environment: "environment" — tag key is set by the stack on every resource/ },
  { name: "tag key a component sets (Name)", edit: editTags((t) => (t.Name = "x")), exit: 1, message: /^production: runbook-infra:tags\.Name: "Name" — tag key is set by the components/ },
  { name: "tag key of the cluster's subnet discovery", edit: editTags((t) => (t["kubernetes.io/cluster/other"] = "owned")), exit: 1, message: /tags\["kubernetes\.io\/cluster\/other"\]: .* — tag key is set by the components/ },
  { name: "42 tags: the most a stack may set (50 on a subnet with the stack's 8)", edit: editTags((t) => { for (let i = 0; i < 40; i++) t[`cost-${i}`] = "x"; }), exit: 0 },
  { name: "tags with letters of any script, spaces and AWS's punctuation", edit: editTags((t) => Object.assign(t, { "cost center": "Zürich / Genève", "team:on-call": "ops@example.com", "a.b_c=d+e": "" })), exit: 0 },
  { name: "43 tags: over 50 with the 8 the stack adds", edit: editTags((t) => { for (let i = 0; i < 41; i++) t[`cost-${i}`] = "x"; }), exit: 1, message: /^production: runbook-infra:tags: "\(43 tags\)" — must hold at most 42 tags: AWS allows 50 per resource and the stack adds up to 8/ },
  { name: "a number as a tag value", edit: editTags((t) => ((t as any).owner = 42)), exit: 1, message: /^production: runbook-infra:tags\.owner: 42 — must be a string/ },

  // --- Free text: bounded, with the characters where it ends up ---------------------------------------
  { name: "runbookUrl of 10 KB", edit: set("monitoring", "runbookUrl", `https://runbooks.example.com/${"a".repeat(10_000)}`), exit: 1, message: /^production: runbook-infra:monitoring\.runbookUrl: "https:\/\/runbooks\.example\.com\/a+\.\.\. — must be at most 2048 characters long$/ },
  { name: "runbookUrl of 1500 characters", edit: set("monitoring", "runbookUrl", `https://runbooks.example.com/${"a".repeat(1500)}`), exit: 1, message: /^production: runbook-infra:monitoring\.runbookUrl: .* — must be at most 1024 characters$/ },
  { name: "runbookUrl with a Go template (executed by Prometheus)", edit: set("monitoring", "runbookUrl", "https://runbooks.example.com/{{ .Labels.secret }}"), exit: 1, message: /^production: runbook-infra:monitoring\.runbookUrl: .* — must be an https URL without a #fragment/ },
  { name: "runbookUrl with a quote", edit: set("monitoring", "runbookUrl", 'https://runbooks.example.com/a"b'), exit: 1, message: /^production: runbook-infra:monitoring\.runbookUrl: "https:\/\/runbooks\.example\.com\/a\\"b" — must be an https URL/ },
  { name: "alert override runbookUrl with unbalanced braces", edit: set("monitoring", "alerts", "HighErrorRate", "runbookUrl", "https://runbooks.example.com/x#{{oops"), exit: 1, message: /^production: runbook-infra:monitoring\.alerts\.HighErrorRate\.runbookUrl: .* — must be an https URL of the procedure/ },
  { name: "SMTP username of 10 KB", edit: set("monitoring", "email", "authUsername", "u".repeat(10_000)), exit: 1, message: /^production: runbook-infra:monitoring\.email\.authUsername: "u+\.\.\. — must be at most 2048 characters long$/ },
  { name: "SMTP username with a newline and quotes (header injection)", edit: set("monitoring", "email", "authUsername", 'alice"\nBcc: evil@example.com'), exit: 1, message: /^production: runbook-infra:monitoring\.email\.authUsername: "alice\\"\\nBcc: evil@example\.com" — must not contain control characters/ },
  { name: "SMTP username with quotes and a colon", edit: set("monitoring", "email", "authUsername", 'alice" x: y'), exit: 1, message: /^production: runbook-infra:monitoring\.email\.authUsername: .* — must be an SMTP user name of letters, digits/ },
  { name: "email recipient list smuggled into to", edit: set("monitoring", "email", "to", "ops@company.com,evil@example.com"), exit: 1, message: /^production: runbook-infra:monitoring\.email\.to: .* — must be a plain email address/ },
  { name: "smarthost port out of range", edit: set("monitoring", "email", "smarthost", "smtp.example.com:99999"), exit: 1, message: /^production: runbook-infra:monitoring\.email\.smarthost: .* — must be host:port with a port from 1 to 65535/ },
  { name: "cron schedule with a trailing newline", edit: set("backups", "postgres", "daily", "schedule", "0 2 * * *\n"), exit: 1, message: /^production: runbook-infra:backups\.postgres\.daily\.schedule: "0 2 \* \* \*\\n" — must not contain control characters/ },
  { name: "cron schedule with a trailing space", edit: set("backups", "kubernetesConfig", "schedule", "0 3 * * * "), exit: 1, message: /^production: runbook-infra:backups\.kubernetesConfig\.schedule: "0 3 \* \* \* " — must be a five-field cron expression/ },
  { name: "domain of 10 KB", edit: setTop(`${P}:domain`, `${"a".repeat(10_000)}.com`), exit: 1, message: /^production: runbook-infra:domain: "a+\.\.\. — must be at most 2048 characters long$/ },

  { name: "health check path with quotes and braces", edit: set("dr", "healthCheck", "path", '/health?x="{{a}}"'), exit: 1, message: /^production: runbook-infra:dr\.healthCheck\.path: .* — must be an absolute URL path such as "\/health" \(URL characters only/ },
  { name: "health check path of 300 characters", edit: set("dr", "healthCheck", "path", `/${"h".repeat(299)}`), exit: 1, message: /^production: runbook-infra:dr\.healthCheck\.path: .* — must be at most 255 characters/ },
  { name: "PDB selector with a key the API server refuses", edit: (doc) => doc.setIn(["config", `${P}:application`, "services", 0, "selector"], doc.createNode({ "app name!": "api" })), exit: 1, message: /^production: runbook-infra:application\.services\[0\]\.selector\["app name!"\]: "api" — keys must be Kubernetes label keys/ },
  { name: "PDB selector that selects every pod", edit: (doc) => doc.setIn(["config", `${P}:application`, "services", 0, "selector"], doc.createNode({})), exit: 1, message: /^production: runbook-infra:application\.services\[0\]\.selector: \{\} — must select by at least one label/ },
  { name: "PDB selector with a label value of 64 characters", edit: (doc) => doc.setIn(["config", `${P}:application`, "services", 0, "selector"], doc.createNode({ app: "a".repeat(64) })), exit: 1, message: /selector\.app: "a+\.*" — must be a Kubernetes label value/ },

  // --- CIDRs: judged by what they cover ---------------------------------------------------------------
  { name: "VPC CIDR with host bits set", edit: set("network", "cidr", "10.0.5.7/16"), exit: 1, message: /^production: runbook-infra:network\.cidr: "10\.0\.5\.7\/16" — must be a network address: host bits are set below \/16 \(the network is 10\.0\.0\.0\/16\)$/ },
  { name: "VPC CIDR with a leading zero", edit: set("network", "cidr", "010.0.0.0/16"), exit: 1, message: /^production: runbook-infra:network\.cidr: "010\.0\.0\.0\/16" — must be an IPv4 CIDR block/ },
  { name: "public API open to the internet in two halves", edit: set("cluster", "publicAccessCidrs", ["0.0.0.0/1", "128.0.0.0/1"]), exit: 1, message: /^production: runbook-infra:cluster\.publicAccessCidrs: \["0\.0\.0\.0\/1","128\.0\.0\.0\/1"\] — must not open the API endpoint to the internet: the blocks together cover the whole internet/ },
  { name: "public API open to half the internet", edit: set("cluster", "publicAccessCidrs", ["0.0.0.0/1"]), exit: 1, message: /^production: runbook-infra:cluster\.publicAccessCidrs: .* — must not open the API endpoint to the internet: the blocks cover \d+ public IPv4 addresses/ },
  { name: "public API open to the world in staging: the config key, not EksCluster.publicAccessCidrs", base: "staging", edit: set("cluster", "publicAccessCidrs", ["0.0.0.0/0"]), exit: 1, message: /^staging: runbook-infra:cluster\.publicAccessCidrs: \["0\.0\.0\.0\/0"\] — must not open the API endpoint to the internet/ },
  { name: "public API CIDRs that overlap", edit: set("cluster", "publicAccessCidrs", ["203.0.113.0/24", "203.0.113.128/25"]), exit: 1, message: /^production: runbook-infra:cluster\.publicAccessCidrs\[1\]: "203\.0\.113\.128\/25" — must not overlap 203\.0\.113\.0\/24/ },
  { name: "public API limited to an office and a VPN range", edit: set("cluster", "publicAccessCidrs", ["203.0.113.0/24", "198.51.100.16/28"]), exit: 0 },

  // --- RBAC subjects ----------------------------------------------------------------------------------
  { name: "DR operator group system:authenticated", edit: set("dr", "operatorGroup", "system:authenticated"), exit: 1, message: /^production: runbook-infra:dr\.operatorGroup: "system:authenticated" — must be a Kubernetes group name .* not starting with system: or eks:/ },
  { name: "DR operator group system:masters (any case)", edit: set("dr", "operatorGroup", "System:Masters"), exit: 1, message: /^production: runbook-infra:dr\.operatorGroup: "System:Masters" — must be a Kubernetes group name/ },
  { name: "DR operator group of EKS's own", edit: set("dr", "operatorGroup", "eks:node-manager"), exit: 1, message: /dr\.operatorGroup: "eks:node-manager" — must be a Kubernetes group name/ },
  {
    name: "DR operator group with a colon inside (own group namespace)",
    // The bound group must have members through an access entry (cluster.access.groups), or the config refuses it.
    edit: (doc) => {
      set("dr", "operatorGroup", "sre:dr-operators")(doc);
      set("cluster", "access", "groups", [{ principal: "role/sre-dr-operators", kubernetesGroups: ["sre:dr-operators"] }])(doc);
    },
    exit: 0,
  },

  // --- Names every consumer accepts ------------------------------------------------------------------
  { name: "database name with capitals (the restore job's target would be invalid)", edit: set("database", "name", "Stock_Analysis"), exit: 1, message: /^production: runbook-infra:database\.name: "Stock_Analysis" — must be a lowercase PostgreSQL name: .* at most 40 characters/ },
  { name: "database name of 60 characters", edit: set("database", "name", "s".repeat(60)), exit: 1, message: /^production: runbook-infra:database\.name: "s{60}" — must be a lowercase PostgreSQL name/ },
  { name: "database name of 41 characters", edit: set("database", "name", "s".repeat(41)), exit: 1, message: /database\.name: "s{41}" — must be a lowercase PostgreSQL name/ },

  // --- YAML as the Pulumi CLI reads it ----------------------------------------------------------------
  { name: "unknown tag !Ref", text: replace("    name: stock_analysis ", "    name: !Ref DbName "), exit: 1, message: /^production: runbook-infra:database\.name: !Ref \(line \d+\) — YAML tags are not evaluated in stack files/ },
  { name: "unknown tag on a map", text: replace("  runbook-infra:network:\n", "  runbook-infra:network: !Sub\n"), exit: 1, message: /^production: runbook-infra:network: !Sub \(line \d+\) — YAML tags are not evaluated/ },
  { name: "1e400 (YAML reads infinity)", text: replace("allocatedStorageGiB: 100 ", "allocatedStorageGiB: 1e400 "), exit: 1, message: /^production: runbook-infra:database\.allocatedStorageGiB: 1e400 \(line \d+\) — must be a finite number \(YAML reads it as Infinity\)/ },
  { name: ".nan", text: replace("storageGiB: 100\n", "storageGiB: .nan\n"), exit: 1, message: /^production: runbook-infra:monitoring\.storageGiB: \.nan \(line \d+\) — must be a finite number \(YAML reads it as NaN\)/ },
  { name: "-.inf inside a list", text: replace("regions: [us-east-1, us-west-2, eu-west-1]", "regions: [us-east-1, -.inf, eu-west-1]"), exit: 1, message: /^production: runbook-infra:dr\.healthCheck\.regions\[1\]: -\.inf \(line \d+\) — must be a finite number/ },
  { name: "a YAML 1.1 tag (!!binary)", text: replace("    owner: devops-team\n", "    owner: !!binary ZGV2b3Bz\n"), exit: 1, message: /^production: runbook-infra:tags\.owner: !!binary \(line \d+\) — YAML tags are not evaluated/ },
  { name: "a key written twice", text: replace("    multiAz: true\n", "    multiAz: true\n    multiAz: false\n"), exit: 1, message: /Pulumi\.production\.yaml: not valid YAML — Map keys must be unique \(line \d+\)$/ },
  {
    name: "merge keys (<<: *anchor) are merged, as the Pulumi CLI's reader does",
    text: replace(/    routing:|    slack:/, "    routing:\n      critical: &route { receiver: pagerduty, groupWait: 10s, groupInterval: 30s, repeatInterval: 5m }\n      warning: { <<: *route, receiver: slack }\n    slack:"),
    exit: 0,
  },

  // --- Secrets where no credential belongs ------------------------------------------------------------
  { name: "secure: on the domain", edit: setTop(`${P}:domain`, { secure: "AAABAOfflineDomain" }), exit: 1, message: /^production: runbook-infra:domain: "\[secret\]" — must not be a secret: only pagerdutyRoutingKey, slackWebhookUrl, smtpPassword hold credentials/ },
  { name: "secure: inside a tag", edit: editTags((t) => ((t as any).owner = { secure: "AAABAOfflineTag" })), exit: 1, message: /^production: runbook-infra:tags: "\[secret\]" — must not be a secret/ },
  { name: "secure: on aws:region", edit: setTop("aws:region", { secure: "AAABAOfflineRegion" }), exit: 1, message: /^production: aws:region: "\[secret\]" — must not be a secret/ },
  { name: "a credential in plaintext", edit: setTop(`${P}:smtpPassword`, "hunter2"), exit: 1, message: /^production: runbook-infra:smtpPassword: "\(plaintext\)" — must be set as a secret/ },

  // --- Messages: keys escaped and cut -----------------------------------------------------------------
  { name: "unknown nested key of 10 KB", edit: set("network", "x".repeat(10_000), 1), exit: 1, message: /^production: runbook-infra:network\["x{40}\.\.\."\]: "x+\.\.\. — key must be at most 256 characters long$/ },
  { name: "unknown nested key with ESC", edit: set("network", "\u001b]0;pwned\u0007", 1), exit: 1, message: /^production: runbook-infra:network\["\\x1b\]0;pwned\\x07"\]: "\\u001b\]0;pwned\\u0007" — key must not contain control characters/ },
  { name: "unknown top-level key with ESC", edit: setTop(`${P}:\u001b[2Jx`, 1), exit: 1, message: /^production: runbook-infra:\\x1b\[2Jx: "1" — unknown key/ },
  { name: "a valid stack still passes", exit: 0 },
];

/** Runs the preview CLI in-process on a stack file and returns its exit code, stderr and (on success) the plan. */
async function run(text: string, name: string): Promise<{ exit: number; stderr: string; plan?: any }> {
  const file = path.join(tmp, `Pulumi.${name}.yaml`);
  const planFile = path.join(tmp, `plan-${name}.json`);
  fs.rmSync(planFile, { force: true });
  fs.writeFileSync(file, text);
  let stderr = "";
  const write = process.stderr.write;
  const out = process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const exit = await preview(["--config", file, "--stack", name, "--quiet", "--json", planFile], root);
    return { exit, stderr, plan: fs.existsSync(planFile) ? JSON.parse(fs.readFileSync(planFile, "utf8")) : undefined };
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
  }
}

function stackText(c: Case): string {
  const base = c.base === "staging" ? STAGING : BASE;
  if (c.text) return c.text(base);
  const doc = parseDocument(base);
  c.edit?.(doc);
  if (!isMap(doc.get("config"))) throw new Error("fixture: no config map");
  return doc.toString({ lineWidth: 0 });
}

/** What every accepted input must give: no secret in plaintext, and no AWS resource over AWS's tag limits. */
function acceptedPlanIsSafe(plan: any, stackFile: string) {
  expect(JSON.stringify(plan)).not.toMatch(/AAABAOffline|offline-placeholder-for-/);
  const userTags = Object.keys((parseDocument(stackFile).getIn(["config", `${P}:tags`]) as any)?.toJSON() ?? {});
  const declared = (key: string) => (STACK_TAG_KEYS as readonly string[]).includes(key) || (COMPONENT_TAG_KEYS as readonly string[]).includes(key) || COMPONENT_TAG_PREFIXES.some((p) => key.startsWith(p));
  const tagged = plan.resources.filter((r: any) => r.type.startsWith("aws:") && r.inputs.tags && typeof r.inputs.tags === "object");
  expect(tagged.length).toBeGreaterThan(20);
  for (const resource of tagged) {
    const keys = Object.keys(resource.inputs.tags);
    expect(keys.length).toBeLessThanOrEqual(MAX_TAGS_PER_RESOURCE);
    // What the stack adds beyond the user's tags is declared in core/tags.ts, so the reserve counted there stays true.
    const added = keys.filter((k) => !userTags.includes(k));
    expect(added.filter((k) => !declared(k)).map((k) => `${k} on ${resource.urn}`)).toEqual([]);
    expect(added.length).toBeLessThanOrEqual(TAGS_ADDED_PER_RESOURCE);
  }
}

describe("config fuzz table: every bad input refused in one line by its stack key", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const stack = c.base ?? "production";
    const text = stackText(c);
    const { exit, stderr, plan } = await run(text, stack);
    expect({ exit, stderr }).toMatchObject({ exit: c.exit });
    if (c.exit === 0) {
      expect(stderr).toBe("");
      return acceptedPlanIsSafe(plan, text);
    }
    const lines = stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line).toMatch(/^error: /);
    const message = line.slice("error: ".length);
    expect(message).toMatch(c.message!);
    // The stack key the user wrote (or the file), never a component's argument name.
    expect(message).toMatch(new RegExp(`^(${stack}: (runbook-infra:|aws:region)|.*Pulumi\\.${stack}\\.yaml: )`));
    expect(message).not.toMatch(/^\w+: [A-Z][A-Za-z]+\.[a-z]/);
    expect(line).not.toMatch(/\n|\s+at .*:\d+:\d+/);
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(line).not.toMatch(/AAABAOffline|offline-placeholder/);
    expect(line.length).toBeLessThan(700);
  });

  it("merge keys reach the config as merged maps", () => {
    const { loadStackFile } = require("../preview/stack-files") as typeof import("../preview/stack-files");
    const merge = cases.find((c) => c.name.startsWith("merge keys"))!;
    const file = path.join(tmp, "Pulumi.merge.yaml");
    fs.writeFileSync(file, stackText(merge));
    const monitoring = JSON.parse(loadStackFile(P, file).config[`${P}:monitoring`]);
    expect(monitoring.routing.warning).toEqual({ receiver: "slack", groupWait: "10s", groupInterval: "30s", repeatInterval: "5m" });
    expect(monitoring.routing).not.toHaveProperty("<<");
  });
});

describe("the same rules on the Pulumi CLI's path (PULUMI_CONFIG JSON, secrets flagged by the runtime)", () => {
  const { parseStackConfig } = require("../stacks/config/load") as typeof import("../stacks/config/load");
  const { loadStackFile } = require("../preview/stack-files") as typeof import("../preview/stack-files");
  const base = () => loadStackFile(P, path.join(root, "Pulumi.production.yaml"));
  const parseWith = (edit: (raw: Record<string, string>) => void, secrets: string[] = []) => {
    const stack = base();
    const raw = { ...stack.config };
    edit(raw);
    return () => parseStackConfig("production", raw, new Set([...stack.secretKeys, ...secrets]));
  };

  type Edit = (r: Record<string, string>) => void;
  const table: Array<[string, Edit, string[], RegExp]> = [
    ["1e400 in JSON (shown as Infinity, not null)", (r) => void (r[`${P}:database`] = r[`${P}:database`].replace('"allocatedStorageGiB":100', '"allocatedStorageGiB":1e400')), [], /^production: runbook-infra:database\.allocatedStorageGiB: Infinity — must be a finite number$/],
    ["a secret tag map (decrypted by the CLI) is refused without its value", (r) => void (r[`${P}:tags`] = JSON.stringify({ owner: "s3cr3t-decrypted" })), [`${P}:tags`], /^production: runbook-infra:tags: "\[secret\]" — must not be a secret/],
    ["a secret domain", (r) => void (r[`${P}:domain`] = "s3cr3t-decrypted.example.com"), [`${P}:domain`], /^production: runbook-infra:domain: "\[secret\]" — must not be a secret/],
    ["an ESC in a top-level string", (r) => void (r[`${P}:environment`] = "production\u001b[0m"), [], /^production: runbook-infra:environment: "production\\u001b\[0m" — must not contain control characters/],
  ];
  it.each(table)("%s", (_name, edit, secrets, message) => {
    const run = parseWith(edit, secrets);
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toMatch(/s3cr3t|\n|\u001b/);
    }
  });

  it("accepts the production stack as the CLI passes it", () => {
    expect(parseWith(() => undefined)()).toMatchObject({ environment: "production" });
  });
});
