/**
 * Every tunable of seeds and peers, with its default, its unit, its valid
 * range and why the default is what it is. The CLI and tests build configs
 * only through {@linkcode resolvePeerTuning} and {@linkcode resolveSeedTuning},
 * so an out-of-range value is always caught with the knob's name.
 *
 * @module
 */

import { ConfigError } from "../util/errors.ts";

/** Peer behaviour knobs. All durations are milliseconds. */
export interface PeerTuning {
  /**
   * Most neighbours a peer dials when joining (`--max-neighbors`). More links
   * mean more redundant paths and more duplicate frames per message.
   * @default {4}
   */
  maxNeighbors: number;
  /**
   * Most inbound neighbour links a peer accepts (`--max-inbound`). Preferential
   * attachment concentrates links on hubs; the cap bounds a hub's fan-out and
   * memory while leaving room for a heavy-tailed degree distribution.
   * @default {64}
   */
  maxInbound: number;
  /** Time between this peer's own gossip messages (`--gossip-interval`). @default {5000} */
  gossipIntervalMs: number;
  /** How many gossip messages this peer generates; 0 only relays (`--gossip-count`). @default {10} */
  gossipCount: number;
  /**
   * Time between liveness pings to each neighbour (`--ping-interval`). A ping
   * unanswered by the next round is a miss, so detection takes about
   * `pingMisses × pingIntervalMs`.
   * @default {13000}
   */
  pingIntervalMs: number;
  /** Consecutive missed pings before a neighbour is suspected dead (`--ping-misses`). @default {3} */
  pingMisses: number;
  /**
   * How often a peer with too few neighbours asks its seeds for fresh peer
   * lists and dials again (`--repair-interval`). Short enough that a peer
   * whose neighbours died is reconnected before its next gossip round.
   * @default {2000}
   */
  repairIntervalMs: number;
  /** Time allowed for a TCP connect plus handshake to another node. @default {2000} */
  dialTimeoutMs: number;
  /**
   * Time a seed has to answer a registration. Seeds answer only once a
   * majority of them agreed, which takes up to their vote timeout (3 s).
   * @default {5000}
   */
  registerTimeoutMs: number;
  /** First wait before retrying seeds that did not answer; doubles each round. @default {250} */
  seedRetryMinMs: number;
  /** Longest wait between seed retries. @default {2000} */
  seedRetryMaxMs: number;
  /**
   * Most entries the Message List keeps. Oldest entries go first. At 10
   * messages per peer this covers 10,000 peers' worth of gossip.
   * @default {100000}
   */
  messageListMaxEntries: number;
  /**
   * Age after which a Message List entry may be forgotten. Far longer than
   * any flood takes to settle (milliseconds), so a forgotten message can no
   * longer be circulating.
   * @default {600000}
   */
  messageListMaxAgeMs: number;
  /**
   * Most messages a late joiner asks its first neighbour for (and a peer
   * hands out), newest first; 0 turns catching up off. A thousand covers
   * 100 peers' worth of the default 10 messages each in one answer.
   * @default {1000}
   */
  catchUpMaxMessages: number;
  /**
   * How old, by first receipt, a message handed to a late joiner may be.
   * A minute covers a whole default gossip run of a peer (10 × 5 s).
   * @default {60000}
   */
  catchUpMaxAgeMs: number;
}

/** Seed behaviour knobs. All durations are milliseconds. */
export interface SeedTuning {
  /** Most peers this seed registers (`--max-peers`); `Infinity` for no limit. @default {Infinity} */
  maxPeers: number;
  /** Time allowed for a TCP connect plus handshake to another node. @default {2000} */
  dialTimeoutMs: number;
  /**
   * Time a seed gives a peer reported dead to answer its own probe (connect,
   * hello, ping, pong). A stopped process still accepts TCP connections, so
   * only a pong within this time counts as alive.
   * @default {1500}
   */
  probeTimeoutMs: number;
  /**
   * Time a proposal waits for votes before it fails. Must exceed
   * `probeTimeoutMs`, since a removal vote waits for the voter's probe.
   * @default {3000}
   */
  voteTimeoutMs: number;
  /**
   * How often a seed asks the other seeds for their peer lists to repair
   * anything it missed (anti-entropy).
   * @default {5000}
   */
  syncIntervalMs: number;
  /**
   * Longest a starting seed waits to hear from the other seeds before it
   * serves peers anyway (it then has whatever state it could get).
   * @default {3000}
   */
  readyTimeoutMs: number;
  /** First wait before redialling a seed; doubles up to `linkRetryMaxMs`. @default {250} */
  linkRetryMinMs: number;
  /** Longest wait between redials of a seed. @default {2000} */
  linkRetryMaxMs: number;
  /** How long a removed peer is remembered, so stale news cannot revive it. @default {600000} */
  tombstoneTtlMs: number;
}

/** Peer defaults; the protocol's classic timings (5 s gossip ×10, 13 s ping ×3). */
export const DEFAULT_PEER_TUNING: Readonly<PeerTuning> = {
  maxNeighbors: 4,
  maxInbound: 64,
  gossipIntervalMs: 5_000,
  gossipCount: 10,
  pingIntervalMs: 13_000,
  pingMisses: 3,
  repairIntervalMs: 2_000,
  dialTimeoutMs: 2_000,
  registerTimeoutMs: 5_000,
  seedRetryMinMs: 250,
  seedRetryMaxMs: 2_000,
  messageListMaxEntries: 100_000,
  messageListMaxAgeMs: 600_000,
  catchUpMaxMessages: 1_000,
  catchUpMaxAgeMs: 60_000,
};

/** Seed defaults. */
export const DEFAULT_SEED_TUNING: Readonly<SeedTuning> = {
  maxPeers: Infinity,
  dialTimeoutMs: 2_000,
  probeTimeoutMs: 1_500,
  voteTimeoutMs: 3_000,
  syncIntervalMs: 5_000,
  readyTimeoutMs: 3_000,
  linkRetryMinMs: 250,
  linkRetryMaxMs: 2_000,
  tombstoneTtlMs: 600_000,
};

/** Valid range of each numeric knob, inclusive. */
export const PEER_LIMITS: { readonly [K in keyof PeerTuning]: readonly [number, number] } = {
  maxNeighbors: [1, 64],
  maxInbound: [0, 4096],
  gossipIntervalMs: [1, 86_400_000],
  gossipCount: [0, 1_000_000],
  pingIntervalMs: [1, 86_400_000],
  pingMisses: [1, 1000],
  repairIntervalMs: [1, 86_400_000],
  dialTimeoutMs: [1, 600_000],
  registerTimeoutMs: [1, 600_000],
  seedRetryMinMs: [1, 600_000],
  seedRetryMaxMs: [1, 600_000],
  messageListMaxEntries: [1, 100_000_000],
  messageListMaxAgeMs: [1, 86_400_000 * 7],
  catchUpMaxMessages: [0, 65_535],
  catchUpMaxAgeMs: [0, 86_400_000],
};

/** Valid range of each numeric seed knob, inclusive. */
export const SEED_LIMITS: { readonly [K in keyof SeedTuning]: readonly [number, number] } = {
  maxPeers: [0, Infinity],
  dialTimeoutMs: [1, 600_000],
  probeTimeoutMs: [1, 600_000],
  voteTimeoutMs: [1, 600_000],
  syncIntervalMs: [1, 86_400_000],
  readyTimeoutMs: [0, 600_000],
  linkRetryMinMs: [1, 600_000],
  linkRetryMaxMs: [1, 600_000],
  tombstoneTtlMs: [1, 86_400_000 * 7],
};

function check<T extends object>(
  values: T,
  limits: { readonly [K in keyof T]: readonly [number, number] },
): T {
  for (const key of Object.keys(limits) as (keyof T & string)[]) {
    const value = values[key] as unknown;
    const [min, max] = limits[key];
    if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
      const range = max === Infinity ? `at least ${min}` : `${min}-${max}`;
      throw new ConfigError(`Invalid ${key}: must be ${range}, got ${String(value)}`);
    }
  }
  return values;
}

/**
 * Merges `partial` over the peer defaults and validates every knob.
 *
 * @example Usage
 * ```ts
 * import { resolvePeerTuning } from "./node_config.ts";
 * resolvePeerTuning({ gossipCount: 3 }).gossipCount; // 3
 * ```
 *
 * @throws {ConfigError} Naming the first knob out of range.
 */
export function resolvePeerTuning(partial: Partial<PeerTuning> = {}): PeerTuning {
  const tuning = check({ ...DEFAULT_PEER_TUNING, ...partial }, PEER_LIMITS);
  if (tuning.seedRetryMinMs > tuning.seedRetryMaxMs) {
    throw new ConfigError(
      `Invalid seedRetryMinMs: must not exceed seedRetryMaxMs (${tuning.seedRetryMaxMs}), got ${tuning.seedRetryMinMs}`,
    );
  }
  return tuning;
}

/**
 * Merges `partial` over the seed defaults and validates every knob.
 *
 * @throws {ConfigError} Naming the first knob out of range.
 */
export function resolveSeedTuning(partial: Partial<SeedTuning> = {}): SeedTuning {
  const tuning = check({ ...DEFAULT_SEED_TUNING, ...partial }, SEED_LIMITS);
  if (tuning.voteTimeoutMs <= tuning.probeTimeoutMs) {
    throw new ConfigError(
      `Invalid voteTimeoutMs: must exceed probeTimeoutMs (${tuning.probeTimeoutMs}), got ${tuning.voteTimeoutMs}`,
    );
  }
  if (tuning.linkRetryMinMs > tuning.linkRetryMaxMs) {
    throw new ConfigError(
      `Invalid linkRetryMinMs: must not exceed linkRetryMaxMs (${tuning.linkRetryMaxMs}), got ${tuning.linkRetryMinMs}`,
    );
  }
  return tuning;
}
