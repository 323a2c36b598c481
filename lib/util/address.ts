/**
 * Network addresses as the whole program sees them: a host and a TCP port,
 * printed as `host:port` (IPv6 hosts in brackets) by exactly one function.
 * Hosts are compared in one canonical form, so `::1` and `0:0:0:0:0:0:0:1`
 * are one address everywhere.
 *
 * @module
 */

/** A TCP endpoint. `host` is an IPv4/IPv6 literal or a DNS name. */
export interface Address {
  /** IP literal or host name, without brackets. */
  readonly host: string;
  /** TCP port, 1-65535. */
  readonly port: number;
}

/**
 * Reports whether `host` is a dotted-quad IPv4 literal: four decimal parts
 * 0-255, no leading zeros, nothing else. A character loop, not a regular
 * expression: every decoded address is checked, and in a simulation of
 * 100,000 peers that is millions of checks.
 *
 * @example Usage
 * ```ts
 * import { isIPv4 } from "./address.ts";
 * isIPv4("10.0.0.7"); // true
 * isIPv4("10.0.0.07"); // false
 * ```
 */
export function isIPv4(host: string): boolean {
  const length = host.length;
  if (length < 7 || length > 15) return false;
  let parts = 0;
  let at = 0;
  while (at <= length) {
    let value = 0;
    let digits = 0;
    const first = host.charCodeAt(at);
    while (at < length) {
      const c = host.charCodeAt(at);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      digits++;
      at++;
    }
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && first === 48)) return false;
    parts++;
    if (at === length) return parts === 4;
    if (parts === 4 || host.charCodeAt(at) !== 46) return false;
    at++;
  }
  return false;
}
const HOSTNAME =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

// RFC 4291 text form: eight hex groups, one "::" standing for a run of zero
// groups, optionally ending in an embedded IPv4 address.
function isIPv6(host: string): boolean {
  let text = host;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (!isIPv4(tail)) return false;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => half === "" ? [] : half.split(":"));
  if (!groups.every((g) => HEX_GROUP.test(g))) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

// The eight 16-bit groups of a valid IPv6 literal, or undefined.
function ipv6Groups(host: string): number[] | undefined {
  if (!isIPv6(host)) return undefined;
  let text = host;
  const tail = text.slice(text.lastIndexOf(":") + 1);
  const words: number[] = [];
  if (tail.includes(".")) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    words.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, text.length - tail.length);
    if (text.endsWith(":") && !text.endsWith("::")) text = text.slice(0, -1);
  }
  const [head = "", rest] = text.split("::");
  const parse = (part: string) => part === "" ? [] : part.split(":").map((g) => parseInt(g, 16));
  const front = parse(head);
  const back = [...(rest === undefined ? [] : parse(rest)), ...words];
  const zeros = 8 - front.length - back.length;
  return [...front, ...Array<number>(Math.max(0, zeros)).fill(0), ...back];
}

// RFC 5952: lowercase, no leading zeros, the longest run (2+) of zero
// groups as "::" (the first of equal runs), IPv4-mapped ones dotted.
function formatIPv6(groups: readonly number[]): string {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.length).join(":")}`;
}

// Canonical forms of recent IPv6 hosts: formatting addresses is on the gossip path.
const canonicalCache = new Map<string, string>();

/**
 * The one spelling of a host that every comparison uses: an IPv6 literal in
 * RFC 5952 form (`0:0:0:0:0:0:0:1` and `::01` are `::1`), a DNS name in
 * lowercase. IPv4 literals are canonical already (leading zeros are not
 * valid). Anything that is not a valid host is returned unchanged.
 *
 * @example Usage
 * ```ts
 * import { canonicalHost } from "./address.ts";
 * canonicalHost("0:0:0:0:0:0:0:1"); // "::1"
 * canonicalHost("2001:DB8:0:0:1:0:0:1"); // "2001:db8::1:0:0:1"
 * canonicalHost("Seed-1.Example.org"); // "seed-1.example.org"
 * ```
 */
export function canonicalHost(host: string): string {
  if (!host.includes(":")) return hasUpperCase(host) ? host.toLowerCase() : host;
  const known = canonicalCache.get(host);
  if (known !== undefined) return known;
  const groups = ipv6Groups(host);
  const canonical = groups ? formatIPv6(groups) : host;
  if (canonicalCache.size >= 1024) canonicalCache.clear();
  canonicalCache.set(host, canonical);
  return canonical;
}

// A character loop: cheaper than a regular expression for strings this short.
function hasUpperCase(host: string): boolean {
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/**
 * Reports whether `host` is the unspecified address (`0.0.0.0`, `::` in any
 * spelling): fine to listen on, but no other node can dial it.
 *
 * @example Usage
 * ```ts
 * import { isUnspecifiedHost } from "./address.ts";
 * isUnspecifiedHost("0:0:0:0:0:0:0:0"); // true
 * isUnspecifiedHost("10.0.0.7"); // false
 * ```
 */
export function isUnspecifiedHost(host: string): boolean {
  const canonical = canonicalHost(host);
  return canonical === "0.0.0.0" || canonical === "::" || canonical === "::ffff:0.0.0.0";
}

/**
 * Reports whether `host` is an IPv4 literal, an IPv6 literal (no brackets)
 * or a syntactically valid DNS name.
 *
 * @example Usage
 * ```ts
 * import { isValidHost } from "./address.ts";
 * isValidHost("127.0.0.1"); // true
 * isValidHost("999.1.1.1"); // false
 * ```
 */
export function isValidHost(host: string): boolean {
  if (isIPv4(host)) return true;
  if (host.includes(":")) return isIPv6(host);
  // A name made only of digits and dots is a broken IPv4 literal, not a name.
  if (/^[\d.]+$/.test(host)) return false;
  return HOSTNAME.test(host);
}

/** Reports whether `port` is an integer in 1-65535. */
export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/**
 * Formats an address as `host:port`, bracketing IPv6 hosts, with the host in
 * canonical form ({@linkcode canonicalHost}): the result is the address's
 * identity, so two spellings of one endpoint give one string.
 *
 * @example Usage
 * ```ts
 * import { formatAddress } from "./address.ts";
 * formatAddress({ host: "127.0.0.1", port: 5000 }); // "127.0.0.1:5000"
 * formatAddress({ host: "0:0:0:0:0:0:0:1", port: 5000 }); // "[::1]:5000"
 * ```
 */
export function formatAddress(address: Address): string {
  const host = canonicalHost(address.host);
  return host.includes(":") ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}

/**
 * Formats a host the way it appears inside colon-separated protocol text
 * (canonical, IPv6 in brackets), e.g. in a Dead Node report.
 */
export function formatHost(host: string): string {
  const canonical = canonicalHost(host);
  return canonical.includes(":") ? `[${canonical}]` : canonical;
}

/**
 * Parses `host:port` (or `[v6]:port`), the host in canonical form. Returns
 * `undefined` for anything that is not a valid host and a port in 1-65535.
 *
 * @example Usage
 * ```ts
 * import { parseAddress } from "./address.ts";
 * parseAddress("127.0.0.1:5000"); // { host: "127.0.0.1", port: 5000 }
 * parseAddress("127.0.0.1"); // undefined
 * ```
 */
export function parseAddress(text: string): Address | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const host = match[1] ?? match[2] ?? "";
  // Brackets are for IPv6 only.
  if (match[1] !== undefined && !host.includes(":")) return undefined;
  const port = Number(match[3]);
  if (!isValidHost(host) || !isValidPort(port)) return undefined;
  return { host: canonicalHost(host), port };
}

/** Reports whether two addresses name the same endpoint (hosts compared in canonical form). */
export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && canonicalHost(a.host) === canonicalHost(b.host);
}
