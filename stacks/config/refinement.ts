import type { StackConfig } from "./schema";

/** Reports one rejected value: its path under the project namespace, the value, and what is allowed. */
export type Report = (path: Array<string | number>, value: unknown, allowed: string) => void;

/** A check across keys (or depending on the environment), run after every key parsed on its own. */
export type Refinement = (config: StackConfig, report: Report) => void;
