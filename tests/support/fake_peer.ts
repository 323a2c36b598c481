/**
 * An in-process stand-in for a peer, built from the library's own wire
 * code, whose misbehaviour a test controls: it can drop a link while staying
 * alive, or ignore pings on chosen links.
 *
 * @module
 */

import { systemClock } from "../../lib/util/clock.ts";
import { type Address, formatAddress } from "../../lib/util/address.ts";
import { FramedConnection } from "../../lib/wire/connection.ts";
import { dialNode } from "../../lib/wire/dial.ts";
import type { ConnectionHandler } from "../../lib/wire/connection.ts";
import { type HelloMessage, PROTOCOL_VERSION } from "../../lib/wire/messages.ts";
import { type LinkListener, tcpTransport } from "../../lib/wire/transport.ts";

/** A controllable fake peer listening on 127.0.0.1. */
export class FakePeer implements AsyncDisposable {
  readonly address: Address;
  readonly key: string;
  /** Neighbours whose pings over the link go unanswered. */
  readonly ignorePingsFrom = new Set<string>();
  /** Pings answered on connections that were not links (probes). */
  probePings = 0;
  readonly links = new Map<string, FramedConnection>();
  #listener: LinkListener;
  #connections = new Set<FramedConnection>();

  /** Listens on `port`. */
  constructor(port: number) {
    this.address = { host: "127.0.0.1", port };
    this.key = formatAddress(this.address);
    this.#listener = tcpTransport.listen(this.address);
    this.#accept();
  }

  #hello(): HelloMessage {
    return {
      kind: "hello",
      version: PROTOCOL_VERSION,
      role: "peer",
      nodeId: "00000000000000fe",
      address: this.address,
    };
  }

  readonly #handler: ConnectionHandler = {
    onHello: (connection) => {
      this.#connections.add(connection);
      return undefined;
    },
    onMessage: (connection, message) => {
      const from = connection.remoteHello ? formatAddress(connection.remoteHello.address) : "";
      if (message.kind !== "ping") return;
      const isLink = this.links.get(from) === connection;
      if (isLink && this.ignorePingsFrom.has(from)) return;
      if (!isLink) this.probePings++;
      connection.send({ kind: "pong", nonce: message.nonce });
    },
    onClose: (connection) => {
      this.#connections.delete(connection);
    },
  };

  async #accept(): Promise<void> {
    for await (const link of this.#listener) {
      new FramedConnection(link.stream, {
        handler: this.#handler,
        localHello: this.#hello(),
        direction: "in",
        remoteLabel: link.remote,
      }).start();
    }
  }

  /** Opens a neighbour link to a real peer. */
  async link(port: number): Promise<void> {
    const target = { host: "127.0.0.1", port };
    const connection = await dialNode(target, {
      transport: tcpTransport,
      localHello: this.#hello(),
      handler: this.#handler,
      timeoutMs: 2000,
      clock: systemClock,
    });
    this.links.set(formatAddress(target), connection);
  }

  /** Closes the link to a real peer, staying alive and listening. */
  unlink(port: number): void {
    const key = `127.0.0.1:${port}`;
    this.links.get(key)?.close("local", "test dropped the link");
    this.links.delete(key);
  }

  /** Stops listening and closes everything. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    const closing = [...this.#connections].map((c) => c.closed);
    for (const connection of this.#connections) connection.close("local", "fake peer done");
    await Promise.all(closing);
  }
}
