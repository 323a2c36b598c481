/**
 * Late joiners catching up: a peer that joins asks its first neighbour for
 * the gossip still in that neighbour's Message List (bounded by count and
 * age), and records what it did not have as first receipts, marked
 * `catchUp`. Caught-up messages are not forwarded: the rest of the network
 * has had them already.
 *
 * A neighbour that is itself still catching up answers once it is done, so
 * peers that join in a burst do not hand each other empty lists; but it
 * answers at once the very neighbour it is waiting on, or the two would
 * wait for each other until both timed out. An answer that brought nothing
 * new (most likely from another newcomer), or that came from a neighbour
 * known to be catching up itself (it asked this peer while this peer asked
 * it, so it had only what it heard since it joined), is followed by an ask
 * of the next neighbour, up to four asks: in a burst, several newcomers
 * link to each other first.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { formatAddress, parseAddress } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import type { FramedConnection } from "../wire/connection.ts";
import { type CatchUpItem, type CatchUpMessage, catchUpMessages } from "../wire/messages.ts";
import type { MessageList, MessageRecord } from "./message_list.ts";

/** How much history a late joiner asks for, and a neighbour hands out. */
export interface CatchUpLimits {
  /** Most messages in one catch-up (0 turns catching up off). */
  readonly maxMessages: number;
  /** Only messages first seen within this many ms. */
  readonly maxAgeMs: number;
}

/**
 * The Message List entries a catch-up hands out: those first seen within
 * `maxAgeMs` of `now`, the newest `maxMessages` of them, oldest first.
 *
 * @example Usage
 * ```ts
 * import { selectCatchUp } from "./catch_up.ts";
 * const entry = (firstSeen: number) => ({ text: `t${firstSeen}`, origin: "a:1", firstSeen, from: "self" });
 * selectCatchUp([entry(1), entry(50), entry(90), entry(95)], 100, { maxMessages: 2, maxAgeMs: 60 })
 *   .map((e) => e.firstSeen); // [90, 95]
 * ```
 */
export function selectCatchUp(
  entries: readonly MessageRecord[],
  now: number,
  limits: CatchUpLimits,
): MessageRecord[] {
  if (limits.maxMessages <= 0) return [];
  const cutoff = now - limits.maxAgeMs;
  const recent = entries.filter((e) => e.firstSeen >= cutoff);
  return recent.slice(Math.max(0, recent.length - limits.maxMessages));
}

/** What {@linkcode CatchUp} needs from its peer. */
export interface CatchUpOptions {
  messages: MessageList;
  log: EventLog;
  clock: Clock;
  limits: CatchUpLimits;
  /** Give up waiting for an answer after this long, in ms. */
  timeoutMs: number;
  /** The peer's neighbour links, oldest first: where a second ask goes. */
  neighbors?: () => readonly FramedConnection[];
}

/** Neighbours asked at most, while answers bring nothing new (as many as a joiner dials). */
const MAX_ASKS = 4;

/** Asks whose link closed before the answer that are made again, at most. */
const MAX_LOST_ASKS = 4;

/** One peer's catching up, and its answers to neighbours that ask. */
export class CatchUp {
  #options: CatchUpOptions;
  /** The neighbour asked, over which link, while its answer is awaited. */
  #asked:
    | {
      key: string;
      link: FramedConnection;
      received: number;
      timer: TimerHandle;
      /** It asked this peer too: a newcomer, whose answer may hold only part. */
      newcomer: boolean;
    }
    | undefined;
  /** Joined (or lost the link it asked over) with no link to ask: the next link is asked. */
  #pending = false;
  /** Requests that arrived while this peer was catching up itself. */
  #deferred: Array<{ neighbor: FramedConnection; limits: CatchUpLimits }> = [];
  /** Links already answered: one catch-up per link. */
  #answered = new WeakSet<FramedConnection>();
  /** Neighbours this peer ever asked: a late answer from one is ignored, not an error. */
  #everAsked = new Set<string>();
  #asks = 0;
  #lostAsks = 0;

  /** Creates the catch-up of one peer; nothing is sent until {@linkcode ask}. */
  constructor(options: CatchUpOptions) {
    this.#options = options;
  }

  /** Asks `neighbor` for recent messages (once, when joining). */
  ask(neighbor: FramedConnection): void {
    const { limits } = this.#options;
    if (limits.maxMessages <= 0 || this.#asked || this.#asks >= MAX_ASKS) return;
    this.#asks++;
    // A neighbour still catching up itself answers once it is done (up to
    // its own timeout), so wait for twice that.
    const timer = this.#options.clock.setTimeout(() => this.#done(), 2 * this.#options.timeoutMs);
    this.#asked = { key: neighbor.remoteKey, link: neighbor, received: 0, timer, newcomer: false };
    this.#everAsked.add(neighbor.remoteKey);
    neighbor.send({
      kind: "catch_up_request",
      maxMessages: Math.min(limits.maxMessages, 0xffff),
      maxAgeMs: Math.min(limits.maxAgeMs, 0xffff_ffff),
    });
  }

  /**
   * Starts catching up once joined: asks `first`, or, when the peer joined
   * with no neighbour (the first peer, or every candidate out of reach), the
   * first link that comes up later ({@linkcode linked}).
   */
  begin(first: FramedConnection | undefined): void {
    if (first) this.ask(first);
    else this.#pending = true;
  }

  /** Whether the next neighbour link that comes up is to be asked. */
  get waitingForLink(): boolean {
    return this.#pending;
  }

  /** A neighbour link came up: asked, if this peer still waits for a link to ask. */
  linked(neighbor: FramedConnection): void {
    if (!this.#pending) return;
    this.#pending = false;
    this.ask(neighbor);
  }

  /**
   * A neighbour link closed. When the ask went over it, its answer will not
   * come (two peers that dialled each other at once keep one of the two
   * links): the ask goes to another open link now, or to the next that
   * comes up, instead of waiting out the timeout.
   */
  closed(link: FramedConnection): void {
    const asked = this.#asked;
    if (asked?.link !== link) return;
    this.#asked = undefined;
    this.#options.clock.clearTimeout(asked.timer);
    // That ask never had its answer: it does not count, up to a bound (links that keep failing).
    if (this.#lostAsks++ < MAX_LOST_ASKS) this.#asks--;
    else this.#options.log.emit({ event: "catch_up", from: asked.key, messages: asked.received });
    if (this.#asks >= MAX_ASKS) {
      this.#answerDeferred();
      return;
    }
    const next = this.#options.neighbors?.().find((l) => !l.isClosed && l !== link);
    if (next) this.ask(next);
    else {
      this.#answerDeferred();
      this.#pending = true;
    }
  }

  /** A neighbour asks: answer at once, or once this peer's own catch-up is done. */
  onRequest(neighbor: FramedConnection, request: { maxMessages: number; maxAgeMs: number }): void {
    if (this.#answered.has(neighbor)) return;
    this.#answered.add(neighbor);
    const limits = {
      maxMessages: Math.min(request.maxMessages, this.#options.limits.maxMessages),
      maxAgeMs: Math.min(request.maxAgeMs, this.#options.limits.maxAgeMs),
    };
    // Held back until this peer has caught up, unless the asker is the one it waits on.
    const asked = this.#asked;
    if (asked && asked.key !== neighbor.remoteKey) {
      this.#deferred.push({ neighbor, limits });
      return;
    }
    // The one it waits on asked back: a newcomer, whose answer may hold only part.
    if (asked) asked.newcomer = true;
    this.#answer(neighbor, limits);
  }

  /**
   * Takes one part of the answer from neighbour `from`. Returns false when
   * nothing was ever asked of it (the caller treats that as a protocol
   * error); an answer that comes after this peer stopped waiting is ignored.
   */
  onAnswer(from: string, message: CatchUpMessage): boolean {
    const asked = this.#asked;
    if (asked?.key !== from) return this.#everAsked.has(from);
    for (const item of message.items) {
      const origin = formatAddress(item.origin);
      if (this.#options.messages.record(origin, item.text, from) === "duplicate") continue;
      asked.received++;
      this.#options.log.emit({
        event: "gossip_received",
        message: item.text,
        origin,
        from,
        catchUp: true,
      });
    }
    if (!message.more) this.#done();
    return true;
  }

  /** Stops waiting (the peer is stopping). */
  stop(): void {
    if (this.#asked) this.#options.clock.clearTimeout(this.#asked.timer);
    this.#asked = undefined;
    this.#pending = false;
    this.#deferred = [];
    this.#asks = MAX_ASKS;
  }

  #done(): void {
    const asked = this.#asked;
    if (!asked) return;
    this.#asked = undefined;
    this.#options.clock.clearTimeout(asked.timer);
    this.#options.log.emit({ event: "catch_up", from: asked.key, messages: asked.received });
    this.#answerDeferred();
    // News from a newcomer may be only what it heard since it joined: ask on.
    if (asked.received > 0 && !asked.newcomer) return;
    const next = this.#options.neighbors?.().find((link) =>
      !link.isClosed && !this.#everAsked.has(link.remoteKey)
    );
    if (next) this.ask(next);
  }

  #answerDeferred(): void {
    const waiting = this.#deferred;
    this.#deferred = [];
    for (const { neighbor, limits } of waiting) {
      if (!neighbor.isClosed) this.#answer(neighbor, limits);
    }
  }

  #answer(neighbor: FramedConnection, limits: CatchUpLimits): void {
    const entries = selectCatchUp(
      this.#options.messages.entries(),
      this.#options.clock.now(),
      limits,
    );
    const items: CatchUpItem[] = [];
    for (const entry of entries) {
      const origin = parseAddress(entry.origin);
      if (origin) items.push({ origin, text: entry.text });
    }
    for (const part of catchUpMessages(items)) neighbor.send(part);
  }
}
