/**
 * What a peer does with its neighbours' messages, and what it refuses:
 * gossip that is not gossip text drops the link, gossip past the link's
 * rate is dropped and a flood drops the link, and indirect-probe requests
 * are answered only about this peer's own neighbours, at a bounded rate.
 *
 * @module
 */

import { type EventLog, NEIGHBOR_LEFT_REASON } from "../log/events.ts";
import { MAX_GOSSIP_TEXT_BYTES } from "../protocol/gossip_text.ts";
import type { Clock } from "../util/clock.ts";
import { type RateLimit, TokenBucket } from "../util/token_bucket.ts";
import type { FramedConnection } from "../wire/connection.ts";
import type { Frame } from "../wire/frame.ts";
import type { Message } from "../wire/messages.ts";
import type { AppMessages } from "./app_messages.ts";
import type { CatchUp } from "./catch_up.ts";
import type { Gossip } from "./gossip.ts";
import type { LivenessMonitor } from "./liveness_monitor.ts";
import type { Overlay } from "./overlay.ts";

/** Indirect-probe requests one neighbour may send: a burst, then five a second. */
const PROBE_REQUEST_RATE: RateLimit = { perSecond: 5, burst: 20 };

/** What {@linkcode NeighborRoutes} needs. */
export interface NeighborRoutesOptions {
  gossip: Gossip;
  app: AppMessages;
  catchUp: CatchUp;
  monitor: LivenessMonitor;
  overlay: Overlay;
  /** New gossip messages a second taken from one neighbour (for the flood's message). */
  gossipRatePerLink: number;
  clock: Clock;
  log: EventLog;
}

/** Routes the messages of neighbour links. */
export class NeighborRoutes {
  readonly #options: NeighborRoutesOptions;
  // Made at the first probe request: most peers never get one.
  #probeRequests: WeakMap<FramedConnection, TokenBucket> | undefined;

  /** Creates the routes. */
  constructor(options: NeighborRoutesOptions) {
    this.#options = options;
  }

  /** A message from a neighbour; false if a neighbour may not send it. */
  route(connection: FramedConnection, message: Message, frame: Frame): boolean {
    const { gossip, app, catchUp, monitor, overlay } = this.#options;
    const key = connection.remoteKey;
    switch (message.kind) {
      case "gossip":
        this.#gossip(connection, gossip.receive(key, message, frame));
        return true;
      case "app_message":
        app.receive(key, message, frame);
        return true;
      case "catch_up_request":
        catchUp.onRequest(connection, message);
        return true;
      case "catch_up":
        return catchUp.onAnswer(key, message);
      case "pong":
        monitor.onPong(key, message.nonce);
        return true;
      case "probe_request": {
        if (!this.#allowProbeRequest(connection)) {
          this.#refused(key, "over its rate");
          return true;
        }
        // A target that is not this peer's neighbour is not checked (no
        // reflection to addresses a neighbour picks) and not answered: the
        // asker hears from the helpers that are, or reports when none do.
        // That is routine in a sparse overlay, so it is not logged.
        monitor.onProbeRequest(message, (alive) =>
          connection.send({
            kind: "probe_result",
            nonce: message.nonce,
            target: message.target,
            alive,
          }));
        return true;
      }
      case "probe_result":
        monitor.onProbeResult(key, message.nonce, message.alive);
        return true;
      case "leave":
        // Not dead: it said goodbye. Stop watching before the link closes,
        // and do not redial it while the seeds may still list it.
        monitor.unwatch(key);
        overlay.quarantine(key);
        connection.close("local", NEIGHBOR_LEFT_REASON);
        return true;
      default:
        return false;
    }
  }

  #gossip(connection: FramedConnection, receipt: ReturnType<Gossip["receive"]>): void {
    switch (receipt) {
      case "dropped":
        this.#options.log.emit({
          event: "gossip_dropped",
          from: connection.remoteKey,
          reason: "over its rate",
        });
        return;
      case "flood":
        connection.fail(
          "protocol_error",
          "overloaded",
          `Gossip flood: far over ${this.#options.gossipRatePerLink} new messages a second`,
        );
        return;
      case "invalid":
        connection.fail(
          "protocol_error",
          "malformed",
          `Malformed gossip text: expected <unix ms>:<origin host>:<seq>, at most ${MAX_GOSSIP_TEXT_BYTES} bytes`,
        );
        return;
      default:
        return;
    }
  }

  #refused(remote: string, reason: string): void {
    this.#options.log.emit({ event: "request_refused", remote, kind: "probe_request", reason });
  }

  #allowProbeRequest(connection: FramedConnection): boolean {
    const now = this.#options.clock.now();
    const requests = this.#probeRequests ??= new WeakMap();
    let bucket = requests.get(connection);
    if (!bucket) requests.set(connection, bucket = new TokenBucket(PROBE_REQUEST_RATE, now));
    return bucket.take(now);
  }
}
