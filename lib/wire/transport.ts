/**
 * The only place that opens sockets. Nodes get a {@linkcode Transport}, so
 * tests can substitute an in-memory one.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import { formatAddress } from "../util/address.ts";
import type { ByteStream } from "./connection.ts";

/** An accepted or dialled stream plus the remote socket address. */
export interface Link {
  /** The byte stream. */
  readonly stream: ByteStream;
  /** Remote socket address as `host:port` (for logs only). */
  readonly remote: string;
  /** This side's IP address on the link. */
  readonly localHost: string;
}

/** A bound listener. */
export interface LinkListener extends AsyncIterable<Link> {
  /** The address actually bound (port resolved when 0 was asked). */
  readonly address: Address;
  /** Stops accepting; the iterator ends. */
  close(): void;
}

/** Opens listeners and outgoing streams. */
export interface Transport {
  /**
   * Binds `address`.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   */
  listen(address: Address): LinkListener;
  /**
   * Connects to `address`, giving up after `timeoutMs`.
   * @throws {Error} When the connection is refused, times out or fails.
   */
  dial(address: Address, options: { timeoutMs: number }): Promise<Link>;
}

function hostOf(addr: Deno.Addr): string {
  return addr.transport === "tcp" || addr.transport === "udp" ? addr.hostname : "127.0.0.1";
}

function label(addr: Deno.Addr): string {
  return addr.transport === "tcp" || addr.transport === "udp"
    ? formatAddress({ host: addr.hostname, port: addr.port })
    : addr.transport;
}

/** TCP over `Deno.listen`/`Deno.connect`, with TCP_NODELAY on every socket. */
export const tcpTransport: Transport = {
  listen(address) {
    const listener = Deno.listen({ hostname: address.host, port: address.port, transport: "tcp" });
    const bound = listener.addr as Deno.NetAddr;
    return {
      address: { host: address.host, port: bound.port },
      close() {
        try {
          listener.close();
        } catch {
          // Closing twice is harmless.
        }
      },
      async *[Symbol.asyncIterator]() {
        while (true) {
          let conn: Deno.TcpConn;
          try {
            conn = await listener.accept();
          } catch (error) {
            // The listener was closed: the normal end of accepting.
            if (
              error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted
            ) {
              return;
            }
            // A transient accept failure (e.g. out of descriptors) must not
            // stop the node accepting once it passes.
            await new Promise((resolve) => setTimeout(resolve, 50));
            continue;
          }
          // Small frames must leave at once: Nagle plus delayed ACKs would
          // add up to 40ms per hop.
          conn.setNoDelay(true);
          yield { stream: conn, remote: label(conn.remoteAddr), localHost: hostOf(conn.localAddr) };
        }
      },
    };
  },

  async dial(address, { timeoutMs }) {
    const conn = await Deno.connect({
      hostname: address.host,
      port: address.port,
      transport: "tcp",
      signal: AbortSignal.timeout(timeoutMs),
    });
    conn.setNoDelay(true);
    return { stream: conn, remote: label(conn.remoteAddr), localHost: hostOf(conn.localAddr) };
  },
};
