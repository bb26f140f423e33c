/**
 * The stack program's entry: `pulumi up` runs this module (through scripts/pulumi-program.js, see
 * Pulumi.yaml), and the offline preview runs the same `main()`. Stack outputs are the ones `main()`
 * returns. This is the only module of the project with a side effect on import; the library's entries
 * (`components/index.ts` and one per component) register nothing until a component is constructed.
 */
import { main } from "./program";

export = main();
