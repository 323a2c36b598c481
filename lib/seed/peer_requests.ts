/**
 * What peers and clients ask of a seed: to register, for peer lists, to
 * remove a peer reported dead, and (for a peer) to leave. Every change to
 * the peer list goes through the registrar, so a majority of seeds decides.
 * Requests wait until the seed has caught up with the others.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { parseDeadReport } from "../protocol/dead_report.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { FramedConnection } from "../wire/connection.ts";
import { type PeerEntry, peerListMessages } from "../wire/messages.ts";
import type { Membership } from "./membership.ts";
import type { Registrar } from "./registrar.ts";

/** What {@linkcode PeerRequests} needs from its seed. */
export interface PeerRequestsOptions {
  membership: Membership;
  registrar: Registrar;
  /** Most peers this seed registers (`--max-peers`). */
  maxPeers: number;
  log: EventLog;
  /** Resolves once the seed has caught up and may answer. */
  ready(): Promise<void>;
  /** Registered peers' current sessions, by `host:port`. */
  sessions: Map<string, FramedConnection>;
}

/** Answers peers' and clients' requests at a seed. */
export class PeerRequests {
  #options: PeerRequestsOptions;

  /** Creates the request handler. */
  constructor(options: PeerRequestsOptions) {
    this.#options = options;
  }

  /** The peer list as sent to peers, without `except` (the asker). */
  entries(except?: string): PeerEntry[] {
    const entries: PeerEntry[] = [];
    for (const record of this.#options.membership.members()) {
      if (except !== undefined && formatAddress(record.address) === except) continue;
      entries.push({ address: record.address, degree: Math.min(record.degree, 0xffff) });
    }
    return entries;
  }

  /** Registers the peer on `connection` (with a majority's agreement) and sends it the list. */
  async register(connection: FramedConnection, peer: Address, degree: number): Promise<void> {
    await this.#options.ready();
    const key = formatAddress(peer);
    const membership = this.#options.membership;
    if (!membership.isMember(key)) {
      if (membership.size >= this.#options.maxPeers) {
        const text = `Peer list is full (--max-peers ${this.#options.maxPeers})`;
        this.#options.log.emit({
          event: "peer_refused",
          peer: key,
          reason: "max_peers",
          detail: text,
        });
        connection.send({ kind: "refused", reason: "max_peers", text });
        return;
      }
      const decision = await this.#options.registrar.propose({ op: "add", peer });
      if (!decision.accepted) {
        const text =
          `No seed majority agreed: ${decision.yes} of ${decision.needed} votes (${decision.detail})`;
        this.#options.log.emit({
          event: "peer_refused",
          peer: key,
          reason: "no_quorum",
          detail: text,
        });
        connection.send({ kind: "refused", reason: "no_quorum", text });
        return;
      }
    }
    if (connection.isClosed) return;
    membership.setDegree(key, degree);
    this.#options.sessions.set(key, connection);
    connection.send({ kind: "registered" });
    for (const part of peerListMessages(0, this.entries(key))) connection.send(part);
  }

  /** Answers a peer-list request. */
  async peerList(connection: FramedConnection, requestId: number, asker: string): Promise<void> {
    await this.#options.ready();
    for (const part of peerListMessages(requestId, this.entries(asker))) connection.send(part);
  }

  /**
   * Handles a Dead Node report: logs it and, for a listed peer, proposes its
   * removal. A `client` reporter gets the decision back.
   */
  async deadReport(raw: string, reporter: string, client?: FramedConnection): Promise<void> {
    const parsed = parseDeadReport(raw);
    if (!parsed.ok) {
      this.#options.log.emit({ event: "dead_node_invalid", reporter, raw, detail: parsed.detail });
      client?.send({
        kind: "decision",
        dead: { host: "0.0.0.0", port: 1 },
        outcome: "invalid",
        text: `Not a valid Dead Node report: ${parsed.detail}`,
      });
      return;
    }
    const dead = parsed.report.dead;
    const deadKey = formatAddress(dead);
    this.#options.log.emit({ event: "dead_node_report", dead: deadKey, reporter, raw });
    await this.#options.ready();
    if (!this.#options.membership.isMember(deadKey)) {
      client?.send({
        kind: "decision",
        dead,
        outcome: "not_member",
        text: `${deadKey} is not in the peer list`,
      });
      return;
    }
    const decision = await this.#options.registrar.propose({
      op: "remove",
      peer: dead,
      reason: "dead",
      raw,
    });
    client?.send({
      kind: "decision",
      dead,
      outcome: decision.accepted ? "removed" : "rejected",
      text: `${decision.yes} of ${decision.needed} needed seeds agreed: ${decision.detail}`,
    });
  }

  /** A peer says it is leaving: it is removed (reason `left`) once the seeds agree. */
  async leave(connection: FramedConnection, peer: Address): Promise<void> {
    const key = formatAddress(peer);
    if (this.#options.sessions.get(key) === connection) this.#options.sessions.delete(key);
    connection.close("local", "peer left");
    await this.#options.ready();
    if (!this.#options.membership.isMember(key)) return;
    await this.#options.registrar.propose({ op: "remove", peer, reason: "left", raw: "" });
  }
}
