/**
 * `up`'s status line on screen: redrawn in place every half second on a
 * terminal; elsewhere (a pipe, CI) printed as an ordinary line when its
 * figures changed, at most every 5 s, and not at all once the run stops
 * (the summary follows).
 *
 * @module
 */

import { type Clock, systemClock } from "../util/clock.ts";
import { formatStatusLine, type LiveStatus, type StatusNode } from "./status.ts";
import type { Terminal } from "./terminal.ts";

const TICK_MS = 500;
/** Without a TTY, a changed status line is printed at most this often. */
const PRINT_MS = 5000;

/** Options for {@linkcode StatusDisplay}. */
export interface StatusDisplayOptions {
  terminal: Terminal;
  status: LiveStatus;
  nodes: readonly StatusNode[];
  /** When `up` started (Unix ms): the clock until every node listens. */
  startTs: number;
  /** The run's `--duration`, if any. */
  durationMs?: number;
  clock?: Clock;
}

/** The status line, kept current. */
export class StatusDisplay {
  readonly #o: StatusDisplayOptions;
  readonly #clock: Clock;
  #upTs: number | undefined;
  #stopping = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Nothing is shown until {@linkcode start}. */
  constructor(options: StatusDisplayOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Every node listens: time now counts from here, towards `--duration`. */
  markUp(ts: number): void {
    this.#upTs = ts;
  }

  /** The run is stopping: no more plain status lines. */
  stopping(): void {
    this.#stopping = true;
  }

  /** The status line now, cut to `width`; `styled` makes figures bold. */
  line(styled: boolean, width: number): string {
    const nodes = this.#o.nodes;
    const listening = nodes.filter((n) => this.#o.status.listeningCount(n.spec.address) > 0).length;
    const starting = this.#upTs === undefined ? `starting: ${listening}/${nodes.length} up  ` : "";
    const terminal = this.#o.terminal;
    return starting + formatStatusLine(this.#o.status.snapshot(), {
      elapsedMs: this.#clock.now() - (this.#upTs ?? this.#o.startTs),
      ...(this.#o.durationMs === undefined ? {} : { durationMs: this.#o.durationMs }),
      width: width - starting.length,
      ...(styled ? { strong: (text: string) => terminal.strong(text) } : {}),
    });
  }

  /** Starts redrawing (or printing) the line. */
  start(): void {
    const terminal = this.#o.terminal;
    let printed = "";
    let printedAt = -Infinity;
    this.#timer = setInterval(() => {
      if (terminal.tty) return terminal.setStatus(this.line(true, terminal.width));
      if (this.#stopping) return;
      const line = this.line(false, Infinity);
      const withoutTime = line.replace(/^\d+s(\/\d+s)? +/, "");
      const now = this.#clock.now();
      if (withoutTime === printed || now - printedAt < PRINT_MS) return;
      printed = withoutTime;
      printedAt = now;
      terminal.write(`status: ${line}\n`);
    }, TICK_MS);
  }

  /** Stops and removes the line. Idempotent. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#o.terminal.clearStatus();
  }
}
