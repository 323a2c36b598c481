/**
 * The simulator's pending events, earliest first, in std's `BinaryHeap`.
 * The npm build of std ships JavaScript without types, so this file checks
 * at load time that the class is what the simulator relies on and gives it
 * a typed face; nothing else imports the untyped module.
 *
 * @module
 */

// @ts-types is unavailable for this build: the import is untyped (any).
import { BinaryHeap } from "@std/data-structures/binary-heap";

/** One scheduled event: a time, a tie-breaking sequence number and what to run. */
export interface SimEvent {
  /** Virtual time it is due, in ms. */
  readonly at: number;
  /** Scheduling order: events due at one instant run in the order they were scheduled. */
  readonly seq: number;
  /** What to run; `null` once cancelled (cancelled events are skipped, not searched for). */
  run: (() => void) | null;
  /** The node the event belongs to (its timers stop when it crashes); 0 for the network. */
  readonly owner: number;
}

interface UntypedHeap {
  push(...values: SimEvent[]): number;
  pop(): SimEvent | undefined;
  peek(): SimEvent | undefined;
  readonly length: number;
}

function checkHeapClass(candidate: unknown): new (
  compare: (a: SimEvent, b: SimEvent) => number,
) => UntypedHeap {
  const proto = (candidate as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  for (const method of ["push", "pop", "peek"]) {
    if (typeof proto?.[method] !== "function") {
      throw new TypeError(`Cannot use @std/data-structures BinaryHeap: no ${method}() method`);
    }
  }
  return candidate as new (compare: (a: SimEvent, b: SimEvent) => number) => UntypedHeap;
}

const Heap = checkHeapClass(BinaryHeap);

// Earlier time first; at one instant, scheduling order (deterministic ties).
function earliestFirst(a: SimEvent, b: SimEvent): number {
  return a.at - b.at || a.seq - b.seq;
}

/**
 * A min-heap of {@linkcode SimEvent}s ordered by time, then by scheduling order.
 *
 * @example Usage
 * ```ts
 * import { EventHeap } from "./event_heap.ts";
 * const heap = new EventHeap();
 * heap.push({ at: 5, seq: 1, run: null, owner: 0 });
 * heap.push({ at: 2, seq: 2, run: null, owner: 0 });
 * heap.pop()?.at; // 2
 * ```
 */
export class EventHeap {
  readonly #heap: UntypedHeap = new Heap(earliestFirst);

  /** Adds an event. */
  push(event: SimEvent): void {
    this.#heap.push(event);
  }

  /** Removes and returns the earliest event. */
  pop(): SimEvent | undefined {
    return this.#heap.pop();
  }

  /** The earliest event, left in place. */
  peek(): SimEvent | undefined {
    return this.#heap.peek();
  }

  /** Events waiting (cancelled ones included until they come up). */
  get size(): number {
    return this.#heap.length;
  }
}
