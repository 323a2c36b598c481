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
  #hosts: (string | undefined)[];
  #ports: Int32Array;
  #addresses: (Address | undefined)[];
  #mask: number;

  /** A table of `slots` entries (rounded up to a power of two, at least 16). */
  constructor(slots: number) {
    let size = 16;
    while (size < slots) size *= 2;
    this.#hosts = new Array(size).fill(undefined);
    this.#ports = new Int32Array(size);
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
    const host = this.#hosts[slot];
    if (host === undefined || host.length !== length || this.#ports[slot] !== port) {
      return undefined;
    }
    for (let i = 0; i < length; i++) {
      if (host.charCodeAt(i) !== bytes[at + i]) return undefined;
    }
    return this.#addresses[slot];
  }

  /**
   * Keeps a frozen copy of `address` (already validated) and returns it; a
   * host that is not all ASCII is not kept (returned as given).
   */
  remember(address: Address): Address {
    const host = address.host;
    let h = hashStart(address.port);
    for (let i = 0; i < host.length; i++) {
      const c = host.charCodeAt(i);
      if (c > 0x7f) return address;
      h = Math.imul(h ^ c, 16777619);
    }
    const slot = h & this.#mask;
    const kept = Object.freeze({ host, port: address.port });
    this.#hosts[slot] = host;
    this.#ports[slot] = address.port;
    this.#addresses[slot] = kept;
    return kept;
  }
}

// FNV-1a, seeded with the port's two bytes.
function hashStart(port: number): number {
  let h = Math.imul(2166136261 ^ (port >>> 8), 16777619);
  h = Math.imul(h ^ (port & 0xff), 16777619);
  return h;
}
