// Kept for `npm run transpile`: the work is in transpile.js (CommonJS, so the Pulumi program's launcher can use it too).
import { createRequire } from "node:module";
createRequire(import.meta.url)("./transpile.js").transpile();
