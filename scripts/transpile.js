// Transpiles the TypeScript sources to .build/ with esbuild (no type-check: that is `npm run build`), only
// the files that changed since the last run. The offline preview, the policy runner and the Pulumi program
// that the CLI runs (scripts/pulumi-program.js) all run from there, so a run costs milliseconds, not a tsc pass.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOTS = ["core", "components", "monitoring", "model", "stacks", "policies", "preview", "scripts"];

function sources(root, dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === "ENOENT") return out;
    throw error;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") sources(root, file, out);
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path.relative(root, file));
  }
  return out;
}

/** Transpiles what changed under `root` into `outdir` (default `<root>/.build`); returns the number of files written. */
function transpile(root = path.join(__dirname, ".."), outdir = path.join(root, ".build")) {
  const stale = [];
  for (const top of ROOTS) {
    for (const file of sources(root, path.join(root, top), [])) {
      const out = path.join(outdir, file.replace(/\.ts$/, ".js"));
      let fresh = false;
      try {
        fresh = fs.statSync(out).mtimeMs >= fs.statSync(path.join(root, file)).mtimeMs;
      } catch {
        fresh = false;
      }
      if (!fresh) stale.push(file);
    }
  }
  if (stale.length === 0) return 0;
  require("esbuild").buildSync({
    absWorkingDir: root,
    entryPoints: stale,
    outdir,
    outbase: ".",
    format: "cjs",
    platform: "node",
    target: "node22",
    sourcemap: "external",
    logLevel: "warning",
  });
  return stale.length;
}

module.exports = { transpile, ROOTS };
if (require.main === module) transpile();
