/**
 * What seeds and peers do alike at the edge of the network: say hello,
 * accept connections, and tell a misbehaving remote from an ordinary close.
 *
 * @module
 */

import type { EventLog, LogEvent } from "../log/events.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import {
  type CloseInfo,
  type CloseReason,
  type ConnectionHandler,
  FramedConnection,
} from "./connection.ts";
import { type HelloMessage, type NodeRole, PROTOCOL_VERSION } from "./messages.ts";
import type { LinkListener, Transport } from "./transport.ts";

/** A hello from this node: its role on this connection, identity and address. */
export function helloFrom(role: NodeRole, nodeId: string, address: Address): HelloMessage {
  return { kind: "hello", version: PROTOCOL_VERSION, role, nodeId, address };
}

/** Options for {@linkcode acceptConnections}. */
export interface AcceptOptions {
  handler: ConnectionHandler;
  localHello: HelloMessage;
  clock: Clock;
  /** False once the node is stopping: new connections are closed at once. */
  accepting(): boolean;
}

/** Wraps every accepted link in a started {@linkcode FramedConnection} until the listener closes. */
export async function acceptConnections(
  listener: LinkListener,
  options: AcceptOptions,
): Promise<void> {
  for await (const link of listener) {
    if (!options.accepting()) {
      link.stream.close();
      continue;
    }
    new FramedConnection(link.stream, {
      handler: options.handler,
      localHello: options.localHello,
      direction: "in",
      remoteLabel: link.remote,
      options: { clock: options.clock },
    }).start();
  }
}

/** Options for {@linkcode listenAndServe}. */
export interface ServeOptions extends AcceptOptions {
  transport: Transport;
  log: EventLog;
  /**
   * Address to bind when it is not the advertised one (`--advertise`: all
   * interfaces, or behind NAT). @default {localHello.address}
   */
  listen?: Address;
}

/**
 * Binds the listen address, logs `listening`, and accepts connections in
 * the background. Returns the listener (close it to stop accepting).
 *
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export function listenAndServe(options: ServeOptions): LinkListener {
  const hello = options.localHello;
  const listener = options.transport.listen(options.listen ?? hello.address);
  const bound = formatAddress(listener.address);
  const advertised = options.listen ? formatAddress(hello.address) : bound;
  options.log.emit({
    event: "listening",
    address: advertised,
    role: hello.role === "seed" ? "seed" : "peer",
    nodeId: hello.nodeId,
    ...(advertised === bound ? {} : { bound }),
  });
  acceptConnections(listener, options);
  return listener;
}

/** Close reasons that mean the remote misbehaved (worth a log line). */
const MISBEHAVIOUR: ReadonlySet<CloseReason> = new Set([
  "protocol_error",
  "handshake_timeout",
  "idle_timeout",
  "send_overflow",
]);

/**
 * The `connection_dropped` event for a connection the remote made this node
 * drop, or `undefined` for an ordinary close.
 */
export function droppedEvent(connection: FramedConnection, info: CloseInfo): LogEvent | undefined {
  if (!MISBEHAVIOUR.has(info.reason)) return undefined;
  const hello = connection.remoteHello;
  return {
    event: "connection_dropped",
    remote: hello ? formatAddress(hello.address) : connection.remoteLabel,
    reason: info.reason,
    detail: info.detail,
  };
}
