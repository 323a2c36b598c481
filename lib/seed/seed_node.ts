/**
 * The seed runtime: routes each connection by what it is (another seed:
 * consensus and sync, once verified; a peer: registration, peer lists,
 * degree updates, Dead Node reports, leaving; a client: operator reports
 * and peer lists). Decisions are made in `registrar.ts`, seed links are
 * verified in `seed_links.ts`, requests answered in `peer_requests.ts`; the
 * shared node edge (listening, caps, bans, pings, stopping) is
 * `lib/node/node_host.ts`. This file moves messages.
 *
 * @module
 */

import type { SeedTuning } from "../config/node_config.ts";
import { isListedSeed, quorumSize } from "../config/seed_list.ts";
import { boundedLog } from "../log/bounded_log.ts";
import type { EventLog } from "../log/events.ts";
import { throttledLog } from "../log/throttle.ts";
import { answerClient } from "../node/client_requests.ts";
import { EventCounters } from "../node/event_counters.ts";
import { type Admission, NodeHost } from "../node/node_host.ts";
import { countersOf, SEED_COUNTERS, type SeedStatus } from "../node/node_status.ts";
import type { MemberRecord } from "../protocol/membership_types.ts";
import { type Address, formatAddress, sameAddress } from "../util/address.ts";
import { type Clock, systemClock } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { newNodeId, type Rng, systemRng } from "../util/random.ts";
import { VERSION } from "../util/version.ts";
import type { FramedConnection } from "../wire/connection.ts";
import {
  type HelloMessage,
  membersMessages,
  type Message,
  type PeerEntry,
  syncStateMessages,
} from "../wire/messages.ts";
import type { KeyringSource } from "../wire/keyring.ts";
import type { Transport } from "../wire/transport.ts";
import { Membership } from "./membership.ts";
import { MembershipHealer } from "./membership_healer.ts";
import { InternPool } from "../node/intern_pool.ts";
import { PeerRequests } from "./peer_requests.ts";
import { PeerRoutes } from "./peer_routes.ts";
import { MAX_CLOCK_SKEW_MS } from "./record_check.ts";
import { Registrar } from "./registrar.ts";
import { type SeedLinkRole, SeedLinks } from "./seed_links.ts";
import { SeedMesh } from "./seed_mesh.ts";
import { SeedSync } from "./seed_sync.ts";

/** Largest Peer List a seed sends whole in every sync round; above it, deltas. */
export const SYNC_FULL_MAX = 1000;

/** Above {@linkcode SYNC_FULL_MAX}, every this many sync rounds on a link are whole. */
export const SYNC_FULL_EVERY = 12;

/** What a seed needs. */
export interface SeedNodeOptions {
  /** This seed's advertised address; must be in `seeds`. */
  self: Address;
  /** The address to bind, when it is not `self` (`--advertise`). @default {self} */
  listen?: Address;
  /** Every seed of the config, this one included. */
  seeds: readonly Address[];
  tuning: SeedTuning;
  transport: Transport;
  log: EventLog;
  clock?: Clock;
  rng?: Rng;
  /** This node's id, 16 hex digits. @default {a fresh random id} */
  nodeId?: string;
  /** The network keys: with them every link is authenticated and sealed. @default {none: plaintext} */
  keyring?: KeyringSource;
  /** Advanced (tests): largest peer list sent whole. @default {PEER_LIST_FULL_MAX} */
  peerListFullMax?: number;
  /** Advanced (tests): largest Peer List synced whole every round. @default {SYNC_FULL_MAX} */
  syncFullMax?: number;
  /**
   * Shares remotes' hellos and addresses with other nodes of this process
   * (the simulator gives all its nodes one). @default {a pool of this seed's own}
   */
  pool?: InternPool;
  /**
   * Probes watch the event loop, so that one timed out behind this node's
   * own long turns proves nothing (for nodes on real sockets; the library's
   * `startSeed`/`startPeer` set it). @default {false}
   */
  watchLoop?: boolean;
}

/** What a connection to a seed is, by the remote's hello. */
export type SeedConnectionRole =
  /** Another seed of the config (verified, or a claim being verified). */
  | SeedLinkRole
  /** A peer of the network. */
  | { readonly kind: "peer" }
  /** An operator's client (`report-dead`) or a probe. */
  | { readonly kind: "client" };

type SeedConnection = FramedConnection<SeedConnectionRole>;

// One role object for all links of a kind (roles are read, never changed):
// a seed in a simulation holds tens of thousands of peer sessions.
const PEER_ROLE: SeedConnectionRole = { kind: "peer" };
const CLIENT_ROLE: SeedConnectionRole = { kind: "client" };

/** A running seed. */
export class SeedNode {
  /** This node's id, sent in every hello. */
  readonly nodeId: string;
  readonly #options: SeedNodeOptions;
  readonly #log: EventLog;
  readonly #counters: EventCounters;
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #host: NodeHost<SeedConnectionRole>;
  readonly #membership: Membership;
  readonly #registrar: Registrar;
  readonly #mesh: SeedMesh;
  readonly #links: SeedLinks;
  readonly #healer: MembershipHealer;
  /** Registered peers' current sessions, by `host:port`. */
  readonly #sessions = new Map<string, FramedConnection>();
  readonly #requests: PeerRequests;
  readonly #routes: PeerRoutes;
  readonly #sync: SeedSync;
  /** Per seed link: the change mark of the last sync answer and rounds since a full one. */
  readonly #syncSent = new WeakMap<FramedConnection, { mark: number; rounds: number }>();

  /** Builds a seed; {@linkcode start} makes it listen. */
  constructor(options: SeedNodeOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#rng = options.rng ?? systemRng;
    this.nodeId = options.nodeId ?? newNodeId();
    // Warnings that repeat while a link stays broken are rate-limited; the
    // counters behind status and metrics count every event all the same.
    this.#counters = new EventCounters(throttledLog(boundedLog(options.log), this.#clock));
    this.#log = this.#counters;
    const tuning = options.tuning;
    const pool = options.pool ?? new InternPool();
    this.#host = new NodeHost<SeedConnectionRole>({
      role: "seed",
      nodeId: this.nodeId,
      self: options.self,
      ...(options.listen ? { listen: options.listen } : {}),
      transport: options.transport,
      clock: this.#clock,
      log: this.#log,
      limits: tuning,
      pool,
      ...(options.keyring ? { keyring: options.keyring } : {}),
      ...(options.watchLoop ? { watchLoop: true } : {}),
      trusted: (hello) => this.#trusted(hello),
      admit: (connection, hello) => this.#admit(connection, hello),
      route: (connection, role, message) => this.#route(connection, role, message),
      closed: (connection, role, info) => {
        if (role.kind === "seed") {
          this.#mesh.detach(role.key, connection, info.detail);
          this.#links.closed(connection);
          this.#sync.closed(connection);
        }
        const key = connection.remoteKey;
        if (role.kind === "peer" && this.#sessions.get(key) === connection) {
          this.#sessions.delete(key);
        }
      },
    });
    this.#membership = new Membership({
      clock: this.#clock,
      tombstoneTtlMs: tuning.tombstoneTtlMs,
      pool,
    });
    const others = options.seeds.filter((s) => !sameAddress(s, options.self));
    this.#mesh = new SeedMesh({
      others,
      dial: (seed) =>
        this.#host.dial(seed, { kind: "seed", key: formatAddress(seed) }, tuning.dialTimeoutMs),
      clock: this.#clock,
      rng: this.#rng,
      log: this.#log,
      retryMinMs: tuning.linkRetryMinMs,
      retryMaxMs: tuning.linkRetryMaxMs,
      onDialFailed: (key) => this.#sync.settled(key),
    });
    this.#links = new SeedLinks({
      self: options.self,
      seeds: options.seeds,
      mesh: this.#mesh,
      clock: this.#clock,
      challengeTtlMs: tuning.pendingTimeoutMs,
      settle: (connection) => this.#host.settle(connection as SeedConnection),
      linked: (connection) => {
        connection.send({ kind: "sync_request", requestId: this.#sync.nextRequestId() });
        this.#healer.retryStalled();
      },
      deliver: (connection, key, message) => this.#onSeedMessage(connection, key, message),
    });
    this.#registrar = new Registrar({
      nodeId: this.nodeId,
      selfKey: formatAddress(options.self),
      seeds: options.seeds.length,
      quorum: quorumSize(options.seeds.length),
      membership: this.#membership,
      maxPeers: tuning.maxPeers,
      voteTimeoutMs: tuning.voteTimeoutMs,
      records: { seeds: options.seeds, self: options.self },
      skewMs: MAX_CLOCK_SKEW_MS,
      clock: this.#clock,
      log: this.#log,
      connectedSeeds: () => this.#mesh.connected(),
      broadcast: (message) => this.#mesh.broadcast(message),
      probe: (peer) => this.#host.probe(peer, tuning.probeTimeoutMs, this.#rng),
      onChange: (record, outcome) => this.#onChange(record, outcome),
      onStalled: (removal) => this.#healer.stall(removal),
    });
    this.#healer = new MembershipHealer({
      membership: this.#membership,
      probe: (peer) => this.#registrar.checks.probe(peer),
      propose: (removal) => this.#registrar.propose(removal),
      selfHost: options.self.host,
      intervalMs: tuning.recheckIntervalMs,
      batch: tuning.recheckBatch,
      clock: this.#clock,
      log: this.#log,
    });
    this.#requests = new PeerRequests({
      membership: this.#membership,
      registrar: this.#registrar,
      clock: this.#clock,
      maxPeers: tuning.maxPeers,
      log: this.#log,
      ready: () => this.#sync.ready,
      sessions: this.#sessions,
      settle: (connection) => this.#host.settle(connection as SeedConnection),
      rng: this.#rng,
      ...(options.peerListFullMax !== undefined ? { fullListMax: options.peerListFullMax } : {}),
    });
    this.#routes = new PeerRoutes({
      requests: this.#requests,
      membership: this.#membership,
      sessions: this.#sessions,
      clock: this.#clock,
      log: this.#log,
      inspect: (connection, message) =>
        answerClient(connection, message, {
          status: () => this.status(),
          members: (requestId) => membersMessages(requestId, this.#membership.snapshot()),
        }),
    });
    this.#sync = new SeedSync({
      others: others.map(formatAddress),
      membership: this.#membership,
      clock: this.#clock,
      log: this.#log,
      readyTimeoutMs: tuning.readyTimeoutMs,
      syncIntervalMs: tuning.syncIntervalMs,
      connected: () => this.#mesh.connected(),
      send: (key, message) => this.#mesh.send(key, message),
      admit: (record, from) => this.#registrar.onSynced(record, from),
    });
  }

  /**
   * Binds the listener, starts linking to the other seeds and catching up.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   */
  start(): Address {
    const address = this.#host.start();
    this.#mesh.start();
    this.#sync.start();
    this.#healer.start();
    return address;
  }

  /** Resolves once the seed has caught up and serves peers. */
  get ready(): Promise<void> {
    return this.#sync.ready;
  }

  /** Current members with their degrees (for the shell). */
  peers(): PeerEntry[] {
    return this.#requests.entries();
  }

  /** Other seeds with an open, verified link. */
  connectedSeeds(): string[] {
    return this.#mesh.connected();
  }

  /** Every record of the Peer List: members, and removed peers still remembered. */
  records(): MemberRecord[] {
    return this.#membership.snapshot();
  }

  /** This seed's status document. */
  status(): SeedStatus {
    const t = this.#host.trafficNow();
    const startedAt = this.#host.startedAt;
    return {
      format: 1,
      role: "seed",
      nodeId: this.nodeId,
      address: formatAddress(this.#options.self),
      version: VERSION,
      startedAt,
      uptimeMs: Math.max(0, this.#clock.now() - startedAt),
      traffic: {
        framesSent: t.framesOut,
        bytesSent: t.bytesOut,
        framesReceived: t.framesIn,
        bytesReceived: t.bytesIn,
      },
      counters: countersOf(SEED_COUNTERS, (name) => this.#counters.count(name)),
      ready: this.#sync.isReady,
      members: this.#membership.size,
      seedCount: this.#options.seeds.length,
      seedLinks: this.#mesh.connected(),
      ...(this.#options.keyring ? { keys: this.#options.keyring.current().ids } : {}),
    };
  }

  /** Stops: closes every link and the listener. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#host.running) return;
    this.#sync.stop();
    this.#healer.stop();
    this.#registrar.stop();
    this.#links.stop();
    this.#mesh.stop();
    await this.#host.stop((connection) =>
      connection.fail("local", "shutting_down", "Seed shutting down")
    );
  }

  // Claims a ban on their IP does not stop: a listed seed (verified next),
  // or a member's own address (its session after a link drop).
  #trusted(hello: HelloMessage): boolean {
    if (hello.role === "seed") return isListedSeed(this.#options.seeds, hello.address);
    return hello.role === "peer" && this.#membership.isMember(formatAddress(hello.address));
  }

  #admit(connection: SeedConnection, hello: HelloMessage): Admission<SeedConnectionRole> {
    // Peers and clients stay pending: a peer until it registers, a client always.
    if (hello.role === "peer") return { role: PEER_ROLE };
    if (hello.role === "client") return { role: CLIENT_ROLE };
    return this.#links.admit(connection as FramedConnection<SeedLinkRole>, hello);
  }

  #route(connection: SeedConnection, role: SeedConnectionRole, message: Message): boolean {
    if (message.kind === "pong") return true;
    switch (role.kind) {
      case "seed":
        return this.#links.onMessage(connection, role.key, message);
      case "peer":
        return this.#routes.fromPeer(connection, message);
      case "client":
        return this.#routes.fromClient(connection, message);
    }
  }

  #onSeedMessage(connection: FramedConnection, key: string, message: Message): boolean {
    switch (message.kind) {
      case "propose":
        this.#spawn(this.#registrar.onPropose(message, (vote) => connection.send(vote), key));
        return true;
      case "vote":
        this.#registrar.onVote(key, message);
        return true;
      case "commit":
        this.#spawn(this.#registrar.onCommit(message, key));
        return true;
      case "abort":
        this.#registrar.onAbort(message.proposalId);
        return true;
      case "sync_request":
        for (const part of syncStateMessages(message.requestId, this.#syncRecords(connection))) {
          connection.send(part);
        }
        return true;
      case "sync_state":
        this.#sync.onState(connection, key, message);
        return true;
      default:
        return false;
    }
  }

  /**
   * What to answer a sync request on `connection` with: the whole Peer List
   * up to {@linkcode SYNC_FULL_MAX} members; above, only what changed since
   * the last answer on this link, and the whole list again every
   * {@linkcode SYNC_FULL_EVERY} rounds (so a record the asker refused to
   * apply is offered again). The asker cannot tell them apart: it admits
   * every record it gets, and never reads a missing one as removed.
   */
  #syncRecords(connection: FramedConnection): MemberRecord[] {
    const membership = this.#membership;
    const last = this.#syncSent.get(connection);
    const mark = membership.changeMark;
    if (
      membership.size > (this.#options.syncFullMax ?? SYNC_FULL_MAX) && last &&
      last.rounds < SYNC_FULL_EVERY
    ) {
      const delta = membership.changedSince(last.mark);
      if (delta) {
        this.#syncSent.set(connection, { mark, rounds: last.rounds + 1 });
        return delta;
      }
    }
    this.#syncSent.set(connection, { mark, rounds: 0 });
    return membership.snapshot();
  }

  #onChange(record: MemberRecord, outcome: "added" | "removed"): void {
    const key = formatAddress(record.address);
    if (outcome === "added") {
      this.#log.emit({ event: "peer_registered", peer: key, degree: record.degree });
      return;
    }
    this.#log.emit({ event: "peer_removed", peer: key, reason: record.reason ?? "dead" });
    // Tell a wrongly removed peer, so it can register again.
    this.#sessions.get(key)?.fail("local", "removed", "Removed from the peer list");
    this.#sessions.delete(key);
  }

  #spawn(task: Promise<unknown>): void {
    task.catch((error) => this.#log.emit({ event: "internal_error", detail: errorText(error) }));
  }
}
