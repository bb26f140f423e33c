/**
 * The pure rules behind issue 16's config hardening (core/): CIDR coverage, AWS tag rules, string
 * bounds and escaping, reserved RBAC groups, restore-safe database names. Each rule: bad input
 * refused, good input accepted. The plan-level checks (tag counts on real resources) are in
 * test/tags.test.ts; the config-level ones in test/config-fuzz.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { coveredAddresses, coversInternet, hasHostBits, internetExposure, isNetworkCidr, networkOf, overlaps, cidrRange as parseCidr, publicIpv4Addresses } from "../core/cidr";
import { MAX_USER_TAGS, tagKeyProblem, tagValueProblem } from "../core/tags";
import { configStringProblem, escapeText, EMAIL_ADDRESS, HTTPS_URL, showPath, showValue, SMTP_USERNAME } from "../core/text";
import { groupProblem, isReservedGroup } from "../core/rbac";
import { DATABASE_NAME, DATABASE_NAME_MAX, defaultRestoreTarget } from "../core/database-names";

describe("core/cidr: blocks judged by what they cover", () => {
  it("parses IPv4 and IPv6 blocks and refuses what is not one", () => {
    expect(parseCidr("10.0.0.0/16")).toMatchObject({ family: 4, prefix: 16, start: 0x0a000000n, end: 0x0a00ffffn });
    expect(parseCidr("2001:db8::/32")).toMatchObject({ family: 6, prefix: 32 });
    for (const bad of ["10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", "010.0.0.0/8", "10.0.0.0/08", " 10.0.0.0/8", "10.0.0.0/8\n", "::/129", "a.b.c.d/8"]) expect(parseCidr(bad)).toBeUndefined();
  });

  it("refuses host bits and names the network meant", () => {
    expect(hasHostBits("10.0.5.7/16")).toBe(true);
    expect(networkOf("10.0.5.7/16")).toBe("10.0.0.0/16");
    expect(isNetworkCidr("10.0.5.7/16")).toBe(false);
    expect(isNetworkCidr("10.0.0.0/16")).toBe(true);
    expect(isNetworkCidr("2001:db8::1/32")).toBe(false);
    expect(isNetworkCidr("2001:db8::/32", 6)).toBe(true);
    expect(isNetworkCidr("2001:db8::/32", 4)).toBe(false);
  });

  it("counts overlapping blocks once and sees the internet in pieces", () => {
    expect(coveredAddresses(["10.0.0.0/16", "10.0.128.0/17", "10.1.0.0/16"])).toBe(2n * 65536n);
    expect(coversInternet(["0.0.0.0/1", "128.0.0.0/1"])).toBe(true);
    expect(coversInternet(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"])).toBe(true);
    expect(coversInternet(["0.0.0.0/1", "128.0.0.0/2"])).toBe(false);
    expect(coversInternet(["::/1", "8000::/1"])).toBe(true);
    expect(overlaps("10.0.0.0/8", "10.20.0.0/16")).toBe(true);
    expect(overlaps("10.0.0.0/16", "10.1.0.0/16")).toBe(false);
  });

  it("does not count private ranges as public exposure", () => {
    expect(publicIpv4Addresses(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])).toBe(0n);
    expect(publicIpv4Addresses(["203.0.113.0/24"])).toBe(256n);
    expect(internetExposure(["10.0.0.0/8", "203.0.113.0/24"])).toBeUndefined();
    expect(internetExposure(["1.0.0.0/8"])).toBeUndefined(); // exactly a /8: the limit
    expect(internetExposure(["1.0.0.0/8", "2.0.0.0/24"])).toMatch(/more than a \/8/);
    expect(internetExposure(["0.0.0.0/0"])).toMatch(/whole internet/);
  });
});

describe("core/tags: AWS tag rules", () => {
  it("refuses keys AWS or the stack would refuse or overwrite", () => {
    expect(tagKeyProblem("k".repeat(129))).toMatch(/1 to 128/);
    expect(tagKeyProblem("")).toMatch(/1 to 128/);
    expect(tagKeyProblem("aws:cloudformation:stack")).toMatch(/reserved for AWS/);
    expect(tagKeyProblem("Aws:x")).toMatch(/reserved for AWS/);
    expect(tagKeyProblem("cost#center")).toMatch(/AWS tag characters/);
    expect(tagKeyProblem(" owner")).toMatch(/start or end with a space/);
    expect(tagKeyProblem("stack")).toMatch(/set by the stack/);
    expect(tagKeyProblem("k8s.io/cluster-autoscaler/x")).toMatch(/set by the components/);
  });

  it("accepts what AWS accepts, counting characters not bytes", () => {
    for (const key of ["cost-center", "team:owner", "a/b=c+d@e_f.g", "Kostenstelle Zürich", "k".repeat(128)]) expect(tagKeyProblem(key)).toBeUndefined();
    expect(tagValueProblem("")).toBeUndefined();
    expect(tagValueProblem("é".repeat(256))).toBeUndefined(); // 512 bytes, 256 characters
    expect(tagValueProblem("é".repeat(257))).toMatch(/at most 256/);
    expect(tagValueProblem("a\u0000b")).toMatch(/AWS tag characters/);
    expect(tagValueProblem("🚀")).toMatch(/AWS tag characters/);
    expect(MAX_USER_TAGS).toBe(42);
  });
});

describe("core/text: bounds and escaping", () => {
  it("refuses control characters and bidi overrides in any config string, and bounds its length", () => {
    for (const bad of ["a\nb", "a\tb", "a\u0000", "\u001b[31m", "a\u007f", "a\u0085", "a\u2028", "abc\u202egnp.exe"]) expect(configStringProblem(bad)).toMatch(/control characters/);
    expect(configStringProblem("x".repeat(2049))).toMatch(/at most 2048/);
    expect(configStringProblem("Zürich – ops@example.com")).toBeUndefined();
  });

  it("shows values escaped, cut, and non-finite numbers as such", () => {
    expect(showValue(Infinity)).toBe("Infinity");
    expect(showValue({ a: -Infinity, b: NaN })).toBe('{"a":-Infinity,"b":NaN}');
    expect(showValue("\u001b[2J")).toBe('"\\u001b[2J"');
    expect(showValue("a\u202eb")).toBe('"a\\u202eb"');
    expect(showValue("x".repeat(20_000_000)).length).toBe(80);
    expect(showValue(undefined)).toBe("(missing)");
    expect(escapeText("a\nb\u001b", 80)).toBe("a\\nb\\x1b");
    expect(escapeText("abcdef", 3)).toBe("abc...");
  });

  it("shows key paths with odd keys quoted and escaped", () => {
    expect(showPath(["database", "name"])).toBe("database.name");
    expect(showPath(["tags", "kubernetes.io/role"])).toBe('tags["kubernetes.io/role"]');
    expect(showPath(["services", 0, "name"])).toBe("services[0].name");
    expect(showPath(["tags", "\u001b[31m"])).toBe('tags["\\x1b[31m"]');
  });

  it("keeps URLs, SMTP user names and addresses to characters that cannot inject", () => {
    expect(HTTPS_URL.test("https://runbooks.example.com/ops.md")).toBe(true);
    expect(HTTPS_URL.test("https://runbooks.example.com:8443/a/b?x=1&y=%20")).toBe(true);
    for (const bad of ["http://x.com", "https://x.com/{{ .Labels }}", 'https://x.com/"', "https://x.com/a b", "https://x.com/#frag", "https://x.com/a\\b"]) expect(HTTPS_URL.test(bad)).toBe(false);
    expect(SMTP_USERNAME.test("alertmanager")).toBe(true);
    expect(SMTP_USERNAME.test("ops@example.com")).toBe(true);
    expect(SMTP_USERNAME.test("CORP\\svc-alerts")).toBe(true);
    for (const bad of ['a"b', "a b", "a\nb", "a:b", ""]) expect(SMTP_USERNAME.test(bad)).toBe(false);
    expect(EMAIL_ADDRESS.test("ops@company.com")).toBe(true);
    for (const bad of ["a@b.com,c@d.com", "Ops <ops@x.com>", '"a"@x.com', "a@x", `${"a".repeat(65)}@x.com`]) expect(EMAIL_ADDRESS.test(bad)).toBe(false);
  });
});

describe("core/rbac: reserved groups", () => {
  it("refuses system: and eks: groups in any case, accepts the stack's own", () => {
    for (const group of ["system:authenticated", "system:masters", "System:Masters", "system:serviceaccounts", "eks:node-manager"]) {
      expect(isReservedGroup(group)).toBe(true);
      expect(groupProblem(group)).toMatch(/not starting with system: or eks:/);
    }
    for (const group of ["dr-operators", "stock-analysis-dr-operators", "sre:oncall", "ops@example.com"]) expect(groupProblem(group)).toBeUndefined();
    expect(groupProblem("has space")).toBeDefined();
  });
});

describe("core/database-names: what every consumer of database.name accepts", () => {
  // The restore job's own rule for its target, read from the script so the two cannot drift apart.
  const script = fs.readFileSync(path.join(__dirname, "..", "scripts", "backup", "pg-restore.sh"), "utf8");
  const targetRule = /\[\[ "\$TARGET" =~ (\S+) \]\]/.exec(script)?.[1];

  it("reads the restore job's target rule and default suffix from pg-restore.sh", () => {
    expect(targetRule).toBeDefined();
    expect(script).toMatch(/TARGET="\$\{PGDATABASE\}_restore_\$\(date -u \+%Y%m%d%H%M%S\)"/);
  });

  it("accepts only names whose default restore target the restore job accepts", () => {
    const restoreAccepts = new RegExp(targetRule!);
    const when = new Date("2026-11-30T02:00:00Z");
    const longest = `s${"_".repeat(DATABASE_NAME_MAX - 1)}`;
    for (const name of ["app", "stock_analysis", "intendly_production", longest]) {
      expect(DATABASE_NAME.test(name)).toBe(true);
      expect(defaultRestoreTarget(name, when)).toMatch(restoreAccepts);
    }
    for (const name of ["Stock_Analysis", `${longest}x`, "s".repeat(60), "1db", "_db", "stock-analysis"]) {
      expect(DATABASE_NAME.test(name)).toBe(false);
    }
    // The class: RDS would take these, the restore job would not.
    expect(defaultRestoreTarget("Stock_Analysis", when)).not.toMatch(restoreAccepts);
    expect(defaultRestoreTarget("s".repeat(60), when)).not.toMatch(restoreAccepts);
  });
});
