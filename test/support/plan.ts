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
  /** Outputs of other stacks by name, answering `pulumi.StackReference`. @default {} */
  stackOutputs?: Record<string, Record<string, unknown>>;
}

/**
 * What a DR stack's saved plan answers a stack reference with (the outputs `stacks/edge.ts` and
 * `stacks/standby.ts` write), as the offline preview would read them: the default for any `<name>-dr`.
 */
export function drStackOutputs(stack: string, region = "us-west-2"): Record<string, unknown> {
  const name = `runbook-infra-${stack.split("/").pop()}-api`.slice(0, 32);
  return {
    edgeLoadBalancerDnsName: `${name}-1224386724.${region}.elb.amazonaws.com`,
    edgeLoadBalancerZoneId: "Z1H1FL5HABSF5",
    edgeLoadBalancerArn: `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/${name}/48faa8a4d60475e6`,
    edgeRegion: region,
    edgeSiteName: "dr.stockanalysis.com",
    standbyDatabase: "replica",
    drActive: false,
  };
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
    stackOutputs: async (stack) => {
      const found = options.stackOutputs?.[stack] ?? (stack.endsWith("-dr") ? drStackOutputs(stack) : undefined);
      if (!found) throw new Error(`test: no outputs for stack reference ${stack}`);
      return found;
    },
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
