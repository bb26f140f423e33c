/**
 * The Pulumi program: `pulumi up` runs this file, and the offline preview runs the same `main()`.
 * Stack outputs are the ones `main()` returns.
 */
import { main } from "./stacks/program";

export = main();
