/**
 * Stack files carry no credentials and no fake ciphertext (the real CLI would fail to decrypt it). The preview
 * gives the credentials a stack's routes need offline placeholder secrets; the real CLI path (the program's own
 * validation, without placeholders) refuses the same stack with the one-line `pulumi config set --secret` hint.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadStackFile } from "../preview/stack-files";
import { missingCredentials, parseStackConfig } from "../stacks/config/load";

const ROOT = path.join(__dirname, "..");
const stackFiles = [
  ...fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f)),
  ...fs.readdirSync(path.join(ROOT, "examples")).flatMap((d) => {
    const dir = path.join(ROOT, "examples", d);
    return fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => path.join("examples", d, f)) : [];
  }),
];

test.each(stackFiles)("%s holds no secure: value", (file) => {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  expect(text).not.toMatch(/^\s*secure:/m);
});

describe("offline placeholders for the credentials a stack needs", () => {
  const production = loadStackFile("runbook-infra", path.join(ROOT, "Pulumi.production.yaml"));

  it("supplies exactly the credentials production's routes need, as secrets", () => {
    expect(production.placeholders.sort()).toEqual(["runbook-infra:pagerdutyRoutingKey", "runbook-infra:slackWebhookUrl", "runbook-infra:smtpPassword"]);
    for (const key of production.placeholders) expect(production.secretKeys).toContain(key);
    expect(() => parseStackConfig("production", production.config, new Set(production.secretKeys))).not.toThrow();
  });

  it("without placeholders (the real CLI before `pulumi config set --secret`), the first missing one is one line naming the key", () => {
    const raw = { ...production.config };
    for (const key of production.placeholders) delete raw[key];
    const secrets = new Set(production.secretKeys.filter((k) => !production.placeholders.includes(k)));
    expect(() => parseStackConfig("production", raw, secrets)).toThrow(
      /^production: runbook-infra:pagerdutyRoutingKey: \(missing\) — must be set with pulumi config set --secret runbook-infra:pagerdutyRoutingKey: monitoring\.routing sends alerts to pagerduty$/,
    );
  });

  it("asks for smtpPassword only when the email route logs in (authUsername set)", () => {
    const raw = { ...production.config };
    for (const key of production.placeholders) delete raw[key];
    const monitoring = JSON.parse(raw["runbook-infra:monitoring"]);
    expect(missingCredentials("production", raw, new Set())).toContain("runbook-infra:smtpPassword");
    delete monitoring.email.authUsername;
    raw["runbook-infra:monitoring"] = JSON.stringify(monitoring);
    expect(missingCredentials("production", raw, new Set())).not.toContain("runbook-infra:smtpPassword");
  });

  it("supplies nothing for a credential the stack file does set as a secret", () => {
    const raw = { ...production.config };
    expect(missingCredentials("production", raw, new Set(production.secretKeys))).toEqual([]);
  });
});
