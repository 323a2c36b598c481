/**
 * An in-memory {@linkcode ByteStream} for connection tests: reads are fed
 * from a queue, writes are recorded, and writes can be made partial, made to
 * hang (a remote that stops reading) or made to fail.
 *
 * @module
 */

import type { ByteStream } from "../../lib/wire/connection.ts";

type ReadItem = Uint8Array | null | Error;

interface PendingRead {
  buffer: Uint8Array;
  resolve(n: number | null): void;
  reject(error: Error): void;
}

interface HeldWrite {
  data: Uint8Array;
  resolve(n: number): void;
  reject(error: Error): void;
}

/** A scripted byte stream. */
export class FakeStream implements ByteStream {
  /** Copy of the bytes offered to each `write()` call, in order (hanging ones included). */
  readonly calls: Uint8Array[] = [];
  /** Copy of the bytes each completed `write()` accepted, in order. */
  readonly writes: Uint8Array[] = [];
  /** Most bytes one `write()` accepts; smaller than a frame means partial writes. */
  maxWriteBytes = Number.POSITIVE_INFINITY;
  /** While true, `write()` calls hang until {@linkcode releaseWrites}. */
  holdWrites = false;
  /** When set, `write()` rejects with it. */
  writeError: Error | undefined;
  /** Number of `close()` calls. */
  closeCalls = 0;
  /** Called with the accepted bytes of every completed write (used by {@linkcode streamPair}). */
  onWrite: ((bytes: Uint8Array) => void) | undefined;
  /** Called on the first `close()` (used by {@linkcode streamPair}). */
  onClose: (() => void) | undefined;

  #reads: ReadItem[] = [];
  #pendingRead: PendingRead | undefined;
  #held: HeldWrite[] = [];

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closeCalls > 0;
  }

  /** Number of writes hanging now. */
  get heldWrites(): number {
    return this.#held.length;
  }

  /** Every accepted byte, concatenated. */
  written(): Uint8Array {
    return concatBytes(this.writes);
  }

  /** Makes `bytes` available to `read()` (copied). */
  feed(bytes: Uint8Array): void {
    this.#push(bytes.slice());
  }

  /** Makes `read()` report EOF. */
  end(): void {
    this.#push(null);
  }

  /** Makes the next `read()` reject with `error`. */
  failRead(error: Error): void {
    this.#push(error);
  }

  /** Completes every hanging write (each accepting up to {@linkcode maxWriteBytes}). */
  releaseWrites(): void {
    const held = this.#held;
    this.#held = [];
    for (const write of held) write.resolve(this.#accept(write.data));
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.closed) return Promise.reject(new Deno.errors.BadResource("Bad resource ID"));
    return new Promise((resolve, reject) => {
      this.#pendingRead = { buffer, resolve, reject };
      this.#serve();
    });
  }

  write(data: Uint8Array): Promise<number> {
    this.calls.push(data.slice());
    if (this.closed) return Promise.reject(new Deno.errors.BadResource("Bad resource ID"));
    if (this.writeError) return Promise.reject(this.writeError);
    if (this.holdWrites) {
      return new Promise((resolve, reject) => {
        // Keep the caller's view, as the OS would: bytes are taken at completion,
        // so a buffer reused before its write completes shows up as corruption.
        this.#held.push({ data, resolve, reject });
      });
    }
    return Promise.resolve(this.#accept(data));
  }

  close(): void {
    this.closeCalls++;
    if (this.closeCalls > 1) return;
    const error = new Deno.errors.BadResource("Bad resource ID");
    this.#pendingRead?.reject(error);
    this.#pendingRead = undefined;
    for (const write of this.#held) write.reject(error);
    this.#held = [];
    this.onClose?.();
  }

  #accept(data: Uint8Array): number {
    const n = Math.min(data.length, this.maxWriteBytes);
    const bytes = data.slice(0, n);
    this.writes.push(bytes);
    this.onWrite?.(bytes);
    return n;
  }

  #push(item: ReadItem): void {
    this.#reads.push(item);
    this.#serve();
  }

  #serve(): void {
    const pending = this.#pendingRead;
    const item = this.#reads[0];
    if (!pending || item === undefined) return;
    this.#pendingRead = undefined;
    if (item === null) {
      pending.resolve(null); // EOF stays queued: every later read sees it too.
      return;
    }
    this.#reads.shift();
    if (item instanceof Error) {
      pending.reject(item);
      return;
    }
    const n = Math.min(item.length, pending.buffer.length);
    pending.buffer.set(item.subarray(0, n));
    if (n < item.length) this.#reads.unshift(item.subarray(n));
    pending.resolve(n);
  }
}

/** Two fake streams joined back to back: what one writes, the other reads; closing sends EOF. */
export function streamPair(): [FakeStream, FakeStream] {
  const a = new FakeStream();
  const b = new FakeStream();
  a.onWrite = (bytes) => b.feed(bytes);
  b.onWrite = (bytes) => a.feed(bytes);
  a.onClose = () => b.end();
  b.onClose = () => a.end();
  return [a, b];
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Lets queued microtasks run (coalesced flushes, read-loop continuations).
 * No timers: only promise turns.
 */
export async function settle(turns = 100): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
