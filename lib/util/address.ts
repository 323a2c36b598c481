/**
 * Network addresses as the whole program sees them: a host and a TCP port,
 * printed as `host:port` (IPv6 hosts in brackets) by exactly one function.
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

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
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
    if (!IPV4.test(tail)) return false;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => half === "" ? [] : half.split(":"));
  if (!groups.every((g) => HEX_GROUP.test(g))) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
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
  if (IPV4.test(host)) return true;
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
 * Formats an address as `host:port`, bracketing IPv6 hosts.
 *
 * @example Usage
 * ```ts
 * import { formatAddress } from "./address.ts";
 * formatAddress({ host: "127.0.0.1", port: 5000 }); // "127.0.0.1:5000"
 * formatAddress({ host: "::1", port: 5000 }); // "[::1]:5000"
 * ```
 */
export function formatAddress(address: Address): string {
  return address.host.includes(":")
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

/**
 * Formats a host the way it appears inside colon-separated protocol text
 * (IPv6 in brackets), e.g. in a Dead Node report.
 */
export function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Parses `host:port` (or `[v6]:port`). Returns `undefined` for anything that
 * is not a valid host and a port in 1-65535.
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
  return { host, port };
}

/** Reports whether two addresses name the same endpoint. */
export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && a.host === b.host;
}
