/**
 * A seed catching up with the others, and staying caught up: it is ready
 * (serves peers) once every other seed of the config has sent its full
 * state, failed to be reached, or the ready timeout passed; and it asks
 * every linked seed for its state again every sync interval (anti-entropy).
 * Synced records go through the registrar's checks; a seed is ready only
 * once what it synced has been checked and applied.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import type { FramedConnection } from "../wire/connection.ts";
import type { MemberRecord, SyncStateMessage } from "../wire/messages.ts";
import type { Membership } from "./membership.ts";

/** What {@linkcode SeedSync} needs. */
export interface SeedSyncOptions {
  /** The other seeds of the config, as `host:port`. */
  others: readonly string[];
  membership: Membership;
  clock: Clock;
  log: EventLog;
  readyTimeoutMs: number;
  syncIntervalMs: number;
  /** Seeds with a verified link now. */
  connected(): string[];
  /** Sends to a seed over a verified link. */
  send(seedKey: string, message: { kind: "sync_request"; requestId: number }): void;
  /** Checks and applies one synced record; `undefined` when it changes nothing (already held). */
  admit(record: MemberRecord, from: string): Promise<void> | undefined;
}

/** Readiness and anti-entropy of one seed. */
export class SeedSync {
  readonly #options: SeedSyncOptions;
  readonly #awaiting: Set<string>;
  readonly #from: string[] = [];
  readonly #parts = new Map<FramedConnection, Promise<void>[]>();
  readonly #ready: Promise<void>;
  #markReady!: () => void;
  #isReady = false;
  #running = false;
  #syncTimer: TimerHandle | undefined;
  #readyTimer: TimerHandle | undefined;
  #requestId = 0;

  /** Creates the sync; {@linkcode start} begins it. */
  constructor(options: SeedSyncOptions) {
    this.#options = options;
    this.#awaiting = new Set(options.others);
    this.#ready = new Promise((resolve) => this.#markReady = resolve);
  }

  /** Resolves once the seed has caught up and serves peers. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** True once the seed has caught up and serves peers. */
  get isReady(): boolean {
    return this.#isReady;
  }

  /** Starts waiting to be ready, and the anti-entropy rounds. */
  start(): void {
    this.#running = true;
    if (this.#awaiting.size === 0) this.#becomeReady();
    else {
      this.#readyTimer = this.#options.clock.setTimeout(
        () => this.#becomeReady(),
        this.#options.readyTimeoutMs,
      );
    }
    this.#schedule();
  }

  /** Stops the rounds. */
  stop(): void {
    this.#running = false;
    this.#options.clock.clearTimeout(this.#syncTimer);
    this.#options.clock.clearTimeout(this.#readyTimer);
  }

  /** A fresh request id for a `sync_request`. */
  nextRequestId(): number {
    return ++this.#requestId;
  }

  /** A part of a seed's state arrived on `connection`. */
  onState(connection: FramedConnection, from: string, message: SyncStateMessage): void {
    const checks = this.#parts.get(connection) ?? [];
    for (const record of message.records) {
      const check = this.#options.admit(record, from);
      if (check !== undefined) checks.push(check);
    }
    if (message.more) {
      this.#parts.set(connection, checks);
      return;
    }
    this.#parts.delete(connection);
    Promise.all(checks).then(() => this.settled(from, true)).catch((error) =>
      this.#options.log.emit({ event: "internal_error", detail: errorText(error) })
    );
  }

  /** A seed link closed: its partial state is dropped. */
  closed(connection: FramedConnection): void {
    this.#parts.delete(connection);
  }

  /** A seed sent its full state (`synced`), or could not be reached. */
  settled(seedKey: string, synced = false): void {
    if (synced && !this.#from.includes(seedKey)) this.#from.push(seedKey);
    if (this.#awaiting.delete(seedKey) && this.#awaiting.size === 0) this.#becomeReady();
  }

  #becomeReady(): void {
    if (this.#isReady || !this.#running) return;
    this.#isReady = true;
    this.#options.clock.clearTimeout(this.#readyTimer);
    this.#options.log.emit({
      event: "synced",
      members: this.#options.membership.size,
      from: [...this.#from],
    });
    this.#markReady();
  }

  #schedule(): void {
    this.#syncTimer = this.#options.clock.setTimeout(() => {
      if (!this.#running) return;
      for (const key of this.#options.connected()) {
        this.#options.send(key, { kind: "sync_request", requestId: this.nextRequestId() });
      }
      this.#schedule();
    }, this.#options.syncIntervalMs);
  }
}
