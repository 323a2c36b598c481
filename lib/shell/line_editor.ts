/**
 * A minimal line editor for a terminal read key by key (cbreak mode): the
 * program, not the terminal, echoes what is typed, so it can keep the input
 * on its own line while output scrolls above it. Pure: text in, the line
 * being typed and the lines completed out.
 *
 * Keys: printable characters, Backspace, Ctrl+U (clear the line), Enter;
 * Ctrl+D on an empty line is end of input. Escape sequences (arrow keys,
 * function keys) are ignored.
 *
 * @module
 */

/** What one {@linkcode LineEditor.feed} produced. */
export interface EditResult {
  /** Lines completed by Enter, in order. */
  readonly lines: string[];
  /** Ctrl+D was pressed on an empty line. */
  readonly end: boolean;
}

/** The editing state of one input line. */
export class LineEditor {
  #buffer = "";
  #escape: "" | "esc" | "csi" = "";

  /** The line being typed. */
  get buffer(): string {
    return this.#buffer;
  }

  /**
   * Takes typed text (any number of keys).
   *
   * @example Usage
   * ```ts
   * import { LineEditor } from "./line_editor.ts";
   * const editor = new LineEditor();
   * editor.feed("kil\x7fll p3\r").lines; // ["kill p3"]
   * editor.buffer; // ""
   * ```
   */
  feed(text: string): EditResult {
    const lines: string[] = [];
    let end = false;
    for (const ch of text) {
      if (this.#escape === "esc") {
        // ESC [ starts a control sequence; ESC O a function key; anything else is one key.
        this.#escape = ch === "[" || ch === "O" ? "csi" : "";
        continue;
      }
      if (this.#escape === "csi") {
        if (ch >= "@" && ch <= "~") this.#escape = "";
        continue;
      }
      switch (ch) {
        case "\x1b":
          this.#escape = "esc";
          break;
        case "\r":
        case "\n":
          lines.push(this.#buffer);
          this.#buffer = "";
          break;
        case "\x7f":
        case "\b":
          this.#buffer = [...this.#buffer].slice(0, -1).join("");
          break;
        case "\x15": // Ctrl+U
          this.#buffer = "";
          break;
        case "\x04": // Ctrl+D
          if (this.#buffer === "") end = true;
          break;
        default:
          if (ch >= " ") this.#buffer += ch;
      }
    }
    return { lines, end };
  }
}
