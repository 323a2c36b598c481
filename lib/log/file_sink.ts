/**
 * The JSON Lines file sink: a LogTape {@linkcode Sink} that collects records
 * in memory and appends them with asynchronous writes, at most every
 * {@linkcode FLUSH_INTERVAL_MS} by default (sooner past {@linkcode FLUSH_BYTES}).
 *
 * Two properties matter more than anything else here:
 *
 * - **The event loop never waits for the disk.** A synchronous write on a
 *   journaled filesystem occasionally blocks for tens of milliseconds; on the
 *   gossip path that was the whole latency tail. Writes run on Deno's
 *   blocking pool while the node keeps relaying.
 * - **Few wake-ups.** One write per interval instead of one per record (or
 *   per event-loop turn) keeps logging a small part of a relay's CPU.
 *
 * Why not `@logtape/file`: its `getFileSink` fsyncs on every flush and its
 * stream sink pulls in Node's `fs` compatibility layer (about 10 MB more RSS
 * per node). A crash loses at most the last interval's records; a clean
 * exit loses nothing ({@linkcode FileSink.close} drains).
 *
 * @module
 */

import type { LogRecord, Sink } from "@logtape/logtape";

/** Longest a record waits in memory before it is written, in ms. */
export const FLUSH_INTERVAL_MS = 100;

/** Pending bytes (approximately) that trigger a write before the interval ends. */
export const FLUSH_BYTES = 64 * 1024;

/**
 * Most pending characters kept while the disk is stalled; records beyond it
 * are dropped (and counted) rather than growing memory without bound.
 */
export const MAX_PENDING_CHARS = 16 * 1024 * 1024;

/** The file a sink appends to: an open `Deno.FsFile` in the program, a fake in tests. */
export interface SinkFile {
  /** Writes some of `bytes`; resolves to how many. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes the file. */
  close(): void;
}

/** Options for {@linkcode openFileSink}. */
export interface FileSinkOptions {
  /**
   * Called when a write fails after the last one succeeded (a full disk, a
   * lost mount): once per outage, not once per write.
   */
  onWriteError?(error: unknown): void;
  /** Called when a write succeeds again after an outage, with the records lost in it. */
  onWriteResumed?(lost: number): void;
  /** Opens the file for appending. @default {Deno.openSync(path, { create: true, append: true })} */
  open?(path: string): SinkFile;
  /**
   * Longest a record waits in memory before it is written, in ms. A process
   * holding many nodes' logs writes less often: each write is a system call
   * on a thread of the blocking pool, paid per file. @default {FLUSH_INTERVAL_MS}
   */
  flushIntervalMs?: number;
}

/** A file sink that can be flushed and closed. */
export interface FileSink extends Sink {
  /** Records dropped because the disk fell too far behind. */
  readonly dropped: number;
  /** Records lost because writing them failed. */
  readonly lost: number;
  /** Writes everything pending; resolves once it is in the OS's hands. */
  flush(): Promise<void>;
  /** Drains and closes the file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens `path` for appending (creating it) and returns a sink writing one
 * `format(record)` per record.
 *
 * A failed write loses its records and the node carries on; `onWriteError`
 * says so once per outage, since the log itself cannot.
 *
 * @throws {Deno.errors.NotFound | Deno.errors.PermissionDenied} When the file cannot be opened.
 */
export function openFileSink(
  path: string,
  format: (record: LogRecord) => string,
  options: FileSinkOptions = {},
): FileSink {
  const file = options.open?.(path) ?? Deno.openSync(path, { create: true, append: true });
  const encoder = new TextEncoder();
  const intervalMs = options.flushIntervalMs ?? FLUSH_INTERVAL_MS;
  let pending: string[] = [];
  let pendingChars = 0;
  let dropped = 0;
  let lost = 0;
  let lostInOutage = 0;
  let failing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> | undefined;
  let closed = false;

  async function writeOut(): Promise<void> {
    // One writer at a time keeps the lines in order.
    while (pending.length > 0) {
      const records = pending.length;
      const bytes = encoder.encode(pending.join(""));
      pending = [];
      pendingChars = 0;
      try {
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
        if (failing) {
          failing = false;
          options.onWriteResumed?.(lostInOutage);
          lostInOutage = 0;
        }
      } catch (error) {
        // A full or failing disk must not stop the node; these records are lost.
        lost += records;
        lostInOutage += records;
        if (!failing) {
          failing = true;
          options.onWriteError?.(error);
        }
      }
    }
  }

  function flush(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    writing ??= writeOut().finally(() => writing = undefined);
    return writing;
  }

  const sink = (record: LogRecord) => {
    if (closed) return;
    if (pendingChars > MAX_PENDING_CHARS) {
      dropped++;
      return;
    }
    const line = format(record);
    pending.push(line);
    pendingChars += line.length;
    if (pendingChars >= FLUSH_BYTES) flush();
    else timer ??= setTimeout(flush, intervalMs);
  };

  // defineProperties, not Object.assign: assign would copy the counters'
  // values once instead of their getters.
  return Object.defineProperties(sink, {
    dropped: { get: () => dropped },
    lost: { get: () => lost },
    flush: { value: flush },
    close: {
      async value() {
        if (closed) return;
        closed = true;
        // Records may arrive while a write is under way: drain until empty.
        while (pending.length > 0 || writing) await flush();
        file.close();
      },
    },
  }) as FileSink;
}
