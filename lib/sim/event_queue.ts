/**
 * The simulator's pending events, earliest first: std's `BinaryHeap`
 * (`event_heap.ts`) plus first-in-first-out lanes for delays that recur.
 *
 * Most events are scheduled with one of a few fixed delays: every packet
 * with the link latency, every connection's handshake timeout, every ping
 * round. Time never goes back and scheduling numbers only grow, so events
 * of one fixed delay are already in (time, sequence) order as they are
 * scheduled: a plain queue holds them in order, and a push and a pop cost
 * O(1) instead of a heap's O(log n) comparisons. Popping takes the
 * earliest head among the lanes and the heap, so the order is exactly the
 * heap's alone (time, then scheduling order).
 *
 * @module
 */

import { EventHeap, type SimEvent } from "./event_heap.ts";

// Lanes are few (each pop compares their heads). A delay gets one once it
// has been seen this often; until then, and for delays that never recur
// (jitter draws), events go to the heap.
const MAX_LANES = 12;
const LANE_AFTER_USES = 32;
// The use counts are bounded too: past this many distinct delays, no more are counted.
const MAX_COUNTED_DELAYS = 4096;
// A lane drops the slots it has popped once they are this many and half of it.
const COMPACT_AT = 1024;

/** A queue of events of one delay, in scheduling order. */
class Lane {
  readonly delay: number;
  items: SimEvent[] = [];
  head = 0;

  constructor(delay: number) {
    this.delay = delay;
  }

  peek(): SimEvent | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.items[this.head++] = undefined as unknown as SimEvent;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }
}

/**
 * Pending events in (time, scheduling order). `push` takes the event's delay
 * from now, which picks its lane.
 *
 * @example Usage
 * ```ts
 * import { EventQueue } from "./event_queue.ts";
 * const queue = new EventQueue();
 * queue.push({ at: 5, seq: 1, run: null, owner: 0 }, 5);
 * queue.push({ at: 2, seq: 2, run: null, owner: 0 }, 2);
 * queue.pop()?.at; // 2
 * ```
 */
export class EventQueue {
  readonly #heap = new EventHeap();
  readonly #lanes: Lane[] = [];
  readonly #laneOf = new Map<number, Lane>();
  readonly #uses = new Map<number, number>();

  /**
   * Adds `event`, due `delay` ms after the present. Events pushed with one
   * delay must come in (time, sequence) order, as a clock that never goes
   * back schedules them.
   */
  push(event: SimEvent, delay: number): void {
    const lane = this.#laneOf.get(delay) ?? this.#promote(delay);
    if (lane) lane.items.push(event);
    else this.#heap.push(event);
  }

  // Counts a use of `delay`; returns a new lane once it has recurred enough.
  #promote(delay: number): Lane | undefined {
    if (this.#lanes.length >= MAX_LANES) return undefined;
    const seen = this.#uses.get(delay);
    if (seen === undefined) {
      if (this.#uses.size < MAX_COUNTED_DELAYS) this.#uses.set(delay, 1);
      return undefined;
    }
    if (seen + 1 < LANE_AFTER_USES) {
      this.#uses.set(delay, seen + 1);
      return undefined;
    }
    this.#uses.delete(delay);
    const lane = new Lane(delay);
    this.#lanes.push(lane);
    this.#laneOf.set(delay, lane);
    return lane;
  }

  /** The earliest event, left in place. */
  peek(): SimEvent | undefined {
    let best = this.#heap.peek();
    for (const lane of this.#lanes) {
      const head = lane.peek();
      if (head !== undefined && (best === undefined || earlier(head, best))) best = head;
    }
    return best;
  }

  /** Removes and returns the earliest event. */
  pop(): SimEvent | undefined {
    return this.popDue(Infinity);
  }

  /** Removes and returns the earliest event if it is due by `until`; else leaves it. */
  popDue(until: number): SimEvent | undefined {
    let best = this.#heap.peek();
    let from: Lane | undefined;
    for (const lane of this.#lanes) {
      const head = lane.peek();
      if (head !== undefined && (best === undefined || earlier(head, best))) {
        best = head;
        from = lane;
      }
    }
    if (best === undefined || best.at > until) return undefined;
    if (from) from.shift();
    else this.#heap.pop();
    return best;
  }

  /** Events waiting (cancelled ones included until they come up). */
  get size(): number {
    let n = this.#heap.size;
    for (const lane of this.#lanes) n += lane.size;
    return n;
  }
}

function earlier(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
