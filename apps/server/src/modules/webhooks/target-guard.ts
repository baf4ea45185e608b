import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { invalid } from "../../lib/errors.ts";

/*
 * Webhook URLs are chosen by workspace admins, so without a guard they could make the server call
 * its own network (cloud metadata at 169.254.169.254, databases on 10.x, admin ports on localhost).
 * Only addresses ipaddr.js classifies as plain "unicast" are allowed; IPv4 embedded in IPv6
 * (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
 */

const rangeNames: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private address",
  linkLocal: "a link-local address",
  uniqueLocal: "a unique-local address",
  unspecified: "an unspecified address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  carrierGradeNat: "a carrier-grade NAT address",
  reserved: "a reserved address",
};

/** Why an address may not be a webhook target, or null when it is an ordinary public address. */
export function blockedReason(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return "not an IP address";
  }
  let prefix = "";
  const embedded = parsed.kind() === "ipv6" ? embeddedIPv4(parsed as ipaddr.IPv6) : null;
  if (embedded) {
    parsed = embedded;
    prefix = `the IPv6 form of ${parsed.toString()}, `;
  }
  const range = parsed.range();
  if (range === "unicast") return null;
  return prefix + (rangeNames[range] ?? `a special-purpose address (${range})`);
}

/**
 * The IPv4 address an IPv6 address carries, judged by its parsed bits rather than its spelling:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated but still routed by some
 * stacks), IPv4-translated (::ffff:0:a.b.c.d) and 6to4 (2002:aabb:ccdd::/48).
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = address.parts;
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const zeros = (from: number, to: number) => p.slice(from, to).every((part) => part === 0);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  // :: and ::1 are the unspecified and loopback addresses, not IPv4-compatible ones.
  if (zeros(0, 6) && (p[6] !== 0 || p[7]! > 1)) return v4(p[6]!, p[7]!);
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return v4(p[6]!, p[7]!);
  if (p[0] === 0x2002) return v4(p[1]!, p[2]!);
  return null;
}

/** Thrown when a target is refused for where it points; retrying will not help. */
export class TargetRefused extends Error {}

/** The host of a URL as an IP literal (brackets removed), or null when it is a name. */
function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return ipaddr.isValid(host) ? host : null;
}

/**
 * Checks a webhook URL when it is saved: http(s) only, no credentials, and no literal non-public
 * address. Names are resolved at delivery time instead, because their answers change.
 */
export function normalizeWebhookUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("url", "url must be an absolute URL such as https://example.com/hooks/keepwell");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalid("url", `url must use https or http (got "${url.protocol.replace(/:$/, "")}")`);
  }
  if (url.username || url.password) {
    throw invalid("url", "url must not contain a user name or password; verify the signature instead");
  }
  if (!url.hostname) throw invalid("url", "url must name a host");
  const address = literalAddress(url);
  if (address && !allowPrivate) {
    const reason = blockedReason(address);
    if (reason)
      throw invalid("url", `url points to ${address}, ${reason}; webhooks may only call public addresses`);
  }
  url.hash = "";
  return url.toString();
}

export interface ResolvedTarget {
  /** The host name to send in Host and TLS SNI. */
  hostname: string;
  /** The checked addresses; the connection is made to these and nothing else. */
  addresses: { address: string; family: 4 | 6 }[];
}

/**
 * Resolves the URL's host and checks every address it resolves to. A name that resolves to any
 * non-public address is refused outright rather than filtered, so a mixed answer cannot be used to
 * reach the inside half.
 */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<ResolvedTarget> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const literal = literalAddress(url);
  const addresses = literal
    ? [{ address: literal, family: (ipaddr.parse(literal).kind() === "ipv4" ? 4 : 6) as 4 | 6 }]
    : (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
        address: a.address,
        family: a.family as 4 | 6,
      }));
  if (addresses.length === 0) throw new Error(`${hostname} resolves to no address`);
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const reason = blockedReason(address);
      if (reason) {
        const subject = literal ? address : `${hostname} resolves to ${address}`;
        throw new TargetRefused(`${subject}, ${reason}; webhooks may only call public addresses`);
      }
    }
  }
  return { hostname, addresses };
}
