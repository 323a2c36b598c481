/**
 * What peers and clients ask of a seed: to register, for peer lists, to
 * remove a peer reported dead, and (for a peer) to leave. Every change to
 * the peer list goes through the registrar, so a majority of seeds decides.
 * A registrant must prove its address: the seed connects to it and must get
 * the registrant's own node id back. Requests wait until the seed has
 * caught up with the others.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { parseDeadReport } from "../protocol/dead_report.ts";
import { formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import { type Rng, systemRng } from "../util/random.ts";
import type { FramedConnection } from "../wire/connection.ts";
import { type HelloMessage, type PeerEntry, peerListMessages } from "../wire/messages.ts";
import { addVerdict } from "./change_checks.ts";
import type { Membership } from "./membership.ts";
import type { Registrar } from "./registrar.ts";

/**
 * Largest peer list a seed sends whole. Above it, a peer gets
 * {@linkcode PEER_LIST_SAMPLE} members drawn uniformly at random instead:
 * sending every member to every joiner costs N² bytes across the network.
 * Uniform is what keeps the power law: the peer still chooses by
 * preferential attachment among what it got, and a uniform sample leaves
 * each member's chance of being chosen proportional to its degree, as with
 * the whole list. (A sample already weighted by degree would square it.)
 */
export const PEER_LIST_FULL_MAX = 1000;

/** Members in a sampled peer list (see {@linkcode PEER_LIST_FULL_MAX}). */
export const PEER_LIST_SAMPLE = 32;

/** What {@linkcode PeerRequests} needs from its seed. */
export interface PeerRequestsOptions {
  membership: Membership;
  registrar: Registrar;
  clock: Clock;
  /** Most peers this seed registers (`--max-peers`). */
  maxPeers: number;
  log: EventLog;
  /** Resolves once the seed has caught up and may answer. */
  ready(): Promise<void>;
  /** Registered peers' current sessions, by `host:port`. */
  sessions: Map<string, FramedConnection>;
  /** A session registered: it no longer counts as a stranger's connection. */
  settle(connection: FramedConnection): void;
  /** Draws sampled peer lists. @default {systemRng} */
  rng?: Rng;
  /** Largest list sent whole. @default {PEER_LIST_FULL_MAX} */
  fullListMax?: number;
  /** Size of a sampled list. @default {PEER_LIST_SAMPLE} */
  sampleSize?: number;
}

/** Answers peers' and clients' requests at a seed. */
export class PeerRequests {
  #options: PeerRequestsOptions;

  /** Creates the request handler. */
  constructor(options: PeerRequestsOptions) {
    this.#options = options;
  }

  /**
   * The peer list for the peer `asker`: every other member up to
   * `fullListMax` members, a uniform sample of `sampleSize` above.
   */
  listFor(asker: string): PeerEntry[] {
    const o = this.#options;
    if (o.membership.size <= (o.fullListMax ?? PEER_LIST_FULL_MAX)) return this.entries(asker);
    return o.membership.sample(o.sampleSize ?? PEER_LIST_SAMPLE, o.rng ?? systemRng, asker).map(
      (record) => ({ address: record.address, degree: Math.min(record.degree, 0xffff) }),
    );
  }

  /** Every member as a peer-list entry, without `except`. */
  entries(except?: string): PeerEntry[] {
    return this.#options.membership.membersExcept(except).map((record) => ({
      address: record.address,
      degree: Math.min(record.degree, 0xffff),
    }));
  }

  /**
   * Registers the peer that said `hello` on `connection` (with a majority's
   * agreement, once its address answered with its node id) and sends it
   * the list.
   */
  async register(connection: FramedConnection, hello: HelloMessage, degree: number): Promise<void> {
    await this.#options.ready();
    const peer = hello.address;
    const key = formatAddress(peer);
    const { membership, registrar } = this.#options;
    const problem = this.#addressProblem(hello);
    if (problem !== undefined) return this.#refuse(connection, key, "unverified", problem);
    if (!membership.isMember(key)) {
      if (membership.size >= this.#options.maxPeers) {
        const text = `Peer list is full (--max-peers ${this.#options.maxPeers})`;
        return this.#refuse(connection, key, "max_peers", text);
      }
      const asked = this.#options.clock.now();
      const decision = await registrar.propose({ op: "add", peer }, { nodeId: hello.nodeId });
      if (!decision.accepted) {
        // Tell a registrant that failed its own check from one the seeds did not agree on.
        const own = addVerdict(await registrar.checks.since(peer, asked), hello.nodeId);
        if (!own.yes && !own.abstain) {
          return this.#refuse(connection, key, "unverified", this.#unverified(key, own.reason));
        }
        const text =
          `No seed majority agreed: ${decision.yes} of ${decision.needed} votes (${decision.detail})`;
        return this.#refuse(connection, key, "no_quorum", text);
      }
    } else {
      // Already listed (registering again): the address must still be its own.
      const own = addVerdict(await registrar.checks.probe(peer), hello.nodeId);
      if (!own.yes) {
        return this.#refuse(connection, key, "unverified", this.#unverified(key, own.reason));
      }
    }
    if (connection.isClosed) return;
    membership.setDegree(key, degree);
    this.#options.sessions.set(key, connection);
    this.#options.settle(connection);
    connection.send({ kind: "registered" });
    for (const part of peerListMessages(0, this.listFor(key))) connection.send(part);
  }

  /** Answers a peer-list request. */
  async peerList(connection: FramedConnection, requestId: number, asker: string): Promise<void> {
    await this.#options.ready();
    for (const part of peerListMessages(requestId, this.listFor(asker))) connection.send(part);
  }

  /**
   * Handles a Dead Node report: logs it and, for a listed peer, proposes its
   * removal. A `client` reporter gets the decision back. Returns why a
   * report is not a valid Dead Node text (the caller drops the connection),
   * or `undefined`.
   */
  deadReport(raw: string, reporter: string, client?: FramedConnection): string | undefined {
    const parsed = parseDeadReport(raw);
    if (!parsed.ok) {
      this.#options.log.emit({ event: "dead_node_invalid", reporter, raw, detail: parsed.detail });
      client?.send({
        kind: "decision",
        dead: { host: "0.0.0.0", port: 1 },
        outcome: "invalid",
        text: `Not a valid Dead Node report: ${parsed.detail}`,
      });
      return `Invalid Dead Node report: ${parsed.detail}`;
    }
    const dead = parsed.report.dead;
    const deadKey = formatAddress(dead);
    this.#options.log.emit({ event: "dead_node_report", dead: deadKey, reporter, raw });
    this.#spawn(this.#decideDead(raw, dead, client));
    return undefined;
  }

  /** A registered peer says it is leaving: it is removed (reason `left`) once the seeds agree. */
  async leave(connection: FramedConnection, hello: HelloMessage): Promise<void> {
    const key = formatAddress(hello.address);
    const registered = this.#options.sessions.get(key) === connection;
    if (registered) this.#options.sessions.delete(key);
    connection.close("local", "peer left");
    // Only the peer's own session may say it leaves.
    if (!registered) return;
    await this.#options.ready();
    if (!this.#options.membership.isMember(key)) return;
    await this.#options.registrar.propose({
      op: "remove",
      peer: hello.address,
      reason: "left",
      raw: "",
    });
  }

  async #decideDead(
    raw: string,
    dead: { host: string; port: number },
    client?: FramedConnection,
  ): Promise<void> {
    await this.#options.ready();
    const deadKey = formatAddress(dead);
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

  #addressProblem(hello: HelloMessage): string | undefined {
    const problem = this.#options.registrar.addressProblem(hello.address);
    return problem === undefined ? undefined : `${problem}: a peer cannot register there`;
  }

  #unverified(key: string, reason: string): string {
    return `Cannot verify ${key}: ${reason} (the seed must reach the peer at its --host and port)`;
  }

  #refuse(
    connection: FramedConnection,
    peer: string,
    reason: "max_peers" | "no_quorum" | "unverified",
    text: string,
  ): void {
    this.#options.log.emit({ event: "peer_refused", peer, reason, detail: text });
    connection.send({ kind: "refused", reason, text });
  }

  #spawn(task: Promise<void>): void {
    task.catch((error) =>
      this.#options.log.emit({ event: "internal_error", detail: String(error) })
    );
  }
}
