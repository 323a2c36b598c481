/**
 * Every tunable of seeds and peers, with its default, its unit, its valid
 * range and why the default is what it is. The CLI and tests build configs
 * only through {@linkcode resolvePeerTuning} and {@linkcode resolveSeedTuning},
 * so an out-of-range value is always caught with the knob's name.
 *
 * @module
 */

import { ConfigError } from "../util/errors.ts";

/**
 * What a node lets strangers cost it: connections it accepts, how long one
 * may stay unsettled, and the output it queues. Seeds and peers share these.
 * A connection is *settled* once it is a neighbour link, a verified seed
 * link or a registered peer's session; until then (and for clients, whose
 * exchange is one question) it is *pending*.
 */
export interface ConnectionLimits {
  /**
   * Most inbound connections open at once (`--max-connections`). Past it a
   * new connection gets a hello and `too_many_connections` at once, and is
   * closed. Each open connection costs a file descriptor and about 25 KiB;
   * the cap must stay below the process's descriptor limit, with room for
   * the node's own dials and probes. Too low, and a big network's seed turns
   * peers away.
   * @default {4096}
   */
  maxConnections: number;
  /**
   * Most inbound connections pending at once. Honest connections settle in
   * milliseconds (a hello, then a registration or a link); this bounds what
   * a flood of half-open connections holds.
   * @default {512}
   */
  maxPending: number;
  /**
   * Most pending inbound connections from one remote IP. Bounds what one
   * machine can hold; every node of a local test network shares 127.0.0.1,
   * so it must leave room for a burst of honest joins there.
   * @default {64}
   */
  maxPendingPerIp: number;
  /**
   * Time an inbound connection has after its hello to settle (become a
   * neighbour, a verified seed link or a registered peer) or, for a client,
   * to finish its exchange; then it is closed. Registration waits for a seed
   * majority (at most the vote timeout, 3 s) and a seed link for its
   * verification, so this leaves a margin; a shorter one frees a flood's
   * slots sooner.
   * @default {10000}
   */
  pendingTimeoutMs: number;
  /**
   * Most bytes queued for sending over all connections together. Each
   * connection's queue is capped at 4 MiB on its own; past this total, the
   * connection holding the most is closed (`send_overflow`), so remotes that
   * stop reading cannot together exhaust memory.
   * @default {67108864}
   */
  sendBudgetBytes: number;
}

/** Defaults of {@linkcode ConnectionLimits}. */
export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  maxConnections: 4096,
  maxPending: 512,
  maxPendingPerIp: 64,
  pendingTimeoutMs: 10_000,
  sendBudgetBytes: 64 * 1024 * 1024,
};

/** Valid range of each connection limit, inclusive. */
export const CONNECTION_LIMIT_RANGES: {
  readonly [K in keyof ConnectionLimits]: readonly [number, number];
} = {
  maxConnections: [1, 1_000_000],
  maxPending: [1, 1_000_000],
  maxPendingPerIp: [1, 1_000_000],
  pendingTimeoutMs: [100, 600_000],
  sendBudgetBytes: [65_536, 2 ** 40],
};

/** Peer behaviour knobs. All durations are milliseconds. */
export interface PeerTuning extends ConnectionLimits {
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
  /**
   * New gossip messages a peer accepts per second from one neighbour
   * (`--max-gossip-rate`; as many again in a burst); more are dropped,
   * neither forwarded nor logged, and a neighbour that goes on sending past
   * it is disconnected as a flood. A message reaches a peer first over one
   * link, so this must exceed the whole network's message rate (about 17/s
   * in the 100-peer benchmark); it bounds what one misbehaving neighbour
   * can make every peer relay and log. Raise it for networks that gossip
   * faster.
   * @default {200}
   */
  gossipRatePerLink: number;
}

/** Seed behaviour knobs. All durations are milliseconds. */
export interface SeedTuning extends ConnectionLimits {
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
  /**
   * How often a seed re-checks some of its members itself
   * (`--recheck-interval`), probing `recheckBatch` of them in turn and
   * proposing the removal of any that does not answer. This heals a list
   * that missed a removal (no neighbour watching, a removal without quorum).
   * Shorter finds stale members sooner at the cost of more probes.
   * @default {15000}
   */
  recheckIntervalMs: number;
  /**
   * Members probed per re-check. With the defaults a seed of 100 members
   * visits each in about 3 minutes, at about one probe every 2 s.
   * @default {8}
   */
  recheckBatch: number;
}

/** Peer defaults; the protocol's classic timings (5 s gossip ×10, 13 s ping ×3). */
export const DEFAULT_PEER_TUNING: Readonly<PeerTuning> = {
  ...DEFAULT_CONNECTION_LIMITS,
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
  gossipRatePerLink: 200,
};

/** Seed defaults. */
export const DEFAULT_SEED_TUNING: Readonly<SeedTuning> = {
  ...DEFAULT_CONNECTION_LIMITS,
  maxPeers: Infinity,
  dialTimeoutMs: 2_000,
  probeTimeoutMs: 1_500,
  voteTimeoutMs: 3_000,
  syncIntervalMs: 5_000,
  readyTimeoutMs: 3_000,
  linkRetryMinMs: 250,
  linkRetryMaxMs: 2_000,
  tombstoneTtlMs: 600_000,
  recheckIntervalMs: 15_000,
  recheckBatch: 8,
};

/** Valid range of each numeric knob, inclusive. */
export const PEER_LIMITS: { readonly [K in keyof PeerTuning]: readonly [number, number] } = {
  ...CONNECTION_LIMIT_RANGES,
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
  gossipRatePerLink: [1, 1_000_000],
};

/** Valid range of each numeric seed knob, inclusive. */
export const SEED_LIMITS: { readonly [K in keyof SeedTuning]: readonly [number, number] } = {
  ...CONNECTION_LIMIT_RANGES,
  maxPeers: [0, Infinity],
  dialTimeoutMs: [1, 600_000],
  probeTimeoutMs: [1, 600_000],
  voteTimeoutMs: [1, 600_000],
  syncIntervalMs: [1, 86_400_000],
  readyTimeoutMs: [0, 600_000],
  linkRetryMinMs: [1, 600_000],
  linkRetryMaxMs: [1, 600_000],
  tombstoneTtlMs: [1, 86_400_000 * 7],
  recheckIntervalMs: [1, 86_400_000],
  recheckBatch: [0, 100_000],
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
