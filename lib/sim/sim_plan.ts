/**
 * What a simulation is asked to do and when its phases happen: the options,
 * the scenario's plans, the timeline, and the addresses and ids nodes get.
 * Pure: {@linkcode Simulation} in `simulation.ts` plays it out.
 *
 * @module
 */

import {
  type PeerTuning,
  resolvePeerTuning,
  resolveSeedTuning,
  type SeedTuning,
} from "../config/node_config.ts";
import type { Address } from "../util/address.ts";

/** A share of the peers and a virtual instant (`--kill 0.01@60s`). */
export interface KillPlan {
  /** Share of the running peers that crash, in (0, 1]. */
  readonly fraction: number;
  /** Virtual ms since the start. */
  readonly atMs: number;
}

/** A share of the peers cut off from the rest for a while (`--partition 0.2@30s-40s`). */
export interface PartitionPlan {
  /** Share of the peers on the cut-off side, in (0, 1). */
  readonly fraction: number;
  /** Virtual ms the cut begins. */
  readonly fromMs: number;
  /** Virtual ms it heals. */
  readonly toMs: number;
}

/** What to simulate. Sizes and the scenario; every field but `peers` has a default. */
export interface SimOptions {
  /** Seeds. @default {3} */
  seeds?: number;
  /** Peers that join at the start. */
  peers: number;
  /** Peers that publish floods. @default {1} */
  origins?: number;
  /** Messages each origin publishes, one per `floodIntervalMs`. @default {1} */
  messages?: number;
  /** One-way link latency in ms. @default {20} */
  latencyMs?: number;
  /** Extra random one-way delay in [0, jitter) ms. @default {0} */
  jitterMs?: number;
  /** Per-link bandwidth in bits per second; 0 for no limit. @default {0} */
  bandwidthBps?: number;
  /** Crash a share of the peers at an instant. @default {none} */
  kill?: KillPlan;
  /** Joins plus clean leaves per virtual second, alternating, after the floods start. @default {0} */
  churnPerSecond?: number;
  /** Cut a share of the peers off for a while. @default {none} */
  partition?: PartitionPlan;
  /** The random seed: the same seed gives the same run. @default {1} */
  seed?: number;
  /** Virtual ms to run. @default {long enough for the scenario to play out} */
  untilMs?: number;
  /** Peer tuning (timing flags). Sim defaults: no generated gossip, `gossipCount: 0`. */
  tuning?: Partial<PeerTuning>;
  /** Seed tuning. */
  seedTuning?: Partial<SeedTuning>;
  /** Advanced (tests): seeds' peer-list and sync thresholds. @default {the seeds' defaults} */
  thresholds?: { peerListFullMax?: number; syncFullMax?: number };
  /**
   * Virtual ms between two peers' starts while the network forms. Joins
   * closer together than a registration takes see stale degrees, and
   * preferential attachment weakens (10 ms keeps the 1,000-peer exponent
   * near 2.6; 2 ms gives 4.4). @default {defaultJoinSpacingMs(peers)}
   */
  joinSpacingMs?: number;
  /** Virtual ms between one origin's flood messages. @default {1000} */
  floodIntervalMs?: number;
}

/** Every simulated node. */
export interface SimNodeInfo {
  readonly index: number;
  readonly kind: "seed" | "peer";
  readonly key: string;
  readonly host: number;
  state: "waiting" | "running" | "killed" | "left";
}

/** The overlay at one instant. */
export interface OverlaySnapshot {
  /** Virtual ms. */
  readonly atMs: number;
  /** Running peers that had joined. */
  readonly peers: number;
  /** Neighbour links between them. */
  readonly edges: number;
  /** Each such peer's degree, in peer order. */
  readonly degrees: number[];
}

/** One flood message and who was expected to receive it. */
export interface FloodRecord {
  readonly id: string;
  readonly origin: string;
  readonly atMs: number;
  /** Running, joined peers other than the origin when it was published. */
  readonly expected: number;
}

/** The simulation's clock for timelines: when things happen, in virtual ms. */
export interface SimTimeline {
  readonly peersStartMs: number;
  readonly peersStartedMs: number;
  readonly floodStartMs: number;
  readonly floodEndMs: number;
  readonly untilMs: number;
}

const SEED_PORT = 5000;
const PEER_PORT = 6000;
/** Virtual ms the first peer starts at (the seeds start at 0). */
export const PEERS_START_MS = 500;
const SETTLE_MS = 5000;
/** Default virtual ms between two peers' starts up to 1,000 peers (see {@linkcode defaultJoinSpacingMs}). */
export const DEFAULT_JOIN_SPACING_MS = 10;

/**
 * The default virtual ms between two peers' starts in a network of `peers`:
 * 10 ms up to 1,000 peers (joins closer than a registration takes see
 * staler degrees, which bends a small network's power law), then 10 s for
 * all the joins, but never under 1 ms (measured to keep the exponent at
 * 10,000 and 100,000 peers, docs/benchmarks.md). At 10 ms, 100,000 peers
 * would take 1,000 s of virtual time just to join, pinging all along.
 *
 * @example Usage
 * ```ts
 * import { defaultJoinSpacingMs } from "./sim_plan.ts";
 * defaultJoinSpacingMs(1000); // 10
 * defaultJoinSpacingMs(4000); // 3
 * defaultJoinSpacingMs(100_000); // 1
 * ```
 */
export function defaultJoinSpacingMs(peers: number): number {
  return Math.min(DEFAULT_JOIN_SPACING_MS, Math.max(1, Math.round(10_000 / Math.max(1, peers))));
}

/** The sim's limits: one host per node, so no IP or connection cap of a real machine applies. */
export const SIM_LIMITS = {
  maxConnections: 1_000_000,
  maxPending: 1_000_000,
  maxPendingPerIp: 1_000_000,
  sendBudgetBytes: 2 ** 40,
};

/** The address of seed `i` (from 0). */
export function seedAddress(i: number): Address {
  return { host: `10.0.${(i >> 8) & 255}.${(i & 255) + 1}`, port: SEED_PORT };
}

/** The address of peer `i` (from 0). */
export function peerAddress(i: number): Address {
  return { host: `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, port: PEER_PORT };
}

/**
 * When the scenario's phases happen for `options` (virtual ms): peers start
 * `joinSpacingMs` apart from 500 ms; the floods begin 5 s after the last
 * start; the run ends once the floods, the kill and the partition have had
 * time to play out (a kill or a heal plus (misses + 2) ping intervals, a
 * dial timeout, a vote timeout and 5 s), unless `untilMs` says otherwise.
 */
export function planTimeline(
  options: SimOptions,
  tuning: PeerTuning = resolvePeerTuning(options.tuning),
  seedTuning: SeedTuning = resolveSeedTuning(options.seedTuning),
): SimTimeline {
  const o = options;
  const peersStartedMs = PEERS_START_MS +
    o.peers * (o.joinSpacingMs ?? defaultJoinSpacingMs(o.peers));
  const floodStartMs = peersStartedMs + SETTLE_MS;
  const floodInterval = o.floodIntervalMs ?? 1000;
  const floodEndMs = floodStartMs + (o.messages ?? 1) * floodInterval + SETTLE_MS;
  const detectMs = tuning.pingIntervalMs * (tuning.pingMisses + 2) + tuning.dialTimeoutMs +
    seedTuning.voteTimeoutMs + SETTLE_MS;
  let until = floodEndMs;
  if (o.kill) until = Math.max(until, o.kill.atMs + detectMs);
  if (o.partition) until = Math.max(until, o.partition.toMs + detectMs);
  return {
    peersStartMs: PEERS_START_MS,
    peersStartedMs,
    floodStartMs,
    floodEndMs,
    untilMs: o.untilMs ?? until,
  };
}

// A well-mixed 32-bit seed for node `i` of run `seed`.
export function mix(seed: number, i: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export function nodeIdFor(seed: number, i: number): string {
  return mix(seed, i).toString(16).padStart(8, "0") +
    mix(seed + 1, i).toString(16).padStart(8, "0");
}
