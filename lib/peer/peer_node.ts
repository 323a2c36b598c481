/**
 * The peer runtime: joins through the seeds, links to neighbours chosen by
 * preferential attachment, keeps enough of them, gossips, and watches their
 * liveness. The protocol decisions live in the pure modules next to this
 * one; this file owns the sockets and timers and routes messages.
 *
 * @module
 */

import type { PeerTuning } from "../config/node_config.ts";
import { type EventLog, NEIGHBOR_LEFT_REASON } from "../log/events.ts";
import { throttledLog } from "../log/throttle.ts";
import { type Address, formatAddress } from "../util/address.ts";
import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { cpuTimeMs, peakRssBytes, privateRssBytes } from "../util/process_stats.ts";
import { newNodeId, type Rng, systemRng } from "../util/random.ts";
import type { CloseInfo, ConnectionHandler, ConnectionStats } from "../wire/connection.ts";
import { FramedConnection } from "../wire/connection.ts";
import { dialNode } from "../wire/dial.ts";
import type { Frame } from "../wire/frame.ts";
import { type HelloMessage, type Message, type PeerEntry } from "../wire/messages.ts";
import { probeNode } from "../wire/probe.ts";
import { droppedEvent, helloFrom, listenAndServe } from "../wire/serve.ts";
import type { LinkListener, Transport } from "../wire/transport.ts";
import { type KnownPeer, unionPeerLists } from "./bootstrap.ts";
import { formatDeadReport } from "./dead_report.ts";
import { Gossip } from "./gossip.ts";
import { LivenessTracker } from "./liveness.ts";
import { LivenessMonitor } from "./liveness_monitor.ts";
import { MessageList } from "./message_list.ts";
import { type Neighbor, NeighborTable } from "./neighbors.ts";
import { Overlay } from "./overlay.ts";
import { SeedLink, SeedSessions } from "./seed_sessions.ts";

/** What a peer needs. */
export interface PeerNodeOptions {
  /** Listen and advertised address. */
  self: Address;
  /** Every seed of the config. */
  seeds: readonly Address[];
  tuning: PeerTuning;
  transport: Transport;
  log: EventLog;
  clock?: Clock;
  rng?: Rng;
}

/** Marks a neighbour link in `connection.context`. */
const NEIGHBOR = "neighbor";
/** For how many ping intervals a peer reported dead, or gone, is not redialled. */
const QUARANTINE_ROUNDS = 3;

/**
 * How often a joined peer logs `stats` (neighbour round trips, Message List
 * size) for dashboards: once per ping interval, since round trips change no
 * faster, but at least every 5 s and at most every second.
 */
export function statsIntervalMs(pingIntervalMs: number): number {
  return Math.min(5000, Math.max(1000, pingIntervalMs));
}

/** A running peer. */
export class PeerNode {
  /** Random id of this process, sent in every hello. */
  readonly nodeId: string = newNodeId();
  readonly #o: PeerNodeOptions;
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #selfKey: string;
  readonly #neighbors: NeighborTable;
  readonly #messages: MessageList;
  readonly #gossip: Gossip;
  readonly #seeds: SeedSessions;
  readonly #monitor: LivenessMonitor;
  readonly #tracker: LivenessTracker;
  readonly #overlay: Overlay;
  readonly #lists = new Map<string, PeerEntry[]>();
  readonly #connections = new Set<FramedConnection>();
  readonly #traffic: ConnectionStats = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
  #listener: LinkListener | undefined;
  #degreeQueued = false;
  #running = false;
  #statsTimer: TimerHandle | undefined;

  /** Builds a peer; {@linkcode start} makes it listen and join. */
  constructor(options: PeerNodeOptions) {
    this.#clock = options.clock ?? systemClock;
    // Warnings that repeat while a link stays broken are rate-limited.
    options = { ...options, log: throttledLog(options.log, this.#clock) };
    this.#o = options;
    this.#rng = options.rng ?? systemRng;
    this.#selfKey = formatAddress(options.self);
    const t = options.tuning;
    this.#neighbors = new NeighborTable({ selfKey: this.#selfKey, maxInbound: t.maxInbound });
    this.#messages = new MessageList({
      clock: this.#clock,
      maxEntries: t.messageListMaxEntries,
      maxAgeMs: t.messageListMaxAgeMs,
    });
    this.#gossip = new Gossip({
      self: options.self,
      messages: this.#messages,
      neighbors: this.#neighbors,
      log: options.log,
      clock: this.#clock,
      rng: this.#rng,
      intervalMs: t.gossipIntervalMs,
      count: t.gossipCount,
    });
    this.#seeds = new SeedSessions({
      seeds: options.seeds,
      transport: options.transport,
      localHello: this.#hello("peer"),
      handler: this.#handler,
      tuning: t,
      clock: this.#clock,
      rng: this.#rng,
      log: options.log,
      degree: () => this.#neighbors.degree,
      onPeerList: (seed, peers) => {
        this.#lists.set(seed, peers);
        // Registered again (e.g. after being wrongly removed): relink now.
        this.#overlay.repairSoon();
      },
    });
    this.#overlay = new Overlay({
      neighbors: this.#neighbors,
      maxNeighbors: t.maxNeighbors,
      repairIntervalMs: t.repairIntervalMs,
      quarantineMs: QUARANTINE_ROUNDS * t.pingIntervalMs,
      clock: this.#clock,
      rng: this.#rng,
      log: options.log,
      dial: (address) =>
        dialNode(address, {
          transport: options.transport,
          localHello: this.#hello("peer"),
          handler: this.#handler,
          timeoutMs: t.dialTimeoutMs,
        }),
      refreshPeerLists: () => this.#seeds.refreshPeerLists(),
      knownPeers: () => this.knownPeers(),
    });
    this.#tracker = new LivenessTracker({
      misses: t.pingMisses,
      clock: this.#clock,
      rng: this.#rng,
    });
    // A probe must finish before the next round starts.
    const probeTimeoutMs = Math.max(1, Math.min(t.dialTimeoutMs, t.pingIntervalMs * 0.8));
    this.#monitor = new LivenessMonitor({
      tracker: this.#tracker,
      neighbors: this.#neighbors,
      clock: this.#clock,
      rng: this.#rng,
      log: options.log,
      pingIntervalMs: t.pingIntervalMs,
      probeTimeoutMs,
      probe: (target) =>
        probeNode(target, {
          transport: options.transport,
          localHello: this.#hello("client"),
          timeoutMs: probeTimeoutMs,
          rng: this.#rng,
        }),
      report: (target) => this.#reportDead(target),
    });
  }

  /**
   * Binds the listener. Call {@linkcode join} next.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   */
  start(): Address {
    this.#listener = listenAndServe({
      transport: this.#o.transport,
      log: this.#o.log,
      handler: this.#handler,
      localHello: this.#hello("peer"),
      clock: this.#clock,
      accepting: () => this.#running,
    });
    this.#running = true;
    return this.#listener.address;
  }

  /**
   * Registers with a majority of seeds (retrying until it can), links to
   * neighbours, then starts gossip, liveness and repair.
   * @throws {RuntimeError} When the seeds refuse this peer for good.
   */
  async join(): Promise<void> {
    await this.#seeds.join();
    if (!this.#running) return;
    const known = this.knownPeers();
    this.#o.log.emit({
      event: "joined",
      seeds: this.#seeds.registered(),
      candidates: known.length,
      cpuMs: cpuTimeMs() ?? -1,
    });
    await this.#overlay.link(known, this.#o.tuning.maxNeighbors);
    if (!this.#running) return;
    this.#gossip.start();
    this.#monitor.start();
    this.#overlay.start();
    this.#scheduleStats();
  }

  #scheduleStats(): void {
    this.#statsTimer = this.#clock.setTimeout(() => {
      if (!this.#running) return;
      this.#o.log.emit({
        event: "stats",
        neighbors: this.#neighbors.list().map((n) => ({
          neighbor: n.key,
          rttMs: this.lastRtt(n.key) ?? null,
        })),
        messages: this.#messages.size,
      });
      this.#scheduleStats();
    }, statsIntervalMs(this.#o.tuning.pingIntervalMs));
  }

  /** The union of the seeds' latest peer lists, minus this peer. */
  knownPeers(): KnownPeer[] {
    return unionPeerLists(this.#lists.values(), this.#o.self);
  }

  /** Current neighbours. */
  neighbors(): Neighbor[] {
    return this.#neighbors.list();
  }

  /** Last ping round trip to a neighbour, in ms. */
  lastRtt(key: string): number | undefined {
    return this.#tracker.lastRtt(key);
  }

  /** Seeds this peer is registered with. */
  registeredSeeds(): string[] {
    return this.#seeds.registered();
  }

  /** The Message List. */
  get messageList(): MessageList {
    return this.#messages;
  }

  /**
   * Leaves cleanly: stops listening (so seeds checking on it find it gone),
   * tells seeds and neighbours, flushes and closes every link. Idempotent.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#statsTimer !== undefined) this.#clock.clearTimeout(this.#statsTimer);
    this.#gossip.stop();
    this.#monitor.stop();
    this.#overlay.stop();
    this.#listener?.close();
    const closing = [...this.#connections].map((c) => c.closed);
    for (const neighbor of this.#neighbors.list()) {
      neighbor.connection.send({ kind: "leave", reason: "shutdown" });
      neighbor.connection.close("local", "leaving", { flush: true });
    }
    this.#seeds.leave();
    for (const connection of this.#connections) {
      connection.close("local", "leaving", { flush: true });
    }
    await Promise.all(closing);
    this.#o.log.emit({
      event: "traffic",
      framesSent: this.#traffic.framesOut,
      bytesSent: this.#traffic.bytesOut,
      framesReceived: this.#traffic.framesIn,
      bytesReceived: this.#traffic.bytesIn,
      duplicates: this.#messages.duplicates,
      peakRssBytes: peakRssBytes(),
      privateRssBytes: privateRssBytes() ?? -1,
      cpuMs: cpuTimeMs() ?? -1,
    });
  }

  #hello(role: "peer" | "client"): HelloMessage {
    return helloFrom(role, this.nodeId, this.#o.self);
  }

  readonly #handler: ConnectionHandler = {
    onHello: (connection, hello) => {
      if (hello.nodeId === this.nodeId) {
        return { code: "unexpected_message", text: "Connected to itself" };
      }
      this.#connections.add(connection);
      if (connection.context instanceof SeedLink) {
        return hello.role === "seed"
          ? undefined
          : { code: "unexpected_message", text: "Expected a seed" };
      }
      // Inbound seeds and clients only probe: they get pongs, not gossip.
      if (connection.direction === "in" && hello.role !== "peer") return undefined;
      if (hello.role !== "peer") return { code: "unexpected_message", text: "Expected a peer" };
      const added = this.#neighbors.add(connection, hello, this.#clock.now());
      if (added.kind === "rejected") return { code: "too_many_connections", text: added.text };
      connection.context = NEIGHBOR;
      if (added.kind === "added") {
        this.#o.log.emit({
          event: "neighbor_connected",
          neighbor: added.neighbor.key,
          direction: connection.direction,
        });
        this.#monitor.watch(hello.address);
        this.#degreeChanged();
      }
      return undefined;
    },
    onMessage: (connection, message, frame) => this.#onMessage(connection, message, frame),
    onClose: (connection, info) => this.#onClose(connection, info),
  };

  #onMessage(connection: FramedConnection, message: Message, frame: Frame): void {
    const hello = connection.remoteHello as HelloMessage;
    const key = connection.remoteKey;
    if (message.kind === "ping") {
      connection.send({ kind: "pong", nonce: message.nonce });
      return;
    }
    if (connection.context instanceof SeedLink) {
      if (this.#seeds.onMessage(connection.context, message)) return;
    } else if (connection.context === NEIGHBOR) {
      if (this.#onNeighborMessage(connection, key, message, frame)) return;
    } else if (message.kind === "pong") {
      return;
    }
    connection.fail(
      "protocol_error",
      "unexpected_message",
      `Unexpected ${message.kind} from a ${hello.role}`,
    );
  }

  #onNeighborMessage(
    connection: FramedConnection,
    key: string,
    message: Message,
    frame: Frame,
  ): boolean {
    switch (message.kind) {
      case "gossip":
        this.#gossip.receive(key, message, frame);
        return true;
      case "pong":
        this.#monitor.onPong(key, message.nonce);
        return true;
      case "probe_request":
        this.#monitor.onProbeRequest(
          message,
          (alive) =>
            connection.send({
              kind: "probe_result",
              nonce: message.nonce,
              target: message.target,
              alive,
            }),
        ).catch((error) => this.#o.log.emit({ event: "internal_error", detail: errorText(error) }));
        return true;
      case "probe_result":
        this.#monitor.onProbeResult(key, message.nonce, message.alive);
        return true;
      case "leave":
        // Not dead: it said goodbye. Stop watching before the link closes,
        // and do not redial it while the seeds may still list it.
        this.#monitor.unwatch(key);
        this.#overlay.quarantine(key);
        connection.close("local", NEIGHBOR_LEFT_REASON);
        return true;
      default:
        return false;
    }
  }

  #onClose(connection: FramedConnection, info: CloseInfo): void {
    this.#connections.delete(connection);
    const stats = connection.stats;
    this.#traffic.framesIn += stats.framesIn;
    this.#traffic.bytesIn += stats.bytesIn;
    this.#traffic.framesOut += stats.framesOut;
    this.#traffic.bytesOut += stats.bytesOut;
    if (connection.context instanceof SeedLink) {
      this.#seeds.onClose(connection.context, info);
    } else if (connection.context === NEIGHBOR) {
      const lost = this.#neighbors.remove(connection);
      if (lost && this.#running) {
        const reason = info.reason === "local" ? info.detail : `${info.reason}: ${info.detail}`;
        this.#o.log.emit({ event: "neighbor_lost", neighbor: lost.key, reason });
        this.#degreeChanged();
        this.#overlay.repairSoon();
      }
    }
    const dropped = droppedEvent(connection, info);
    if (dropped && this.#running) this.#o.log.emit(dropped);
  }

  #reportDead(target: Address): void {
    const key = formatAddress(target);
    const raw = formatDeadReport({
      dead: target,
      timestampMs: this.#clock.now(),
      reporterHost: this.#o.self.host,
    });
    const seeds = this.#seeds.sendAll({ kind: "dead_node", text: raw });
    this.#o.log.emit({ event: "dead_node_reported", dead: key, seeds, raw });
    this.#overlay.quarantine(key);
    this.#neighbors.get(key)?.connection.close("local", "reported dead");
  }

  #degreeChanged(): void {
    if (this.#degreeQueued) return;
    this.#degreeQueued = true;
    // Several links often change in one turn (joining): report once.
    queueMicrotask(() => {
      this.#degreeQueued = false;
      if (this.#running) {
        this.#seeds.sendAll({
          kind: "degree_update",
          degree: Math.min(this.#neighbors.degree, 0xffff),
        });
      }
    });
  }
}
