/**
 * Test harness: runs a program (a component, or the whole stack) under the same mock runtime and
 * recorder as the offline preview, and gives the tests the recorded plan to assert on.
 */
import { runProgram, PlannedResource } from "../../preview/engine";

export interface TestPlan {
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  /** All resources of a type token, e.g. "aws:ec2/subnet:Subnet". */
  ofType(type: string): PlannedResource[];
  /** The single resource of a type (optionally whose name contains `nameIncludes`); throws otherwise. */
  one(type: string, nameIncludes?: string): PlannedResource;
}

export interface PlanOptions {
  stack?: string;
  project?: string;
  region?: string;
  config?: Record<string, string>;
  secretKeys?: string[];
}

export async function planOf(program: () => unknown, options: PlanOptions = {}): Promise<TestPlan> {
  const region = options.region ?? "us-east-1";
  const { resources, outputs } = await runProgram({
    project: options.project ?? "runbook-infra",
    stack: options.stack ?? "test",
    config: { "aws:region": region, ...(options.config ?? {}) },
    secretKeys: options.secretKeys ?? [],
    region,
    program,
  });
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    resources,
    outputs,
    ofType,
    one(type, nameIncludes) {
      const matches = ofType(type).filter((r) => nameIncludes === undefined || r.name.includes(nameIncludes));
      if (matches.length !== 1) throw new Error(`expected one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${matches.length}: ${matches.map((m) => m.name).join(", ")}`);
      return matches[0];
    },
  };
}
