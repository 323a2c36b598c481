/**
 * What `up` shows of its nodes on the terminal: their log records turned
 * into named lines (`event_lines.ts`), printed in the order they happened
 * (a log poll reads the files one after another, so it gathers them first),
 * and anything a node printed itself that is not a log line (a crash).
 *
 * @module
 */

import { EventLines, nameAddresses } from "./event_lines.ts";
import type { RunRecord } from "./records.ts";
import type { Terminal } from "./terminal.ts";

/** A node as its lines are labelled. */
export interface OutputNode {
  readonly name: string;
  readonly role: "seed" | "peer";
}

/** Options for {@linkcode NodeOutput}. */
export interface NodeOutputOptions {
  terminal: Terminal;
  /** Address → name of every node. */
  names: ReadonlyMap<string, string>;
  /** Every node line, not only membership events. */
  verbose: boolean;
  /** Times are shown relative to this (Unix ms). */
  startTs: number;
}

/** A node's own console lines (it prints errors only); they are shown from its log instead. */
const NODE_CONSOLE_LINE = /^\d\d:\d\d:\d\d\.\d{3} (ERROR|FATAL|WARN |INFO |DEBUG)/;

/** s3 and p3 get the third colour of their palettes. */
function colorIndex(node: OutputNode): number {
  return Math.max(0, Number(node.name.slice(1)) - 1) || 0;
}

/** Prints nodes' records and output. */
export class NodeOutput {
  readonly #options: NodeOutputOptions;
  readonly #lines: EventLines;
  #pending: Array<{ ts: number; print: () => void }> = [];

  /** Output to `options.terminal`. */
  constructor(options: NodeOutputOptions) {
    this.#options = options;
    this.#lines = new EventLines({ names: options.names, verbose: options.verbose });
  }

  /** The run is stopping: goodbyes are not news any more. */
  stopping(): void {
    this.#lines.stopping();
  }

  /** Takes a record of `node`; it is printed at the next {@linkcode flush}. */
  record(node: OutputNode, record: RunRecord): void {
    const line = this.#lines.line(node.name, record);
    if (!line) return;
    const time = `+${((record.ts - this.#options.startTs) / 1000).toFixed(1)}s`.padStart(7);
    const print = () =>
      this.#options.terminal.eventLine({
        name: node.name,
        role: node.role,
        index: colorIndex(node),
        level: line.level,
        text: line.text,
        time,
      });
    this.#pending.push({ ts: record.ts, print });
  }

  /** Prints the records taken since the last flush, in time order. */
  flush(): void {
    const lines = this.#pending.sort((a, b) => a.ts - b.ts);
    this.#pending = [];
    for (const line of lines) line.print();
  }

  /** A line `node` printed itself: shown unless it is one of its log lines. */
  output(node: OutputNode, line: string): void {
    if (line.trim() === "" || NODE_CONSOLE_LINE.test(line)) return;
    this.#options.terminal.nodeLine(
      node.name,
      node.role,
      colorIndex(node),
      nameAddresses(line, this.#options.names),
    );
  }
}
