import * as fs from "node:fs";
import * as path from "node:path";

/** The npm package name; the root of the package is the folder whose package.json carries it. */
export const PACKAGE_NAME = "runbook-infra";

/**
 * Reads a file shipped with the library (the backup scripts the CronJobs mount) by its path from the
 * package root. The root is found by walking up to the package.json named {@link PACKAGE_NAME}, so this
 * works from the TypeScript sources, from the transpiled copy in `.build/`, from the compiled `dist/`, and
 * from `node_modules/runbook-infra/` in a consumer's program (the `files` list ships `scripts/backup/`).
 */
export function readProjectFile(relativePath: string): string {
  return fs.readFileSync(path.join(projectRoot(), relativePath), "utf8");
}

let root: string | undefined;

/** The package root: the nearest folder above this module whose package.json is named {@link PACKAGE_NAME}. */
export function projectRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === PACKAGE_NAME) return (root = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${__dirname}`);
    dir = parent;
  }
}
