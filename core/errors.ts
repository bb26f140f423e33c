import * as pulumi from "@pulumi/pulumi";

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

/** Renders a rejected value for an error line: JSON, shortened, or "(missing)". */
export function showValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Throws the one-line error for a bad component argument (`Component.arg`). */
export function rejectArg(component: string, arg: string, value: unknown, allowed: string): never {
  throw new ConfigError(`${pulumi.getStack()}: ${component}.${arg}: ${showValue(value)} — ${allowed}`);
}
