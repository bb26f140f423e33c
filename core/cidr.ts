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
