/**
 * What a running seed and a running peer have in common: a listener, the set
 * of open connections, the self-connection check, answering pings, the
 * `connection_dropped` event for a remote that misbehaved, dialling and
 * probing with this node's hello, traffic totals, and stopping. Each
 * connection carries a typed role (`R`): the node says, once a hello
 * arrives, what the link is (a seed link, a neighbour...) and then receives
 * its messages with that role, instead of inspecting an untyped slot.
 *
 * @module
 */

import type { ConnectionLimits } from "../config/node_config.ts";
import type { EventLog } from "../log/events.ts";
import type { Address } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import type { Rng } from "../util/random.ts";
import type {
  CloseInfo,
  ConnectionHandler,
  ConnectionStats,
  FramedConnection,
} from "../wire/connection.ts";
import { dialNode } from "../wire/dial.ts";
import type { Frame } from "../wire/frame.ts";
import type { ErrorCode, HelloMessage, Message, NodeRole } from "../wire/messages.ts";
import { probeNode, type ProbeResult } from "../wire/probe.ts";
import type { KeyringSource } from "../wire/keyring.ts";
import { SendBudget } from "../wire/send_budget.ts";
import { droppedEvent, helloFrom, listenAndServe } from "../wire/serve.ts";
import type { LinkListener, Transport } from "../wire/transport.ts";
import type { BanPolicy } from "./ban_book.ts";
import type { InternPool } from "./intern_pool.ts";
import { StrangerGuard } from "./stranger_guard.ts";

/** Why a connection is turned away after its hello: sent to the remote, then it closes. */
export interface Rejection {
  readonly code: ErrorCode;
  readonly text: string;
}

/**
 * What the node decided about a connection whose hello arrived. An inbound
 * connection admitted without `settled` is pending: it must settle
 * ({@linkcode NodeHost.settle}) within the pending deadline or be closed.
 */
export type Admission<R> =
  | { readonly role: R; readonly settled?: boolean }
  | { readonly reject: Rejection };

/** What a {@linkcode NodeHost} needs from the node it hosts. */
export interface NodeHostOptions<R> {
  /** The node's role, as its hellos announce it. */
  role: "seed" | "peer";
  nodeId: string;
  /** The advertised address: in every hello, and what others dial. */
  self: Address;
  /** The address to bind, when it is not `self` (`--advertise`). @default {self} */
  listen?: Address;
  transport: Transport;
  clock: Clock;
  log: EventLog;
  /** Caps and deadlines for inbound connections, and the shared send budget. */
  limits: ConnectionLimits;
  /** The network keys: with them every link is authenticated and sealed. @default {none: plaintext} */
  keyring?: KeyringSource;
  /** Shares remotes' hellos and keys among connections (and nodes). @default {none} */
  pool?: InternPool;
  /**
   * Probes watch this node's event loop, so a timeout behind long turns is
   * this node's trouble, not the target's (`ProbeOptions.watchLoop`). For
   * nodes on real sockets. @default {false}
   */
  watchLoop?: boolean;
  /**
   * Hellos admitted even while their IP is banned: claims this node already
   * trusts (a listed seed, a member, a known peer). @default {none}
   */
  trusted?(hello: HelloMessage): boolean;
  /** How bans grow. @default {DEFAULT_BAN_POLICY} */
  bans?: BanPolicy;
  /**
   * Decides what a connection is once its hello arrived. For a dialled link
   * `connection.role` holds what it was dialled for; for an inbound one it
   * is undefined.
   */
  admit(connection: FramedConnection<R>, hello: HelloMessage): Admission<R>;
  /**
   * Handles a message (pings are answered by the host). Returns false for a
   * message this kind of link may not carry: the connection is then closed
   * as a protocol error.
   */
  route(connection: FramedConnection<R>, role: R, message: Message, frame: Frame): boolean;
  /** An admitted connection closed (called once per connection). */
  closed(connection: FramedConnection<R>, role: R, info: CloseInfo): void;
}

/**
 * Why a link's keyed handshake failed, or `undefined` if it did not: this
 * side's finding, or the remote's word for it (its `auth_failed` error).
 */
export function authFailure(info: CloseInfo): string | undefined {
  if (info.reason === "auth_failed") return info.detail;
  if (info.reason === "remote_error" && info.detail.startsWith("auth_failed: ")) {
    return `remote says: ${info.detail.slice("auth_failed: ".length)}`;
  }
  return undefined;
}

/** The shared runtime of a seed or a peer. */
export class NodeHost<R> {
  readonly #options: NodeHostOptions<R>;
  readonly #connections = new Set<FramedConnection<R>>();
  readonly #traffic: ConnectionStats = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
  readonly #guard: StrangerGuard;
  readonly #budget: SendBudget;
  #hello: HelloMessage | undefined;
  #listener: LinkListener | undefined;
  #running = false;
  #startedAt = 0;

  /** Hosts a node; nothing listens until {@linkcode start}. */
  constructor(options: NodeHostOptions<R>) {
    this.#options = options;
    const trusted = options.trusted ?? (() => false);
    this.#guard = new StrangerGuard({
      limits: options.limits,
      clock: options.clock,
      log: options.log,
      trusted,
      ...(options.bans ? { bans: options.bans } : {}),
    });
    this.#budget = new SendBudget(options.limits.sendBudgetBytes);
  }

  /** Inbound connections open now, and those of them still pending. */
  get inbound(): { open: number; pending: number } {
    return this.#guard.counts;
  }

  /** Bytes queued for sending over all connections now. */
  get queuedBytes(): number {
    return this.#budget.total;
  }

  /**
   * Marks an inbound connection settled (a neighbour, a verified seed link,
   * a registered peer): it stops counting as pending and loses its deadline.
   */
  settle(connection: FramedConnection<R>): void {
    this.#guard.settle(connection as FramedConnection<unknown>);
  }

  /** True between {@linkcode start} and {@linkcode stop}. */
  get running(): boolean {
    return this.#running;
  }

  /** Frames and bytes of every connection closed so far. */
  get traffic(): Readonly<ConnectionStats> {
    return this.#traffic;
  }

  /** When {@linkcode start} bound the listener (Unix ms); 0 before. */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** Frames and bytes of every connection so far, open ones included. */
  trafficNow(): ConnectionStats {
    const total = { ...this.#traffic };
    for (const connection of this.#connections) {
      total.framesIn += connection.stats.framesIn;
      total.bytesIn += connection.stats.bytesIn;
      total.framesOut += connection.stats.framesOut;
      total.bytesOut += connection.stats.bytesOut;
    }
    return total;
  }

  /** Open connections whose hello was accepted. */
  connections(): FramedConnection<R>[] {
    return [...this.#connections];
  }

  #connectionOptions(): { budget: SendBudget; keyring?: KeyringSource } {
    const keyring = this.#options.keyring;
    return keyring ? { budget: this.#budget, keyring } : { budget: this.#budget };
  }

  /** This node's hello; `client` for probes, which are not links. */
  hello(as: NodeRole = this.#options.role): HelloMessage {
    // Made once: every link of this node sends the same hello.
    if (as !== this.#options.role) return helloFrom(as, this.#options.nodeId, this.#options.self);
    return this.#hello ??= helloFrom(as, this.#options.nodeId, this.#options.self);
  }

  /**
   * Binds the listener, logs `listening` and accepts in the background.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   */
  start(): Address {
    this.#listener = listenAndServe({
      transport: this.#options.transport,
      log: this.#options.log,
      handler: this.#handler,
      localHello: this.hello(),
      clock: this.#options.clock,
      accepting: () => this.#running,
      ...(this.#options.listen ? { listen: this.#options.listen } : {}),
      screen: (link) => this.#guard.screen(link),
      connection: this.#connectionOptions(),
    });
    this.#running = true;
    this.#startedAt = this.#options.clock.now();
    return this.#listener.address;
  }

  /**
   * Dials `address` for `role`; resolves once the remote's hello is admitted.
   * @throws {DialError} On refusal, timeout or rejection.
   */
  dial(address: Address, role: R, timeoutMs: number): Promise<FramedConnection<R>> {
    return dialNode(address, {
      transport: this.#options.transport,
      localHello: this.hello(),
      handler: this.#handler,
      timeoutMs,
      clock: this.#options.clock,
      role,
      ...(this.#options.pool ? { remoteLabel: this.#options.pool.key(address) } : {}),
      connection: this.#connectionOptions(),
    });
  }

  /** Probes `target` over a fresh connection as a client; never throws. */
  probe(target: Address, timeoutMs: number, rng: Rng): Promise<ProbeResult> {
    return probeNode(target, {
      transport: this.#options.transport,
      localHello: this.hello("client"),
      timeoutMs,
      rng,
      clock: this.#options.clock,
      ...(this.#options.keyring ? { keyring: this.#options.keyring } : {}),
      ...(this.#options.watchLoop ? { watchLoop: true } : {}),
    });
  }

  /** Stops accepting new connections (those open stay). */
  stopListening(): void {
    this.#listener?.close();
  }

  /**
   * Stops: no more accepting, then `farewell` for every open connection
   * (which must close it, after a last message if it likes), and resolves
   * once every one has closed. Idempotent.
   */
  async stop(farewell: (connection: FramedConnection<R>) => void): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.stopListening();
    const open = [...this.#connections];
    for (const connection of open) farewell(connection);
    await Promise.all(open.map((c) => c.closed));
  }

  readonly #handler: ConnectionHandler<R> = {
    onHello: (connection, decoded) => {
      // Every link from one remote carries an equal hello: keep one copy.
      const pool = this.#options.pool;
      const hello = pool ? pool.hello(decoded) : decoded;
      if (pool) {
        connection.remoteHello = hello;
        connection.remoteKey = pool.key(hello.address);
      }
      if (hello.nodeId === this.#options.nodeId) {
        return { code: "unexpected_message", text: "Connected to itself" };
      }
      const inbound = connection.direction === "in";
      const banned = inbound ? this.#guard.checkHello(connection, hello) : undefined;
      if (banned) return banned;
      const admission = this.#options.admit(connection, hello);
      if ("reject" in admission) return admission.reject;
      connection.role = admission.role;
      this.#connections.add(connection);
      if (inbound && admission.settled) this.#guard.settle(connection);
      else if (inbound && !connection.isClosed) this.#guard.pending(connection);
      return undefined;
    },
    onMessage: (connection, message, frame) => {
      if (message.kind === "ping") {
        connection.send({ kind: "pong", nonce: message.nonce });
        return;
      }
      const role = connection.role;
      if (role !== undefined && this.#options.route(connection, role, message, frame)) return;
      connection.fail(
        "protocol_error",
        "unexpected_message",
        `Unexpected ${message.kind} from a ${connection.remoteHello?.role ?? "remote"}`,
      );
    },
    onClose: (connection, info) => {
      this.#guard.closed(connection as FramedConnection<unknown>, info);
      const stats = connection.stats;
      this.#traffic.framesIn += stats.framesIn;
      this.#traffic.bytesIn += stats.bytesIn;
      this.#traffic.framesOut += stats.framesOut;
      this.#traffic.bytesOut += stats.bytesOut;
      if (this.#connections.delete(connection) && connection.role !== undefined) {
        this.#options.closed(connection, connection.role, info);
      }
      const dropped = droppedEvent(connection, info);
      if (dropped && this.#running) this.#options.log.emit(dropped);
      const refused = authFailure(info);
      if (refused && this.#running) {
        this.#options.log.emit({
          event: "auth_failed",
          remote: connection.remoteLabel,
          reason: refused,
        });
      }
    },
  };
}
