/**
 * docs/runbook-coverage.md stays true: every component short name, component file, type token, repository
 * path and stack config key a row names must exist in the code, and the summary counts are the rows'.
 * A renamed key or a deleted component fails here instead of leaving the map quietly wrong.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stackConfigSchema } from "../stacks/config/schema";

const ROOT = path.join(__dirname, "..");
const DOC = fs.readFileSync(path.join(ROOT, "docs", "runbook-coverage.md"), "utf8");
const STATUSES = ["implemented", "partly", "human", "out of scope", "missing"] as const;
const RUNBOOKS = ["001", "002", "003", "004"];

interface Row {
  id: string;
  status: string;
  cells: string[];
  line: string;
}

/** The procedure rows: `| 1.17 | section | status | implemented by | notes |`. */
const rows: Row[] = DOC.split("\n")
  .filter((line) => /^\| \d\.\d+ \|/.test(line))
  .map((line) => {
    const cells = line.split(" | ").map((c) => c.replace(/^\| ?| ?\|$/g, "").trim());
    return { id: cells[0], status: cells[2], cells, line };
  });

/** Every `backticked` token of a text. */
const ticks = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** Type tokens the component files register (`super("runbook:area:Name", ...)`). */
const componentFiles = fs.readdirSync(path.join(ROOT, "components")).filter((f) => f.endsWith(".ts"));
const tokenOf = new Map<string, string>();
for (const file of componentFiles) {
  for (const m of fs.readFileSync(path.join(ROOT, "components", file), "utf8").matchAll(/super\(\s*"(runbook:[a-z]+:[A-Za-z]+)"/g)) tokenOf.set(m[1], file);
}

/** The legend: **Short** `file.ts` (`runbook:area:Name`). */
const legendText = DOC.slice(DOC.indexOf("Component short names:"), DOC.indexOf("## 001"));
const legend = new Map<string, { file?: string; token?: string }>();
for (const m of legendText.matchAll(/\*\*([A-Za-z0-9]+)\*\*\s+(?:`([^`]+\.ts)`)?(?:\s*\(`(runbook:[^`]+)`\))?/g)) legend.set(m[1], { file: m[2], token: m[3] });

/** Resolves a dotted config path through the zod schema; undefined when a segment does not exist. */
function schemaAt(keyPath: string[]): unknown {
  let def: any = (stackConfigSchema as any).def;
  const unwrap = (d: any) => {
    while (d && ["optional", "default", "prefault", "nullable", "pipe", "readonly", "catch"].includes(d.type)) d = d.type === "pipe" ? d.in.def : d.innerType.def;
    return d;
  };
  for (const segment of keyPath) {
    def = unwrap(def);
    if (def?.type === "array") def = unwrap(def.element.def);
    if (def?.type === "record") {
      def = def.valueType.def;
      continue;
    }
    if (def?.type !== "object" || !(segment in def.shape)) return undefined;
    def = def.shape[segment].def;
  }
  return def;
}

const TOP_KEYS = Object.keys((stackConfigSchema as any).shape);
const REPO_PATH = /^(components|core|model|stacks|preview|policies|monitoring|scripts|examples|docs|test|\.github)\/[\w./-]*$/;

/** Config keys a row names: `area.key...` with a top-level area, optionally `runbook-infra:`-prefixed, `: value` cut. */
function configKeysOf(text: string): string[] {
  return ticks(text)
    .map((t) => t.replace(/^runbook-infra:/, "").split(/:\s/)[0].replace(/\[\d*\]/g, ""))
    // Host names (dr.stockanalysis.com) share the shape of a key; a key never ends in a top-level domain.
    .filter((t) => !/[\s/*]/.test(t) && /^[a-zA-Z]+(\.[a-zA-Z][a-zA-Z0-9]*)+$/.test(t) && !/\.(com|org|net|io|dev)$/.test(t) && TOP_KEYS.includes(t.split(".")[0]));
}

describe("docs/runbook-coverage.md", () => {
  it("has a row for every procedure, each with one of the five statuses", () => {
    expect(rows.length).toBeGreaterThan(140);
    for (const row of rows) expect({ id: row.id, status: row.status }).toEqual({ id: row.id, status: expect.stringMatching(new RegExp(`^(${STATUSES.join("|")})\\b`)) });
  });

  it("defines every component short name a row uses, with a component file that exists and registers the token", () => {
    for (const [short, { file, token }] of legend) {
      if (!file) continue; // **Policy** names the pack directory, not a component
      expect({ short, file, exists: fs.existsSync(path.join(ROOT, "components", file)) }).toEqual({ short, file, exists: true });
      if (token) expect({ short, token, file: tokenOf.get(token) }).toEqual({ short, token, file });
    }
    for (const row of rows) {
      for (const m of row.line.matchAll(/\*\*([A-Z][A-Za-z0-9]*)\*\*/g)) expect({ row: row.id, short: m[1], defined: legend.has(m[1]) }).toEqual({ row: row.id, short: m[1], defined: true });
    }
  });

  it("names only component type tokens that a component registers", () => {
    for (const token of ticks(DOC).filter((t) => /^runbook:[a-z]+:[A-Za-z]+$/.test(t))) expect({ token, registered: tokenOf.has(token) }).toEqual({ token, registered: true });
  });

  it("names only repository paths that exist", () => {
    for (const row of rows) {
      for (const p of ticks(row.line).filter((t) => REPO_PATH.test(t))) expect({ row: row.id, path: p, exists: fs.existsSync(path.join(ROOT, p)) }).toEqual({ row: row.id, path: p, exists: true });
    }
  });

  it("names only stack config keys the schema declares", () => {
    const named = rows.flatMap((row) => configKeysOf(row.line).map((key) => ({ row: row.id, key })));
    expect(named.length).toBeGreaterThan(40);
    for (const { row, key } of named) expect({ row, key, declared: schemaAt(key.split(".")) !== undefined }).toEqual({ row, key, declared: true });
  });

  it("catches a key that does not exist (the check itself works)", () => {
    expect(configKeysOf("| 9.9 | x | implemented | **PG** `database.readReplicaCount: 2` | |")).toEqual(["database.readReplicaCount"]);
    expect(schemaAt(["database", "readReplicaCount"])).toBeUndefined();
    expect(schemaAt(["database", "readReplicas", "count"])).toBeDefined();
    expect(schemaAt(["application", "services", "minReplicas"])).toBeDefined();
  });

  it("summarises exactly the rows below it", () => {
    const count = (prefix: string, status: string) => rows.filter((r) => r.id.startsWith(prefix) && r.status.startsWith(status)).length;
    for (const [i, runbook] of RUNBOOKS.entries()) {
      const line = DOC.split("\n").find((l) => l.startsWith(`| ${runbook} `))!;
      const figures = line.split("|").slice(2, 8).map((c) => Number(c.trim()));
      const prefix = `${i + 1}.`;
      expect({ runbook, figures }).toEqual({ runbook, figures: [rows.filter((r) => r.id.startsWith(prefix)).length, ...STATUSES.map((s) => count(prefix, s))] });
    }
    const total = DOC.split("\n").find((l) => l.startsWith("| all four "))!;
    expect(total.split("|").slice(2, 8).map((c) => Number(c.trim()))).toEqual([rows.length, ...STATUSES.map((s) => rows.filter((r) => r.status.startsWith(s)).length)]);
  });

  it("keeps no missing row for something this issue set out to hold (read scaling, Kafka, cost review, operator Role, platform SLO, change windows)", () => {
    for (const id of ["1.17", "2.37", "3.3", "4.9", "4.14", "4.20"]) expect({ id, status: rows.find((r) => r.id === id)!.status }).not.toEqual({ id, status: "missing" });
  });
});
