import { parse } from "yaml";
import { syntheticStack } from "../scripts/bench";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile } from "../preview/stack-files";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

describe("npm run bench: synthetic stacks", () => {
  it.each([10, 200])("builds a valid stack with %i services, each with an HPA and an SLO", (count) => {
    const text = syntheticStack(count);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), `Pulumi.synthetic-${count}.yaml`);
    fs.writeFileSync(file, text);
    const stack = loadStackFile("runbook-infra", file);
    const config = parseStackConfig(stack.stack, stack.config, new Set(stack.secretKeys));
    expect(config.application!.services).toHaveLength(count);
    expect(config.application!.services.every((s) => s.maxReplicas! > s.minReplicas!)).toBe(true);
    expect(config.monitoring!.slo.services).toHaveLength(count);
    expect(parse(text).config["aws:region"]).toBe("us-east-1");
  });
});
