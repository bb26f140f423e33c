/**
 * CIDR blocks as on-call writes them into `security.blockedCidrs`: IPv4 or IPv6, with the address parsed
 * by Node's own `net` module (no home-grown IPv6 parser), the prefix in range, and no host bits set —
 * AWS WAF refuses "10.1.2.3/24" in an IP set, and an entry whose host bits are set is usually a typo
 * for a narrower block, so it is rejected with the network the user probably meant.
 */
import { isIPv4, isIPv6 } from "node:net";

export interface ParsedCidr {
  version: 4 | 6;
  /** Canonical text: lowercase, IPv6 compressed as written by the user is kept. */
  cidr: string;
  prefix: number;
}

export type CidrResult = { ok: true; value: ParsedCidr } | { ok: false; reason: string };

function ipv4Bits(address: string): bigint {
  return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Bits(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const bits = ipv4Bits(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(bits >> 16n).toString(16)}:${(bits & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...(tail !== undefined ? Array(missing).fill("0") : []), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part || "0", 16)), 0n);
}

function formatIpv4(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((bits >> shift) & 0xffn)).join(".");
}

function formatIpv6(bits: bigint): string {
  const parts = Array.from({ length: 8 }, (_, i) => ((bits >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (parts[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && parts[j] === "0") j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start < 0) return parts.join(":");
  return `${parts.slice(0, best.start).join(":")}::${parts.slice(best.start + best.len).join(":")}`;
}

/** Parses one CIDR block; `ok: false` carries the sentence the config error shows. */
export function parseCidr(text: unknown): CidrResult {
  if (typeof text !== "string") return { ok: false, reason: "must be a CIDR block such as 203.0.113.0/24 or 2001:db8::/32" };
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return { ok: false, reason: "must be a CIDR block with a prefix length, such as 203.0.113.7/32 or 2001:db8::/32" };
  const [, address, prefixText] = match;
  const prefix = Number(prefixText);
  const version = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (!version) return { ok: false, reason: "must be an IPv4 or IPv6 address with a prefix length, such as 203.0.113.7/32 or 2001:db8::/32" };
  const width = version === 4 ? 32 : 128;
  if (prefix < 1 || prefix > width) return { ok: false, reason: `must have an IPv${version} prefix length from 1 to ${width} (/0 would block everyone)` };
  const bits = version === 4 ? ipv4Bits(address) : ipv6Bits(address.toLowerCase());
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) {
    const network = bits & ~hostMask & ((1n << BigInt(width)) - 1n);
    const meant = `${version === 4 ? formatIpv4(network) : formatIpv6(network)}/${prefix}`;
    return { ok: false, reason: `has host bits set: the /${prefix} network is ${meant} (or use /${width} for one address)` };
  }
  return { ok: true, value: { version, cidr: `${address.toLowerCase()}/${prefix}`, prefix } };
}

// ---------------------------------------------------------------------------------------------
// Coverage: what a list of blocks lets in. Config rules (cluster.publicAccessCidrs, network.cidr) and
// policies (eks-endpoint-not-public, security-group-no-public-ingress) judge blocks by the addresses
// they cover, not by their spelling: `10.0.5.7/16` (host bits set) is not a network, and `0.0.0.0/1`
// + `128.0.0.0/1` is the whole IPv4 internet just as `0.0.0.0/0` is. The union of ranges is a few lines
// of BigInt interval maths that the common IP libraries (ip-address, ipaddr.js) do not offer.

/** A block as an address range. */
export interface Cidr {
  family: 4 | 6;
  /** First address of the block, as an integer. */
  start: bigint;
  /** Last address of the block, as an integer. */
  end: bigint;
  prefix: number;
  /** The block as written. */
  text: string;
}

const BITS = { 4: 32, 6: 128 } as const;

/** The range of "a.b.c.d/n" or an IPv6 "x::/n" (host bits masked; /0 allowed); undefined when it is not a CIDR block at all. Leading zeros are refused (ambiguous: octal to some tools). */
export function cidrRange(text: string): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^([0-9a-fA-F:.]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!match) return undefined;
  const [, address, prefixText] = match;
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (!family) return undefined;
  if (family === 4 && address.split(".").some((octet) => octet.length > 1 && octet.startsWith("0"))) return undefined;
  const prefix = Number(prefixText);
  const bits = BITS[family];
  if (prefix > bits) return undefined;
  const value = family === 4 ? ipv4Bits(address) : ipv6Bits(address);
  const size = 1n << BigInt(bits - prefix);
  const start = value - (value % size);
  return { family, start, end: start + size - 1n, prefix, text };
}

/** True when the address part has bits set below the prefix (`10.0.5.7/16`): AWS and most tools refuse or silently mask those. */
export function hasHostBits(text: string): boolean {
  const cidr = cidrRange(text);
  if (!cidr) return false;
  const address = text.split("/")[0];
  const value = cidr.family === 4 ? ipv4Bits(address) : ipv6Bits(address);
  return value !== cidr.start;
}

/** The network address a CIDR with host bits set stands for (`10.0.5.7/16` -> `10.0.0.0/16`), for messages. IPv4 only. */
export function networkOf(text: string): string | undefined {
  const cidr = cidrRange(text);
  if (!cidr || cidr.family !== 4) return undefined;
  const n = cidr.start;
  return `${[24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 0xffn)).join(".")}/${cidr.prefix}`;
}

/** A well-formed network block: parses, and no host bits are set. */
export function isNetworkCidr(text: string, family?: 4 | 6): boolean {
  const cidr = cidrRange(text);
  return !!cidr && (family === undefined || cidr.family === family) && !hasHostBits(text);
}

/** Merges the blocks of one family into sorted, non-overlapping, non-adjacent [start, end] ranges. */
export function mergeRanges(cidrs: readonly Cidr[]): Array<[bigint, bigint]> {
  const sorted = [...cidrs].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const { start, end } of sorted) {
    const last = out[out.length - 1];
    if (last && start <= last[1] + 1n) {
      if (end > last[1]) last[1] = end;
    } else out.push([start, end]);
  }
  return out;
}

/** How many addresses of `family` the blocks cover together (overlaps counted once). Unparseable entries are ignored. */
export function coveredAddresses(texts: readonly string[], family: 4 | 6 = 4): bigint {
  const cidrs = texts.map(cidrRange).filter((c): c is Cidr => !!c && c.family === family);
  return mergeRanges(cidrs).reduce((sum, [start, end]) => sum + (end - start + 1n), 0n);
}

/** Share (0..1) of the whole address space of `family` that the blocks cover together. */
export function coveredShare(texts: readonly string[], family: 4 | 6 = 4): number {
  const total = 1n << BigInt(BITS[family]);
  // Scaled to parts per billion first, so that the BigInt division keeps the precision a message needs.
  return Number((coveredAddresses(texts, family) * 1_000_000_000n) / total) / 1e9;
}

/** The blocks of either family that, together, cover that family's whole address space (the internet), or [] when they do not. */
export function internetCovering(texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    const total = 1n << BigInt(BITS[family]);
    if (coveredAddresses(texts, family) === total) out.push(...texts.filter((t) => cidrRange(t)?.family === family));
  }
  return out;
}

/** True when the blocks together cover all of IPv4 or all of IPv6. */
export function coversInternet(texts: readonly string[]): boolean {
  return internetCovering(texts).length > 0;
}

/** RFC 1918 / RFC 6598 / loopback / link-local ranges: addresses that are not reachable from the internet. */
const NON_PUBLIC_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"].map((t) => cidrRange(t)!);

/** How many public (internet-routable) IPv4 addresses the blocks cover together. */
export function publicIpv4Addresses(texts: readonly string[]): bigint {
  const ranges = mergeRanges(texts.map(cidrRange).filter((c): c is Cidr => !!c && c.family === 4));
  const privates = mergeRanges(NON_PUBLIC_V4);
  let total = 0n;
  for (const [start, end] of ranges) {
    let count = end - start + 1n;
    for (const [ps, pe] of privates) {
      const lo = start > ps ? start : ps;
      const hi = end < pe ? end : pe;
      if (lo <= hi) count -= hi - lo + 1n;
    }
    total += count;
  }
  return total;
}

/** True when two blocks share at least one address. */
export function overlaps(a: string, b: string): boolean {
  const x = cidrRange(a);
  const y = cidrRange(b);
  return !!x && !!y && x.family === y.family && x.start <= y.end && y.start <= x.end;
}

/** More public IPv4 addresses than one /8 is not "the office and the VPN": it is the internet in pieces. */
export const MAX_PUBLIC_IPV4 = 1n << 24n;
/** The IPv6 counterpart: more than 1/256 of the address space (a /8). */
const MAX_IPV6_SHARE = 1 / 256;

/**
 * Why a list of allowed source blocks amounts to the internet, or undefined. Judged by coverage: the
 * union of the blocks, overlaps counted once, private ranges not counted.
 */
export function internetExposure(texts: readonly string[]): string | undefined {
  const whole = internetCovering(texts);
  if (whole.length) return `together cover the whole internet (${whole.join(" + ")})`;
  const publicV4 = publicIpv4Addresses(texts);
  if (publicV4 > MAX_PUBLIC_IPV4) {
    const percent = (Number((publicV4 * 10000n) / (1n << 32n)) / 100).toFixed(2);
    return `cover ${publicV4} public IPv4 addresses (${percent} % of the internet; more than a /8)`;
  }
  const v6 = coveredShare(texts, 6);
  if (v6 > MAX_IPV6_SHARE) return `cover ${(v6 * 100).toFixed(2)} % of the IPv6 internet (more than a /8)`;
  return undefined;
}
