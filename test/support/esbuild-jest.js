// Jest transformer: esbuild strips types (milliseconds per file); `npm run build` does the type-check.
const { transformSync } = require("esbuild");
module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { loader: "ts", format: "cjs", target: "node20", sourcemap: "both", sourcefile: filename });
    return { code, map };
  },
};
