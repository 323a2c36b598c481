/**
 * A direct-mapped table of decoded addresses, looked up by their wire bytes
 * before any string is made. Every hello, peer list, commit and gossip
 * names addresses a node has decoded many times; a hit skips building the
 * host string, validating it, and the garbage of both, and hands back one
 * shared, frozen address. Private to `lib/wire`.
 *
 * Only ASCII hosts are kept: their UTF-8 bytes are their char codes, so a
 * byte-for-byte match means the same host.
 *
 * @module
 */

import type { Address } from "../util/address.ts";

/**
 * Decoded addresses by a hash of their host bytes and port. A collision
 * replaces the older entry: the table only ever saves work, never changes
 * what is decoded.
 *
 * @example Usage
 * ```ts
 * import { AddressCache } from "./_address_cache.ts";
 * const cache = new AddressCache(16);
 * const kept = cache.remember({ host: "10.0.0.1", port: 6000 });
 * const wire = new TextEncoder().encode("10.0.0.1");
 * cache.find(wire, 0, wire.length, 6000) === kept; // true
 * ```
 */
export class AddressCache {
  // One 32-byte row per slot: [0] the host's length + 1 (0: empty; LONG: the
  // host is in #longHosts), [1..2] the port, [4..31] the host's bytes. A
  // lookup then reads one row rather than a string, its characters and a
  // port array: at 100,000 peers each of those was a cache miss.
  #rows: Uint8Array;
  #longHosts: (string | undefined)[] | undefined;
  #addresses: (Address | undefined)[];
  #mask: number;

  /** A table of `slots` entries (rounded up to a power of two, at least 16). */
  constructor(slots: number) {
    let size = 16;
    while (size < slots) size *= 2;
    this.#rows = new Uint8Array(size * ROW_BYTES);
    this.#addresses = new Array(size).fill(undefined);
    this.#mask = size - 1;
  }

  /** Entries the table holds at most. */
  get slots(): number {
    return this.#mask + 1;
  }

  /**
   * The kept address whose host is `bytes[at, at + length)` and whose port is
   * `port`, or undefined.
   */
  find(bytes: Uint8Array, at: number, length: number, port: number): Address | undefined {
    let h = hashStart(port);
    for (let i = at; i < at + length; i++) h = Math.imul(h ^ (bytes[i] as number), 16777619);
    const slot = h & this.#mask;
    const rows = this.#rows;
    const row = slot * ROW_BYTES;
    if (rows[row + 1] !== port >>> 8 || rows[row + 2] !== (port & 0xff)) return undefined;
    const tag = rows[row] as number;
    if (tag === LONG) {
      const host = this.#longHosts?.[slot];
      if (host === undefined || host.length !== length) return undefined;
      for (let i = 0; i < length; i++) {
        if (host.charCodeAt(i) !== bytes[at + i]) return undefined;
      }
    } else {
      if (tag !== length + 1) return undefined;
      for (let i = 0; i < length; i++) {
        if (rows[row + HOST_AT + i] !== bytes[at + i]) return undefined;
      }
    }
    return this.#addresses[slot];
  }

  /**
   * Keeps a frozen copy of `address` (already validated) and returns it; a
   * host that is not all ASCII is not kept (returned as given).
   */
  remember(address: Address): Address {
    const host = address.host;
    const port = address.port;
    let h = hashStart(port);
    for (let i = 0; i < host.length; i++) {
      const c = host.charCodeAt(i);
      if (c > 0x7f) return address;
      h = Math.imul(h ^ c, 16777619);
    }
    const slot = h & this.#mask;
    const kept = Object.freeze({ host, port });
    const rows = this.#rows;
    const row = slot * ROW_BYTES;
    rows[row + 1] = port >>> 8;
    rows[row + 2] = port & 0xff;
    if (host.length <= ROW_BYTES - HOST_AT) {
      rows[row] = host.length + 1;
      for (let i = 0; i < host.length; i++) rows[row + HOST_AT + i] = host.charCodeAt(i);
      if (this.#longHosts) this.#longHosts[slot] = undefined;
    } else {
      rows[row] = LONG;
      (this.#longHosts ??= [])[slot] = host;
    }
    this.#addresses[slot] = kept;
    return kept;
  }
}

const ROW_BYTES = 32;
const HOST_AT = 4;
// A row tag no short host has (their tags are 1 to 29).
const LONG = 0xff;

// FNV-1a, seeded with the port's two bytes.
function hashStart(port: number): number {
  let h = Math.imul(2166136261 ^ (port >>> 8), 16777619);
  h = Math.imul(h ^ (port & 0xff), 16777619);
  return h;
}
