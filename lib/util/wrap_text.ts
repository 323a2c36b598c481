/**
 * Wrapping text for an 80-column terminal.
 *
 * @module
 */

/**
 * Splits `text` at spaces into pieces of at most `width` characters (longer
 * words stay whole).
 *
 * @example
 * ```ts
 * import { wrapText } from "./wrap_text.ts";
 * wrapText("one two three", 7); // ["one two", "three"]
 * ```
 */
export function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
