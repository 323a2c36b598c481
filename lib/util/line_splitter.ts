/**
 * Splitting a stream of text chunks into whole lines: child output and log
 * files arrive in arbitrary pieces, and a line must never be printed or
 * parsed in halves.
 *
 * @module
 */

/** Most characters kept for one unfinished line; longer ones are cut there. */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * Collects text chunks and hands back complete lines (without `\n` or a
 * trailing `\r`); keeps the unfinished rest for the next chunk.
 *
 * @example Usage
 * ```ts
 * import { LineSplitter } from "../util/line_splitter.ts";
 * const lines = new LineSplitter();
 * lines.push("a\nb"); // ["a"]
 * lines.push("c\n"); // ["bc"]
 * ```
 */
export class LineSplitter {
  #pending = "";

  /** Adds a chunk; returns the lines it completed. */
  push(chunk: string): string[] {
    const text = this.#pending + chunk;
    const parts = text.split("\n");
    this.#pending = parts.pop() ?? "";
    // A runaway line without newline must not grow memory without bound.
    if (this.#pending.length > MAX_LINE_CHARS) {
      parts.push(this.#pending);
      this.#pending = "";
    }
    return parts.map((line) => line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  /** The unfinished last line, if any, and forgets it. */
  flush(): string[] {
    const rest = this.#pending;
    this.#pending = "";
    return rest === "" ? [] : [rest];
  }
}
