/**
 * The dashboard's side of a run: every stream event so far (so a browser
 * that connects late, or reloads, sees the whole run), the subscribers that
 * get new ones in batches, and each node's last log lines for its panel.
 *
 * Memory stays bounded: past `maxHistory` events, the oldest gossip receipts
 * and stats are dropped first (membership and link events are few and are
 * kept), and each node keeps only its last `logLines` lines.
 *
 * @module
 */

import type { RunRecord } from "../up/records.ts";
import { type StreamEvent, type StreamNode, toStreamEvent } from "./stream.ts";

/** Options for {@linkcode DashboardFeed}. */
export interface DashboardFeedOptions {
  /** Address → name, for every node of the run. */
  names: ReadonlyMap<string, string>;
  /** Events kept for late subscribers. @default {300000} */
  maxHistory?: number;
  /** Log lines kept per node. @default {40} */
  logLines?: number;
}

/** One subscriber: gets batches of events. */
export type FeedListener = (events: readonly StreamEvent[]) => void;

/** A log line kept for a node's panel. */
export interface PanelLine {
  readonly ts: number;
  readonly level: string;
  readonly text: string;
}

const BULKY = new Set(["received", "stats"]);

/** Collects stream events and hands them to subscribers. */
export class DashboardFeed {
  readonly #options: DashboardFeedOptions;
  readonly #name: (address: string) => string;
  #history: StreamEvent[] = [];
  #pending: StreamEvent[] = [];
  #nodes: readonly StreamNode[] = [];
  readonly #listeners = new Set<FeedListener>();
  readonly #lines = new Map<string, PanelLine[]>();
  readonly #namer: (text: string) => string;

  /** A feed for the nodes in `options.names`; `nameText` names addresses in log text. */
  constructor(options: DashboardFeedOptions, nameText: (text: string) => string = (t) => t) {
    this.#options = options;
    this.#name = (address) => options.names.get(address) ?? address;
    this.#namer = nameText;
  }

  /**
   * Every event flushed so far, oldest first, starting with the current node
   * list. Events still pending reach a subscriber with the next flush, so a
   * browser that connects between an event and its flush sees it once.
   */
  history(): StreamEvent[] {
    return [{ type: "nodes", nodes: this.#nodes }, ...this.#history];
  }

  /** A node's last log lines (info and above), oldest first. */
  lines(node: string): readonly PanelLine[] {
    return this.#lines.get(node) ?? [];
  }

  /** Takes a record from the log of node `node` (its name). */
  ingest(node: string, record: RunRecord): void {
    const event = toStreamEvent(node, record, this.#name);
    if (event) this.#push(event);
    if (record.level === "DEBUG" || record.level === "TRACE" || record.message === undefined) {
      return;
    }
    let lines = this.#lines.get(node);
    if (!lines) this.#lines.set(node, lines = []);
    lines.push({ ts: record.ts, level: record.level ?? "INFO", text: this.#namer(record.message) });
    const max = this.#options.logLines ?? 40;
    if (lines.length > max) lines.splice(0, lines.length - max);
  }

  /** Sets the node list (names and process states); streamed when it changed. */
  setNodes(nodes: readonly StreamNode[]): void {
    const same = nodes.length === this.#nodes.length &&
      nodes.every((n, i) => n.state === this.#nodes[i]?.state && n.name === this.#nodes[i]?.name);
    if (same) return;
    this.#nodes = nodes;
    this.#pending.push({ type: "nodes", nodes });
  }

  /** Adds an event that does not come from a log (e.g. a summary). */
  publish(event: StreamEvent): void {
    this.#push(event);
  }

  /** Calls `listener` with each batch from now on; returns the unsubscribe function. */
  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends the events gathered since the last flush to every subscriber. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    for (const event of batch) if (event.type !== "nodes") this.#history.push(event);
    this.#trim();
    for (const listener of this.#listeners) {
      try {
        listener(batch);
      } catch {
        // A broken subscriber is its own problem; the others still get the batch.
      }
    }
  }

  #push(event: StreamEvent): void {
    this.#pending.push(event);
  }

  #trim(): void {
    const max = this.#options.maxHistory ?? 300_000;
    if (this.#history.length <= max) return;
    // Drop the oldest bulky events first: a quarter of the limit at a time.
    let excess = this.#history.length - max + Math.floor(max / 4);
    this.#history = this.#history.filter((e) => {
      if (excess > 0 && BULKY.has(e.type)) {
        excess--;
        return false;
      }
      return true;
    });
    if (this.#history.length > max) this.#history.splice(0, this.#history.length - max);
  }
}
