/**
 * The seed runtime: routes each connection by what it is (another seed:
 * consensus and sync; a peer: registration, peer lists, degree updates,
 * Dead Node reports, leaving; a client: operator reports and peer lists).
 * Decisions are made in `registrar.ts`; the shared node edge (listening,
 * pings, stopping) is `lib/node/node_host.ts`; this file moves messages.
 *
 * @module
 */

import type { SeedTuning } from "../config/node_config.ts";
import { isListedSeed, quorumSize } from "../config/seed_list.ts";
import type { EventLog } from "../log/events.ts";
import { throttledLog } from "../log/throttle.ts";
import { answerClient } from "../node/client_requests.ts";
import { EventCounters } from "../node/event_counters.ts";
import { type Admission, NodeHost } from "../node/node_host.ts";
import { countersOf, SEED_COUNTERS, type SeedStatus } from "../node/node_status.ts";
import type { MemberRecord } from "../protocol/membership_types.ts";
import { type Address, formatAddress, sameAddress } from "../util/address.ts";
import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
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
import type { Transport } from "../wire/transport.ts";
import { Membership } from "./membership.ts";
import { PeerRequests } from "./peer_requests.ts";
import { Registrar } from "./registrar.ts";
import { SeedMesh } from "./seed_mesh.ts";

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
}

/** What a connection to a seed is, by the remote's hello. */
export type SeedConnectionRole =
  /** Another seed of the config: consensus and sync. */
  | { readonly kind: "seed"; readonly key: string }
  /** A peer of the network. */
  | { readonly kind: "peer" }
  /** An operator's client (`report-dead`) or a probe. */
  | { readonly kind: "client" };

type SeedConnection = FramedConnection<SeedConnectionRole>;

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
  /** Registered peers' current sessions, by `host:port`. */
  readonly #sessions = new Map<string, FramedConnection>();
  readonly #requests: PeerRequests;
  readonly #awaitingSync = new Set<string>();
  readonly #syncedFrom: string[] = [];
  readonly #ready: Promise<void>;
  #markReady!: () => void;
  #isReady = false;
  #syncTimer: TimerHandle | undefined;
  #readyTimer: TimerHandle | undefined;
  #requestId = 0;

  /** Builds a seed; {@linkcode start} makes it listen. */
  constructor(options: SeedNodeOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#rng = options.rng ?? systemRng;
    this.nodeId = options.nodeId ?? newNodeId();
    // Warnings that repeat while a link stays broken are rate-limited; the
    // counters behind status and metrics count every event all the same.
    this.#counters = new EventCounters(throttledLog(options.log, this.#clock));
    this.#log = this.#counters;
    this.#ready = new Promise((resolve) => this.#markReady = resolve);
    const tuning = options.tuning;
    this.#host = new NodeHost<SeedConnectionRole>({
      role: "seed",
      nodeId: this.nodeId,
      self: options.self,
      ...(options.listen ? { listen: options.listen } : {}),
      transport: options.transport,
      clock: this.#clock,
      log: this.#log,
      admit: (connection, hello) => this.#admit(connection, hello),
      route: (connection, role, message) => this.#route(connection, role, message),
      closed: (connection, role, info) => {
        if (role.kind === "seed") this.#mesh.detach(role.key, connection, info.detail);
        const key = connection.remoteKey;
        if (role.kind === "peer" && this.#sessions.get(key) === connection) {
          this.#sessions.delete(key);
        }
      },
    });
    this.#membership = new Membership({
      clock: this.#clock,
      tombstoneTtlMs: tuning.tombstoneTtlMs,
    });
    const others = options.seeds.filter((s) => !sameAddress(s, options.self));
    for (const seed of others) this.#awaitingSync.add(formatAddress(seed));
    this.#mesh = new SeedMesh({
      others,
      dial: (seed) =>
        this.#host.dial(seed, { kind: "seed", key: formatAddress(seed) }, tuning.dialTimeoutMs),
      clock: this.#clock,
      rng: this.#rng,
      log: this.#log,
      retryMinMs: tuning.linkRetryMinMs,
      retryMaxMs: tuning.linkRetryMaxMs,
      onDialFailed: (key) => this.#syncSettled(key),
    });
    this.#registrar = new Registrar({
      nodeId: this.nodeId,
      selfKey: formatAddress(options.self),
      seeds: options.seeds.length,
      quorum: quorumSize(options.seeds.length),
      membership: this.#membership,
      maxPeers: tuning.maxPeers,
      voteTimeoutMs: tuning.voteTimeoutMs,
      clock: this.#clock,
      log: this.#log,
      connectedSeeds: () => this.#mesh.connected(),
      broadcast: (message) => this.#mesh.broadcast(message),
      probe: (peer) => this.#host.probe(peer, tuning.probeTimeoutMs, this.#rng),
      onChange: (record, outcome) => this.#onChange(record, outcome),
    });
    this.#requests = new PeerRequests({
      membership: this.#membership,
      registrar: this.#registrar,
      maxPeers: tuning.maxPeers,
      log: this.#log,
      ready: () => this.#ready,
      sessions: this.#sessions,
    });
  }

  /**
   * Binds the listener, starts linking to the other seeds and catching up.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   */
  start(): Address {
    const address = this.#host.start();
    this.#mesh.start();
    if (this.#awaitingSync.size === 0) this.#becomeReady();
    else {
      this.#readyTimer = this.#clock.setTimeout(
        () => this.#becomeReady(),
        this.#options.tuning.readyTimeoutMs,
      );
    }
    this.#scheduleSync();
    return address;
  }

  /** Resolves once the seed has caught up and serves peers. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** Current members with their degrees (for the shell). */
  peers(): PeerEntry[] {
    return this.#requests.entries();
  }

  /** Other seeds with an open link. */
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
      ready: this.#isReady,
      members: this.#membership.size,
      seedCount: this.#options.seeds.length,
      seedLinks: this.#mesh.connected(),
    };
  }

  /** Stops: closes every link and the listener. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#host.running) return;
    this.#clock.clearTimeout(this.#syncTimer);
    this.#clock.clearTimeout(this.#readyTimer);
    this.#registrar.stop();
    this.#mesh.stop();
    await this.#host.stop((connection) =>
      connection.fail("local", "shutting_down", "Seed shutting down")
    );
  }

  #admit(connection: SeedConnection, hello: HelloMessage): Admission<SeedConnectionRole> {
    if (hello.role === "peer") return { role: { kind: "peer" } };
    if (hello.role === "client") return { role: { kind: "client" } };
    if (!isListedSeed(this.#options.seeds, hello.address)) {
      const text = `${formatAddress(hello.address)} is not a seed in this network's config`;
      return { reject: { code: "unexpected_message", text } };
    }
    const key = formatAddress(hello.address);
    this.#mesh.attach(key, connection);
    connection.send({ kind: "sync_request", requestId: ++this.#requestId });
    return { role: { kind: "seed", key } };
  }

  #route(connection: SeedConnection, role: SeedConnectionRole, message: Message): boolean {
    if (message.kind === "pong") return true;
    switch (role.kind) {
      case "seed":
        return this.#onSeedMessage(connection, role.key, message);
      case "peer":
        return this.#onPeerMessage(connection, message);
      case "client":
        return this.#onClientMessage(connection, message);
    }
  }

  #onSeedMessage(connection: SeedConnection, key: string, message: Message): boolean {
    switch (message.kind) {
      case "propose":
        this.#spawn(this.#registrar.onPropose(message, (vote) => connection.send(vote)));
        return true;
      case "vote":
        this.#registrar.onVote(key, message);
        return true;
      case "commit":
        this.#registrar.onCommit(message);
        return true;
      case "abort":
        this.#registrar.onAbort(message.proposalId);
        return true;
      case "sync_request":
        for (const part of syncStateMessages(message.requestId, this.#membership.snapshot())) {
          connection.send(part);
        }
        return true;
      case "sync_state":
        for (const record of message.records) this.#registrar.apply(record);
        if (!message.more) this.#syncSettled(key, true);
        return true;
      default:
        return false;
    }
  }

  #onPeerMessage(connection: SeedConnection, message: Message): boolean {
    const key = connection.remoteKey;
    const hello = connection.remoteHello as HelloMessage;
    switch (message.kind) {
      case "register":
        this.#spawn(this.#requests.register(connection, hello.address, message.degree));
        return true;
      case "degree_update":
        this.#membership.setDegree(key, message.degree);
        return true;
      case "dead_node":
        this.#spawn(this.#requests.deadReport(message.text, key));
        return true;
      case "leave":
        this.#spawn(this.#requests.leave(connection, hello.address));
        return true;
      case "peer_list_request":
        this.#spawn(this.#requests.peerList(connection, message.requestId, key));
        return true;
      default:
        return false;
    }
  }

  #onClientMessage(connection: SeedConnection, message: Message): boolean {
    const key = connection.remoteKey;
    switch (message.kind) {
      case "dead_node":
        this.#spawn(this.#requests.deadReport(message.text, key, connection));
        return true;
      case "peer_list_request":
        this.#spawn(this.#requests.peerList(connection, message.requestId, key));
        return true;
      default:
        return answerClient(connection, message, {
          status: () => this.status(),
          members: (requestId) => membersMessages(requestId, this.#membership.snapshot()),
        });
    }
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

  #syncSettled(seedKey: string, synced = false): void {
    if (synced && !this.#syncedFrom.includes(seedKey)) this.#syncedFrom.push(seedKey);
    if (this.#awaitingSync.delete(seedKey) && this.#awaitingSync.size === 0) this.#becomeReady();
  }

  #becomeReady(): void {
    if (this.#isReady || !this.#host.running) return;
    this.#isReady = true;
    this.#clock.clearTimeout(this.#readyTimer);
    this.#log.emit({
      event: "synced",
      members: this.#membership.size,
      from: [...this.#syncedFrom],
    });
    this.#markReady();
  }

  #scheduleSync(): void {
    this.#syncTimer = this.#clock.setTimeout(() => {
      if (!this.#host.running) return;
      for (const key of this.#mesh.connected()) {
        this.#mesh.send(key, { kind: "sync_request", requestId: ++this.#requestId });
      }
      this.#scheduleSync();
    }, this.#options.tuning.syncIntervalMs);
  }

  #spawn(task: Promise<void>): void {
    task.catch((error) => this.#log.emit({ event: "internal_error", detail: errorText(error) }));
  }
}
