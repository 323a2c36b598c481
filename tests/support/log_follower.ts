/**
 * Following a node's JSON Lines log as it grows: each call reads only what
 * was appended since the last one. Waiting on a big network's logs by
 * re-reading whole files every poll costs more CPU than the network itself;
 * this keeps a test's polling cheap at any log size.
 *
 * @module
 */

import type { LogLine } from "./jsonl_log.ts";
import { messageKey } from "./network.ts";

/** Reads a log file incrementally and indexes its lines by event name. */
export class LogFollower {
  /** The file followed. */
  readonly path: string;
  #offset = 0;
  #decoder = new TextDecoder();
  #partial = "";
  #lines: LogLine[] = [];
  #byEvent = new Map<string, LogLine[]>();
  #received = new Set<string>();

  /** Follows `path` (which may not exist yet). */
  constructor(path: string) {
    this.path = path;
  }

  /** Every complete line so far, in order. */
  lines(): readonly LogLine[] {
    this.#poll();
    return this.#lines;
  }

  /** Every `event` line so far, in order. */
  events(event: string): readonly LogLine[] {
    this.#poll();
    return this.#byEvent.get(event) ?? [];
  }

  /** Message keys (origin and text) of every first receipt logged so far. */
  received(): ReadonlySet<string> {
    this.#poll();
    return this.#received;
  }

  #poll(): void {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(this.path, { read: true });
    } catch {
      return; // not written yet
    }
    try {
      file.seekSync(this.#offset, Deno.SeekMode.Start);
      const buffer = new Uint8Array(256 * 1024);
      while (true) {
        const n = file.readSync(buffer);
        if (n === null || n === 0) break;
        this.#offset += n;
        this.#take(this.#decoder.decode(buffer.subarray(0, n), { stream: true }));
      }
    } finally {
      file.close();
    }
  }

  #take(text: string): void {
    const chunk = this.#partial + text;
    const end = chunk.lastIndexOf("\n");
    if (end < 0) {
      this.#partial = chunk;
      return;
    }
    this.#partial = chunk.slice(end + 1);
    for (const raw of chunk.slice(0, end).split("\n")) {
      if (raw.trim() === "") continue;
      let line: LogLine;
      try {
        line = JSON.parse(raw);
      } catch {
        continue; // a node never writes half a line; tolerate a damaged one
      }
      this.#lines.push(line);
      const event = line.properties?.event;
      if (typeof event !== "string") continue;
      let list = this.#byEvent.get(event);
      if (!list) this.#byEvent.set(event, list = []);
      list.push(line);
      if (event === "gossip_received") {
        this.#received.add(messageKey(line.properties.origin, line.properties.message));
      }
    }
  }
}
