/**
 * Quoting user input for error messages. A value echoed as is can carry
 * terminal escape sequences, NUL bytes, line breaks or megabytes of a
 * binary file into a one-line error; quoted, it is always one short,
 * printable line.
 *
 * @module
 */

/** Longest quoted value, in characters, before it is cut with `…`. */
export const MAX_QUOTED_CHARS = 60;

// C0 and C1 controls, DEL, line and paragraph separators, bidirectional
// overrides and isolates (they reorder what a terminal shows), BOM.
// deno-lint-ignore no-control-regex -- control characters are what it finds.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Quotes `text` in double quotes, escaping quotes, backslashes and every
 * unprintable character (`\n`, `\u001b`, …), and cuts it after
 * `maxChars` characters.
 *
 * @example Usage
 * ```ts
 * import { quoteInput } from "./quote.ts";
 * quoteInput("70000"); // "\"70000\""
 * quoteInput("\u0000\u001b[2J"); // "\"\\u0000\\u001b[2J\""
 * ```
 */
export function quoteInput(text: string, maxChars: number = MAX_QUOTED_CHARS): string {
  const chars = [...text];
  const cut = chars.length > maxChars;
  const shown = cut ? chars.slice(0, maxChars).join("") : text;
  const escaped = shown.replace(/[\\"]/g, (c) => `\\${c}`).replace(UNPRINTABLE, (c) => {
    switch (c) {
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
  return `"${escaped}${cut ? "…" : ""}"`;
}
