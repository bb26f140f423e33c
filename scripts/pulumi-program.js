// The Pulumi program the CLI runs (Pulumi.yaml `main`, with the TypeScript loader off). The Node.js language
// host would otherwise register ts-node and type-check the whole project on every `pulumi preview`/`up`
// (about 8 s and 950 MB from a cold cache here); instead this transpiles what changed with esbuild
// (milliseconds) and loads the stack program from .build/. Type-checking stays in `npm run build` and CI.
"use strict";
const path = require("node:path");

require("./transpile.js").transpile(path.join(__dirname, ".."));
module.exports = require("../.build/stacks/main.js");
