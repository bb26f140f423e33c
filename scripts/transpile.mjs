// Transpiles the TypeScript sources to .build/ with esbuild (no type-check: that is `npm run build`).
// The offline preview and the policy runner run from there, so a run costs milliseconds, not a tsc pass.
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = ["index.ts", "core", "model", "components", "stacks", "policies", "preview", "scripts", "monitoring"];
const entryPoints = [];
function walk(path) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) if (entry !== "node_modules") walk(join(path, entry));
  } else if (path.endsWith(".ts") && !path.endsWith(".d.ts")) entryPoints.push(path);
}
for (const root of roots) {
  try { walk(root); } catch (error) { if (error.code !== "ENOENT") throw error; }
}
await build({ entryPoints, outdir: ".build", outbase: ".", format: "cjs", platform: "node", target: "node20", sourcemap: "external", logLevel: "warning" });
