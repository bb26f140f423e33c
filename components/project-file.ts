import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Reads a file shipped with the library (scripts, dashboards) by its path from the project root. The
 * root is found by walking up to `Pulumi.yaml`, so this works from the TypeScript sources (`pulumi up`)
 * and from the transpiled copy in `.build/` that the offline preview runs.
 */
export function readProjectFile(relativePath: string): string {
  return fs.readFileSync(path.join(projectRoot(), relativePath), "utf8");
}

/** The project directory: the nearest folder above this module that holds `Pulumi.yaml`. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find Pulumi.yaml above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
