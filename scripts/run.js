// `npm run preview|policy|bench`: one Node process that transpiles what changed (esbuild, in-process) and runs
// the tool from .build/, instead of a transpile process followed by a second Node start.
"use strict";
const path = require("node:path");
const [, , entry, ...args] = process.argv;
require("./transpile.js").transpile(path.join(__dirname, ".."));
process.argv = [process.argv[0], path.join(__dirname, "..", ".build", `${entry}.js`), ...args];
// Run it as the main module (what `node file.js` does), so its `require.main === module` entry point fires.
require("node:module").runMain();
