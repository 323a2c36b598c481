/**
 * `startPeer`: a running peer as a library user holds it. Starting binds
 * the port, opens the log if asked, checks `onMessage`, starts joining in
 * the background and serves metrics if asked; the handle publishes,
 * streams received messages and events, and stops.
 *
 * @module
 */

import { resolvePeerTuning } from "../config/node_config.ts";
import type { PeerTuning } from "../config/node_config.ts";
import type { SubscribeOptions } from "../log/event_hub.ts";
import type { LogEvent } from "../log/events.ts";
import type { NodeLog } from "../log/logger.ts";
import type { NeighborStatus, PeerStatus } from "../node/node_status.ts";
import type { ReceivedMessage } from "../peer/app_messages.ts";
import { PeerNode } from "../peer/peer_node.ts";
import { type Address, formatAddress } from "../util/address.ts";
import { AsyncQueue } from "../util/async_queue.ts";
import { noProcessStats, type ProcessStats } from "../util/process_stats.ts";
import { type NodeKeys, reloadKeys } from "./node_keys.ts";
import {
  loadNodeKeys,
  openNode,
  optionAddresses,
  serveNodeMetrics,
  stopOnce,
} from "./node_launch.ts";
import { checkHandlerCommand, shellHandler } from "./handler_command.ts";
import { checkListen, type PeerOptions, peerTuningOf, seedsOf } from "./options.ts";

export type { ReceivedMessage };

/** A running peer. */
export interface PeerHandle extends AsyncDisposable {
  /** Always `"peer"`. */
  readonly role: "peer";
  /** The advertised address, `host:port` (the real port when 0 was asked). */
  readonly address: string;
  /** This peer's node id: the first part of the ids of the messages it publishes. */
  readonly nodeId: string;
  /**
   * Resolves once the peer is registered with a majority of seeds and linked
   * to its neighbours; rejects if the seeds refuse it for good.
   */
  readonly joined: Promise<void>;
  /** Where `/metrics` is served, `host:port`, if asked. */
  readonly metricsAddress: string | undefined;
  /**
   * Floods `data` (a string is sent as UTF-8) to every other peer, once
   * each, and returns its id, `<node id>-<seq>`. A peer with no
   * neighbours yet sends it to nobody: wait for {@linkcode joined}.
   * @throws {RangeError} When it exceeds `MAX_PAYLOAD_BYTES` (nothing is sent).
   */
  publish(data: Uint8Array | string): string;
  /**
   * The application messages received from now on, each once, never this
   * peer's own. A reader that falls `capacity` messages behind loses the
   * newest. The stream ends when the peer stops.
   */
  messages(options?: SubscribeOptions): AsyncIterableIterator<ReceivedMessage>;
  /** The node's events from now on: the same typed events its log file gets. */
  events(options?: SubscribeOptions): AsyncIterableIterator<LogEvent>;
  /** Current neighbours, with the last ping round trip. */
  neighbors(): NeighborStatus[];
  /** Role, neighbours, Message List, counters and uptime (what `gossipnet status` prints). */
  status(): PeerStatus;
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
  /** Leaves the network cleanly and closes everything. Idempotent. */
  stop(): Promise<void>;
}

/** What the command line adds to the library's options. */
export interface PeerLaunch {
  /** Source of the process figures in the log. @default {none: a library process may run many nodes} */
  processStats?: ProcessStats;
  /** Tuning knobs beyond the options (the flags, already in milliseconds). */
  tuning?: Partial<PeerTuning>;
  /** Opens the node's log once the options are checked and the port is bound. */
  openLog?: (listen: Address) => Promise<NodeLog>;
  /** The value of `GOSSIPNET_KEY`, used when the options give no key. @default {none} */
  keyEnv?: string;
}

/** A launched peer: the handle, and the node behind it for the command line's shell. */
export interface LaunchedPeer {
  readonly handle: PeerHandle;
  readonly node: PeerNode;
  /** The node's keys, rereadable on SIGHUP; undefined for a keyless node. */
  readonly keys: NodeKeys | undefined;
  /** The network's seeds, as read from the options or config. */
  readonly seeds: readonly Address[];
}

/**
 * Starts a peer: binds its port, then joins through the seeds in the
 * background (see {@linkcode PeerHandle.joined}).
 *
 * @throws {ConfigError} On a bad option or config file.
 * @throws {UsageError} When `onMessage`'s command cannot be found.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export async function startPeer(options: PeerOptions): Promise<PeerHandle> {
  return (await launchPeer(options, {})).handle;
}

/** {@linkcode startPeer} with the command line's extras. */
export async function launchPeer(options: PeerOptions, launch: PeerLaunch): Promise<LaunchedPeer> {
  const listen = checkListen(options);
  const keys = await loadNodeKeys(options, launch.keyEnv);
  const tuning = resolvePeerTuning({ ...peerTuningOf(options), ...launch.tuning });
  const seeds = await seedsOf(options);
  if (options.onMessage !== undefined) checkHandlerCommand(options.onMessage);
  const { advertise, metricsAt } = optionAddresses(options);
  const opened = await openNode("peer", options, launch, { listen, advertise, keys });
  const { bound, hub } = opened;
  const readers = new Set<AsyncQueue<ReceivedMessage>>();
  const node = new PeerNode({
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
    // Many nodes may share a library's process: its figures are no one node's.
    processStats: launch.processStats ?? noProcessStats,
    onMessage: (message) => {
      let first = true;
      for (const reader of readers) {
        // Each extra reader gets its own copy, so no reader can change another's bytes.
        reader.push(first ? message : { ...message, data: message.data.slice() });
        first = false;
      }
    },
    ...(options.onMessage === undefined ? {} : { handler: shellHandler(options.onMessage) }),
  });
  node.start();
  const joined = node.join();
  joined.catch(() => {}); // the caller may never look; the seeds' refusal is in the log
  const metrics = await serveNodeMetrics(metricsAt, node, opened);
  let stopping = false;
  const stopAll = stopOnce(metrics, node, opened, () => {
    for (const reader of readers) reader.close();
  });
  const stop = () => {
    stopping = true;
    return stopAll();
  };
  const encoder = new TextEncoder();
  const handle: PeerHandle = {
    role: "peer",
    address: formatAddress(bound.self),
    nodeId: node.nodeId,
    joined,
    metricsAddress: metrics ? formatAddress(metrics.address) : undefined,
    publish: (data) => node.publish(typeof data === "string" ? encoder.encode(data) : data).id,
    messages: (subscribe = {}) => {
      const reader: AsyncQueue<ReceivedMessage> = new AsyncQueue({
        ...(subscribe.capacity === undefined ? {} : { capacity: subscribe.capacity }),
        onClose: () => readers.delete(reader),
      });
      if (stopping) reader.close();
      else readers.add(reader);
      return reader;
    },
    events: (subscribe) => hub.subscribe(subscribe),
    neighbors: () =>
      node.neighbors().map((n) => ({
        address: n.key,
        direction: n.direction,
        rttMs: node.lastRtt(n.key) ?? null,
        since: n.since,
      })),
    status: () => node.status(),
    keys: () => keys?.ids ?? [],
    reloadKeys: () => reloadKeys(keys, hub),
    stop,
    [Symbol.asyncDispose]: stop,
  };
  return { handle, node, seeds, keys };
}
