import * as pulumi from "@pulumi/pulumi";
import { showValue } from "./text";

/**
 * A user error in stack config or component arguments. Extends `pulumi.RunError` so that the Pulumi
 * CLI prints the one-line message without a stack trace, as the offline preview does.
 * Shape: `<stack>: <key or Component.arg>: <value> — <what is allowed>`.
 */
export class ConfigError extends pulumi.RunError {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Renders a rejected value for an error line: escaped, cut, non-finite numbers as such (core/text.ts). */
export { showValue };

/** Throws the one-line error for a bad component argument (`Component.arg`). */
export function rejectArg(component: string, arg: string, value: unknown, allowed: string): never {
  throw new ConfigError(`${pulumi.getStack()}: ${component}.${arg}: ${showValue(value)} — ${allowed}`);
}
