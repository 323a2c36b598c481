/**
 * `startSeed`: a running seed as a library user holds it.
 *
 * @module
 */

import { resolveSeedTuning, type SeedTuning } from "../config/node_config.ts";
import { isListedSeed } from "../config/seed_list.ts";
import type { SubscribeOptions } from "../log/event_hub.ts";
import type { LogEvent } from "../log/events.ts";
import type { NodeLog } from "../log/logger.ts";
import type { SeedStatus } from "../node/node_status.ts";
import type { RemovalReason } from "../protocol/membership_types.ts";
import { SeedNode } from "../seed/seed_node.ts";
import { type Address, formatAddress } from "../util/address.ts";
import { ConfigError } from "../util/errors.ts";
import { type NodeKeys, reloadKeys } from "./node_keys.ts";
import {
  loadNodeKeys,
  openNode,
  optionAddresses,
  serveNodeMetrics,
  stopOnce,
} from "./node_launch.ts";
import { checkListen, type SeedOptions, seedsOf, seedTuningOf } from "./options.ts";

/** One peer in a seed's Peer List. */
export interface Member {
  /** The peer's advertised address, `host:port`. */
  readonly address: string;
  /** `removed` entries are remembered for a while so stale news cannot revive them. */
  readonly state: "member" | "removed";
  /** Why it was removed: confirmed dead, or it left. */
  readonly reason?: RemovalReason;
  /** Its neighbour count, as it last reported. */
  readonly degree: number;
  /** When this entry last changed (Unix ms, from the seeds' hybrid clock). */
  readonly since: number;
}

/** A running seed. */
export interface SeedHandle extends AsyncDisposable {
  /** Always `"seed"`. */
  readonly role: "seed";
  /** The advertised address, `host:port`. */
  readonly address: string;
  /** This seed's node id, fresh each start. */
  readonly nodeId: string;
  /** Resolves once the seed has caught up with the others and serves peers. */
  readonly ready: Promise<void>;
  /** Where `/metrics` is served, `host:port`, if asked. */
  readonly metricsAddress: string | undefined;
  /** The Peer List: current members, and with `removed: true` the removed peers it remembers. */
  members(options?: { removed?: boolean }): Member[];
  /** The node's events from now on: the same typed events its log file gets. */
  events(options?: SubscribeOptions): AsyncIterableIterator<LogEvent>;
  /** Role, links, members, counters and uptime (what `gossipnet status` prints). */
  status(): SeedStatus;
  /** The network key ids in use, the sending key first; empty for a keyless node. */
  keys(): string[];
  /**
   * Rereads the key file (what SIGHUP does for `gossipnet seed` and `peer`)
   * and logs `keys_loaded`; new handshakes use the new keys, links already
   * up keep theirs. Returns the ids now in use.
   * @throws {ConfigError} When the node has no key file or the file is bad
   * (the old keys stay, and `keys_reload_failed` is logged).
   */
  reloadKeys(): Promise<string[]>;
  /** Closes every link and the listener. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a seed. Its address (`advertise`, else `host:port`) must be one of
 * the network's seeds (`seeds` or the config file); `seeds: []` makes it
 * the only seed, which is the one way to run a seed on port 0.
 *
 * @throws {ConfigError} On a bad option or config, or a seed not in the list.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export async function startSeed(options: SeedOptions): Promise<SeedHandle> {
  return (await launchSeed(options, {})).handle;
}

/** What the command line adds to the library's options. */
export interface SeedLaunch {
  /** Tuning knobs beyond the options (the flags, already in milliseconds). */
  tuning?: Partial<SeedTuning>;
  /** Opens the node's log once the options are checked and the port is bound. */
  openLog?: (listen: Address) => Promise<NodeLog>;
  /** The value of `GOSSIPNET_KEY`, used when the options give no key. @default {none} */
  keyEnv?: string;
}

/** A launched seed: the handle, and the node behind it for the command line's shell. */
export interface LaunchedSeed {
  readonly handle: SeedHandle;
  readonly node: SeedNode;
  /** The node's keys, rereadable on SIGHUP; undefined for a keyless node. */
  readonly keys: NodeKeys | undefined;
}

/** {@linkcode startSeed} with the command line's extras. */
export async function launchSeed(options: SeedOptions, launch: SeedLaunch): Promise<LaunchedSeed> {
  const listen = checkListen(options);
  const keys = await loadNodeKeys(options, launch.keyEnv);
  const tuning = resolveSeedTuning({ ...seedTuningOf(options), ...launch.tuning });
  const listed = await seedsOf(options);
  const { advertise, metricsAt } = optionAddresses(options);
  // `seeds: []` is a network of one: this seed, wherever it listens.
  if (listed.length > 0 && listen.port === 0 && !advertise) {
    throw new ConfigError("Invalid option port: a seed on port 0 can only run alone (seeds: [])");
  }
  const wanted = advertise ?? listen;
  if (listed.length > 0 && !isListedSeed(listed, wanted)) {
    const source = options.seeds ? "seeds" : options.config ?? "config.csv";
    throw new ConfigError(`Cannot start seed: ${formatAddress(wanted)} is not listed in ${source}`);
  }
  const opened = await openNode("seed", options, launch, { listen, advertise, keys });
  const { bound, hub } = opened;
  const seeds = listed.length > 0 ? listed : [bound.self];
  const node = new SeedNode({
    self: bound.self,
    ...(advertise ? { listen: bound.listen } : {}),
    seeds,
    tuning,
    transport: bound.transport,
    log: hub,
    // Real sockets and a real event loop: a probe that timed out behind this
    // process's own long turns (hundreds of nodes in one process) proves nothing.
    watchLoop: true,
    ...(keys ? { keyring: keys } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.rng ? { rng: options.rng } : {}),
  });
  node.start();
  const metrics = await serveNodeMetrics(metricsAt, node, opened);
  const stop = stopOnce(metrics, node, opened);
  const handle: SeedHandle = {
    role: "seed",
    address: formatAddress(bound.self),
    nodeId: node.nodeId,
    ready: node.ready,
    metricsAddress: metrics ? formatAddress(metrics.address) : undefined,
    members: (which = {}) =>
      node.records()
        .filter((r) => which.removed || r.state === "member")
        .map((r) => ({
          address: formatAddress(r.address),
          state: r.state,
          ...(r.reason ? { reason: r.reason } : {}),
          degree: r.degree,
          since: r.version.stamp,
        })),
    events: (subscribe) => hub.subscribe(subscribe),
    status: () => node.status(),
    keys: () => keys?.ids ?? [],
    reloadKeys: () => reloadKeys(keys, hub),
    stop,
    [Symbol.asyncDispose]: stop,
  };
  return { handle, node, keys };
}
