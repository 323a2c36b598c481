/**
 * A raw TCP client for tests: sends arbitrary bytes or well-formed frames
 * to a node, and reads what comes back. Attack tests use it to say what an
 * attacker would say (any role, any claimed address) and to hold, flood or
 * never read connections.
 *
 * @module
 */

import { FrameDecoder } from "../../lib/wire/frame.ts";
import {
  decodeMessage,
  encodeMessage,
  type Message,
  type NodeRole,
  PROTOCOL_VERSION,
} from "../../lib/wire/messages.ts";

/** A client-role hello from a made-up node. */
export function clientHello(role: "client" | "peer" = "client", port = 0): Message {
  return {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role,
    nodeId: "00000000000000aa",
    address: { host: "127.0.0.1", port },
  };
}

/** A hello claiming to be any node: a seed, a peer or a client at 127.0.0.1:`port`. */
export function helloAs(role: NodeRole, port: number, nodeId = "00000000000000ab"): Message {
  return {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role,
    nodeId,
    address: { host: "127.0.0.1", port },
  };
}

/** A raw connection to a node. */
export class RawClient implements AsyncDisposable {
  #conn: Deno.TcpConn;
  #decoder = new FrameDecoder();
  #inbox: Message[] = [];
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects to 127.0.0.1:`port`. */
  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Connects to 127.0.0.1:`port` and says `hello` at once. */
  static async saying(port: number, hello: Message): Promise<RawClient> {
    const client = await RawClient.connect(port);
    await client.send(hello);
    return client;
  }

  /** Writes several messages in one write, as one burst. */
  async sendAll(messages: readonly Message[]): Promise<void> {
    const frames = messages.map((m) => encodeMessage(m));
    const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of frames) {
      bytes.set(frame, at);
      at += frame.length;
    }
    await this.write(bytes);
  }

  /** Writes raw bytes. */
  async write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
  }

  /** Writes one message as a frame. */
  send(message: Message): Promise<void> {
    return this.write(encodeMessage(message).slice());
  }

  /**
   * Reads until a message satisfying `match` arrives (returned) or the
   * connection closes (returns undefined), within `timeoutMs`.
   */
  async receive(match: (m: Message) => boolean, timeoutMs = 5000): Promise<Message | undefined> {
    const deadline = Date.now() + timeoutMs;
    const buffer = new Uint8Array(65536);
    while (true) {
      const found = this.#inbox.find(match);
      if (found) return found;
      if (this.#closed) return undefined;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error("Timed out waiting for a message");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        this.#conn.read(buffer).catch(() => null),
        new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), remaining)),
      ]);
      clearTimeout(timer);
      if (n === "timeout") continue;
      if (n === null) {
        this.#closed = true;
        continue;
      }
      for (const frame of this.#decoder.push(buffer.subarray(0, n)).frames) {
        const result = decodeMessage(frame);
        if (result.ok) this.#inbox.push(result.message);
      }
    }
  }

  /**
   * Answers every ping with its pong until the connection closes, as a live
   * neighbour would (in the background; other messages go to the inbox).
   */
  respondToPings(): void {
    let answered = 0;
    const loop = async () => {
      while (!this.#closed) {
        // Returns as soon as a ping arrives that has not been answered yet.
        await this.receive(
          () => this.#inbox.filter((m) => m.kind === "ping").length > answered,
          1000,
        ).catch(() => undefined);
        const pings = this.#inbox.filter((m) => m.kind === "ping").slice(answered);
        answered += pings.length;
        for (const ping of pings) {
          if (ping.kind === "ping") {
            await this.send({ kind: "pong", nonce: ping.nonce }).catch(() => {});
          }
        }
      }
    };
    loop();
  }

  /** Resolves true once the other side has closed the connection. */
  async closedByRemote(timeoutMs = 5000): Promise<boolean> {
    await this.receive(() => false, timeoutMs).catch(() => undefined);
    return this.#closed;
  }

  /** Every message received so far. */
  get inbox(): readonly Message[] {
    return this.#inbox;
  }

  /** True once the remote closed (as far as reads so far have seen). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the connection. */
  [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    return Promise.resolve();
  }
}

/** Opens `count` connections to `port` (at most `concurrency` connects at a time). */
export async function openMany(
  port: number,
  count: number,
  concurrency = 64,
): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        clients.push(await RawClient.connect(port));
      } catch {
        // Refused by the kernel's backlog: the node is not obliged to take it.
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return clients;
}

/** Closes every client. */
export async function closeAll(clients: readonly RawClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c[Symbol.asyncDispose]()));
}

/**
 * A listener that counts the connections made to it: the target of a
 * reflection attack, or a squatter on an address.
 */
export class CountingListener implements Disposable {
  readonly port: number;
  accepted = 0;
  #listener: Deno.TcpListener;
  #conns = new Set<Deno.TcpConn>();

  /** Listens on 127.0.0.1:`port` (0: any free port). */
  constructor(port = 0) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#accept();
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.accepted++;
        this.#conns.add(conn);
        // Never answer; close after a moment so the prober gives up.
        setTimeout(() => {
          this.#conns.delete(conn);
          try {
            conn.close();
          } catch {
            // Already closed.
          }
        }, 50);
      }
    } catch {
      // Closed.
    }
  }

  /** Stops listening. */
  [Symbol.dispose](): void {
    this.#listener.close();
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  }
}
