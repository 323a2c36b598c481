/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * A message spreading, replayed slowly enough to follow: its first receipts
 * light up one after another in the order they happened, each along the
 * link it came in on (`gossip_received.from`). Real dissemination takes
 * milliseconds; the replay shows one receipt every 400 ms, or, for a message
 * that reached hundreds of peers, the whole spread in 6 s.
 *
 * @module
 */

import { edgeKey, type Highlight } from "./graph_view.ts";
import type { MessageInfo, NetworkModel } from "./model.ts";

/** A small spread shows one receipt every 400 ms; a big one takes 6 s in all. */
const STEP_MS = 400;
const LONGEST_MS = 6000;
/** The drawing is updated at most this often; a big spread shows several receipts a tick. */
const TICK_MS = 100;
/** Following the latest, a message is shown once it is this old: its spread is over. */
const SETTLE_MS = 1500;

/** The replay's pace for `receipts`: time between ticks, and receipts shown per tick. */
function pace(receipts: number): { tickMs: number; perTick: number } {
  const step = Math.min(STEP_MS, LONGEST_MS / Math.max(1, receipts));
  const tickMs = Math.max(TICK_MS, step);
  return { tickMs, perTick: Math.max(1, Math.round(tickMs / step)) };
}

/** The replay's state, for the caption. */
export interface SpreadState {
  readonly message: MessageInfo;
  /** Receipts shown so far. */
  readonly shown: number;
}

/** Replays one message at a time; follows the newest unless one is picked. */
export class SpreadPlayer {
  readonly #model: NetworkModel;
  readonly #show: (highlight: Highlight | undefined, state: SpreadState | undefined) => void;
  #follow = true;
  #id: string | undefined;
  #shown = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `show` is called at every step. */
  constructor(
    model: NetworkModel,
    show: (highlight: Highlight | undefined, state: SpreadState | undefined) => void,
  ) {
    this.#model = model;
    this.#show = show;
  }

  /** The message being shown. */
  get current(): string | undefined {
    return this.#id;
  }

  /** Whether it jumps to each new message. */
  get following(): boolean {
    return this.#follow;
  }

  /** Follows the newest message from now on. */
  followLatest(): void {
    this.#follow = true;
    this.#id = undefined;
    this.tick();
  }

  /** Shows `id` (and stops following). */
  pick(id: string): void {
    this.#follow = false;
    this.#start(id);
  }

  /** Plays the current message again from the start. */
  replay(): void {
    if (this.#id !== undefined) this.#start(this.#id);
  }

  /**
   * Called when the model changed: a newer message to follow (once the one
   * shown has finished), or receipts that arrived late.
   */
  tick(): void {
    if (this.#follow && this.#timer === undefined) {
      const newest = this.#newestSettled();
      if (newest !== undefined && newest !== this.#id) return this.#start(newest);
    }
    if (this.#timer === undefined && this.#id !== undefined) this.#schedule();
  }

  /** The newest message old enough to have reached everyone (else the newest). */
  #newestSettled(): string | undefined {
    const order = this.#model.order;
    for (let i = order.length - 1; i >= 0; i--) {
      const message = this.#model.messages.get(order[i] as string);
      if (message && message.ts <= this.#model.lastTs - SETTLE_MS) return message.id;
    }
    return order[order.length - 1];
  }

  #start(id: string): void {
    this.#id = id;
    this.#shown = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#render();
    this.#schedule();
  }

  #schedule(): void {
    const message = this.#id === undefined ? undefined : this.#model.messages.get(this.#id);
    if (!message || this.#shown >= message.receipts.length) return;
    const { tickMs, perTick } = pace(message.receipts.length);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#shown = Math.min(message.receipts.length, this.#shown + perTick);
      this.#render();
      this.#schedule();
    }, tickMs);
  }

  #render(): void {
    const message = this.#id === undefined ? undefined : this.#model.messages.get(this.#id);
    if (!message) return this.#show(undefined, undefined);
    const receipts = [...message.receipts].sort((a, b) => a.ts - b.ts).slice(0, this.#shown);
    const reached = new Set(receipts.map((r) => r.node));
    const edges = new Set(receipts.map((r) => edgeKey(r.node, r.from)));
    const latest = receipts[receipts.length - 1]?.node;
    this.#show(
      { origin: message.origin, reached, edges, ...(latest ? { latest } : {}) },
      { message, shown: receipts.length },
    );
  }
}
