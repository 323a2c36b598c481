/**
 * What a seed does with the messages of peers and clients, and how much of
 * it one connection may ask for: registrations, Dead Node reports and peer
 * lists each have a rate per connection, past which requests are ignored
 * (and the refusal logged, throttled); a connection that goes on asking
 * until ten bursts' worth were ignored is flooding and is dropped. Junk
 * where a Dead Node text belongs drops the connection too.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import type { Clock } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { type RateLimit, TokenBucket } from "../util/token_bucket.ts";
import type { FramedConnection } from "../wire/connection.ts";
import type { HelloMessage, Message } from "../wire/messages.ts";
import type { Membership } from "./membership.ts";
import type { PeerRequests } from "./peer_requests.ts";

/**
 * Dead Node reports one connection may send: a burst (a hub whose
 * neighbours all died at once), then ten a second.
 */
const REPORT_RATE: RateLimit = { perSecond: 10, burst: 100 };
/** Peer-list requests one connection may send: a burst, then 20 a second. */
const LIST_RATE: RateLimit = { perSecond: 20, burst: 50 };
/** Registrations one connection may ask for: each costs probes at every seed. */
const REGISTER_RATE: RateLimit = { perSecond: 1, burst: 4 };
/** Status and members requests one client may send: each answer may be the whole Peer List. */
const INSPECT_RATE: RateLimit = { perSecond: 5, burst: 10 };

/** What {@linkcode PeerRoutes} needs. */
export interface PeerRoutesOptions {
  requests: PeerRequests;
  membership: Membership;
  /** Registered peers' current sessions, by `host:port`. */
  sessions: Map<string, FramedConnection>;
  clock: Clock;
  log: EventLog;
  /**
   * Answers a client's inspection request (`status`, `members`); false
   * when `message` is not one.
   */
  inspect(connection: FramedConnection, message: Message): boolean;
}

/** Routes peers' and clients' messages at a seed. */
export class PeerRoutes {
  readonly #options: PeerRoutesOptions;
  // By request kind, then connection: a few maps per seed rather than one per
  // session (a seed in a simulation holds 60,000 sessions).
  readonly #limits = new Map<
    string,
    WeakMap<FramedConnection, { bucket: TokenBucket; ignored: number }>
  >();

  /** Creates the routes. */
  constructor(options: PeerRoutesOptions) {
    this.#options = options;
  }

  /** A message from a peer; false if a peer may not send it. */
  fromPeer(connection: FramedConnection, message: Message): boolean {
    const { requests, membership, sessions } = this.#options;
    const key = connection.remoteKey;
    const hello = connection.remoteHello as HelloMessage;
    switch (message.kind) {
      case "register":
        if (this.#allow(connection, "register", REGISTER_RATE)) {
          this.#spawn(requests.register(connection, hello, message.degree));
        }
        return true;
      case "degree_update":
        // Only the peer's own registered session speaks for its degree.
        if (sessions.get(key) === connection) membership.setDegree(key, message.degree);
        return true;
      case "dead_node":
        if (this.#allow(connection, "dead_node", REPORT_RATE)) {
          this.#dropIfInvalid(connection, requests.deadReport(message.text, key));
        }
        return true;
      case "leave":
        this.#spawn(requests.leave(connection, hello));
        return true;
      case "peer_list_request":
        this.#peerList(connection, message.requestId);
        return true;
      default:
        return false;
    }
  }

  /** A message from a client; false if a client may not send it. */
  fromClient(connection: FramedConnection, message: Message): boolean {
    switch (message.kind) {
      case "dead_node":
        if (this.#allow(connection, "dead_node", REPORT_RATE)) {
          const problem = this.#options.requests.deadReport(
            message.text,
            connection.remoteKey,
            connection,
          );
          this.#dropIfInvalid(connection, problem);
        }
        return true;
      case "peer_list_request":
        this.#peerList(connection, message.requestId);
        return true;
      case "status_request":
      case "members_request":
        if (this.#allow(connection, message.kind, INSPECT_RATE)) {
          return this.#options.inspect(connection, message);
        }
        return true;
      default:
        return false;
    }
  }

  #peerList(connection: FramedConnection, requestId: number): void {
    if (!this.#allow(connection, "peer_list_request", LIST_RATE)) return;
    this.#spawn(this.#options.requests.peerList(connection, requestId, connection.remoteKey));
  }

  // Junk where a Dead Node text belongs breaks the protocol: the connection goes.
  #dropIfInvalid(connection: FramedConnection, problem: string | undefined): void {
    if (problem !== undefined) connection.fail("protocol_error", "malformed", problem);
  }

  // Requests over a connection's rate are ignored (and logged, throttled):
  // honest peers stay below it, and a flood costs no more than the rate.
  #allow(connection: FramedConnection, kind: string, rate: RateLimit): boolean {
    let limits = this.#limits.get(kind);
    if (!limits) this.#limits.set(kind, limits = new WeakMap());
    let limit = limits.get(connection);
    const now = this.#options.clock.now();
    if (!limit) limits.set(connection, limit = { bucket: new TokenBucket(rate, now), ignored: 0 });
    if (limit.bucket.take(now)) return true;
    if (++limit.ignored > 10 * rate.burst) {
      const detail = `Request flood: far over ${rate.perSecond} ${kind} a second`;
      connection.fail("protocol_error", "overloaded", detail);
      return false;
    }
    this.#options.log.emit({
      event: "request_refused",
      remote: connection.remoteLabel,
      kind,
      reason: "over its rate",
    });
    return false;
  }

  #spawn(task: Promise<unknown>): void {
    task.catch((error) =>
      this.#options.log.emit({ event: "internal_error", detail: errorText(error) })
    );
  }
}
