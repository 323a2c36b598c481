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

/**
 * A simulated machine: one IP address and its listeners. Its streams are not
 * listed: once it is down they all behave as gone (a set of them per host
 * cost more memory than anything else a host holds).
 */
export interface Host {
  readonly id: number;
  readonly ip: string;
  readonly listeners: Map<number, MemoryListener>;
  down: boolean;
  nextPort: number;
}

/** What a stream needs from the network that carries it. */
export interface Carrier {
  /** Notes activity for the virtual clock (a chunk arrived). */
  touch(): void;
  /** Hands `chunk` (or the FIN, `null`) from `stream` to its peer. */
  carry(stream: MemoryStream, chunk: Uint8Array | null): void;
}

/** What a stream holds in pull mode (before a subscriber, or for readers): made when first needed. */
interface PullState {
  inbox: Uint8Array[];
  head: number;
  offset: number;
  eof: boolean;
  reader: { buffer: Uint8Array; resolve(n: number | null): void } | undefined;
}

/**
 * One end of a simulated TCP connection. A simulation holds millions of
 * them, so an end keeps few fields: pull-mode state is made only if some
 * bytes arrive before a subscriber (or for a reader), the subscriber is a
 * shared function and its target rather than a closure, and the arrival
 * event is a bound method rather than a closure with its own scope.
 */
export class MemoryStream implements ByteStream {
  readonly local: Host;
  readonly remote: Host;
  peer: MemoryStream | undefined;
  /** When this direction's link finishes sending what it was given (virtual ms). */
  busyUntil = 0;
  /** When the last chunk sent this way arrives (virtual ms). */
  lastArrival = 0;
  /** Chunks (or the FIN, `null`) on their way to this end, oldest first; none: undefined. */
  inFlight: (Uint8Array | null)[] | undefined;
  #inFlightHead = 0;
  readonly #net: Carrier;
  #pull: PullState | undefined;
  #closed = false;
  // Push mode: arrivals go straight to the subscriber, inside the arrival event.
  #sink: ((this: unknown, chunk: Uint8Array | null) => void) | undefined;
  #target: unknown;
  /** The oldest chunk in flight has arrived (an event; a crashed host drops it). */
  readonly arriveNext: () => void;

  /** One end on `local`, talking to `remote`, carried by `net`. */
  constructor(net: Carrier, local: Host, remote: Host) {
    this.#net = net;
    this.local = local;
    this.remote = remote;
    this.arriveNext = this.#arriveNext.bind(this);
  }

  // Closed here, or its host crashed: then it is gone without a word.
  get #gone(): boolean {
    return this.#closed || this.local.down;
  }

  /** Reads what has arrived into `buffer`; waits when nothing has; `null` after the FIN. */
  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#gone) return Promise.reject(new Deno.errors.BadResource("Stream is closed"));
    const pull = this.#pull ??= newPullState();
    if (pull.head < pull.inbox.length) return Promise.resolve(take(pull, buffer));
    if (pull.eof) return Promise.resolve(null);
    if (pull.reader) return Promise.reject(new Deno.errors.Busy("A read is pending"));
    return new Promise((resolve) => pull.reader = { buffer, resolve });
  }

  /**
   * Push mode: every chunk from now on goes to `sink`, called on `target`,
   * as it arrives (`null` for the FIN, or when this end closes). What
   * arrived before is handed over in a microtask, as a read would have
   * returned it.
   */
  subscribe<T>(sink: (this: T, chunk: Uint8Array | null) => void, target: T): void {
    if (this.#gone) return;
    const pull = this.#pull;
    if (pull?.reader) throw new Deno.errors.Busy("A read is pending");
    this.#sink = sink as (this: unknown, chunk: Uint8Array | null) => void;
    this.#target = target;
    this.#pull = undefined;
    if (pull && (pull.head < pull.inbox.length || pull.eof)) {
      const early = pull.inbox.slice(pull.head);
      if (pull.offset > 0 && early[0]) early[0] = early[0].subarray(pull.offset);
      const eof = pull.eof;
      queueMicrotask(() => {
        if (this.local.down) return;
        for (const chunk of early) this.#push(chunk);
        if (eof) this.#push(null);
      });
    }
  }

  /** Sends a copy of `data`; it arrives after the link's delay. Resolves at once. */
  write(data: Uint8Array): Promise<number> {
    if (this.#gone) return Promise.reject(new Deno.errors.BadResource("Stream is closed"));
    if (data.length === 0) return Promise.resolve(0);
    // The caller reuses its buffer: the bytes in flight are a copy.
    this.#net.carry(this, data.slice());
    return Promise.resolve(data.length);
  }

  /** Sends `data` itself (the caller gives it up): the same as {@linkcode write} without the copy. */
  transfer(data: Uint8Array): void {
    if (this.#gone) throw new Deno.errors.BadResource("Stream is closed");
    if (data.length > 0) this.#net.carry(this, data);
  }

  /** Closes this end: a FIN follows the data in flight; a pending read gets `null`. */
  close(): void {
    if (this.#gone) throw new Deno.errors.BadResource("Stream is closed");
    this.#closed = true;
    const reader = this.#pull?.reader;
    this.#pull = undefined;
    this.#net.carry(this, null);
    reader?.resolve(null);
    const sink = this.#sink;
    const target = this.#target;
    this.#sink = undefined;
    this.#target = undefined;
    sink?.call(target, null);
  }

  #arriveNext(): void {
    const inFlight = this.inFlight!;
    const chunk = inFlight[this.#inFlightHead] as Uint8Array | null;
    inFlight[this.#inFlightHead++] = null;
    // An idle end holds no queue (most ends are idle most of the time).
    if (this.#inFlightHead === inFlight.length) {
      this.inFlight = undefined;
      this.#inFlightHead = 0;
    }
    if (!this.local.down) this.arrive(chunk);
  }

  /** Bytes (or, for `null`, the FIN) arrived from the peer. */
  arrive(chunk: Uint8Array | null): void {
    if (this.#gone) return;
    this.#net.touch();
    if (this.#sink) {
      this.#push(chunk);
      return;
    }
    const pull = this.#pull ??= newPullState();
    if (chunk === null) pull.eof = true;
    else pull.inbox.push(chunk);
    const reader = pull.reader;
    if (!reader) return;
    pull.reader = undefined;
    reader.resolve(chunk === null ? null : take(pull, reader.buffer));
  }

  // Hands `chunk` to the subscriber; after the FIN it has none.
  #push(chunk: Uint8Array | null): void {
    const sink = this.#sink;
    if (!sink) return;
    const target = this.#target;
    if (chunk === null) {
      this.#sink = undefined;
      this.#target = undefined;
    }
    sink.call(target, chunk);
  }
}

function newPullState(): PullState {
  return { inbox: [], head: 0, offset: 0, eof: false, reader: undefined };
}

// Copies what has arrived into `buffer`, as much as fits.
function take(pull: PullState, buffer: Uint8Array): number {
  let n = 0;
  while (n < buffer.length && pull.head < pull.inbox.length) {
    const chunk = pull.inbox[pull.head] as Uint8Array;
    const count = Math.min(chunk.length - pull.offset, buffer.length - n);
    buffer.set(chunk.subarray(pull.offset, pull.offset + count), n);
    n += count;
    pull.offset += count;
    if (pull.offset === chunk.length) {
      pull.head++;
      pull.offset = 0;
    }
  }
  if (pull.head === pull.inbox.length) {
    pull.inbox.length = 0;
    pull.head = 0;
  }
  return n;
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
