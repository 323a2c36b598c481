/**
 * Shares equal immutable values (addresses, their `host:port` keys, hellos,
 * short strings)
 * instead of keeping one decoded copy per place that holds them. Every peer
 * list, hello and membership record decodes its own address objects and
 * strings; in a simulation of 100,000 peers in one process the same few
 * hundred thousand addresses would otherwise be held millions of times.
 *
 * @module
 */

import { type Address, formatAddress } from "../util/address.ts";
import type { HelloMessage } from "../wire/messages.ts";

/** Options of an {@linkcode InternPool}. */
export interface InternPoolOptions {
  /**
   * Most distinct values kept of each kind; past it the pool starts over
   * (sharing is lost, never correctness), so a long-running node's pool
   * stays bounded. @default {65536}
   */
  maxEntries?: number;
}

/** An address shared through an {@linkcode InternPool}, with its `host:port` key. */
export interface SharedAddress {
  /** The shared address. */
  readonly address: Address;
  /** Its key, as {@linkcode formatAddress} gives it. */
  readonly key: string;
}

/**
 * A pool of canonical addresses, keys and hellos. Values handed out are
 * shared: never mutate them (their types are read-only).
 *
 * @example Usage
 * ```ts
 * import { InternPool } from "./intern_pool.ts";
 * const pool = new InternPool();
 * const a = pool.address({ host: "10.0.0.1", port: 6000 });
 * pool.address({ host: "10.0.0.1", port: 6000 }) === a; // true
 * pool.key(a); // "10.0.0.1:6000"
 * ```
 */
export class InternPool {
  readonly #max: number;
  #addresses = new Map<string, SharedAddress>();
  /** The last entry looked up by each spelling of a host: skips building the key. */
  #byHost = new Map<string, SharedAddress>();
  #hellos = new Map<string, HelloMessage>();
  #texts = new Map<string, string>();

  /** An empty pool. */
  constructor(options: InternPoolOptions = {}) {
    this.#max = options.maxEntries ?? 65_536;
  }

  /** Distinct addresses held now. */
  get size(): number {
    return this.#addresses.size;
  }

  /** The shared address equal to `address`, with its key. */
  shared(address: Address): SharedAddress {
    return this.#entry(address);
  }

  /** The shared address equal to `address`. */
  address(address: Address): Address {
    return this.#entry(address).address;
  }

  /** The shared `host:port` key of `address`. */
  key(address: Address): string {
    return this.#entry(address).key;
  }

  /** The shared hello equal to `hello` (its address shared too). */
  hello(hello: HelloMessage): HelloMessage {
    const entry = this.#entry(hello.address);
    const id = `${hello.role} ${hello.version} ${hello.nodeId} ${entry.key}`;
    let shared = this.#hellos.get(id);
    if (!shared) {
      if (this.#hellos.size >= this.#max) this.#hellos = new Map();
      shared = { ...hello, address: entry.address };
      this.#hellos.set(id, shared);
    }
    return shared;
  }

  /** The shared string equal to `text` (a node id, a version's origin...). */
  text(text: string): string {
    const shared = this.#texts.get(text);
    if (shared !== undefined) return shared;
    if (this.#texts.size >= this.#max) this.#texts = new Map();
    this.#texts.set(text, text);
    return text;
  }

  #entry(address: Address): SharedAddress {
    // Most hosts have one port (one node per host), so the host alone finds
    // the entry without formatting the key; a miss falls back to the key.
    const cached = this.#byHost.get(address.host);
    if (cached !== undefined && cached.address.port === address.port) return cached;
    const key = formatAddress(address);
    let entry = this.#addresses.get(key);
    if (!entry) {
      if (this.#addresses.size >= this.#max) this.#addresses = new Map();
      // A copy: the caller's object may be a mutable one of its own.
      entry = { address: { host: address.host, port: address.port }, key };
      this.#addresses.set(key, entry);
    }
    if (this.#byHost.size >= this.#max) this.#byHost = new Map();
    this.#byHost.set(address.host, entry);
    return entry;
  }
}
