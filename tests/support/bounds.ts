/**
 * The time bounds docs/protocol.md promises, as numbers tests can wait by.
 * A test waits at most the bound plus {@linkcode SCHEDULING_SLACK_MS}: the
 * bound is the protocol's; the slack is for a loaded 2-core test machine
 * starting a dozen processes at once.
 *
 * @module
 */

import { DEFAULT_SEED_TUNING } from "../../lib/config/node_config.ts";

/** Allowance for CPU contention on top of a protocol bound. */
export const SCHEDULING_SLACK_MS = 3_000;

/** Peer liveness timings a bound depends on. */
export interface LivenessTimings {
  pingIntervalMs: number;
  pingMisses: number;
}

/**
 * The timings of `NETNS_PEER_ARGS`: `FAST_PEER_ARGS` (ping every 100 ms)
 * with 6 misses instead of the default 3. A dozen
 * nodes per test, two tests at once, on a shared 2-core machine: a node can
 * be off the CPU for half a second, and at 3 × 100 ms its neighbours would
 * drop it as dead (the seeds find it alive, but its links are gone).
 */
export const NETNS_TIMINGS: LivenessTimings = { pingIntervalMs: 100, pingMisses: 6 };

/**
 * Crash to removal by every running seed (docs/protocol.md, "Detection
 * bound"): `(misses + 1) × ping + 1.5 × min(2 s, 0.8 × ping) + seed probe timeout`.
 */
export function removalBoundMs(t: LivenessTimings): number {
  const probeTimeoutMs = Math.min(2_000, 0.8 * t.pingIntervalMs);
  return (t.pingMisses + 1) * t.pingIntervalMs + 1.5 * probeTimeoutMs +
    DEFAULT_SEED_TUNING.probeTimeoutMs;
}

/**
 * Mass failure to a healed overlay (docs/protocol.md, "Recovery bound"):
 * the removal bound, then one repair check and its peer-list request and
 * dial (`--repair-interval` + 2 × the 2 s dial timeout at worst).
 */
export function recoveryBoundMs(t: LivenessTimings & { repairIntervalMs: number }): number {
  return removalBoundMs(t) + t.repairIntervalMs + 2 * 2_000;
}
