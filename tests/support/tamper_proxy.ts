/**
 * A TCP proxy to put between two nodes of a keyed network, that tampers
 * with one sealed record on demand: flips a byte of it, replays it, or
 * swaps it with the record after it.
 *
 * It cuts each direction's bytes into length-prefixed units (handshake
 * frames and sealed records share the 4-byte length prefix) and forwards
 * whole units; the first three units of a direction are the handshake
 * (`auth_hello`, `hello`, `auth_proof`), the rest are records. Listens on
 * 127.0.0.1, port 0.
 *
 * @module
 */

/** What to do to the next record. */
export type Tamper = "flip" | "replay" | "swap";
/** `up`: from the dialling side to the target; `down`: back. */
export type Direction = "up" | "down";

interface Armed {
  readonly tamper: Tamper;
  readonly direction: Direction;
  readonly done: () => void;
}

const HANDSHAKE_UNITS = 3;

/** Arms one or several proxies at once: the first record to pass any of them is hit. */
export class TamperSwitch {
  /** The tampering waiting for its record. */
  armed: Armed | undefined;

  /** Tampers with the next record going `direction`; resolves once done. */
  arm(tamper: Tamper, direction: Direction): Promise<void> {
    return new Promise((resolve) => this.armed = { tamper, direction, done: resolve });
  }
}

/** The proxy; close it to end every connection through it. */
export class TamperProxy {
  readonly #listener: Deno.TcpListener;
  readonly #target: number;
  readonly #conns = new Set<Deno.Conn>();
  readonly #switch: TamperSwitch;
  /** Records forwarded so far, both directions, all connections. */
  records = 0;
  /** Connections accepted so far. */
  accepted = 0;

  /**
   * Listens on 127.0.0.1 (a free port) and forwards to
   * 127.0.0.1:`targetPort`, tampering when `tamperSwitch` is armed.
   */
  constructor(targetPort: number, tamperSwitch: TamperSwitch = new TamperSwitch()) {
    this.#target = targetPort;
    this.#switch = tamperSwitch;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accept();
  }

  /** The port the proxy listens on. */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Tampers with the next record going `direction`; resolves once done. */
  arm(tamper: Tamper, direction: Direction): Promise<void> {
    return this.#switch.arm(tamper, direction);
  }

  /** Stops listening and closes every connection. */
  close(): void {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    for (const conn of this.#conns) closeQuietly(conn);
  }

  async #accept(): Promise<void> {
    while (true) {
      let inbound: Deno.Conn;
      try {
        inbound = await this.#listener.accept();
      } catch {
        return;
      }
      this.accepted++;
      let outbound: Deno.Conn;
      try {
        outbound = await Deno.connect({ hostname: "127.0.0.1", port: this.#target });
      } catch {
        closeQuietly(inbound);
        continue;
      }
      this.#conns.add(inbound);
      this.#conns.add(outbound);
      const end = () => {
        closeQuietly(inbound);
        closeQuietly(outbound);
        this.#conns.delete(inbound);
        this.#conns.delete(outbound);
      };
      this.#pipe(inbound, outbound, "up").finally(end);
      this.#pipe(outbound, inbound, "down").finally(end);
    }
  }

  async #pipe(from: Deno.Conn, to: Deno.Conn, direction: Direction): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    let pending = new Uint8Array(0);
    let units = 0;
    let held: Uint8Array | undefined;
    let heldDone: (() => void) | undefined;
    while (true) {
      const n = await from.read(buffer).catch(() => null);
      if (n === null) return;
      const joined = new Uint8Array(pending.length + n);
      joined.set(pending);
      joined.set(buffer.subarray(0, n), pending.length);
      let at = 0;
      const out: Uint8Array[] = [];
      while (joined.length - at >= 4) {
        const length = new DataView(joined.buffer, at).getUint32(0);
        if (joined.length - at < 4 + length) break;
        const unit = joined.slice(at, at + 4 + length);
        at += 4 + length;
        units++;
        if (units <= HANDSHAKE_UNITS) {
          out.push(unit);
          continue;
        }
        this.records++;
        if (held) {
          // The swap: this record first, then the one held back.
          out.push(unit, held);
          held = undefined;
          heldDone?.();
          continue;
        }
        const armed = this.#switch.armed;
        if (!armed || armed.direction !== direction) {
          out.push(unit);
          continue;
        }
        this.#switch.armed = undefined;
        if (armed.tamper === "flip") {
          unit[4 + Math.floor(length / 2)]! ^= 0x01;
          out.push(unit);
          armed.done();
        } else if (armed.tamper === "replay") {
          out.push(unit, unit);
          armed.done();
        } else {
          held = unit;
          heldDone = armed.done;
        }
      }
      pending = joined.slice(at);
      for (const bytes of out) {
        let written = 0;
        while (written < bytes.length) {
          const wrote = await to.write(bytes.subarray(written)).catch(() => -1);
          if (wrote < 0) return;
          written += wrote;
        }
      }
    }
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
