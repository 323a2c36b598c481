/**
 * Following the nodes' JSON Lines logs while they run, like `tail -f` on
 * each: every poll reads whatever was appended since the last one and hands
 * back whole, parsed records. A file that does not exist yet (the node has
 * not opened it) is simply tried again on the next poll.
 *
 * Reads are synchronous on purpose: each is a few microseconds on a local
 * file, and a poll over a hundred logs then costs no promise churn.
 *
 * @module
 */

import { LineSplitter } from "../util/line_splitter.ts";
import { parseRecordLine, type RunRecord } from "./records.ts";

/** Options for {@linkcode LogTail}. */
export interface LogTailOptions {
  /** Called for each new record, in file order per file. */
  onRecord(key: string, record: RunRecord): void;
  /** Records older than this (Unix ms) are skipped: a reused log directory. @default {-Infinity} */
  sinceTs?: number;
  /** Called after each poll that delivered records (e.g. to print them in time order). */
  onPollEnd?(): void;
}

interface TailedFile {
  readonly path: string;
  file: Deno.FsFile | undefined;
  readonly decoder: TextDecoder;
  readonly lines: LineSplitter;
}

const CHUNK_BYTES = 64 * 1024;

/** Follows a set of log files. */
export class LogTail {
  readonly #options: LogTailOptions;
  readonly #files = new Map<string, TailedFile>();
  readonly #buffer = new Uint8Array(CHUNK_BYTES);
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Creates a tail with no files; {@linkcode add} them. */
  constructor(options: LogTailOptions) {
    this.#options = options;
  }

  /** Follows `path` under `key` (e.g. the node's address). */
  add(key: string, path: string): void {
    if (this.#files.has(key)) return;
    this.#files.set(key, {
      path,
      file: undefined,
      decoder: new TextDecoder(),
      lines: new LineSplitter(),
    });
  }

  /** Reads everything appended since the last poll; returns how many records arrived. */
  poll(): number {
    let count = 0;
    for (const [key, tailed] of this.#files) {
      for (const line of this.#read(tailed)) {
        const record = parseRecordLine(line);
        if (record === undefined || record.ts < (this.#options.sinceTs ?? -Infinity)) continue;
        count++;
        this.#options.onRecord(key, record);
      }
    }
    if (count > 0) this.#options.onPollEnd?.();
    return count;
  }

  /** Polls every `intervalMs` until {@linkcode close}. */
  start(intervalMs: number): void {
    const tick = () => {
      try {
        this.poll();
      } finally {
        this.#timer = setTimeout(tick, intervalMs);
      }
    };
    this.#timer = setTimeout(tick, intervalMs);
  }

  /** Stops polling and closes every file. Idempotent. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const tailed of this.#files.values()) {
      tailed.file?.close();
      tailed.file = undefined;
    }
  }

  #read(tailed: TailedFile): string[] {
    if (tailed.file === undefined) {
      try {
        tailed.file = Deno.openSync(tailed.path, { read: true });
      } catch {
        return []; // Not created yet.
      }
    }
    const lines: string[] = [];
    while (true) {
      let n: number | null;
      try {
        n = tailed.file.readSync(this.#buffer);
      } catch {
        return lines;
      }
      if (n === null || n === 0) return lines;
      const text = tailed.decoder.decode(this.#buffer.subarray(0, n), { stream: true });
      lines.push(...tailed.lines.push(text));
    }
  }
}
