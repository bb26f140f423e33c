import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.join(__dirname, "..");
const check = (dir: string) => spawnSync(process.execPath, ["scripts/check-conventions.mjs", dir], { cwd: root, encoding: "utf8" });

describe("component conventions (npm run lint)", () => {
  it("accepts every component in components/", () => {
    const run = check("components");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("rejects a missing @default, a foreign type token, a child without parent, no registerOutputs and two components in a file", () => {
    const run = check("test/fixtures/bad-components");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/BadArgs\.size has no JSDoc with @default/);
    expect(run.stderr).toMatch(/type token custom:Bad is not runbook:<area>:<Name>/);
    expect(run.stderr).toMatch(/new aws\.s3\.Bucket without \{ parent: this \}/);
    expect(run.stderr).toMatch(/Bad never calls registerOutputs/);
    expect(run.stderr).toMatch(/2 components in one file/);
  });
});

describe("layers (npm run lint)", () => {
  it("accepts this project's imports: components are leaves over core/, the config schema never sees components, nothing imports preview/", () => {
    const run = spawnSync(process.execPath, ["scripts/check-conventions.mjs", "components", "--layers", "."], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("rejects a component importing stacks/ or preview/, the config schema importing a component, and zod in a shipped layer", () => {
    const fixture = "test/fixtures/bad-layers";
    const run = spawnSync(process.execPath, ["scripts/check-conventions.mjs", `${fixture}/components`, "--layers", fixture], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/components\/leaf\.ts: imports \.\.\/stacks\/config\/schema — components\/ may import only from core, monitoring, components/);
    expect(run.stderr).toMatch(/components\/leaf\.ts: imports \.\.\/preview\/engine/);
    expect(run.stderr).toMatch(/stacks\/config\/schema\.ts: imports \.\.\/\.\.\/components\/leaf — stacks\/config\/ may import only from core, monitoring, stacks\/config/);
    expect(run.stderr).toMatch(/core\/rule\.ts: imports package zod/);
    expect(run.stderr).not.toMatch(/monitoring\/ok\.ts/);
    expect(run.stderr).toMatch(/^4 convention problem\(s\)$/m);
  });
});

describe("config reference (docs/config-reference.md)", () => {
  it("is generated from the current schema", () => {
    const run = spawnSync(process.execPath, ["scripts/config-reference.mjs", "--check"], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
