/**
 * The seed runtime: accepts connections and routes each by the role in its
 * hello: other seeds (consensus and sync), peers (registration, peer lists,
 * degree updates, Dead Node reports, leaving) and clients (operator reports,
 * probes). Decisions are made in `registrar.ts`; this file moves messages.
 *
 * @module
 */

import type { SeedTuning } from "../config/node_config.ts";
import { isListedSeed, quorumSize } from "../config/seed_list.ts";
import type { EventLog } from "../log/events.ts";
import { throttledLog } from "../log/throttle.ts";
import { type Address, formatAddress, sameAddress } from "../util/address.ts";
import { type Clock, systemClock } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { newNodeId, type Rng, systemRng } from "../util/random.ts";
import { type CloseInfo, type ConnectionHandler, FramedConnection } from "../wire/connection.ts";
import {
  type HelloMessage,
  type Message,
  type PeerEntry,
  syncStateMessages,
} from "../wire/messages.ts";
import { probeNode } from "../wire/probe.ts";
import { droppedEvent, helloFrom, listenAndServe } from "../wire/serve.ts";
import type { LinkListener, Transport } from "../wire/transport.ts";
import type { MemberRecord } from "../protocol/membership_types.ts";
import { Membership } from "./membership.ts";
import { Registrar } from "./registrar.ts";
import { PeerRequests } from "./peer_requests.ts";
import { SeedMesh } from "./seed_mesh.ts";

/** What a seed needs. */
export interface SeedNodeOptions {
  /** This seed's listen (and advertised) address; must be in `seeds`. */
  self: Address;
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

/** A running seed. */
export class SeedNode {
  /** Random id of this process, sent in every hello. */
  readonly nodeId: string;
  readonly #o: SeedNodeOptions;
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #selfKey: string;
  readonly #membership: Membership;
  readonly #registrar: Registrar;
  readonly #mesh: SeedMesh;
  readonly #sessions = new Map<string, FramedConnection>();
  readonly #requests: PeerRequests;
  readonly #connections = new Set<FramedConnection>();
  readonly #awaitingSync = new Set<string>();
  readonly #syncedFrom: string[] = [];
  #listener: LinkListener | undefined;
  #ready: Promise<void>;
  #markReady!: () => void;
  #isReady = false;
  #syncTimer: unknown;
  #readyTimer: unknown;
  #requestId = 0;
  #running = false;

  /** Builds a seed; {@linkcode start} makes it listen. */
  constructor(options: SeedNodeOptions) {
    this.#clock = options.clock ?? systemClock;
    this.nodeId = options.nodeId ?? newNodeId();
    // Warnings that repeat while a link stays broken are rate-limited.
    options = { ...options, log: throttledLog(options.log, this.#clock) };
    this.#o = options;
    this.#rng = options.rng ?? systemRng;
    this.#selfKey = formatAddress(options.self);
    this.#ready = new Promise((resolve) => this.#markReady = resolve);
    this.#membership = new Membership({
      clock: this.#clock,
      tombstoneTtlMs: options.tuning.tombstoneTtlMs,
    });
    const others = options.seeds.filter((s) => !sameAddress(s, options.self));
    for (const seed of others) this.#awaitingSync.add(formatAddress(seed));
    this.#mesh = new SeedMesh({
      others,
      transport: options.transport,
      localHello: this.#hello("seed"),
      handler: this.#handler,
      clock: this.#clock,
      rng: this.#rng,
      log: options.log,
      dialTimeoutMs: options.tuning.dialTimeoutMs,
      retryMinMs: options.tuning.linkRetryMinMs,
      retryMaxMs: options.tuning.linkRetryMaxMs,
      onDialFailed: (key) => this.#syncSettled(key),
    });
    this.#registrar = new Registrar({
      nodeId: this.nodeId,
      selfKey: this.#selfKey,
      seeds: options.seeds.length,
      quorum: quorumSize(options.seeds.length),
      membership: this.#membership,
      maxPeers: options.tuning.maxPeers,
      voteTimeoutMs: options.tuning.voteTimeoutMs,
      clock: this.#clock,
      log: options.log,
      connectedSeeds: () => this.#mesh.connected(),
      broadcast: (message) => this.#mesh.broadcast(message),
      probe: (peer) =>
        probeNode(peer, {
          transport: options.transport,
          localHello: this.#hello("client"),
          timeoutMs: options.tuning.probeTimeoutMs,
          rng: this.#rng,
          clock: this.#clock,
        }),
      onChange: (record, outcome) => this.#onChange(record, outcome),
    });
    this.#requests = new PeerRequests({
      membership: this.#membership,
      registrar: this.#registrar,
      maxPeers: options.tuning.maxPeers,
      log: options.log,
      ready: () => this.#ready,
      sessions: this.#sessions,
    });
  }

  /**
   * Binds the listener, starts linking to the other seeds and catching up.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   */
  start(): Address {
    this.#listener = listenAndServe({
      transport: this.#o.transport,
      log: this.#o.log,
      handler: this.#handler,
      localHello: this.#hello("seed"),
      clock: this.#clock,
      accepting: () => this.#running,
    });
    this.#running = true;
    this.#mesh.start();
    if (this.#awaitingSync.size === 0) this.#becomeReady();
    else {
      this.#readyTimer = this.#clock.setTimeout(
        () => this.#becomeReady(),
        this.#o.tuning.readyTimeoutMs,
      );
    }
    this.#scheduleSync();
    return this.#listener.address;
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

  /** Stops: closes every link and the listener. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#clock.clearTimeout(this.#syncTimer);
    this.#clock.clearTimeout(this.#readyTimer);
    this.#registrar.stop();
    this.#mesh.stop();
    this.#listener?.close();
    const closing = [...this.#connections].map((c) => c.closed);
    for (const connection of this.#connections) {
      connection.fail("local", "shutting_down", "Seed shutting down");
    }
    await Promise.all(closing);
  }

  #hello(role: "seed" | "client"): HelloMessage {
    return helloFrom(role, this.nodeId, this.#o.self);
  }

  readonly #handler: ConnectionHandler = {
    onHello: (connection, hello) => {
      if (hello.nodeId === this.nodeId) {
        return { code: "unexpected_message", text: "Connected to itself" };
      }
      this.#connections.add(connection);
      if (hello.role === "seed") {
        if (!isListedSeed(this.#o.seeds, hello.address)) {
          return {
            code: "unexpected_message",
            text: `${formatAddress(hello.address)} is not a seed in this network's config`,
          };
        }
        const key = formatAddress(hello.address);
        this.#mesh.attach(key, connection);
        connection.send({ kind: "sync_request", requestId: ++this.#requestId });
      }
      return undefined;
    },
    onMessage: (connection, message) => this.#onMessage(connection, message),
    onClose: (connection, info) => this.#onClose(connection, info),
  };

  #onMessage(connection: FramedConnection, message: Message): void {
    const hello = connection.remoteHello as HelloMessage;
    const key = connection.remoteKey;
    if (message.kind === "ping") {
      connection.send({ kind: "pong", nonce: message.nonce });
      return;
    }
    if (message.kind === "pong") return;
    if (hello.role === "seed" && this.#onSeedMessage(connection, key, message)) return;
    if (hello.role === "peer" && this.#onPeerMessage(connection, hello, message)) return;
    if (hello.role === "client" && message.kind === "dead_node") {
      this.#spawn(this.#requests.deadReport(message.text, key, connection));
      return;
    }
    if (hello.role !== "seed" && message.kind === "peer_list_request") {
      this.#spawn(this.#requests.peerList(connection, message.requestId, key));
      return;
    }
    connection.fail(
      "protocol_error",
      "unexpected_message",
      `Unexpected ${message.kind} from a ${hello.role}`,
    );
  }

  #onSeedMessage(connection: FramedConnection, key: string, message: Message): boolean {
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

  #onPeerMessage(
    connection: FramedConnection,
    hello: HelloMessage,
    message: Message,
  ): boolean {
    const key = connection.remoteKey;
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
      default:
        return false;
    }
  }

  #onClose(connection: FramedConnection, info: CloseInfo): void {
    this.#connections.delete(connection);
    const hello = connection.remoteHello;
    const key = hello ? formatAddress(hello.address) : undefined;
    if (hello?.role === "seed" && key) this.#mesh.detach(key, connection, info.detail);
    if (hello?.role === "peer" && key && this.#sessions.get(key) === connection) {
      this.#sessions.delete(key);
    }
    const dropped = droppedEvent(connection, info);
    if (dropped && this.#running) this.#o.log.emit(dropped);
  }

  #onChange(record: MemberRecord, outcome: "added" | "removed"): void {
    const key = formatAddress(record.address);
    if (outcome === "added") {
      this.#o.log.emit({ event: "peer_registered", peer: key, degree: record.degree });
      return;
    }
    this.#o.log.emit({ event: "peer_removed", peer: key, reason: record.reason ?? "dead" });
    // Tell a wrongly removed peer, so it can register again.
    this.#sessions.get(key)?.fail("local", "removed", "Removed from the peer list");
    this.#sessions.delete(key);
  }

  #syncSettled(seedKey: string, synced = false): void {
    if (synced && !this.#syncedFrom.includes(seedKey)) this.#syncedFrom.push(seedKey);
    if (this.#awaitingSync.delete(seedKey) && this.#awaitingSync.size === 0) this.#becomeReady();
  }

  #becomeReady(): void {
    if (this.#isReady || !this.#running) return;
    this.#isReady = true;
    this.#clock.clearTimeout(this.#readyTimer);
    this.#o.log.emit({
      event: "synced",
      members: this.#membership.size,
      from: [...this.#syncedFrom],
    });
    this.#markReady();
  }

  #scheduleSync(): void {
    this.#syncTimer = this.#clock.setTimeout(() => {
      if (!this.#running) return;
      for (const key of this.#mesh.connected()) {
        this.#mesh.send(key, { kind: "sync_request", requestId: ++this.#requestId });
      }
      this.#scheduleSync();
    }, this.#o.tuning.syncIntervalMs);
  }

  #spawn(task: Promise<void>): void {
    task.catch((error) => this.#o.log.emit({ event: "internal_error", detail: errorText(error) }));
  }
}
