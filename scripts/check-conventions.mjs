// Checks the component conventions the compiler cannot: one ComponentResource per file with a
// `runbook:<area>:<Name>` type token and registerOutputs, `parent` on every child resource, and a
// JSDoc line with `@default` (or "No default.") on every field of every exported *Args interface.
// Run by `npm run lint`; exits 1 listing each breach as file:line.
import ts from "typescript";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const problems = [];
const dir = process.argv[2] ?? "components";
// `--layers <root>` checks the import layers of the tree at <root> (default: this project, with `components`).
const layersAt = process.argv.indexOf("--layers") > 0 ? process.argv[process.argv.indexOf("--layers") + 1] : dir === "components" ? "." : undefined;
const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f));

for (const file of files) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const at = (node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const classes = [];

  const visit = (node) => {
    if (ts.isClassDeclaration(node) && node.heritageClauses?.some((h) => h.getText().includes("ComponentResource"))) classes.push(node);
    if (ts.isInterfaceDeclaration(node) && /Args$/.test(node.name.text)) {
      for (const member of node.members) {
        const docs = ts.getJSDocCommentsAndTags(member).map((d) => d.getText()).join(" ");
        if (!/@default|No default/.test(docs)) problems.push(`${at(member)}: ${node.name.text}.${member.name?.getText()} has no JSDoc with @default (or "No default.")`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  if (classes.length === 0) continue; // helper modules (project-file.ts) hold no component
  if (classes.length > 1) problems.push(`${file}: ${classes.length} components in one file; keep one per file`);
  for (const cls of classes) {
    const text = cls.getText();
    const token = text.match(/super\(\s*"([^"]+)"/)?.[1];
    if (!token || !/^runbook:[a-z]+:[A-Z][A-Za-z0-9]+$/.test(token)) problems.push(`${at(cls)}: type token ${token ?? "(none)"} is not runbook:<area>:<Name>`);
    if (!text.includes("registerOutputs(")) problems.push(`${at(cls)}: ${cls.name?.text} never calls registerOutputs`);
    const checkNew = (node) => {
      if (ts.isNewExpression(node) && /^(aws|k8s|random)\.|^[A-Z]\w+$/.test(node.expression.getText()) && !/Error$/.test(node.expression.getText())) {
        const isResource = (node.arguments?.length ?? 0) >= 2;
        const opts = node.arguments?.[2];
        const hasParent = opts && (!ts.isObjectLiteralExpression(opts) || opts.properties.some((p) => p.name?.getText() === "parent" || ts.isSpreadAssignment(p)));
        if (isResource && !hasParent) problems.push(`${at(node)}: new ${node.expression.getText()} without { parent: this }`);
      }
      ts.forEachChild(node, checkNew);
    };
    checkNew(cls);
  }
}

// Layers (README "Layout"): which folders each folder may import from. Components are leaves over the
// shared core; the config schema never sees components; nothing but the engine's own tools sees preview/.
const LAYERS = {
  core: ["core"],
  monitoring: ["core", "monitoring"],
  components: ["core", "monitoring", "components"],
  model: ["core", "monitoring", "model", "stacks/config"],
  "stacks/config": ["core", "monitoring", "stacks/config"],
  stacks: ["core", "monitoring", "model", "components", "stacks", "stacks/config"],
  policies: ["core", "monitoring", "model", "policies"],
};
// Packages the shipped layers may use at run time (the package's dependencies and peers); zod and yaml
// belong to the stack program's config layer, not to what consumers install. luxon comes with cron-parser
// (its own dependency); core/change-windows.ts uses it for time zones.
const SHIPPED_PACKAGES = /^(@pulumi\/(pulumi|aws|kubernetes|random)(\/.*)?|cron-parser|luxon|yaml|@prometheus-io\/lezer-promql|node:.*)$/;
const SHIPPED = new Set(["core", "monitoring", "components"]);
const layerOf = (file) => (file.startsWith("stacks/config/") ? "stacks/config" : file.split("/")[0]);
function walkTs(folder) {
  const out = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) { if (entry.name !== "node_modules") out.push(...walkTs(path)); }
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}
if (layersAt !== undefined) {
  for (const folder of Object.keys(LAYERS).filter((l) => !l.includes("/"))) {
    let files;
    try { files = walkTs(join(layersAt, folder)).map((f) => relative(layersAt, f).replace(/\\/g, "/")); } catch { continue; }
    for (const file of files) {
      const layer = layerOf(file);
      const text = readFileSync(join(layersAt, file), "utf8");
      for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"|require\("([^"]+)"\)/g)) {
        const spec = match[1] ?? match[2];
        if (spec.startsWith(".")) {
          const target = join(file, "..", spec).replace(/\\/g, "/");
          const targetLayer = layerOf(target);
          if (!LAYERS[layer].includes(targetLayer)) problems.push(`${file}: imports ${spec} — ${layer}/ may import only from ${LAYERS[layer].join(", ")}`);
        } else if (SHIPPED.has(layer) && !SHIPPED_PACKAGES.test(spec)) {
          problems.push(`${file}: imports package ${spec} — ${layer}/ ships in the library and may use only @pulumi/*, cron-parser, luxon, yaml, lezer-promql and node:`);
        }
      }
    }
  }
}

if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`${problems.length} convention problem(s)`);
  process.exit(1);
}
console.log(`conventions: ${files.length} component files checked`);
