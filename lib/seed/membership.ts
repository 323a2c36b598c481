/**
 * A seed's Peer List as a replicated, versioned set.
 *
 * Every change (a peer added, a peer removed) is a record stamped with a
 * version; a seed keeps, for each peer, the record with the highest version.
 * Removed peers stay as tombstones for a while so an old "member" record
 * arriving late cannot bring them back. Merging two seeds' states is then
 * just "keep the newer record", in any order, any number of times: seeds
 * that missed a commit converge by exchanging snapshots.
 *
 * Versions are hybrid clocks: `max(last seen + 1, wall clock ms)` with the
 * issuing seed's node id as tie-break, so they grow across restarts.
 *
 * @module
 */

import type { InternPool } from "../node/intern_pool.ts";
import type { MemberRecord, Version } from "../protocol/membership_types.ts";
import { formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";

/** Orders versions; positive when `a` is newer. */
export function compareVersions(a: Version, b: Version): number {
  if (a.stamp !== b.stamp) return a.stamp - b.stamp;
  return a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0;
}

/** What {@linkcode Membership.apply} did. */
export type ApplyOutcome = "added" | "removed" | "updated" | "stale";

/** Options for {@linkcode Membership}. */
export interface MembershipOptions {
  /** How long tombstones are kept, in ms. @default {600000} */
  tombstoneTtlMs?: number;
  clock: Clock;
  /**
   * Shares records' addresses, keys and origins with the rest of the
   * process (every seed of a simulation holds every peer). @default {none}
   */
  pool?: InternPool;
}

/**
 * The versioned peer list.
 *
 * @example Usage
 * ```ts
 * import { Membership } from "./membership.ts";
 * const clock = { now: () => 1000, setTimeout: () => 0, clearTimeout() {} };
 * const list = new Membership({ clock });
 * const version = list.nextVersion("aaaa");
 * list.apply({ address: { host: "127.0.0.1", port: 6001 }, state: "member", version, degree: 0 });
 * list.size; // 1
 * ```
 */
export class Membership {
  #records = new Map<string, MemberRecord>();
  #removedAt = new Map<string, number>();
  #members = 0;
  // Members in arrays (swap-remove) so a uniform sample costs O(count), not
  // O(size). The records sit beside their keys so a draw reads one slot,
  // not a string and a hash table: at 100,000 members each of those is a
  // cache miss, and a seed draws 32 for every joiner.
  #memberKeys: string[] = [];
  #memberRecords: MemberRecord[] = [];
  #memberSlot = new Map<string, number>();
  // Keys in the order their records changed here, for delta sync: position
  // `i` is change number `#logBase + i`. Trimmed from the front as it grows.
  #changeLog: string[] = [];
  #logBase = 0;
  #lastStamp = 0;
  #tombstoneTtlMs: number;
  #clock: Clock;
  #pool: InternPool | undefined;

  /** Creates an empty list. */
  constructor(options: MembershipOptions) {
    this.#tombstoneTtlMs = options.tombstoneTtlMs ?? 600_000;
    this.#clock = options.clock;
    this.#pool = options.pool;
  }

  /** Number of current members. */
  get size(): number {
    return this.#members;
  }

  /** Reports whether `key` (`host:port`) is a current member. */
  isMember(key: string): boolean {
    return this.#records.get(key)?.state === "member";
  }

  /** The record for `key`, member or tombstone. */
  get(key: string): MemberRecord | undefined {
    return this.#records.get(key);
  }

  /** Current members, in insertion order. */
  members(): MemberRecord[] {
    return [...this.#records.values()].filter((r) => r.state === "member");
  }

  /** Current members but the one keyed `except` (if given), in insertion order (no key formatted). */
  membersExcept(except?: string): MemberRecord[] {
    const out: MemberRecord[] = [];
    for (const [key, record] of this.#records) {
      if (record.state === "member" && key !== except) out.push(record);
    }
    return out;
  }

  /** Every record, tombstones included: what a seed sends to sync another. */
  snapshot(): MemberRecord[] {
    this.#purge();
    return [...this.#records.values()];
  }

  /** How many record changes this list has applied: a mark for {@linkcode changedSince}. */
  get changeMark(): number {
    return this.#logBase + this.#changeLog.length;
  }

  /**
   * The current records of every peer whose record changed after `mark` (a
   * {@linkcode changeMark} taken earlier), or `undefined` when that history
   * was already trimmed (send the whole {@linkcode snapshot} instead).
   */
  changedSince(mark: number): MemberRecord[] | undefined {
    if (mark < this.#logBase) return undefined;
    const keys = new Set(this.#changeLog.slice(mark - this.#logBase));
    const records: MemberRecord[] = [];
    for (const key of keys) {
      const record = this.#records.get(key);
      if (record) records.push(record);
    }
    return records;
  }

  /** Notes a version seen elsewhere so later local versions exceed it. */
  observe(stamp: number): void {
    if (stamp > this.#lastStamp) this.#lastStamp = stamp;
  }

  /** The highest version stamp seen so far. */
  get lastStamp(): number {
    return this.#lastStamp;
  }

  /** A fresh version, newer than anything seen, issued by `origin`. */
  nextVersion(origin: string): Version {
    this.#lastStamp = Math.max(this.#lastStamp + 1, Math.floor(this.#clock.now()));
    return { stamp: this.#lastStamp, origin };
  }

  /** Merges a record: it replaces the current one only if its version is newer. */
  apply(record: MemberRecord): ApplyOutcome {
    const pool = this.#pool;
    const key = pool ? pool.key(record.address) : formatAddress(record.address);
    this.observe(record.version.stamp);
    const current = this.#records.get(key);
    if (current && compareVersions(record.version, current.version) <= 0) return "stale";
    const wasMember = current?.state === "member";
    const isMember = record.state === "member";
    // Degree is soft state: keep what this seed heard directly.
    const degree = current && isMember ? current.degree : record.degree;
    const kept: MemberRecord = pool
      ? {
        ...record,
        address: pool.address(record.address),
        version: { stamp: record.version.stamp, origin: pool.text(record.version.origin) },
        degree,
      }
      : { ...record, degree };
    this.#records.set(key, kept);
    if (isMember) this.#removedAt.delete(key);
    else this.#removedAt.set(key, this.#clock.now());
    this.#members += (isMember ? 1 : 0) - (wasMember ? 1 : 0);
    this.#changeLog.push(key);
    if (this.#changeLog.length > Math.max(1024, 2 * this.#records.size)) {
      const drop = this.#changeLog.length >> 1;
      this.#changeLog = this.#changeLog.slice(drop);
      this.#logBase += drop;
    }
    if (isMember && !wasMember) this.#addKey(key, kept);
    else if (!isMember && wasMember) this.#removeKey(key);
    else if (isMember) this.#memberRecords[this.#memberSlot.get(key) as number] = kept;
    if (isMember && !wasMember) return "added";
    if (!isMember && wasMember) return "removed";
    return "updated";
  }

  /**
   * Up to `count` distinct members drawn uniformly at random, without the
   * one keyed `except`. Costs O(count) whatever the list's size.
   */
  sample(count: number, rng: () => number, except?: string): MemberRecord[] {
    const records = this.#memberRecords;
    const picked: MemberRecord[] = [];
    // The left-out member by its slot: no key is compared per draw.
    const exceptSlot = except === undefined ? -1 : this.#memberSlot.get(except) ?? -1;
    const wanted = Math.min(count, records.length - (exceptSlot >= 0 ? 1 : 0));
    if (wanted <= 0) return picked;
    // Rejection sampling: the sample is far smaller than the list (the
    // caller uses this only above a threshold), so repeats are rare. The
    // slots drawn are few (a peer list's 32), so an array finds repeats
    // faster than a set.
    const seenFew: number[] = [];
    const seenMany = wanted > 64 ? new Set<number>() : undefined;
    while (picked.length < wanted) {
      const slot = Math.floor(rng() * records.length);
      if (seenMany ? seenMany.has(slot) : seenFew.includes(slot)) continue;
      if (seenMany) seenMany.add(slot);
      else seenFew.push(slot);
      if (slot !== exceptSlot) picked.push(records[slot] as MemberRecord);
    }
    return picked;
  }

  #addKey(key: string, record: MemberRecord): void {
    this.#memberSlot.set(key, this.#memberKeys.length);
    this.#memberKeys.push(key);
    this.#memberRecords.push(record);
  }

  #removeKey(key: string): void {
    const slot = this.#memberSlot.get(key);
    if (slot === undefined) return;
    const last = this.#memberKeys.pop() as string;
    const lastRecord = this.#memberRecords.pop() as MemberRecord;
    this.#memberSlot.delete(key);
    if (last !== key) {
      this.#memberKeys[slot] = last;
      this.#memberRecords[slot] = lastRecord;
      this.#memberSlot.set(last, slot);
    }
  }

  /** Updates a member's degree; false if `key` is not a member. */
  setDegree(key: string, degree: number): boolean {
    const current = this.#records.get(key);
    if (current?.state !== "member") return false;
    const updated = { ...current, degree };
    this.#records.set(key, updated);
    this.#memberRecords[this.#memberSlot.get(key) as number] = updated;
    return true;
  }

  #purge(): void {
    const cutoff = this.#clock.now() - this.#tombstoneTtlMs;
    for (const [key, at] of this.#removedAt) {
      if (at > cutoff) continue;
      this.#removedAt.delete(key);
      this.#records.delete(key);
    }
  }
}
