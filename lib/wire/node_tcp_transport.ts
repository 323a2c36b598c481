/**
 * TCP over `node:net`, for many nodes in one process (`up --in-process`).
 *
 * Why not `Deno.connect`: a `Deno.Conn` is read one promise at a time, and
 * a node in a flood reads one small frame per read. `node:net` pushes each
 * arrival to a callback with no promise in between, and its writes need no
 * await. On the same loopback flood (bench/loopback_floor.ts and a
 * `node:net` twin of it) that took about 40% less CPU per frame and half
 * the coverage tail, which is what a thousand nodes on two cores are short
 * of. Process mode, with one node per process, keeps {@linkcode tcpTransport}.
 *
 * The streams work in push mode ({@linkcode ByteStream.subscribe} and
 * {@linkcode ByteStream.transfer}), as the simulator's do, and also offer
 * `read`/`write` for the links that need them (keyed links, clients).
 * Bytes waiting in a socket's send buffer are bounded twice: they count
 * against the node's send budget until sent ({@linkcode ByteStream.transferWaits}),
 * and past {@linkcode SEND_LIMIT_BYTES} on one socket a transfer throws
 * {@linkcode SendOverflowError}; either closes the connection as
 * `send_overflow`, as `tcpTransport`'s send queue does.
 *
 * @module
 */

import net from "node:net";
import type { Address } from "../util/address.ts";
import { formatAddress } from "../util/address.ts";
import { type ByteStream, SendOverflowError } from "./connection.ts";
import { type Link, type LinkListener, tcpTransport, type Transport } from "./transport.ts";

/** Bytes a socket may hold unsent before a transfer fails (a remote that stopped reading). */
export const SEND_LIMIT_BYTES = 4 * 1024 * 1024;

/** How long a closed socket may wait for its unsent bytes to go and the remote's end before it is cut. */
const CLOSE_LINGER_MS = 1000;

/** Unread bytes a pull-mode stream takes from the kernel before it stops reading. */
const PULL_BACKLOG_BYTES = 1024 * 1024;

type Sink = (chunk: Uint8Array | null) => void;

// Node's socket errors carry a code; map the ones callers tell apart.
function denoError(error: unknown): Error {
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ECONNREFUSED":
      return new Deno.errors.ConnectionRefused(message);
    case "ECONNRESET":
    case "EPIPE":
      return new Deno.errors.ConnectionReset(message);
    case "EADDRINUSE":
      return new Deno.errors.AddrInUse(message);
    case "ETIMEDOUT":
      return new Deno.errors.TimedOut(message);
    default:
      return error instanceof Error ? error : new Error(message);
  }
}

/** One `net.Socket` as a {@linkcode ByteStream}. */
class NodeSocketStream implements ByteStream {
  readonly #socket: net.Socket;
  #sink: Sink | undefined;
  // Pull mode (before a subscriber): arrivals wait here for `read`.
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: Error | undefined;
  #reader:
    | { buffer: Uint8Array; resolve: (n: number | null) => void; reject: (e: Error) => void }
    | undefined;
  #waitingBytes = 0;
  // Paused by pauseReading(), or because pull-mode bytes pile up unread.
  #heldByCaller = false;
  #heldByBacklog = false;
  #closed = false;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Uint8Array) => this.#arrive(chunk));
    socket.on("end", () => this.#arrive(null));
    socket.on("error", (error: Error) => {
      this.#error = denoError(error);
      const reader = this.#reader;
      this.#reader = undefined;
      reader?.reject(this.#error);
      if (this.#sink) this.#arrive(null);
    });
    socket.on("close", () => {
      if (!this.#ended) this.#arrive(null);
    });
  }

  #arrive(chunk: Uint8Array | null): void {
    // Closed here: what still comes is only drained (see close()).
    if (this.#ended || this.#closed) return;
    if (chunk === null) this.#ended = true;
    if (this.#sink) {
      this.#sink(chunk);
      return;
    }
    if (chunk !== null) {
      this.#chunks.push(chunk);
      this.#waitingBytes += chunk.length;
      // Nobody reads: let the kernel hold the rest, and the sender feel it.
      if (this.#waitingBytes > PULL_BACKLOG_BYTES && !this.#heldByBacklog) {
        this.#heldByBacklog = true;
        this.#socket.pause();
      }
    }
    this.#serveReader();
  }

  #serveReader(): void {
    const reader = this.#reader;
    if (!reader) return;
    if (this.#chunks.length > 0) {
      this.#reader = undefined;
      reader.resolve(this.#take(reader.buffer));
    } else if (this.#ended) {
      this.#reader = undefined;
      if (this.#error) reader.reject(this.#error);
      else reader.resolve(null);
    }
  }

  // Copies as much of the waiting bytes into `buffer` as fit.
  #take(buffer: Uint8Array): number {
    let n = 0;
    while (this.#chunks.length > 0 && n < buffer.length) {
      const chunk = this.#chunks[0]!;
      const part = Math.min(chunk.length, buffer.length - n);
      buffer.set(part === chunk.length ? chunk : chunk.subarray(0, part), n);
      n += part;
      if (part === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(part);
    }
    this.#waitingBytes -= n;
    if (this.#waitingBytes <= PULL_BACKLOG_BYTES / 2) this.#releaseBacklog();
    return n;
  }

  // Reads again once pulled bytes no longer pile up (unless the caller paused it).
  #releaseBacklog(): void {
    if (!this.#heldByBacklog) return;
    this.#heldByBacklog = false;
    if (!this.#heldByCaller) this.#socket.resume();
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("The stream is closed"));
    if (this.#reader) return Promise.reject(new Error("A read is already pending"));
    if (this.#chunks.length > 0) return Promise.resolve(this.#take(buffer));
    if (this.#ended) return this.#error ? Promise.reject(this.#error) : Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.#reader = { buffer, resolve, reject };
    });
  }

  write(data: Uint8Array): Promise<number> {
    if (this.#closed || this.#socket.destroyed) {
      return Promise.reject(this.#error ?? new Deno.errors.BrokenPipe("The stream is closed"));
    }
    // The socket keeps `data` until it is sent: hand it a copy the caller may reuse.
    const copy = data.slice();
    return new Promise((resolve, reject) => {
      this.#socket.write(copy, (error?: Error | null) => {
        if (error) reject(denoError(error));
        else resolve(copy.length);
      });
    });
  }

  subscribe<T>(sink: (this: T, chunk: Uint8Array | null) => void, target: T): void {
    this.#sink = (chunk) => sink.call(target, chunk);
    // Bytes that came before the subscriber go first.
    const waiting = this.#chunks;
    this.#chunks = [];
    this.#waitingBytes = 0;
    for (const chunk of waiting) this.#sink(chunk);
    if (this.#ended) this.#sink(null);
    this.#releaseBacklog();
  }

  /** Transferred bytes wait here while the remote reads slowly (see {@linkcode ByteStream.transferWaits}). */
  readonly transferWaits = true;

  transfer(data: Uint8Array, sent?: () => void): void {
    if (this.#closed || this.#socket.destroyed) {
      throw this.#error ?? new Deno.errors.BrokenPipe("The stream is closed");
    }
    if (this.#socket.writableLength + data.length > SEND_LIMIT_BYTES) {
      throw new SendOverflowError(
        `Send buffer would exceed ${SEND_LIMIT_BYTES} bytes (the remote is not reading)`,
      );
    }
    // The callback also comes when the write fails; the socket's error closes the link.
    if (sent) this.#socket.write(data, () => sent());
    else this.#socket.write(data);
  }

  /** Stops taking bytes from the kernel (they wait there, as for a stopped process). */
  pauseReading(): void {
    this.#heldByCaller = true;
    this.#socket.pause();
  }

  /** Takes bytes from the kernel again. */
  resumeReading(): void {
    this.#heldByCaller = false;
    if (!this.#heldByBacklog) this.#socket.resume();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejectReader();
    // Queued bytes still leave, then the FIN. The socket is released once
    // the remote ends its side too (node does that on its "end"), reading and
    // dropping what comes meanwhile: a socket closed over unread bytes sends
    // a reset, and a reset can make the remote lose what it has received but
    // not yet handed on (the last frame: a leave, an error).
    const socket = this.#socket;
    this.#chunks = [];
    this.#waitingBytes = 0;
    socket.end();
    if (socket.destroyed) return;
    socket.resume();
    // A remote that never ends its side, or stopped reading, is cut.
    const timer = setTimeout(() => socket.destroy(), CLOSE_LINGER_MS);
    socket.once("close", () => clearTimeout(timer));
  }

  /** Closes at once: bytes not yet handed to the kernel are lost, as in a crash. */
  abort(): void {
    this.#closed = true;
    this.#socket.destroy();
    this.#rejectReader();
  }

  #rejectReader(): void {
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.reject(new Deno.errors.Interrupted("The stream was closed"));
  }
}

function linkOf(socket: net.Socket): Link {
  const host = socket.remoteAddress ?? "";
  return {
    stream: new NodeSocketStream(socket),
    remote: host === "" ? "tcp" : formatAddress({ host, port: socket.remotePort ?? 0 }),
    localHost: socket.localAddress ?? "127.0.0.1",
  };
}

/**
 * TCP over `node:net`, with TCP_NODELAY on every socket (set by each stream); see the module doc.
 *
 * @example A listener and a dial over loopback
 * ```ts ignore
 * import { nodeTcpTransport } from "./node_tcp_transport.ts";
 * const listener = nodeTcpTransport.listen({ host: "127.0.0.1", port: 0 });
 * const link = await nodeTcpTransport.dial(listener.address, { timeoutMs: 1000 });
 * link.stream.close();
 * listener.close();
 * ```
 */
export const nodeTcpTransport: Transport = {
  listen(address: Address): LinkListener {
    // node:net binds asynchronously, but a caller needs the port, and a
    // taken port's error, now: bind with Deno first, then hand the port
    // over. (Another process could take it in between; node's error then
    // ends the listener's iterator.)
    const probe = tcpTransport.listen(address);
    const bound = probe.address;
    probe.close();
    const server = net.createServer();
    const waiting: Link[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    let closed = false;
    server.on("connection", (socket: net.Socket) => {
      if (closed) {
        socket.destroy();
        return;
      }
      waiting.push(linkOf(socket));
      wake?.();
    });
    server.on("error", (error: Error) => {
      failure = denoError(error);
      closed = true;
      wake?.();
    });
    server.listen({ host: bound.host, port: bound.port });
    return {
      address: bound,
      close() {
        if (closed && failure === undefined) return;
        closed = true;
        server.close();
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        while (true) {
          const link = waiting.shift();
          if (link) {
            yield link;
            continue;
          }
          if (closed) {
            if (failure) throw failure;
            return;
          }
          await new Promise<void>((resolve) => wake = resolve);
          wake = undefined;
        }
      },
    };
  },

  dial(address: Address, { timeoutMs }: { timeoutMs: number }): Promise<Link> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Deno.errors.TimedOut(`Connecting to ${formatAddress(address)} timed out`));
      }, timeoutMs);
      const failed = (error: Error) => {
        clearTimeout(timer);
        reject(denoError(error));
      };
      socket.once("error", failed);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", failed);
        resolve(linkOf(socket));
      });
    });
  },
};
