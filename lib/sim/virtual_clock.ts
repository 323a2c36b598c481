/**
 * Discrete-event virtual time. Every timer of every simulated node and
 * every packet of the simulated network is an event in one heap; running
 * the simulation pops the earliest event, moves time to it and runs it.
 * Nothing waits for real time, so an hour of network life takes as long as
 * its events take to compute.
 *
 * The nodes are ordinary async code: an event often resolves a promise
 * (a read, a dial) whose continuations run as microtasks. After each
 * instant's events (up to 64 of them, run back to back) the loop lets those
 * microtasks run to quiescence before time moves on, so a continuation
 * reads the instant its cause happened at.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../util/clock.ts";
import type { SimEvent } from "./event_heap.ts";
import { EventQueue } from "./event_queue.ts";

/** 2026-01-01T00:00:00Z: where virtual time starts, so timestamps look like real ones. */
export const SIM_EPOCH_MS = 1_767_225_600_000;

// Microtask generations without any clock, timer or network activity after
// which an event's consequences count as settled. The node code's longest
// quiet stretches (async functions returning through several awaits before
// they send) measured 21 generations in a 300-peer run with kills and churn;
// 3 cut 1.4% of events' chains short. A chain quiet for longer simply runs
// on during the next event: the run stays deterministic, only that code
// reads a later instant. Each generation costs about 25 ns.
const QUIET_TURNS = 32;
// Most events due at one instant that run before their microtasks settle.
const INSTANT_BATCH = 64;
// A safety bound on one event's microtask generations.
const MAX_TURNS = 10_000;

/** Progress of a run, handed to {@linkcode RunOptions.onProgress}. */
export interface RunProgress {
  /** Virtual ms since the start. */
  readonly virtualMs: number;
  /** Events run so far. */
  readonly events: number;
}

/** Options for {@linkcode VirtualClock.run}. */
export interface RunOptions {
  /** Stop before the first event due after this virtual time (ms since the start). */
  untilMs: number;
  /** Called every `progressEvery` events. @default {none} */
  onProgress?: (progress: RunProgress) => void;
  /** Events between progress calls. @default {65536} */
  progressEvery?: number;
  /** Asked at each progress call: true ends the run there (a bench's memory bound). @default {never} */
  shouldStop?: () => boolean;
}

/**
 * A {@linkcode Clock} whose time is the simulation's: `setTimeout` adds an
 * event, and {@linkcode run} plays events in time order (ties in scheduling
 * order). Timers can belong to a node ({@linkcode forNode}); a crashed
 * node's timers never fire ({@linkcode silence}).
 *
 * @example Usage
 * ```ts
 * import { VirtualClock } from "./virtual_clock.ts";
 * const clock = new VirtualClock();
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.elapsed), 30);
 * clock.setTimeout(() => fired.push(clock.elapsed), 10);
 * await clock.run({ untilMs: 100 });
 * fired; // [10, 30]
 * ```
 */
export class VirtualClock implements Clock {
  readonly #heap = new EventQueue();
  readonly #start: number;
  #now: number;
  #seq = 0;
  #events = 0;
  #activity = 0;
  // Node ids whose events are dropped (crashed nodes); index = owner.
  readonly #silenced: boolean[] = [];

  /** Starts virtual time at `startMs` (Unix ms). */
  constructor(startMs: number = SIM_EPOCH_MS) {
    this.#start = startMs;
    this.#now = startMs;
  }

  /** Virtual Unix time in ms. */
  now(): number {
    this.#activity++;
    return this.#now;
  }

  /** Virtual ms since the start. */
  get elapsed(): number {
    return this.#now - this.#start;
  }

  /** Events run so far. */
  get events(): number {
    return this.#events;
  }

  /** Events waiting, cancelled ones included. */
  get pending(): number {
    return this.#heap.size;
  }

  /** Runs `callback` after `ms` virtual ms (a network-owned timer). */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.schedule(0, callback, ms);
  }

  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void {
    if (handle !== null && typeof handle === "object" && "run" in handle) {
      (handle as SimEvent).run = null;
    }
  }

  /** Schedules `run` after `ms` for `owner` (0: the network itself). Returns the event. */
  schedule(owner: number, run: () => void, ms: number): SimEvent {
    this.#activity++;
    const delay = ms > 0 ? ms : 0;
    const event: SimEvent = { at: this.#now + delay, seq: this.#seq++, run, owner };
    this.#heap.push(event, delay);
    return event;
  }

  /** Notes activity that is not a timer (a packet handed to the network). */
  touch(): void {
    this.#activity++;
  }

  /** A clock for node `owner` (> 0): the same time, timers tagged with the node. */
  forNode(owner: number): Clock {
    if (!(owner > 0)) throw new RangeError(`Node owner must be positive, got ${owner}`);
    return {
      now: () => this.now(),
      setTimeout: (callback, ms) => this.schedule(owner, callback, ms),
      clearTimeout: (handle) => this.clearTimeout(handle),
    };
  }

  /** Drops every present and future event of `owner`: the node crashed. */
  silence(owner: number): void {
    this.#silenced[owner] = true;
  }

  /** True once `owner` was silenced. */
  isSilenced(owner: number): boolean {
    return this.#silenced[owner] === true;
  }

  /**
   * Plays events in time order until none is due by `untilMs` (then time
   * stands at `untilMs`). Resolves when done.
   */
  async run(options: RunOptions): Promise<void> {
    const until = this.#start + options.untilMs;
    const every = options.progressEvery ?? 65_536;
    let nextProgress = this.#events + every;
    await this.#settle();
    // Events due at the instant just played run back to back (up to
    // INSTANT_BATCH), and their microtasks settle once after the last: a
    // flood's relays and a ping round's packets arrive together, and
    // settling was a tenth of the simulator's time. Time does not move in
    // between, so every continuation still reads its cause's instant.
    let batch = 0;
    while (true) {
      let next = batch > 0 && batch < INSTANT_BATCH ? this.#heap.popDue(this.#now) : undefined;
      if (next === undefined) {
        if (batch > 0) {
          batch = 0;
          await this.#settle();
          if (this.#events >= nextProgress) {
            nextProgress += every;
            options.onProgress?.({ virtualMs: this.elapsed, events: this.#events });
            if (options.shouldStop?.()) return;
          }
        }
        next = this.#heap.popDue(until);
        if (next === undefined) break;
      }
      const run = next.run;
      if (run === null || (next.owner > 0 && this.#silenced[next.owner] === true)) continue;
      next.run = null;
      this.#now = next.at;
      this.#events++;
      batch++;
      run();
    }
    if (this.#now < until) this.#now = until;
  }

  // Lets the microtasks an event started run until QUIET_TURNS generations
  // pass with nothing touching the clock or the network. Each generation is
  // one queued microtask (no promise per turn: this runs after every event).
  #settle(): Promise<void> {
    return new Promise((resolve) => {
      let quiet = 0;
      let turns = 0;
      let before = this.#activity;
      const step = () => {
        quiet = this.#activity === before ? quiet + 1 : 0;
        before = this.#activity;
        if (quiet >= QUIET_TURNS || ++turns >= MAX_TURNS) resolve();
        else queueMicrotask(step);
      };
      queueMicrotask(step);
    });
  }
}
