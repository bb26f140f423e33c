/** Config of the edge (`runbook-infra:edge`) and of a DR stack (`role: dr`): each rule rejects bad input in one line and accepts good input. */
import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile, LoadedStack } from "../preview/stack-files";

const root = path.join(__dirname, "..");
const production = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
const dr = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production-dr.yaml"));

type Raw = Record<string, string>;
function editKey(raw: Raw, key: string, edit: (value: any) => void): Raw {
  const value = raw[`runbook-infra:${key}`] === undefined ? undefined : JSON.parse(raw[`runbook-infra:${key}`]);
  const edited = edit(value) ?? value;
  return { ...raw, [`runbook-infra:${key}`]: JSON.stringify(edited) };
}
const parse = (stack: LoadedStack, raw: Raw = stack.config) => parseStackConfig(stack.stack, raw, new Set(stack.secretKeys));
const edit = (stack: () => LoadedStack, key: string, change: (value: any) => any) => () => {
  const s = stack();
  return parse(s, editKey(s.config, key, change));
};

describe("edge config: the default stacks", () => {
  it("publishes production's API on its own internet-facing load balancer, primary.stockanalysis.com being its site name", () => {
    expect(parse(production()).edge).toMatchObject({ siteName: "primary.stockanalysis.com", scheme: "internet-facing", allowedCidrs: ["0.0.0.0/0"], service: "stock-analysis-api", idleTimeoutSeconds: 60, backendProtocol: "HTTPS", issuer: "letsencrypt-production" });
  });

  it("makes production-dr a DR stack in us-west-2 serving dr.stockanalysis.com and, after failover, api.stockanalysis.com", () => {
    const config = parse(dr());
    expect(config).toMatchObject({ role: "dr", region: "us-west-2", environment: "production" });
    expect(config.edge).toMatchObject({ siteName: "dr.stockanalysis.com", hosts: ["api.stockanalysis.com"] });
    expect(config.dr).toMatchObject({ active: false, primaryStack: "production", primaryRegion: "us-east-1", standby: { database: "replica", nodes: 3, replicas: 2 } });
  });

  it("defaults to an internal load balancer with no stickiness", () => {
    const config = edit(production, "edge", (e) => ({ service: e.service, acmeEmail: e.acmeEmail }))();
    expect(config.edge).toMatchObject({ scheme: "internal", stickiness: { enabled: false, durationSeconds: 86400 }, idleTimeoutSeconds: 60 });
  });
});

describe("edge config: rejected values name the key, the value and what is allowed", () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["an internet-facing load balancer without allowed CIDRs", edit(production, "edge", (e) => void delete e.allowedCidrs), /^production: runbook-infra:edge\.allowedCidrs: \(missing\) — must be listed for an internet-facing load balancer/],
    ["0.0.0.0/0 on an internal load balancer", edit(production, "edge", (e) => void (e.scheme = "internal")), /edge\.allowedCidrs: \["0\.0\.0\.0\/0"\] — must not include 0\.0\.0\.0\/0 for an internal load balancer/],
    ["a site name outside the zone", edit(production, "edge", (e) => void (e.siteName = "primary.example.org")), /edge\.siteName: "primary\.example\.org" — must be inside the zone stockanalysis\.com/],
    ["an unknown service", edit(production, "edge", (e) => void (e.service = "payments")), /edge\.service: "payments" — must be one of application\.services: stock-analysis-api/],
    ["an idle timeout past 4000 s", edit(production, "edge", (e) => void (e.idleTimeoutSeconds = 4001)), /edge\.idleTimeoutSeconds: 4001 — must be an integer from 1 to 4000/],
    ["stickiness with a short idle timeout", edit(production, "edge", (e) => void Object.assign(e, { idleTimeoutSeconds: 30, stickiness: { enabled: true } })), /edge\.idleTimeoutSeconds: 30 — must be at least 60 with stickiness/],
    ["an unknown issuer", edit(production, "edge", (e) => void (e.issuer = "zerossl")), /edge\.issuer: "zerossl" — must be one of letsencrypt-staging, letsencrypt-production/],
    ["a DR stack that owns failover records", edit(dr, "dr", () => ({ enabled: false, rtoMinutes: 240, rpoMinutes: 60, records: { name: "api.stockanalysis.com" } })), /production-dr: runbook-infra:dr\.records: .* — must not be set in a DR stack/],
    ["a DR stack without an edge", () => { const s = dr(); const { ["runbook-infra:edge"]: _, ...raw } = s.config; return parse(s, raw); }, /production-dr: runbook-infra:edge: \(missing\) — must be set in a DR stack/],
  ];
  it.each(cases)("rejects %s", (_, run, error) => {
    expect(run).toThrow(error);
  });

  it("rejects an edge without an ACME e-mail anywhere", () => {
    const s = production();
    const { ["runbook-infra:monitoring"]: _, ...withoutMonitoring } = editKey(s.config, "edge", (e) => void delete e.acmeEmail);
    const raw = withoutMonitoring;
    expect(() => parse(s, raw)).toThrow(/edge\.acmeEmail: \(missing\) — must be set \(or set monitoring\.email\.to\)/);
  });
});

describe("edge config: accepted variants", () => {
  it("accepts WebSocket settings (runbook 002): an hour's idle timeout, a day's cookie and a 5-minute drain", () => {
    const config = edit(production, "edge", (e) => void Object.assign(e, { idleTimeoutSeconds: 3600, stickiness: { enabled: true, durationSeconds: 86400 }, deregistrationDelaySeconds: 300 }))();
    expect(config.edge).toMatchObject({ idleTimeoutSeconds: 3600, stickiness: { enabled: true, durationSeconds: 86400 }, deregistrationDelaySeconds: 300 });
  });

  it("accepts an internal load balancer limited to the VPC, and the ACME e-mail from monitoring", () => {
    const config = edit(production, "edge", (e) => void Object.assign(e, { scheme: "internal", allowedCidrs: ["10.0.0.0/16"], acmeEmail: undefined }))();
    expect(config.edge).toMatchObject({ scheme: "internal", allowedCidrs: ["10.0.0.0/16"] });
  });
});
