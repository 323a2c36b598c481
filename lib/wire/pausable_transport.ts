/**
 * A {@linkcode Transport} wrapper that can freeze a node's network or cut
 * it off, for nodes that share one process (`up --in-process`): `pause`
 * holds every read result, write, accepted link and dial until `resume`
 * (the kernel still buffers and accepts, as for a SIGSTOP'd process), and
 * `crash` closes every socket and listener at once with nothing more sent,
 * and refuses everything after (as when the process is killed).
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import type { ByteStream } from "./connection.ts";
import type { Link, LinkListener, Transport } from "./transport.ts";

/** Open while running, shut while paused; crashed for good. */
class Gate {
  paused = false;
  crashed = false;
  #waiters: Array<() => void> = [];

  /** Resolves once the gate is open (or crashed). */
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  open(): void {
    this.paused = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function crashedError(): Error {
  return new Deno.errors.ConnectionReset("The node crashed");
}

class GatedStream implements ByteStream {
  readonly #inner: ByteStream;
  readonly #gate: Gate;
  readonly #onClose: () => void;

  constructor(inner: ByteStream, gate: Gate, onClose: () => void) {
    this.#inner = inner;
    this.#gate = gate;
    this.#onClose = onClose;
  }

  // The open gate is the hot path (every frame of every node in the
  // process): a bare read plus one check, and a bare write. The gated path
  // runs only around a pause or a crash.
  read(buffer: Uint8Array): Promise<number | null> {
    const gate = this.#gate;
    if (gate.paused || gate.crashed) return this.#gatedRead(buffer);
    return this.#inner.read(buffer).then(
      (n) => gate.paused || gate.crashed ? this.#heldResult(n) : n,
      (error) => this.#heldError(error),
    );
  }

  write(data: Uint8Array): Promise<number> {
    const gate = this.#gate;
    if (gate.paused || gate.crashed) return this.#gatedWrite(data);
    return this.#inner.write(data);
  }

  async #gatedRead(buffer: Uint8Array): Promise<number | null> {
    const gate = this.#gate;
    if (gate.paused) await gate.wait();
    if (gate.crashed) throw crashedError();
    let n: number | null;
    try {
      n = await this.#inner.read(buffer);
    } catch (error) {
      return await this.#heldError(error);
    }
    return await this.#heldResult(n);
  }

  // Bytes that arrived during a pause are seen only after it.
  async #heldResult(n: number | null): Promise<number | null> {
    const gate = this.#gate;
    if (gate.paused) await gate.wait();
    if (gate.crashed) throw crashedError();
    return n;
  }

  // A reset during a pause is noticed only after it, like bytes.
  async #heldError(error: unknown): Promise<never> {
    const gate = this.#gate;
    if (gate.paused) await gate.wait();
    throw gate.crashed ? crashedError() : error;
  }

  async #gatedWrite(data: Uint8Array): Promise<number> {
    const gate = this.#gate;
    if (gate.paused) await gate.wait();
    if (gate.crashed) throw crashedError();
    return await this.#inner.write(data);
  }

  close(): void {
    this.#onClose();
    try {
      this.#inner.close();
    } catch {
      // Already closed (e.g. by a crash).
    }
  }

  /** Closes the socket without a word. */
  abort(): void {
    try {
      if (this.#inner.abort) this.#inner.abort();
      else this.#inner.close();
    } catch {
      // Already closed.
    }
  }

  /** The transport paused: a pull-mode stream holds at its next read instead. */
  hold(): void {}

  /** The transport resumed. */
  release(): void {}
}

/**
 * A push-mode stream (`subscribe`/`transfer`) behind the gate: while the
 * node is paused the socket stops taking bytes from the kernel, chunks
 * already on their way and frames the node sends wait here, and both go,
 * in order, on resume. After a crash nothing goes either way.
 */
class GatedPushStream extends GatedStream {
  readonly #push: Required<Pick<ByteStream, "subscribe" | "transfer">> & ByteStream;
  readonly #pushGate: Gate;
  #sink: ((chunk: Uint8Array | null) => void) | undefined;
  #heldIn: (Uint8Array | null)[] = [];
  #heldOut: { data: Uint8Array; sent: (() => void) | undefined }[] = [];
  readonly transferWaits: boolean | undefined;

  constructor(inner: ByteStream, gate: Gate, onClose: () => void) {
    super(inner, gate, onClose);
    this.#push = inner as Required<Pick<ByteStream, "subscribe" | "transfer">> & ByteStream;
    this.#pushGate = gate;
    this.transferWaits = inner.transferWaits;
  }

  subscribe<T>(sink: (this: T, chunk: Uint8Array | null) => void, target: T): void {
    this.#sink = (chunk) => sink.call(target, chunk);
    this.#push.subscribe(this.#arrive, this);
  }

  #arrive(chunk: Uint8Array | null): void {
    const gate = this.#pushGate;
    if (gate.crashed || !this.#sink) return;
    if (gate.paused || this.#heldIn.length > 0) this.#heldIn.push(chunk);
    else this.#sink(chunk);
  }

  transfer(data: Uint8Array, sent?: () => void): void {
    const gate = this.#pushGate;
    if (gate.crashed) throw crashedError();
    if (gate.paused || this.#heldOut.length > 0) this.#heldOut.push({ data, sent });
    else this.#push.transfer(data, sent);
  }

  // As a pull-mode read fails after a crash, the node's own connection
  // learns its socket is gone (its log is silenced by then).
  override abort(): void {
    super.abort();
    this.#heldIn = [];
    this.#heldOut = [];
    const sink = this.#sink;
    this.#sink = undefined;
    sink?.(null);
  }

  override hold(): void {
    this.#push.pauseReading?.();
  }

  override release(): void {
    const gate = this.#pushGate;
    const out = this.#heldOut;
    const arrived = this.#heldIn;
    this.#heldOut = [];
    this.#heldIn = [];
    if (gate.crashed) return;
    try {
      for (const { data, sent } of out) this.#push.transfer(data, sent);
    } catch {
      // Overflowed or gone while paused: the link ends, as it would have.
      this.abort();
      return;
    }
    for (const chunk of arrived) {
      if (gate.paused || gate.crashed) {
        this.#heldIn.push(chunk);
        continue;
      }
      this.#sink?.(chunk);
    }
    if (!gate.paused) this.#push.resumeReading?.();
  }
}

/** A transport whose traffic can be held ({@linkcode pause}) or cut for good ({@linkcode crash}). */
export class PausableTransport implements Transport {
  readonly #inner: Transport;
  readonly #gate = new Gate();
  readonly #streams = new Set<GatedStream>();
  readonly #listeners = new Set<LinkListener>();

  /**
   * Wraps `inner`.
   *
   * @example Usage
   * ```ts
   * import { PausableTransport } from "./pausable_transport.ts";
   * import { tcpTransport } from "./transport.ts";
   * const transport = new PausableTransport(tcpTransport);
   * transport.pause();
   * transport.paused; // true
   * transport.crash();
   * ```
   */
  constructor(inner: Transport) {
    this.#inner = inner;
  }

  /** True between {@linkcode pause} and {@linkcode resume}. */
  get paused(): boolean {
    return this.#gate.paused;
  }

  /** True once {@linkcode crash} was called. */
  get crashed(): boolean {
    return this.#gate.crashed;
  }

  /** Open streams (for tests and status). */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Holds reads, writes, accepts and dials. */
  pause(): void {
    if (this.#gate.crashed || this.#gate.paused) return;
    this.#gate.paused = true;
    for (const stream of this.#streams) stream.hold();
  }

  /** Lets held traffic through. */
  resume(): void {
    const wasPaused = this.#gate.paused;
    this.#gate.open();
    if (wasPaused) { for (const stream of [...this.#streams]) stream.release(); }
  }

  /** Closes every socket and listener now; refuses everything from here on. */
  crash(): void {
    this.#gate.crashed = true;
    for (const listener of this.#listeners) listener.close();
    this.#listeners.clear();
    for (const stream of this.#streams) stream.abort();
    this.#streams.clear();
    this.#gate.open();
  }

  listen(address: Address): LinkListener {
    if (this.#gate.crashed) throw crashedError();
    const inner = this.#inner.listen(address);
    this.#listeners.add(inner);
    const gate = this.#gate;
    const wrap = (link: Link) => this.#wrap(link);
    const forget = () => this.#listeners.delete(inner);
    return {
      address: inner.address,
      close() {
        forget();
        inner.close();
      },
      async *[Symbol.asyncIterator]() {
        for await (const link of inner) {
          if (gate.paused) await gate.wait();
          if (gate.crashed) {
            link.stream.close();
            return;
          }
          yield wrap(link);
        }
      },
    };
  }

  async dial(address: Address, options: { timeoutMs: number }): Promise<Link> {
    const gate = this.#gate;
    if (gate.paused) await gate.wait();
    if (gate.crashed) throw crashedError();
    let link: Link;
    try {
      link = await this.#inner.dial(address, options);
    } catch (error) {
      // A refusal during a pause is noticed only after it, as a frozen process would.
      if (gate.paused) await gate.wait();
      throw gate.crashed ? crashedError() : error;
    }
    if (gate.paused) await gate.wait();
    if (gate.crashed) {
      link.stream.close();
      throw crashedError();
    }
    return this.#wrap(link);
  }

  #wrap(link: Link): Link {
    const inner = link.stream;
    const Gated = inner.subscribe && inner.transfer ? GatedPushStream : GatedStream;
    const stream: GatedStream = new Gated(
      inner,
      this.#gate,
      () => this.#streams.delete(stream),
    );
    this.#streams.add(stream);
    return { stream, remote: link.remote, localHost: link.localHost };
  }
}
