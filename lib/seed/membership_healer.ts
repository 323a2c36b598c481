/**
 * Membership that heals itself. Now and then a seed probes a few of its
 * members in turn and proposes the removal of any that does not answer
 * (through the usual majority, so one seed's view changes nothing on its
 * own). A removal that could not reach a majority, because seeds were down
 * or could not check, is kept and proposed again when a seed link comes
 * back, and at every re-check, until it is decided or the peer is gone.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { formatDeadReport } from "../protocol/dead_report.ts";
import { formatAddress } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import type { ProbeResult } from "../wire/probe.ts";
import type { Membership } from "./membership.ts";
import type { Decision, Removal } from "./registrar.ts";

/**
 * The next `count` keys after `after` in `keys`, wrapping around: a
 * round-robin that visits every key once per lap whatever the list's churn.
 *
 * @example Usage
 * ```ts
 * import { nextBatch } from "./membership_healer.ts";
 * nextBatch(["a", "b", "c", "d"], "b", 3); // ["c", "d", "a"]
 * nextBatch(["a", "b"], undefined, 5); // ["a", "b"]
 * ```
 */
export function nextBatch(
  keys: readonly string[],
  after: string | undefined,
  count: number,
): string[] {
  if (keys.length === 0 || count <= 0) return [];
  const sorted = [...keys].sort();
  let start = after === undefined ? 0 : sorted.findIndex((k) => k > after);
  if (start < 0) start = 0;
  const batch: string[] = [];
  for (let i = 0; i < Math.min(count, sorted.length); i++) {
    batch.push(sorted[(start + i) % sorted.length] as string);
  }
  return batch;
}

/** What {@linkcode MembershipHealer} needs. */
export interface MembershipHealerOptions {
  membership: Membership;
  /** Probes a member (shared with the votes' probes). */
  probe(peer: { host: string; port: number }): Promise<ProbeResult>;
  /** Proposes a removal through the seed majority. */
  propose(removal: Removal): Promise<Decision>;
  /** This seed's host, as the reporter in the Dead Node text of its own removals. */
  selfHost: string;
  intervalMs: number;
  batch: number;
  clock: Clock;
  log: EventLog;
}

/** Re-checks members and retries stalled removals. */
export class MembershipHealer {
  readonly #options: MembershipHealerOptions;
  readonly #stalled = new Map<string, Removal>();
  #cursor: string | undefined;
  #timer: TimerHandle | undefined;
  #running = false;

  /** Creates the healer; {@linkcode start} begins the re-checks. */
  constructor(options: MembershipHealerOptions) {
    this.#options = options;
  }

  /** Removals waiting for a majority, by peer. */
  get stalled(): string[] {
    return [...this.#stalled.keys()];
  }

  /** Starts the periodic re-checks. */
  start(): void {
    this.#running = true;
    this.#schedule();
  }

  /** Stops re-checking. */
  stop(): void {
    this.#running = false;
    this.#options.clock.clearTimeout(this.#timer);
  }

  /** Remembers a removal that lacked a majority, to retry it. */
  stall(removal: Removal): void {
    this.#stalled.set(formatAddress(removal.peer), removal);
  }

  /** Seeds came back: proposes every stalled removal again. */
  retryStalled(): void {
    for (const [key, removal] of this.#stalled) {
      this.#stalled.delete(key);
      if (!this.#options.membership.isMember(key)) continue;
      this.#spawn(this.#options.propose(removal));
    }
  }

  /** Probes the next batch of members; those that do not answer are proposed for removal. */
  async recheck(): Promise<void> {
    const o = this.#options;
    const keys = o.membership.members().map((r) => formatAddress(r.address));
    const batch = nextBatch(keys, this.#cursor, o.batch);
    this.#cursor = batch.at(-1) ?? this.#cursor;
    await Promise.all(batch.map(async (key) => {
      const record = o.membership.get(key);
      if (record?.state !== "member") return;
      const result = await o.probe(record.address);
      if (result.alive || !o.membership.isMember(key)) return;
      // A failure of this seed's own says nothing about the member.
      if (result.cause === "local") {
        o.log.emit({ event: "member_check_inconclusive", peer: key, detail: result.detail });
        return;
      }
      o.log.emit({ event: "member_unreachable", peer: key, detail: result.detail });
      const raw = formatDeadReport({
        dead: record.address,
        timestampMs: o.clock.now(),
        reporterHost: o.selfHost,
      });
      await o.propose({ op: "remove", peer: record.address, reason: "dead", raw });
    }));
  }

  #schedule(): void {
    if (!this.#running || this.#options.batch <= 0) return;
    this.#timer = this.#options.clock.setTimeout(() => {
      if (!this.#running) return;
      this.retryStalled();
      this.#spawn(this.recheck().finally(() => this.#schedule()));
    }, this.#options.intervalMs);
  }

  #spawn(task: Promise<unknown>): void {
    task.catch((error) =>
      this.#options.log.emit({ event: "internal_error", detail: errorText(error) })
    );
  }
}
