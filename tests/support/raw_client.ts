/**
 * A raw TCP client for tests: sends arbitrary bytes or well-formed frames
 * to a node, and reads what comes back.
 *
 * @module
 */

import { FrameDecoder } from "../../lib/wire/frame.ts";
import {
  decodeMessage,
  encodeMessage,
  type Message,
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

  /** Resolves true once the other side has closed the connection. */
  async closedByRemote(timeoutMs = 5000): Promise<boolean> {
    await this.receive(() => false, timeoutMs).catch(() => undefined);
    return this.#closed;
  }

  /** Every message received so far. */
  get inbox(): readonly Message[] {
    return this.#inbox;
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
