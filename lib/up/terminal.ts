/**
 * `up`'s terminal: node output with short coloured prefixes (`s1 │`,
 * `p7 │`), shell output, and on a TTY a status line kept at the bottom and
 * redrawn in place. Without a TTY (a pipe, a file, CI) nothing is redrawn:
 * the caller prints status lines as ordinary lines instead.
 *
 * Everything goes through {@linkcode Terminal.write}, so a node's line never
 * lands in the middle of the status line.
 *
 * @module
 */

import * as colors from "@std/fmt/colors";

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
const STRIP = painter(colors.stripAnsiCode);

const CLEAR_LINE = "\r\x1b[2K";

function consoleColumns(): number {
  try {
    // A pseudo-terminal may report 0 columns: treat that as unknown.
    return Deno.consoleSize().columns || 120;
  } catch {
    return 120;
  }
}

/** The terminal `up` prints to. */
export class Terminal implements SyncWriter {
  readonly #o: TerminalOptions;
  readonly #out: SyncWriter;
  readonly #encoder = new TextEncoder();
  #status = "";
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

  /** Prints text (whole lines), keeping the status line below it. */
  write(text: string): void {
    if (text === "") return;
    if (!this.#o.tty || this.#status === "") return this.#emit(text);
    const tail = text.endsWith("\n") ? "" : "\n";
    this.#emit(`${CLEAR_LINE}${text}${tail}${this.#status}`);
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

  /** Shows `text` as the status line (TTY only; cut to the width). */
  setStatus(text: string): void {
    if (!this.#o.tty) return;
    const width = (this.#o.columns ?? consoleColumns)() - 1;
    const plain = STRIP(text);
    const shown = plain.length <= width ? text : plain.slice(0, Math.max(0, width));
    if (shown === this.#status) return;
    this.#status = shown;
    this.#emit(`${CLEAR_LINE}${shown}`);
  }

  /** Removes the status line (before the summary, or an error). */
  clearStatus(): void {
    if (!this.#o.tty || this.#status === "") return;
    this.#status = "";
    this.#emit(CLEAR_LINE);
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
