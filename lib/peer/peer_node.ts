/**
 * The peer runtime: joins through the seeds, links to neighbours chosen by
 * preferential attachment, keeps enough of them, gossips, and watches their
 * liveness. The protocol decisions live in the pure modules next to this
 * one and the shared node edge in `lib/node/node_host.ts`; this file wires
 * them together and routes each connection's messages by what it is.
 *
 * @module
 */

import type { PeerTuning } from "../config/node_config.ts";
import { boundedLog } from "../log/bounded_log.ts";
import type { EventLog } from "../log/events.ts";
import { throttledLog } from "../log/throttle.ts";
import { answerClient } from "../node/client_requests.ts";
import { EventCounters } from "../node/event_counters.ts";
import { InternPool } from "../node/intern_pool.ts";
import { type Admission, NodeHost } from "../node/node_host.ts";
import type { PeerStatus } from "../node/node_status.ts";
import { formatDeadReport } from "../protocol/dead_report.ts";
import { type Address, formatAddress } from "../util/address.ts";
import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
import { type ProcessStats, systemProcessStats } from "../util/process_stats.ts";
import { newNodeId, type Rng, systemRng } from "../util/random.ts";
import { type RateLimit, TokenBucket } from "../util/token_bucket.ts";
import { VERSION } from "../util/version.ts";
import type { CloseInfo, FramedConnection } from "../wire/connection.ts";
import type { Frame } from "../wire/frame.ts";
import type { HelloMessage, Message } from "../wire/messages.ts";
import type { KeyringSource } from "../wire/keyring.ts";
import type { Transport } from "../wire/transport.ts";
import { AppMessages, type Published, type ReceivedMessage } from "./app_messages.ts";
import type { KnownPeer } from "./bootstrap.ts";
import { CatchUp } from "./catch_up.ts";
import { Gossip } from "./gossip.ts";
import { HandlerQueue, type HandlerRunner } from "./handler_queue.ts";
import { LivenessTracker } from "./liveness.ts";
import { LivenessMonitor } from "./liveness_monitor.ts";
import { MessageList } from "./message_list.ts";
import { NeighborRoutes } from "./neighbor_routes.ts";
import { type Neighbor, NeighborTable, SIMULTANEOUS_DIAL_MS } from "./neighbors.ts";
import { Overlay } from "./overlay.ts";
import { PeerLists } from "./peer_lists.ts";
import { peerStatus } from "./peer_status.ts";
import { type SeedLink, SeedSessions } from "./seed_sessions.ts";

/** What a peer needs. */
export interface PeerNodeOptions {
  /** The advertised address: in every hello, and what others dial. */
  self: Address;
  /** The address to bind, when it is not `self` (`--advertise`). @default {self} */
  listen?: Address;
  /** Every seed of the config. */
  seeds: readonly Address[];
  tuning: PeerTuning;
  transport: Transport;
  log: EventLog;
  clock?: Clock;
  rng?: Rng;
  /** This node's id, 16 hex digits. @default {a fresh random id} */
  nodeId?: string;
  /** Source of the CPU and memory figures in `joined` and `traffic`. @default {systemProcessStats} */
  processStats?: ProcessStats;
  /** Called for every application message received for the first time (never for its own). */
  onMessage?: (message: ReceivedMessage) => void;
  /** Runs `--on-message` for each received message, from a bounded queue. */
  handler?: HandlerRunner;
  /** The network keys: with them every link is authenticated and sealed. @default {none: plaintext} */
  keyring?: KeyringSource;
  /**
   * Whether to log the periodic `stats` event (for dashboards). The
   * simulator turns it off: nothing reads it there, and at 100,000 peers
   * its timer alone is millions of events. @default {true}
   */
  stats?: boolean;
  /**
   * Shares addresses and hellos with other nodes of this process (the
   * simulator gives all its nodes one). @default {a pool of this peer's own}
   */
  pool?: InternPool;
  /**
   * Probes watch the event loop, so that one timed out behind this node's
   * own long turns proves nothing (for nodes on real sockets; the library's
   * `startSeed`/`startPeer` set it). @default {false}
   */
  watchLoop?: boolean;
}

/** What a connection to a peer is. */
export type PeerConnectionRole =
  /** This peer's session with one of its seeds (it dialled it). */
  | { readonly kind: "seed"; readonly session: SeedLink }
  /** A neighbour link: gossip, pings, indirect probes. */
  | { readonly kind: "neighbor" }
  /** An inbound seed or client that only probes (ping/pong). */
  | { readonly kind: "visitor" };

type PeerConnection = FramedConnection<PeerConnectionRole>;

// One role object for all links of a kind (roles are read, never changed):
// a simulation holds millions of links.
const NEIGHBOR_ROLE: PeerConnectionRole = { kind: "neighbor" };
const VISITOR_ROLE: PeerConnectionRole = { kind: "visitor" };

/** Requests one client connection may make: a burst of 1,000, then 200 a second. */
const CLIENT_RATE: RateLimit = { perSecond: 200, burst: 1000 };

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
  /** This node's id, sent in every hello. */
  readonly nodeId: string;
  readonly #options: PeerNodeOptions;
  readonly #log: EventLog;
  readonly #clock: Clock;
  /** Losses held back while a simultaneous dial settles, by neighbour key. */
  // Made when first needed and dropped once empty: a simulation holds 100,000 peers.
  #settling: Map<string, TimerHandle> | undefined;
  readonly #rng: Rng;
  readonly #stats: ProcessStats;
  readonly #host: NodeHost<PeerConnectionRole>;
  readonly #neighbors: NeighborTable;
  readonly #messages: MessageList;
  readonly #gossip: Gossip;
  readonly #seeds: SeedSessions;
  readonly #monitor: LivenessMonitor;
  readonly #tracker: LivenessTracker;
  readonly #overlay: Overlay;
  readonly #catchUp: CatchUp;
  readonly #counters: EventCounters;
  readonly #app: AppMessages;
  readonly #handlers: HandlerQueue | undefined;
  #joined = false;
  /** The latest peer list from each seed. */
  readonly #lists: PeerLists;
  readonly #routes: NeighborRoutes;
  #degreeQueued = false;
  // Made at the first client request: most peers never get one.
  #clientRequests: WeakMap<PeerConnection, TokenBucket> | undefined;
  /** The seeds removed this peer while it was alive; relink once registered again. */
  #removed = false;
  #statsTimer: TimerHandle | undefined;

  /** Builds a peer; {@linkcode start} makes it listen and join. */
  constructor(options: PeerNodeOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#rng = options.rng ?? systemRng;
    this.nodeId = options.nodeId ?? newNodeId();
    this.#stats = options.processStats ?? systemProcessStats;
    const pool = options.pool ?? new InternPool();
    this.#lists = new PeerLists(pool);
    // Warnings that repeat while a link stays broken are rate-limited and
    // remote text in them is cut short; the counters behind status and
    // metrics count every event all the same.
    this.#counters = new EventCounters(throttledLog(boundedLog(options.log), this.#clock));
    this.#log = this.#counters;
    const t = options.tuning;
    this.#host = new NodeHost<PeerConnectionRole>({
      role: "peer",
      nodeId: this.nodeId,
      self: options.self,
      ...(options.listen ? { listen: options.listen } : {}),
      transport: options.transport,
      clock: this.#clock,
      log: this.#log,
      limits: t,
      pool,
      ...(options.keyring ? { keyring: options.keyring } : {}),
      ...(options.watchLoop ? { watchLoop: true } : {}),
      trusted: (hello) => this.#trusted(hello),
      admit: (connection, hello) => this.#admit(connection, hello),
      route: (connection, role, message, frame) => this.#route(connection, role, message, frame),
      closed: (connection, role, info) => this.#closed(connection, role, info),
    });
    this.#neighbors = new NeighborTable({
      selfKey: formatAddress(options.self),
      maxInbound: t.maxInbound,
      // A link that missed enough pings to be suspected, and has been silent
      // for two rounds, has failed its liveness check: a new link claiming
      // that peer may replace it. A live link never gives way to a claim.
      failing: (neighbor) =>
        this.#tracker.misses(neighbor.key) >= t.pingMisses &&
        this.#clock.now() - neighbor.connection.lastReceivedAt > 2 * t.pingIntervalMs,
    });
    this.#messages = new MessageList({
      clock: this.#clock,
      maxEntries: t.messageListMaxEntries,
      maxAgeMs: t.messageListMaxAgeMs,
      ...(options.pool ? { pool: options.pool } : {}),
    });
    this.#gossip = new Gossip({
      self: options.self,
      messages: this.#messages,
      neighbors: this.#neighbors,
      log: this.#log,
      clock: this.#clock,
      rng: this.#rng,
      intervalMs: t.gossipIntervalMs,
      count: t.gossipCount,
      ratePerLink: { perSecond: t.gossipRatePerLink, burst: t.gossipRatePerLink },
    });
    this.#handlers = options.handler
      ? new HandlerQueue({ run: options.handler, log: this.#log })
      : undefined;
    this.#app = new AppMessages({
      self: options.self,
      nodeId: this.nodeId,
      messages: this.#messages,
      neighbors: this.#neighbors,
      log: this.#log,
      clock: this.#clock,
      deliver: (message) => {
        this.#handlers?.push(message);
        options.onMessage?.(message);
      },
    });
    this.#seeds = new SeedSessions({
      seeds: options.seeds,
      dial: (seed, session) => this.#host.dial(seed, { kind: "seed", session }, t.dialTimeoutMs),
      tuning: t,
      clock: this.#clock,
      rng: this.#rng,
      log: this.#log,
      degree: () => this.#neighbors.degree,
      onPeerList: (seed, peers) => {
        const keys = this.#lists.set(seed, peers);
        // Registered again after the seeds removed it: link as on joining.
        if (this.#removed) {
          this.#removed = false;
          this.#overlay.rejoin();
        }
        // Registered again (e.g. after being wrongly removed): relink now.
        this.#overlay.repairSoon();
        return keys;
      },
      onRemoved: () => this.#removed = true,
    });
    this.#overlay = new Overlay({
      neighbors: this.#neighbors,
      maxNeighbors: t.maxNeighbors,
      repairIntervalMs: t.repairIntervalMs,
      quarantineMs: QUARANTINE_ROUNDS * t.pingIntervalMs,
      clock: this.#clock,
      rng: this.#rng,
      log: this.#log,
      dial: (address) => this.#host.dial(address, NEIGHBOR_ROLE, t.dialTimeoutMs),
      refreshPeerLists: () => this.#seeds.refreshPeerLists(),
      knownPeers: () => this.knownPeers(),
    });
    this.#catchUp = new CatchUp({
      messages: this.#messages,
      log: this.#log,
      clock: this.#clock,
      limits: { maxMessages: t.catchUpMaxMessages, maxAgeMs: t.catchUpMaxAgeMs },
      timeoutMs: t.dialTimeoutMs,
      neighbors: () => this.#neighbors.list().map((n) => n.connection),
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
      log: this.#log,
      pingIntervalMs: t.pingIntervalMs,
      probeTimeoutMs,
      probe: (target) => this.#host.probe(target, probeTimeoutMs, this.#rng),
      report: (target) => this.#reportDead(target),
    });
    this.#routes = new NeighborRoutes({
      gossip: this.#gossip,
      app: this.#app,
      catchUp: this.#catchUp,
      monitor: this.#monitor,
      overlay: this.#overlay,
      gossipRatePerLink: t.gossipRatePerLink,
      clock: this.#clock,
      log: this.#log,
    });
  }

  /**
   * Binds the listener. Call {@linkcode join} next.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   */
  start(): Address {
    return this.#host.start();
  }

  /**
   * Registers with a majority of seeds (retrying until it can), links to
   * neighbours, then starts gossip, liveness and repair.
   * @throws {RuntimeError} When the seeds refuse this peer for good.
   */
  async join(): Promise<void> {
    await this.#seeds.join();
    if (!this.#host.running) return;
    const known = this.knownPeers();
    this.#log.emit({
      event: "joined",
      seeds: this.#seeds.registered(),
      candidates: known.length,
      cpuMs: this.#stats.cpuTimeMs() ?? -1,
    });
    await this.#overlay.link(known, this.#options.tuning.maxNeighbors);
    if (!this.#host.running) return;
    this.#joined = true;
    // A late joiner asks its first neighbour for what was said before it came.
    this.#catchUp.begin(this.#neighbors.list()[0]?.connection);
    this.#gossip.start();
    this.#monitor.start();
    this.#overlay.start();
    if (this.#options.stats !== false) this.#scheduleStats();
  }

  #scheduleStats(): void {
    this.#statsTimer = this.#clock.setTimeout(() => {
      if (!this.#host.running) return;
      this.#log.emit({
        event: "stats",
        neighbors: this.#neighbors.list().map((n) => ({
          neighbor: n.key,
          rttMs: this.lastRtt(n.key) ?? null,
        })),
        messages: this.#messages.size,
      });
      this.#scheduleStats();
    }, statsIntervalMs(this.#options.tuning.pingIntervalMs));
  }

  /**
   * The union of the seeds' latest peer lists, minus this peer. Built on
   * each call (joining, a repair, a banned IP's hello), not kept: with
   * 100,000 peers in one simulation, a kept union is 10 KB per peer.
   */
  knownPeers(): KnownPeer[] {
    return this.#lists.union(this.#options.self);
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

  /**
   * Floods `data` to the network as a new application message.
   * @throws {RangeError} If it exceeds `MAX_PAYLOAD_BYTES`.
   */
  publish(data: Uint8Array): Published {
    return this.#app.publish(data);
  }

  /** This peer's status document. */
  status(): PeerStatus {
    const handlers = this.#handlers;
    return peerStatus({
      nodeId: this.nodeId,
      address: formatAddress(this.#options.self),
      version: VERSION,
      startedAt: this.#host.startedAt,
      now: this.#clock.now(),
      traffic: this.#host.trafficNow(),
      counters: this.#counters,
      joined: this.#joined,
      seeds: this.#seeds.registered(),
      neighbors: this.#neighbors.list(),
      rtt: (key) => this.#tracker.lastRtt(key),
      messageList: { entries: this.#messages.size, duplicates: this.#messages.duplicates },
      ...(handlers ? { handler: { waiting: handlers.waiting, dropped: handlers.dropped } } : {}),
      ...(this.#options.keyring ? { keys: this.#options.keyring.current().ids } : {}),
    });
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
    if (!this.#host.running) return;
    if (this.#statsTimer !== undefined) this.#clock.clearTimeout(this.#statsTimer);
    this.#gossip.stop();
    this.#monitor.stop();
    this.#overlay.stop();
    this.#catchUp.stop();
    for (const timer of this.#settling?.values() ?? []) this.#clock.clearTimeout(timer);
    this.#settling = undefined;
    this.#host.stopListening();
    this.#seeds.leave();
    const handlersStopped = this.#handlers?.stop();
    await this.#host.stop((connection) => {
      if (connection.role?.kind === "neighbor") {
        connection.send({ kind: "leave", reason: "shutdown" });
      }
      connection.close("local", "leaving", { flush: true });
    });
    await handlersStopped;
    const traffic = this.#host.traffic;
    this.#log.emit({
      event: "traffic",
      framesSent: traffic.framesOut,
      bytesSent: traffic.bytesOut,
      framesReceived: traffic.framesIn,
      bytesReceived: traffic.bytesIn,
      duplicates: this.#messages.duplicates,
      peakRssBytes: this.#stats.peakRssBytes() ?? -1,
      privateRssBytes: this.#stats.privateRssBytes() ?? -1,
      cpuMs: this.#stats.cpuTimeMs() ?? -1,
    });
  }

  // Claims a ban on their IP does not stop: a neighbour's or a listed peer's address.
  #trusted(hello: HelloMessage): boolean {
    if (hello.role !== "peer") return false;
    const key = formatAddress(hello.address);
    if (this.#neighbors.has(key)) return true;
    // Listed by a seed (this peer's own entry does not count, as in the union).
    if (key === formatAddress(this.#options.self)) return false;
    return this.#lists.has(key);
  }

  #admit(connection: PeerConnection, hello: HelloMessage): Admission<PeerConnectionRole> {
    const intent = connection.role;
    if (intent?.kind === "seed") {
      return hello.role === "seed"
        ? { role: intent }
        : { reject: { code: "unexpected_message", text: "Expected a seed" } };
    }
    // Inbound seeds and clients only probe: they get pongs, not gossip.
    if (connection.direction === "in" && hello.role !== "peer") {
      return { role: VISITOR_ROLE };
    }
    if (hello.role !== "peer") {
      return { reject: { code: "unexpected_message", text: "Expected a peer" } };
    }
    const added = this.#neighbors.add(connection, hello, this.#clock.now());
    if (added.kind === "rejected") {
      // Two peers that dialled each other at once settle it without a word;
      // a second link claiming a live neighbour is worth a line.
      if (added.text.startsWith("Duplicate link:")) {
        this.#log.emit({
          event: "link_refused",
          neighbor: formatAddress(hello.address),
          remote: connection.remoteLabel,
          reason: added.text,
        });
      }
      return { reject: { code: "too_many_connections", text: added.text } };
    }
    if (added.kind === "added") {
      const settling = this.#settling?.get(added.neighbor.key);
      if (settling !== undefined) {
        this.#clock.clearTimeout(settling);
        this.#stopSettling(added.neighbor.key);
      }
      this.#log.emit({
        event: "neighbor_connected",
        neighbor: added.neighbor.key,
        direction: connection.direction,
      });
      this.#monitor.watch(hello.address);
      this.#degreeChanged();
      // What this peer said while it had no neighbour goes out now, and
      // what the others said meanwhile comes in.
      if (this.#gossip.held > 0) queueMicrotask(() => this.#gossip.release());
      if (this.#catchUp.waitingForLink) {
        queueMicrotask(() => {
          if (this.#host.running && !connection.isClosed) this.#catchUp.linked(connection);
        });
      }
    }
    return { role: NEIGHBOR_ROLE, settled: true };
  }

  #route(
    connection: PeerConnection,
    role: PeerConnectionRole,
    message: Message,
    frame: Frame,
  ): boolean {
    switch (role.kind) {
      case "seed":
        return this.#seeds.onMessage(role.session, message);
      case "neighbor":
        return this.#routes.route(connection, message, frame);
      case "visitor":
        if (message.kind === "pong") return true;
        // Only clients ask questions (`gossipnet send`, `status`); seeds just probe.
        if (connection.remoteHello?.role !== "client") return false;
        if (!this.#allowClientRequest(connection)) {
          this.#log.emit({
            event: "request_refused",
            remote: connection.remoteLabel,
            kind: message.kind,
            reason: "over its rate",
          });
          return true;
        }
        return answerClient(connection, message, {
          status: () => this.status(),
          publish: (data) => {
            const { seq, neighbors } = this.#app.publish(data);
            return { originId: this.nodeId, seq, neighbors: Math.min(neighbors, 0xffff) };
          },
        });
    }
  }

  // A client's requests (publishing, status) have a rate: `send -` may pour
  // in lines, but a stranger must not make this peer flood the network.
  #allowClientRequest(connection: PeerConnection): boolean {
    const now = this.#clock.now();
    const requests = this.#clientRequests ??= new WeakMap();
    let bucket = requests.get(connection);
    if (!bucket) requests.set(connection, bucket = new TokenBucket(CLIENT_RATE, now));
    return bucket.take(now);
  }

  #closed(connection: PeerConnection, role: PeerConnectionRole, info: CloseInfo): void {
    if (role.kind === "seed") {
      this.#seeds.onClose(role.session, info);
      return;
    }
    if (role.kind !== "neighbor") return;
    this.#catchUp.closed(connection);
    const lost = this.#neighbors.remove(connection);
    if (lost) this.#gossip.forget(lost.key);
    if (!lost || !this.#host.running) return;
    const reason = info.reason === "local" ? info.detail : `${info.reason}: ${info.detail}`;
    const lose = () => {
      this.#log.emit({ event: "neighbor_lost", neighbor: lost.key, reason });
      this.#degreeChanged();
      this.#overlay.repairSoon();
    };
    // Both peers dialled at once and the other end kept the other link,
    // which may still be handshaking here (a keyed handshake takes a round
    // trip more, so this close can come first): a loss only if no link to
    // that peer comes up meanwhile.
    if (info.reason === "remote_closed" && this.#clock.now() - lost.since < SIMULTANEOUS_DIAL_MS) {
      const timer = this.#clock.setTimeout(() => {
        this.#stopSettling(lost.key);
        if (this.#host.running && !this.#neighbors.has(lost.key)) lose();
      }, SIMULTANEOUS_DIAL_MS);
      (this.#settling ??= new Map()).set(lost.key, timer);
      return;
    }
    lose();
  }

  #stopSettling(key: string): void {
    this.#settling?.delete(key);
    if (this.#settling?.size === 0) this.#settling = undefined;
  }

  #reportDead(target: Address): void {
    const key = formatAddress(target);
    const raw = formatDeadReport({
      dead: target,
      timestampMs: this.#clock.now(),
      reporterHost: this.#options.self.host,
    });
    const seeds = this.#seeds.sendAll({ kind: "dead_node", text: raw });
    this.#log.emit({ event: "dead_node_reported", dead: key, seeds, raw });
    this.#overlay.quarantine(key);
    this.#neighbors.get(key)?.connection.close("local", "reported dead");
  }

  #degreeChanged(): void {
    if (this.#degreeQueued) return;
    this.#degreeQueued = true;
    // Several links often change in one turn (joining): report once.
    queueMicrotask(() => {
      this.#degreeQueued = false;
      if (this.#host.running) {
        this.#seeds.sendAll({
          kind: "degree_update",
          degree: Math.min(this.#neighbors.degree, 0xffff),
        });
      }
    });
  }
}
