/**
 * A one-question client connection (`gossipnet send`, `status`,
 * `members`): connect as role `client`, learn from the remote's hello what
 * it is, ask, wait for the reply with the request's id, close.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { newNodeId } from "../util/random.ts";
import type { FramedConnection } from "./connection.ts";
import { dialNode } from "./dial.ts";
import { type Message, type NodeRole, PROTOCOL_VERSION } from "./messages.ts";
import type { KeyringSource } from "./keyring.ts";
import type { Transport } from "./transport.ts";

/** What a reply handler says about one incoming message. */
export type ReplyStep<T> =
  /** Not for this request. */
  | { readonly step: "ignore" }
  /** Part of the reply; more follows. */
  | { readonly step: "more" }
  /** The reply is complete. */
  | { readonly step: "done"; readonly value: T };

/** Options for {@linkcode ClientLink.open}. */
export interface ClientLinkOptions {
  transport: Transport;
  clock: Clock;
  /** Connect plus handshake must finish within this, in ms. */
  timeoutMs: number;
  /** The network keys, on a keyed network. @default {keyless} */
  keyring?: KeyringSource;
}

/** An open client connection. */
export class ClientLink {
  readonly #connection: FramedConnection;
  readonly #clock: Clock;
  #listener: ((message: Message) => void) | undefined;
  #nextId = 1;

  private constructor(connection: FramedConnection, clock: Clock) {
    this.#connection = connection;
    this.#clock = clock;
  }

  /**
   * Connects to `address` as a client.
   * @throws {DialError} When it cannot be reached or the handshake fails.
   */
  static async open(address: Address, options: ClientLinkOptions): Promise<ClientLink> {
    // Messages arrive only after a request is sent, so the link exists by then.
    let deliver: (message: Message) => void = () => {};
    const connection = await dialNode(address, {
      transport: options.transport,
      clock: options.clock,
      timeoutMs: options.timeoutMs,
      ...(options.keyring ? { connection: { keyring: options.keyring } } : {}),
      // A client does not listen: it names the address it has on this link.
      localHello: (l) => ({
        kind: "hello",
        version: PROTOCOL_VERSION,
        role: "client",
        nodeId: newNodeId(),
        address: { host: l.localHost, port: 0 },
      }),
      handler: {
        onHello: () => undefined,
        onMessage: (_conn, message) => deliver(message),
        onClose: () => {},
      },
    });
    const link = new ClientLink(connection, options.clock);
    deliver = (message) => link.#listener?.(message);
    return link;
  }

  /** What the remote said it is in its hello. */
  get remoteRole(): NodeRole {
    return this.#connection.remoteHello?.role ?? "client";
  }

  /** The remote's advertised address, `host:port`. */
  get remoteKey(): string {
    return this.#connection.remoteKey;
  }

  /** A fresh request id. */
  nextRequestId(): number {
    return this.#nextId++;
  }

  /**
   * Sends `request` and feeds every message that arrives to `reply` until
   * it says done.
   * @throws {Error} When the connection closes first (with the remote's
   * reason, e.g. `too_large: ...`) or `timeoutMs` passes.
   */
  async request<T>(
    request: Message,
    reply: (message: Message) => ReplyStep<T>,
    timeoutMs: number,
  ): Promise<T> {
    let timer: TimerHandle | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        this.#listener = (message) => {
          const step = reply(message);
          if (step.step === "done") resolve(step.value);
        };
        this.#connection.closed.then((info) =>
          reject(new Error(`${this.remoteKey} closed the connection: ${info.detail}`))
        );
        timer = this.#clock.setTimeout(
          () => reject(new Error(`No answer from ${this.remoteKey} within ${timeoutMs}ms`)),
          timeoutMs,
        );
        if (!this.#connection.send(request)) reject(new Error("The connection is closed"));
      });
    } finally {
      this.#listener = undefined;
      this.#clock.clearTimeout(timer);
    }
  }

  /** Closes the connection after what is queued has left. */
  close(): Promise<void> {
    this.#connection.close("local", "done", { flush: true });
    return this.#connection.closed.then(() => {});
  }
}
