/**
 * The door through which another seed's records (commits and syncs) enter
 * this seed's Peer List. A record is checked for what it says (no seed's
 * address, no stamp from the future) and, if it would change who is a
 * member, against this seed's own probe of the peer: added only if the
 * address answers as a peer, removed only if the probe fails for the peer's
 * reason. Records that change nothing pass straight through.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import type { MemberRecord } from "../protocol/membership_types.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import { addVerdict, type ChangeChecks, removeVerdict } from "./change_checks.ts";
import { compareVersions, type Membership } from "./membership.ts";
import { peerAddressProblem, type RecordContext, stampProblem } from "./record_check.ts";

/** What {@linkcode RecordGate} needs. */
export interface RecordGateOptions {
  membership: Membership;
  checks: ChangeChecks;
  records: RecordContext;
  skewMs: number;
  clock: Clock;
  log: EventLog;
  /** Applies a record that passed (and reports the change). */
  apply(record: MemberRecord): void;
}

/** Most probes the gate runs at once; a large sync waits its turn. */
const MAX_CHECKS = 32;
/** Most records waiting for a probe; beyond it they are dropped (the next sync brings them again). */
const MAX_WAITING = 8192;
/** A refused record is not probed again for this long (anti-entropy repeats it every few seconds). */
const REFUSED_TTL_MS = 60_000;

/** Checks other seeds' records before they are applied. */
export class RecordGate {
  readonly #options: RecordGateOptions;
  readonly #refused = new Map<string, { stamp: number; origin: string; until: number }>();
  readonly #waiting: Array<() => void> = [];
  #active = 0;

  /** Creates the gate. */
  constructor(options: RecordGateOptions) {
    this.#options = options;
  }

  /** Why `address` cannot be a peer's, or `undefined`. */
  addressProblem(address: Address): string | undefined {
    return peerAddressProblem(address, this.#options.records);
  }

  /**
   * True when this seed holds `record`'s version of its peer or a newer one:
   * admitting it could change nothing. A whole sync round (every twelfth,
   * docs/protocol.md section 12) repeats every record the other seed has,
   * nearly all of them held already; this spares each a probe-queue turn's
   * bookkeeping and a promise.
   */
  holds(record: MemberRecord): boolean {
    const current = this.#options.membership.get(formatAddress(record.address));
    return current !== undefined && compareVersions(record.version, current.version) <= 0;
  }

  /**
   * Checks `record` from seed `from` and applies it if it passes; resolves
   * when done. Only probes started at `since` or later count (for a commit,
   * when its proposal was seen; by default, now).
   */
  async admit(
    record: MemberRecord,
    source: "commit" | "sync",
    from: string,
    since = this.#options.clock.now(),
  ): Promise<void> {
    const o = this.#options;
    const key = formatAddress(record.address);
    const stamp = stampProblem(record.version.stamp, o.clock.now(), o.skewMs);
    if (stamp !== undefined) {
      o.log.emit({
        event: "stamp_rejected",
        remote: from,
        what: `${source} of ${key}`,
        detail: stamp,
      });
      return;
    }
    const address = this.addressProblem(record.address);
    if (address !== undefined) return this.#refuse(record, source, address);
    const change = this.#change(record);
    if (change === undefined) return o.apply(record);
    if (this.#refusedBefore(key, record)) return;
    if (!(await this.#turn())) return;
    try {
      const result = await o.checks.since(record.address, since);
      const verdict = change === "add" ? addVerdict(result) : removeVerdict(result);
      // The list may have moved on while the probe ran.
      if (this.#change(record) !== change) return o.apply(record);
      if (verdict.yes) return o.apply(record);
      this.#refuse(record, source, verdict.reason);
    } finally {
      this.#release();
    }
  }

  // The membership change `record` would make now, if any.
  #change(record: MemberRecord): "add" | "remove" | undefined {
    const current = this.#options.membership.get(formatAddress(record.address));
    if (current && compareVersions(record.version, current.version) <= 0) return undefined;
    const wasMember = current?.state === "member";
    const isMember = record.state === "member";
    return isMember && !wasMember ? "add" : !isMember && wasMember ? "remove" : undefined;
  }

  #refusedBefore(key: string, record: MemberRecord): boolean {
    const refused = this.#refused.get(key);
    if (!refused) return false;
    if (refused.until <= this.#options.clock.now()) {
      this.#refused.delete(key);
      return false;
    }
    return refused.stamp === record.version.stamp && refused.origin === record.version.origin;
  }

  #refuse(record: MemberRecord, source: "commit" | "sync", detail: string): void {
    const key = formatAddress(record.address);
    this.#refused.delete(key);
    this.#refused.set(key, {
      stamp: record.version.stamp,
      origin: record.version.origin,
      until: this.#options.clock.now() + REFUSED_TTL_MS,
    });
    if (this.#refused.size > MAX_WAITING) {
      const oldest = this.#refused.keys().next().value;
      if (oldest !== undefined) this.#refused.delete(oldest);
    }
    this.#options.log.emit({
      event: "change_refused",
      peer: key,
      change: record.state === "member" ? "add" : "remove",
      source,
      detail,
    });
  }

  // Waits for a probe slot; false if too many records are already waiting.
  #turn(): Promise<boolean> {
    if (this.#active < MAX_CHECKS) {
      this.#active++;
      return Promise.resolve(true);
    }
    if (this.#waiting.length >= MAX_WAITING) return Promise.resolve(false);
    return new Promise((resolve) => this.#waiting.push(() => resolve(true)));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active--;
  }
}
