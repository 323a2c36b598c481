/**
 * The ends of the simulated network: a host, one end of a TCP-like stream,
 * and a bound port. The network (`memory_network.ts`) carries what a stream
 * writes to its peer after the link model's delay.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import type { ByteStream } from "../wire/connection.ts";
import type { Link, LinkListener } from "../wire/transport.ts";

/** A simulated machine: one IP address, its listeners and open streams. */
export interface Host {
  readonly id: number;
  readonly ip: string;
  readonly listeners: Map<number, MemoryListener>;
  readonly streams: Set<MemoryStream>;
  down: boolean;
  nextPort: number;
}

/** What a stream needs from the network that carries it. */
export interface Carrier {
  /** Notes activity for the virtual clock (a chunk arrived). */
  touch(): void;
  /** Hands `chunk` (or the FIN, `null`) from `stream` to its peer. */
  carry(stream: MemoryStream, chunk: Uint8Array | null): void;
  /** Forgets a stream that closed. */
  release(stream: MemoryStream): void;
}

/** One end of a simulated TCP connection. */
export class MemoryStream implements ByteStream {
  readonly local: Host;
  readonly remote: Host;
  peer: MemoryStream | undefined;
  /** When this direction's link finishes sending what it was given (virtual ms). */
  busyUntil = 0;
  /** When the last chunk sent this way arrives (virtual ms). */
  lastArrival = 0;
  /** Chunks (or the FIN, `null`) on their way to this end, oldest first. */
  readonly inFlight: (Uint8Array | null)[] = [];
  #inFlightHead = 0;
  readonly #net: Carrier;
  #inbox: Uint8Array[] = [];
  #head = 0;
  #offset = 0;
  #eof = false;
  #closed = false;
  #reader: { buffer: Uint8Array; resolve(n: number | null): void } | undefined;
  // Push mode: arrivals go straight to the subscriber, inside the arrival event.
  #sink: ((chunk: Uint8Array | null) => void) | undefined;

  /** One end on `local`, talking to `remote`, carried by `net`. */
  constructor(net: Carrier, local: Host, remote: Host) {
    this.#net = net;
    this.local = local;
    this.remote = remote;
    local.streams.add(this);
  }

  /** Reads what has arrived into `buffer`; waits when nothing has; `null` after the FIN. */
  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Stream is closed"));
    if (this.#head < this.#inbox.length) return Promise.resolve(this.#take(buffer));
    if (this.#eof) return Promise.resolve(null);
    if (this.#reader) return Promise.reject(new Deno.errors.Busy("A read is pending"));
    return new Promise((resolve) => this.#reader = { buffer, resolve });
  }

  /**
   * Push mode: every chunk from now on goes to `sink` as it arrives (`null`
   * for the FIN, or when this end closes). What arrived before is handed
   * over in a microtask, as a read would have returned it.
   */
  subscribe(sink: (chunk: Uint8Array | null) => void): void {
    if (this.#closed) return;
    if (this.#reader) throw new Deno.errors.Busy("A read is pending");
    this.#sink = sink;
    if (this.#head < this.#inbox.length || this.#eof) {
      const early = this.#inbox.slice(this.#head);
      if (this.#offset > 0 && early[0]) early[0] = early[0].subarray(this.#offset);
      const eof = this.#eof;
      this.#inbox = [];
      this.#head = 0;
      this.#offset = 0;
      queueMicrotask(() => {
        for (const chunk of early) if (this.#sink) this.#sink(chunk);
        if (eof) this.#sink?.(null);
      });
    }
  }

  /** Sends a copy of `data`; it arrives after the link's delay. Resolves at once. */
  write(data: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Stream is closed"));
    if (data.length === 0) return Promise.resolve(0);
    // The caller reuses its buffer: the bytes in flight are a copy.
    this.#net.carry(this, data.slice());
    return Promise.resolve(data.length);
  }

  /** Sends `data` itself (the caller gives it up): the same as {@linkcode write} without the copy. */
  transfer(data: Uint8Array): void {
    if (this.#closed) throw new Deno.errors.BadResource("Stream is closed");
    if (data.length > 0) this.#net.carry(this, data);
  }

  /** Closes this end: a FIN follows the data in flight; a pending read gets `null`. */
  close(): void {
    if (this.#closed) throw new Deno.errors.BadResource("Stream is closed");
    this.#closed = true;
    this.#inbox = [];
    this.#net.carry(this, null);
    this.#net.release(this);
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.resolve(null);
    const sink = this.#sink;
    this.#sink = undefined;
    sink?.(null);
  }

  /** The oldest chunk in flight has arrived (an event; a crashed host drops it). */
  readonly arriveNext = (): void => {
    const chunk = this.inFlight[this.#inFlightHead] as Uint8Array | null;
    this.inFlight[this.#inFlightHead++] = null;
    if (this.#inFlightHead === this.inFlight.length) {
      this.inFlight.length = 0;
      this.#inFlightHead = 0;
    }
    if (!this.local.down) this.arrive(chunk);
  };

  /** Bytes (or, for `null`, the FIN) arrived from the peer. */
  arrive(chunk: Uint8Array | null): void {
    if (this.#closed) return;
    this.#net.touch();
    const sink = this.#sink;
    if (sink) {
      if (chunk === null) this.#sink = undefined;
      sink(chunk);
      return;
    }
    if (chunk === null) this.#eof = true;
    else this.#inbox.push(chunk);
    const reader = this.#reader;
    if (!reader) return;
    this.#reader = undefined;
    reader.resolve(chunk === null ? null : this.#take(reader.buffer));
  }

  /** The host crashed: this end is gone without a word. */
  vanish(): void {
    this.#closed = true;
    this.#inbox = [];
    this.#reader = undefined;
    this.#sink = undefined;
  }

  #take(buffer: Uint8Array): number {
    let n = 0;
    while (n < buffer.length && this.#head < this.#inbox.length) {
      const chunk = this.#inbox[this.#head] as Uint8Array;
      const count = Math.min(chunk.length - this.#offset, buffer.length - n);
      buffer.set(chunk.subarray(this.#offset, this.#offset + count), n);
      n += count;
      this.#offset += count;
      if (this.#offset === chunk.length) {
        this.#head++;
        this.#offset = 0;
      }
    }
    if (this.#head === this.#inbox.length) {
      this.#inbox.length = 0;
      this.#head = 0;
    }
    return n;
  }
}

/** A bound port of a simulated host. */
export class MemoryListener implements LinkListener {
  readonly address: Address;
  readonly #onClose: () => void;
  #queue: Link[] = [];
  #waiting: ((result: IteratorResult<Link>) => void) | undefined;
  #closed = false;

  /** A listener bound to `address`; `onClose` frees the port. */
  constructor(address: Address, onClose: () => void) {
    this.address = address;
    this.#onClose = onClose;
  }

  /** A connection arrived. */
  offer(link: Link): void {
    if (this.#closed) {
      link.stream.close();
      return;
    }
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting({ value: link, done: false });
    } else {
      this.#queue.push(link);
    }
  }

  /** Stops accepting; queued connections are closed and the iterator ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    for (const link of this.#queue) link.stream.close();
    this.#queue = [];
    this.#end();
  }

  /** The host crashed: stop accepting without closing anything. */
  vanish(): void {
    this.#closed = true;
    this.#queue = [];
    this.#waiting = undefined;
  }

  #end(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  /** The accepted connections, in arrival order. */
  [Symbol.asyncIterator](): AsyncIterator<Link> {
    return {
      next: () => {
        const link = this.#queue.shift();
        if (link) return Promise.resolve({ value: link, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#waiting = resolve);
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
