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
  type ByteStream,
  type CloseInfo,
  type CloseReason,
  type ConnectionHandler,
  type ConnectionOptions,
  FramedConnection,
} from "./connection.ts";
import {
  encodeMessage,
  type ErrorCode,
  type HelloMessage,
  type NodeRole,
  PROTOCOL_VERSION,
} from "./messages.ts";
import type { Link, LinkListener, Transport } from "./transport.ts";

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
  /**
   * Decides, before anything is read, whether to take a new link: a
   * refusal is answered with this node's hello and an `error`, then the
   * link is closed. @default {every link is taken}
   */
  screen?(link: Link): { code: ErrorCode; text: string } | undefined;
  /** Options for every accepted connection (send budget...). */
  connection?: Omit<ConnectionOptions, "clock">;
}

/** How long a refused link may take to receive its refusal. */
const REFUSAL_WRITE_MS = 1000;

// Refusals are cheap: their frames are encoded once per distinct text, and
// the bytes drained from the remote all land in one scratch buffer.
const REFUSAL_FRAMES = new Map<string, Uint8Array>();
const DRAIN = new Uint8Array(512);

function refusalFrames(hello: HelloMessage, code: ErrorCode, text: string): Uint8Array {
  const key = `${hello.nodeId} ${code} ${text}`;
  let bytes = REFUSAL_FRAMES.get(key);
  if (!bytes) {
    const helloBytes = encodeMessage(hello);
    const error = encodeMessage({ kind: "error", code, text });
    bytes = new Uint8Array(helloBytes.length + error.length);
    bytes.set(helloBytes);
    bytes.set(error, helloBytes.length);
    if (REFUSAL_FRAMES.size >= 64) REFUSAL_FRAMES.clear();
    REFUSAL_FRAMES.set(key, bytes);
  }
  return bytes;
}

/**
 * Turns a link away cheaply: writes this node's hello and an `error` (a
 * running node refusing is a sign of life a probe can see), reads what the
 * remote had sent so the close is a clean FIN, and closes. No connection
 * state is built.
 */
export async function refuseLink(
  stream: ByteStream,
  refusal: { hello: HelloMessage; code: ErrorCode; text: string; clock: Clock },
): Promise<void> {
  const bytes = refusalFrames(refusal.hello, refusal.code, refusal.text);
  let timer: unknown;
  const deadline = new Promise<void>((resolve) =>
    timer = refusal.clock.setTimeout(resolve, REFUSAL_WRITE_MS)
  );
  const exchange = (async () => {
    let written = 0;
    while (written < bytes.length) written += await stream.write(bytes.subarray(written));
    // Drain the remote's hello: closing with unread bytes would reset the
    // connection and could discard the refusal before the remote reads it.
    await stream.read(DRAIN);
  })().catch(() => {});
  await Promise.race([exchange, deadline]);
  refusal.clock.clearTimeout(timer);
  try {
    stream.close();
  } catch {
    // Already closed by the remote.
  }
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
    const refusal = options.screen?.(link);
    if (refusal) {
      refuseLink(link.stream, { hello: options.localHello, clock: options.clock, ...refusal });
      continue;
    }
    new FramedConnection(link.stream, {
      handler: options.handler,
      localHello: options.localHello,
      direction: "in",
      remoteLabel: link.remote,
      options: { ...options.connection, clock: options.clock },
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
  "pending_timeout",
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
