/**
 * What strangers may cost a node, enforced: the caps of
 * {@linkcode AdmissionController} at accept, the bans of
 * {@linkcode BanBook} at hello, and the deadline by which an inbound
 * connection must settle. The node host calls it at each step of a
 * connection's life; the decisions are the pure books'.
 *
 * An offence bans the remote IP and, after a hello, the IP together with the
 * address that hello claimed. A banned claim is refused outright. Honest
 * nodes often share an IP with an offender (every node of a local network
 * is 127.0.0.1), so an IP ban refuses only hellos that claim nothing this
 * node already trusts (see `trusted`): members keep their links and
 * sessions; strangers from that IP wait.
 *
 * @module
 */

import type { ConnectionLimits } from "../config/node_config.ts";
import type { EventLog } from "../log/events.ts";
import { formatAddress } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import type { CloseInfo, FramedConnection } from "../wire/connection.ts";
import type { ErrorCode, HelloMessage } from "../wire/messages.ts";
import type { Link } from "../wire/transport.ts";
import { AdmissionController, ipOfLabel } from "./admission.ts";
import { BanBook, type BanPolicy, DEFAULT_BAN_POLICY } from "./ban_book.ts";

/** A refusal sent to the remote before closing. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly text: string;
}

/** What {@linkcode StrangerGuard} needs. */
export interface StrangerGuardOptions {
  limits: ConnectionLimits;
  clock: Clock;
  log: EventLog;
  /** Hellos admitted even while their IP is banned: claims the node already trusts. */
  trusted(hello: HelloMessage): boolean;
  /** @default {DEFAULT_BAN_POLICY} */
  bans?: BanPolicy;
}

interface Inbound {
  readonly ip: string;
  settled: boolean;
  timer: TimerHandle | undefined;
}

// Every settled connection shares this entry (its IP is read again from its
// label when needed): most inbound links settle and stay open for long, and
// a simulation holds hundreds of thousands of them. Never changed.
const SETTLED: Inbound = Object.freeze({ ip: "", settled: true, timer: undefined });

// Closes that mean the remote misbehaved: each is an offence.
const OFFENCES: ReadonlySet<CloseInfo["reason"]> = new Set([
  "protocol_error",
  "handshake_timeout",
  "send_overflow",
]);

/** Caps, bans and deadlines for a node's inbound connections. */
export class StrangerGuard {
  readonly #options: StrangerGuardOptions;
  readonly #admission: AdmissionController;
  readonly #bans: BanBook;
  readonly #inbound = new Map<FramedConnection<unknown>, Inbound>();

  /** A guard with no connections yet. */
  constructor(options: StrangerGuardOptions) {
    this.#options = options;
    this.#admission = new AdmissionController(options.limits);
    this.#bans = new BanBook(options.bans ?? DEFAULT_BAN_POLICY);
  }

  /** Inbound connections open now, and those of them still pending. */
  get counts(): { open: number; pending: number } {
    return { open: this.#admission.total, pending: this.#admission.pending };
  }

  /** At accept, before a byte is read: a refusal, or undefined to take the link. */
  screen(link: Link): Refusal | undefined {
    const ip = ipOfLabel(link.remote);
    const refused = this.#admission.open(ip);
    if (!refused) return undefined;
    const limits = this.#options.limits;
    const detail = refused === "connection_limit"
      ? `${limits.maxConnections} connections open (the most this node takes)`
      : refused === "pending_limit"
      ? `${limits.maxPending} connections still settling`
      : `${limits.maxPendingPerIp} connections from ${ip} still settling`;
    this.#options.log.emit({ event: "connection_refused", remote: ip, reason: refused, detail });
    return { code: "too_many_connections", text: `Refused: ${detail}` };
  }

  /** At an inbound hello: a refusal if the remote is banned, else undefined. */
  checkHello(connection: FramedConnection<unknown>, hello: HelloMessage): Refusal | undefined {
    const ip = this.#ip(connection);
    const now = this.#options.clock.now();
    const claim = formatAddress(hello.address);
    const claimBan = this.#bans.bannedFor(`${ip}|${claim}`, now);
    let ipBan = claimBan > 0 ? 0 : this.#bans.bannedFor(ip, now);
    // Asked only of a banned IP: whether a peer trusts a claim can take a
    // walk through its peer lists, and most hellos come from unbanned IPs.
    if (ipBan > 0 && this.#options.trusted(hello)) ipBan = 0;
    const remaining = Math.max(claimBan, ipBan);
    if (remaining === 0) return undefined;
    const who = claimBan > 0 ? `${ip} claiming ${claim}` : ip;
    const detail = `${who} misbehaved; refused for ${Math.ceil(remaining / 1000)} s more`;
    this.#options.log.emit({ event: "connection_refused", remote: who, reason: "banned", detail });
    return { code: "too_many_connections", text: `Refused: ${detail}` };
  }

  /** An inbound connection was admitted but has not settled: its deadline starts. */
  pending(connection: FramedConnection<unknown>): void {
    const entry = this.#entry(connection);
    if (entry.settled || entry.timer !== undefined) return;
    const ms = this.#options.limits.pendingTimeoutMs;
    entry.timer = this.#options.clock.setTimeout(() => {
      entry.timer = undefined;
      if (entry.settled) return;
      connection.fail(
        "pending_timeout",
        "overloaded",
        `Not a neighbour, seed link, registered peer or finished exchange within ${ms}ms`,
      );
    }, ms);
  }

  /** An inbound connection settled: it no longer counts as pending, and has no deadline. */
  settle(connection: FramedConnection<unknown>): void {
    if (connection.direction !== "in") return;
    const entry = this.#entry(connection);
    if (entry.settled) return;
    if (entry.timer !== undefined) this.#options.clock.clearTimeout(entry.timer);
    this.#admission.settle(entry.ip);
    this.#inbound.set(connection, SETTLED);
  }

  /** Reports whether an inbound connection has settled (outbound ones always have). */
  isSettled(connection: FramedConnection<unknown>): boolean {
    return connection.direction !== "in" || this.#inbound.get(connection)?.settled === true;
  }

  /** A connection closed: frees its slots, and counts an offence if it misbehaved. */
  closed(connection: FramedConnection<unknown>, info: CloseInfo): void {
    if (connection.direction !== "in") return;
    const entry = this.#entry(connection);
    this.#inbound.delete(connection);
    if (entry.timer !== undefined) this.#options.clock.clearTimeout(entry.timer);
    this.#admission.close(entry.ip, entry.settled);
    if (!OFFENCES.has(info.reason)) return;
    const ip = this.#ip(connection, entry);
    const hello = connection.remoteHello;
    const claim = hello ? formatAddress(hello.address) : undefined;
    const now = this.#options.clock.now();
    // The claim is refused outright; the IP too, for claims not yet trusted,
    // so rotating claimed addresses buys an offender nothing.
    const ipOutcome = this.#bans.offence(ip, now);
    const outcome = claim ? this.#bans.offence(`${ip}|${claim}`, now) : ipOutcome;
    this.#options.log.emit({
      event: "banned",
      remote: claim ? `${ip} claiming ${claim}` : ip,
      offences: outcome.offences,
      forMs: Math.max(outcome.banMs, ipOutcome.banMs),
      detail: `${info.reason}: ${info.detail}`,
    });
  }

  // The remote's IP (a settled entry does not keep it).
  #ip(connection: FramedConnection<unknown>, entry = this.#entry(connection)): string {
    return entry.settled ? ipOfLabel(connection.remoteLabel) : entry.ip;
  }

  #entry(connection: FramedConnection<unknown>): Inbound {
    let entry = this.#inbound.get(connection);
    if (!entry) {
      entry = { ip: ipOfLabel(connection.remoteLabel), settled: false, timer: undefined };
      this.#inbound.set(connection, entry);
    }
    return entry;
  }
}
