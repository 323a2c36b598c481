/**
 * Gossip: generating this peer's messages on a timer and flooding every
 * message seen for the first time to all neighbours but the one it came
 * from (and its origin). Relayed frames are forwarded as received, never
 * re-encoded. A message generated while the peer has no neighbour at all
 * (the first peer of a network, or one whose links all broke) is held and
 * sent to the first neighbour that links, which floods it as usual: sent to
 * nobody, it would be lost for every peer that had already joined.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import type { Rng } from "../util/random.ts";
import { type Frame, FRAME_HEADER_BYTES } from "../wire/frame.ts";
import { encodeMessage, type GossipMessage, MessageType } from "../wire/messages.ts";
import { formatGossipText, isGossipText } from "../protocol/gossip_text.ts";
import { type RateLimit, TokenBucket } from "../util/token_bucket.ts";
import type { MessageList } from "./message_list.ts";
import type { NeighborTable } from "./neighbors.ts";

/** What {@linkcode Gossip} needs. */
export interface GossipOptions {
  self: Address;
  messages: MessageList;
  neighbors: NeighborTable;
  log: EventLog;
  clock: Clock;
  /** Spreads the first message's timing. */
  rng: Rng;
  intervalMs: number;
  count: number;
  /** New messages accepted from one neighbour; more are dropped unforwarded. */
  ratePerLink: RateLimit;
}

/** How many messages generated with no neighbour are held; older ones are dropped. */
export const MAX_HELD_MESSAGES = 64;

/** What became of a received gossip frame. */
export type GossipReceipt =
  /** First receipt: forwarded and logged. */
  | "new"
  /** Seen before: counted only. */
  | "duplicate"
  /** Over the sender's rate: dropped, neither forwarded nor logged. */
  | "dropped"
  /** Over the sender's rate for a whole burst's worth of messages: a flood. */
  | "flood"
  /** Not a gossip text: the sender broke the protocol. */
  | "invalid";

/** Generates and relays gossip. */
export class Gossip {
  #options: GossipOptions;
  #selfKey: string;
  #seq = 0;
  #timer: TimerHandle | undefined;
  #running = false;
  #links = new Map<string, { bucket: TokenBucket; dropped: number }>();
  /** Payloads generated while no neighbour was linked, oldest first. */
  #held: Uint8Array[] = [];

  /** Creates the engine; {@linkcode start} begins generating. */
  constructor(options: GossipOptions) {
    this.#options = options;
    this.#selfKey = formatAddress(options.self);
  }

  /** Generates a message every interval until `count` are out. */
  start(): void {
    this.#running = true;
    this.#schedule();
  }

  /** Stops generating. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (!this.#running || this.#seq >= this.#options.count) return;
    // The first message comes after a random 0.5-1.5 intervals, the rest
    // exactly one interval apart. Peers that join together would otherwise
    // stay phase-locked and flood all at once, every interval.
    const delay = this.#seq === 0
      ? this.#options.intervalMs * (0.5 + this.#options.rng())
      : this.#options.intervalMs;
    this.#timer = this.#options.clock.setTimeout(() => {
      this.generate();
      this.#schedule();
    }, delay);
  }

  /** Creates one message now and sends it to every neighbour. */
  generate(): void {
    const seq = ++this.#seq;
    const text = formatGossipText(this.#options.clock.now(), this.#options.self.host, seq);
    this.#options.messages.record(this.#selfKey, text, "self");
    this.#options.log.emit({
      event: "gossip_generated",
      message: text,
      origin: this.#selfKey,
      seq,
    });
    const frame = encodeMessage({ kind: "gossip", origin: this.#options.self, text });
    const payload = frame.subarray(FRAME_HEADER_BYTES);
    const neighbors = this.#options.neighbors.list();
    if (neighbors.length === 0) {
      if (this.#held.push(payload) > MAX_HELD_MESSAGES) this.#held.shift();
      return;
    }
    for (const neighbor of neighbors) {
      neighbor.connection.sendFrame(MessageType.Gossip, payload);
    }
  }

  /** How many of this peer's messages wait for a neighbour. */
  get held(): number {
    return this.#held.length;
  }

  /**
   * A neighbour linked: sends every held message to the neighbours there
   * are now, and returns how many it sent.
   */
  release(): number {
    const neighbors = this.#options.neighbors.list();
    if (this.#held.length === 0 || neighbors.length === 0) return 0;
    const held = this.#held;
    this.#held = [];
    for (const payload of held) {
      for (const neighbor of neighbors) {
        neighbor.connection.sendFrame(MessageType.Gossip, payload);
      }
    }
    this.#options.log.emit({ event: "gossip_released", messages: held.length });
    return held.length;
  }

  /** The neighbour `key` is gone: its rate is forgotten. */
  forget(key: string): void {
    this.#links.delete(key);
  }

  /** Handles a gossip frame from neighbour `from`. */
  receive(from: string, message: GossipMessage, frame: Frame): GossipReceipt {
    const origin = formatAddress(message.origin);
    const messages = this.#options.messages;
    // Most frames of a flood are repeats (2E - 2(N-1) of 2E - (N-1)). A
    // remembered text was checked when it first came, and a repeat costs no
    // token, so a repeat is known here before any of that work.
    if (messages.repeated(origin, message.text)) return "duplicate";
    if (!isGossipText(message.text, message.origin.host)) return "invalid";
    const now = this.#options.clock.now();
    let link = this.#links.get(from);
    if (!link) {
      link = { bucket: new TokenBucket(this.#options.ratePerLink, now), dropped: 0 };
      this.#links.set(from, link);
    }
    if (!link.bucket.take(now)) {
      // A neighbour that keeps sending past its rate is flooding, not relaying.
      return ++link.dropped > this.#options.ratePerLink.burst ? "flood" : "dropped";
    }
    if (messages.record(origin, message.text, from) === "duplicate") {
      link.bucket.refund();
      return "duplicate";
    }
    for (const neighbor of this.#options.neighbors.list()) {
      if (neighbor.key === from || neighbor.key === origin) continue;
      neighbor.connection.sendFrame(frame.type, frame.payload);
    }
    // Logging costs more than relaying. Queued behind the sends' flush
    // microtask, it runs after the frames are on the wire, off the hop's
    // critical path.
    const text = message.text;
    queueMicrotask(() =>
      this.#options.log.emit({ event: "gossip_received", message: text, origin, from })
    );
    return "new";
  }
}
