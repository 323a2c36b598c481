/**
 * Opening a connection to another node and completing the handshake.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import { formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { type ConnectionHandler, type ConnectionOptions, FramedConnection } from "./connection.ts";
import type { HelloMessage } from "./messages.ts";
import type { Link, Transport } from "./transport.ts";

/** Why a dial failed; `detail` is one line for the log. */
export class DialError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DialError";
  }
}

/** Options for {@linkcode dialNode}. */
export interface DialOptions<R = unknown> {
  transport: Transport;
  /**
   * This node's hello, or a function that makes it once the link is up
   * (a client that does not listen names its address on that link).
   */
  localHello: HelloMessage | ((link: Link) => HelloMessage);
  /** Handles the connection's messages and close. */
  handler: ConnectionHandler<R>;
  /** Connect plus handshake must finish within this, in ms. */
  timeoutMs: number;
  /** Time source for the deadline and the connection's timers. */
  clock: Clock;
  /** What the link is dialled for: its `role`, set before any message can arrive. */
  role?: R;
  /** The link's label in logs, `address` as `host:port` (a shared copy). @default {formatted here} */
  remoteLabel?: string;
  /** Further connection options (queue bound, idle timeout...). */
  connection?: Omit<ConnectionOptions, "handshakeTimeoutMs" | "clock">;
}

/**
 * Connects to `address` and resolves once both hellos are exchanged and the
 * handler accepted the remote's. Messages that arrive right after the hello
 * go to the handler even before this promise settles.
 *
 * @throws {DialError} On refusal, timeout, or a hello the handler rejected.
 */
export async function dialNode<R = unknown>(
  address: Address,
  options: DialOptions<R>,
): Promise<FramedConnection<R>> {
  const clock = options.clock;
  const started = clock.now();
  let link;
  try {
    link = await options.transport.dial(address, { timeoutMs: options.timeoutMs });
  } catch (error) {
    throw new DialError(`Cannot connect to ${formatAddress(address)}: ${connectText(error)}`, {
      cause: error,
    });
  }
  const remaining = Math.max(1, options.timeoutMs - (clock.now() - started));
  return await new Promise<FramedConnection<R>>((resolve, reject) => {
    let settled = false;
    const inner = options.handler;
    const connection = new FramedConnection<R>(link.stream, {
      direction: "out",
      remoteLabel: options.remoteLabel ?? formatAddress(address),
      localHello: typeof options.localHello === "function"
        ? options.localHello(link)
        : options.localHello,
      options: { ...options.connection, clock, handshakeTimeoutMs: remaining },
      handler: {
        onHello(conn, hello) {
          const rejection = inner.onHello(conn, hello);
          if (!rejection && !settled) {
            settled = true;
            // From here this wrapper only forwards: the link keeps the
            // node's handler, not this dial's scope, for the rest of its life.
            conn.replaceHandler(inner);
            resolve(conn);
          }
          return rejection;
        },
        onMessage: (conn, message, frame) => inner.onMessage(conn, message, frame),
        onClose(conn, info) {
          if (!settled) {
            settled = true;
            reject(
              new DialError(`Handshake with ${formatAddress(address)} failed: ${info.detail}`),
            );
          }
          inner.onClose(conn, info);
        },
      },
    });
    connection.role = options.role;
    connection.start();
  });
}

function connectText(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (error instanceof DOMException && error.name === "TimeoutError") return "timed out";
  if (error instanceof Deno.errors.TimedOut) return "timed out";
  return errorText(error);
}
