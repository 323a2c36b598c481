/**
 * The Message List: which gossip messages this peer has already seen, so
 * each is forwarded once. Bounded in entries and in age, so memory stays
 * flat however long the node runs.
 *
 * @module
 */

import type { InternPool } from "../node/intern_pool.ts";
import type { Clock } from "../util/clock.ts";

/** What the list remembers about one message. */
export interface MessageRecord {
  /** The gossip text, `<unix ms>:<host>:<seq>`. */
  readonly text: string;
  /** The originating peer, `host:port`. */
  readonly origin: string;
  /** When this peer first saw it (Unix ms). */
  readonly firstSeen: number;
  /** The neighbour it first came from, or `"self"` if generated here. */
  readonly from: string;
}

/** Options for {@linkcode MessageList}. */
export interface MessageListOptions {
  /** Most entries kept; the oldest go first. @default {100000} */
  maxEntries?: number;
  /** Entries older than this (ms) are forgotten. @default {600000} */
  maxAgeMs?: number;
  /** Time source. */
  clock: Clock;
  /**
   * Shares entries' origins and texts with the other peers of this process
   * (in a simulation every peer remembers every flood). @default {none}
   */
  pool?: InternPool;
}

/**
 * 53-bit string hash (cyrb53). Collisions between distinct messages are
 * checked for on every hit, so they cost at most one extra forward.
 */
export function hashKey(origin: string, text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const mix = (c: number) => {
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  };
  for (let i = 0; i < origin.length; i++) mix(origin.charCodeAt(i));
  mix(10); // separator: ("a", "bc") and ("ab", "c") must differ
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Deduplicating message list keyed by a hash of origin and text.
 *
 * @example Usage
 * ```ts
 * import { MessageList } from "./message_list.ts";
 * const list = new MessageList({ clock: { now: () => 0, setTimeout: () => 0, clearTimeout() {} } });
 * list.record("127.0.0.1:6001", "1:127.0.0.1:1", "127.0.0.1:6002"); // "new"
 * list.record("127.0.0.1:6001", "1:127.0.0.1:1", "127.0.0.1:6003"); // "duplicate"
 * ```
 */
export class MessageList {
  #entries = new Map<number, MessageRecord>();
  #maxEntries: number;
  #maxAgeMs: number;
  #clock: Clock;
  #pool: InternPool | undefined;
  #duplicates = 0;
  /** When the oldest entry was first seen (Infinity when empty): most calls need not look further. */
  #oldest = Infinity;

  /** Creates an empty list. */
  constructor(options: MessageListOptions) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#maxAgeMs = options.maxAgeMs ?? 600_000;
    this.#clock = options.clock;
    this.#pool = options.pool;
  }

  /** Entries currently remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** Messages seen again after their first receipt. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Records a receipt; `"new"` means forward it, `"duplicate"` means drop it. */
  record(origin: string, text: string, from: string): "new" | "duplicate" {
    const now = this.#clock.now();
    // Forget expired entries first, so the answer never depends on whether
    // some other call happened to clean up in between.
    this.#evict(now);
    const key = hashKey(origin, text);
    const known = this.#entries.get(key);
    if (known && known.text === text && known.origin === origin) {
      this.#duplicates++;
      return "duplicate";
    }
    if (known) {
      this.#entries.delete(key); // a true hash collision: newest wins
      this.#oldest = this.#firstSeen();
    }
    if (this.#entries.size === 0) this.#oldest = now;
    const pool = this.#pool;
    this.#entries.set(
      key,
      pool
        ? { text: pool.text(text), origin: pool.text(origin), firstSeen: now, from }
        : { text, origin, firstSeen: now, from },
    );
    this.#evict(now);
    return "new";
  }

  /**
   * Reports whether a message is remembered, and if so counts this receipt
   * as a duplicate: what {@linkcode record} answers for a repeat, without
   * its other work.
   *
   * @example Usage
   * ```ts
   * import { MessageList } from "./message_list.ts";
   * const list = new MessageList({ clock: { now: () => 0, setTimeout: () => 0, clearTimeout() {} } });
   * list.repeated("10.0.0.1:6000", "1:10.0.0.1:1"); // false
   * list.record("10.0.0.1:6000", "1:10.0.0.1:1", "self");
   * list.repeated("10.0.0.1:6000", "1:10.0.0.1:1"); // true
   * list.duplicates; // 1
   * ```
   */
  repeated(origin: string, text: string): boolean {
    if (!this.has(origin, text)) return false;
    this.#duplicates++;
    return true;
  }

  /** Reports whether a message is remembered. */
  has(origin: string, text: string): boolean {
    this.#evict(this.#clock.now());
    const known = this.#entries.get(hashKey(origin, text));
    return known !== undefined && known.text === text && known.origin === origin;
  }

  /** Entries, oldest first. */
  entries(): MessageRecord[] {
    this.#evict(this.#clock.now());
    return [...this.#entries.values()];
  }

  // Insertion order is first-seen order, so the oldest entry is always first.
  // Called on every receipt, so the common case (nothing to forget) reads
  // two numbers and makes no iterator.
  #evict(now: number): void {
    const cutoff = now - this.#maxAgeMs;
    if (this.#entries.size <= this.#maxEntries && this.#oldest >= cutoff) return;
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && entry.firstSeen >= cutoff) break;
      this.#entries.delete(key);
    }
    this.#oldest = this.#firstSeen();
  }

  #firstSeen(): number {
    for (const entry of this.#entries.values()) return entry.firstSeen;
    return Infinity;
  }
}
