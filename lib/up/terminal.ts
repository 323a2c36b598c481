/**
 * `up`'s terminal: node lines with short coloured prefixes (`s1 │`,
 * `p7 │`), warnings in yellow and errors in red, shell output, and on a TTY
 * two lines kept at the bottom and redrawn in place: the status line and,
 * when `up` reads the keyboard itself, the prompt with what is being typed.
 * Typed input therefore never shares a line with output. Without a TTY (a
 * pipe, a file, CI) nothing is redrawn: the caller prints status lines as
 * ordinary lines instead.
 *
 * Everything goes through {@linkcode Terminal.write}, so a node's line never
 * lands in the middle of the status line or the prompt.
 *
 * @module
 */

import * as colors from "@std/fmt/colors";
import { consoleColumns } from "../util/console_columns.ts";

/** Something text can be written to synchronously (`Deno.stdout`). */
export interface SyncWriter {
  /** Writes some of `p`; returns how many bytes. */
  writeSync(p: Uint8Array): number;
}

/** Options for {@linkcode Terminal}. */
export interface TerminalOptions {
  /** Redraw a status line in place (stdout is a terminal). */
  tty: boolean;
  /** Use ANSI colours (a terminal and no `NO_COLOR`). */
  color: boolean;
  /** @default {Deno.stdout} */
  out?: SyncWriter;
  /** Width to cut the status line to. @default {the console width, else 120} */
  columns?: () => number;
}

type Paint = (text: string) => string;

// Untyped npm module: make sure each painter yields a string.
function painter(fn: unknown): Paint {
  return (text) => typeof fn === "function" ? String(fn(text)) : text;
}

const SEED_COLORS: readonly Paint[] = [painter(colors.cyan), painter(colors.brightCyan)];
const PEER_COLORS: readonly Paint[] = [
  painter(colors.green),
  painter(colors.yellow),
  painter(colors.magenta),
  painter(colors.blue),
  painter(colors.brightGreen),
  painter(colors.brightYellow),
  painter(colors.brightMagenta),
  painter(colors.brightBlue),
];
const BOLD = painter(colors.bold);
const DIM = painter(colors.dim);
const RED = painter(colors.red);
const YELLOW = painter(colors.yellow);
const STRIP = painter(colors.stripAnsiCode);

const CLEAR_LINE = "\r\x1b[2K";
/** Cursor up one line. */
const UP = "\x1b[1A";
/** Clear from the cursor to the end of the screen. */
const CLEAR_BELOW = "\x1b[J";
/** The prompt before typed input. */
export const PROMPT = "up> ";

/** The terminal `up` prints to. */
export class Terminal implements SyncWriter {
  readonly #o: TerminalOptions;
  readonly #out: SyncWriter;
  readonly #encoder = new TextEncoder();
  #status = "";
  /** The line being typed, when `up` echoes input itself; `undefined` otherwise. */
  #input: string | undefined;
  /** How many bottom lines (status, prompt) are on screen now. */
  #drawn = 0;
  #prefixWidth = 2;

  /** Wraps stdout (or `options.out`). */
  constructor(options: TerminalOptions) {
    this.#o = options;
    this.#out = options.out ?? Deno.stdout;
  }

  /** Whether colours are on. */
  get color(): boolean {
    return this.#o.color;
  }

  /** Whether the status line is redrawn in place. */
  get tty(): boolean {
    return this.#o.tty;
  }

  /** Pads node prefixes to the longest of `names`. */
  setNames(names: readonly string[]): void {
    this.#prefixWidth = Math.max(2, ...names.map((n) => n.length));
  }

  /** Prints text (whole lines), keeping the status line and prompt below it. */
  write(text: string): void {
    if (text === "") return;
    if (!this.#o.tty || this.#drawn === 0) return this.#emit(text);
    const tail = text.endsWith("\n") ? "" : "\n";
    this.#emit(`${this.#eraseBottom()}${text}${tail}${this.#bottom()}`);
  }

  /**
   * Shows the prompt line with `buffer` as the typed text (TTY only), or
   * removes it (`undefined`). `up` calls this as keys arrive.
   */
  setInput(buffer: string | undefined): void {
    if (!this.#o.tty || buffer === this.#input) return;
    this.#input = buffer;
    this.#redraw();
  }

  /** A line typed at the prompt, kept above it with the output it causes. */
  echoInput(line: string): void {
    this.write(`${this.#o.color ? DIM(PROMPT) : PROMPT}${line}\n`);
  }

  /** A line about a node: its coloured name, then the text; warnings yellow, errors red. */
  eventLine(options: {
    name: string;
    role: "seed" | "peer";
    index: number;
    level: "info" | "warning" | "error";
    text: string;
    /** Shown before the name, e.g. `+12.3s`. */
    time?: string;
  }): void {
    const palette = options.role === "seed" ? SEED_COLORS : PEER_COLORS;
    const paintName = palette[options.index % palette.length] as Paint;
    const name = options.name.padEnd(this.#prefixWidth);
    const time = options.time === undefined ? "" : `${options.time} `;
    if (!this.#o.color) return this.write(`${time}${name} ${options.text}\n`);
    const paint = options.level === "error"
      ? RED
      : options.level === "warning"
      ? YELLOW
      : undefined;
    const text = paint ? paint(options.text) : options.text;
    this.write(`${DIM(time)}${paintName(name)} ${text}\n`);
  }

  /** The shell's output sink (it writes whole lines). */
  writeSync(p: Uint8Array): number {
    this.write(new TextDecoder().decode(p));
    return p.length;
  }

  /** One line a node printed, behind its prefix. */
  nodeLine(name: string, role: "seed" | "peer", index: number, line: string): void {
    const palette = role === "seed" ? SEED_COLORS : PEER_COLORS;
    const prefix = `${name.padEnd(this.#prefixWidth)} │`;
    const paint = palette[index % palette.length] as Paint;
    this.write(`${this.#o.color ? paint(prefix) : prefix} ${line}\n`);
  }

  /** Prints a notice from `up` itself (dimmed when coloured). */
  notice(text: string): void {
    this.write(`${this.#o.color ? DIM(text) : text}\n`);
  }

  /** Prints a problem (red when coloured). */
  problem(text: string): void {
    this.write(`${this.#o.color ? RED(text) : text}\n`);
  }

  /** Bold, when coloured. */
  strong(text: string): string {
    return this.#o.color ? BOLD(text) : text;
  }

  /** The width text may take on one line without wrapping. */
  get width(): number {
    return Math.max(20, (this.#o.columns ?? consoleColumns)() - 1);
  }

  /** Shows `text` as the status line (TTY only; cut to the width). */
  setStatus(text: string): void {
    if (!this.#o.tty) return;
    const width = this.width;
    const plain = STRIP(text);
    const shown = plain.length <= width ? text : plain.slice(0, Math.max(0, width));
    if (shown === this.#status) return;
    this.#status = shown;
    this.#redraw();
  }

  /** Removes the status line and the prompt (before the summary, or an error). */
  clearStatus(): void {
    if (!this.#o.tty || this.#drawn === 0) return;
    this.#status = "";
    this.#input = undefined;
    this.#emit(this.#eraseBottom());
  }

  #redraw(): void {
    this.#emit(this.#eraseBottom() + this.#bottom());
  }

  /** Moves to the first bottom line and clears it and everything below. */
  #eraseBottom(): string {
    const up = this.#drawn > 1 ? UP.repeat(this.#drawn - 1) : "";
    this.#drawn = 0;
    return `${CLEAR_LINE}${up}${CLEAR_BELOW}`;
  }

  /** The bottom lines; the cursor is left at the end of the last one. */
  #bottom(): string {
    const lines: string[] = [];
    if (this.#status !== "") lines.push(this.#status);
    if (this.#input !== undefined) {
      // Show the end of a line too long for the terminal.
      const room = this.width - PROMPT.length;
      const typed = this.#input.length <= room ? this.#input : this.#input.slice(-room);
      lines.push(`${this.#o.color ? BOLD(PROMPT) : PROMPT}${typed}`);
    }
    this.#drawn = lines.length;
    return lines.join("\n");
  }

  #emit(text: string): void {
    const bytes = this.#encoder.encode(text);
    let written = 0;
    try {
      while (written < bytes.length) written += this.#out.writeSync(bytes.subarray(written));
    } catch {
      // Nobody reads our output any more; the run itself carries on.
    }
  }
}
