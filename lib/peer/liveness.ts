/**
 * Liveness of neighbours as a pure state machine: it decides who to ping
 * and who has missed too many pings; the peer runtime sends the pings and
 * feeds the pongs back. No timers or sockets here.
 *
 * A ping counts as missed if its pong has not arrived by the next round.
 * After `misses` consecutive misses the target is suspected; the runtime then
 * confirms (indirect probes) and either clears the suspicion or gives up on
 * the target.
 *
 * @module
 */

import type { Clock } from "../util/clock.ts";
import { randomUint32, type Rng } from "../util/random.ts";

interface TargetState {
  misses: number;
  outstanding: { nonce: number; sentAt: number } | undefined;
  suspected: boolean;
  lastRttMs: number | undefined;
}

/** What one round asks the runtime to do. */
export interface LivenessRound {
  /** Send these pings (fresh nonces). */
  readonly ping: ReadonlyArray<{ readonly target: string; readonly nonce: number }>;
  /** Targets whose previous ping went unanswered, with their miss streak. */
  readonly missed: ReadonlyArray<{ readonly target: string; readonly misses: number }>;
  /** Targets that just reached the miss threshold. */
  readonly suspected: readonly string[];
}

/** Options for {@linkcode LivenessTracker}. */
export interface LivenessOptions {
  /** Consecutive misses before a target is suspected. */
  misses: number;
  clock: Clock;
  rng: Rng;
}

/**
 * Tracks ping/pong liveness of a set of targets.
 *
 * @example Usage
 * ```ts
 * import { LivenessTracker } from "./liveness.ts";
 * let now = 0;
 * const clock = { now: () => now, setTimeout: () => 0, clearTimeout() {} };
 * const tracker = new LivenessTracker({ misses: 2, clock, rng: Math.random });
 * tracker.watch("b:1");
 * tracker.round(); // pings b:1
 * tracker.round(); // b:1 missed once
 * tracker.round().suspected; // ["b:1"]
 * ```
 */
export class LivenessTracker {
  #targets = new Map<string, TargetState>();
  #threshold: number;
  #clock: Clock;
  #rng: Rng;

  /** Creates a tracker with no targets. */
  constructor(options: LivenessOptions) {
    this.#threshold = options.misses;
    this.#clock = options.clock;
    this.#rng = options.rng;
  }

  /** Starts watching `target` (no-op if already watched). */
  watch(target: string): void {
    if (!this.#targets.has(target)) {
      this.#targets.set(target, {
        misses: 0,
        outstanding: undefined,
        suspected: false,
        lastRttMs: undefined,
      });
    }
  }

  /** Stops watching `target`. */
  unwatch(target: string): void {
    this.#targets.delete(target);
  }

  /** Reports whether `target` is watched. */
  isWatched(target: string): boolean {
    return this.#targets.has(target);
  }

  /** Current consecutive misses of `target` (0 if unknown). */
  misses(target: string): number {
    return this.#targets.get(target)?.misses ?? 0;
  }

  /** Last measured round-trip time to `target`, in ms. */
  lastRtt(target: string): number | undefined {
    return this.#targets.get(target)?.lastRttMs;
  }

  /** Reports whether `target` is currently suspected. */
  isSuspected(target: string): boolean {
    return this.#targets.get(target)?.suspected ?? false;
  }

  /**
   * Runs one ping round. With `excuse`, pings still unanswered are withdrawn
   * without counting as misses: this node itself was too busy (its round
   * came late), so a late pong says nothing about the target.
   */
  round(options: { excuse?: boolean } = {}): LivenessRound {
    const now = this.#clock.now();
    if (options.excuse) {
      for (const state of this.#targets.values()) state.outstanding = undefined;
    }
    const ping: Array<{ target: string; nonce: number }> = [];
    const missed: Array<{ target: string; misses: number }> = [];
    const suspected: string[] = [];
    for (const [target, state] of this.#targets) {
      if (state.suspected) continue;
      if (state.outstanding) {
        state.misses++;
        state.outstanding = undefined;
        missed.push({ target, misses: state.misses });
        if (state.misses >= this.#threshold) {
          state.suspected = true;
          suspected.push(target);
          continue;
        }
      }
      const nonce = randomUint32(this.#rng);
      state.outstanding = { nonce, sentAt: now };
      ping.push({ target, nonce });
    }
    return { ping, missed, suspected };
  }

  /**
   * Feeds a pong. Returns the round-trip time in ms if it answers the
   * outstanding ping (and resets the miss streak), else `undefined`.
   */
  pong(target: string, nonce: number): number | undefined {
    const state = this.#targets.get(target);
    if (!state?.outstanding || state.outstanding.nonce !== nonce) return undefined;
    const rtt = this.#clock.now() - state.outstanding.sentAt;
    state.outstanding = undefined;
    state.misses = 0;
    state.lastRttMs = rtt;
    return rtt;
  }

  /**
   * Withdraws the outstanding ping `nonce` without a verdict: the probe
   * standing in for it failed for this node's own reason (out of
   * descriptors, too busy), which says nothing about the target. The
   * round neither counts as a miss nor resets the streak.
   */
  excuse(target: string, nonce: number): void {
    const state = this.#targets.get(target);
    if (state?.outstanding?.nonce === nonce) state.outstanding = undefined;
  }

  /** Marks a suspected target alive again (an indirect probe reached it). */
  clearSuspicion(target: string): void {
    const state = this.#targets.get(target);
    if (!state) return;
    state.suspected = false;
    state.misses = 0;
    state.outstanding = undefined;
  }
}
