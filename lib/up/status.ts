/**
 * The live picture of a running network, fed by the tailed node logs:
 * peers up, neighbour links, gossip delivered / expected (by the same
 * definition as the final summary), dead reports and removals; and its
 * one-line rendering.
 *
 * @module
 */

import { textField } from "./records.ts";
import { formatPercent } from "./summary_text.ts";
import type { RunRecord } from "./records.ts";
import { type Outage, RunIndex, type RunSummary } from "./summary.ts";
import type { NodeState } from "./supervisor.ts";

/** What the status needs to know about a node (a `ManagedNode` fits). */
export interface StatusNode {
  readonly spec: {
    readonly name: string;
    readonly role: "seed" | "peer";
    readonly address: string;
  };
  readonly state: NodeState;
  readonly outages: readonly Outage[];
}

/** The figures of the status line. */
export interface StatusSnapshot {
  readonly seedsUp: number;
  readonly seeds: number;
  /** Peers running (not paused) that have joined in their current process. */
  readonly peersUp: number;
  readonly peers: number;
  /** Neighbour links between running peers (each counted once). */
  readonly links: number;
  readonly delivered: number;
  readonly expected: number;
  /** Dead Node reports sent by peers. */
  readonly deadReports: number;
  /** Peers removed as dead. */
  readonly removals: number;
}

interface NodeView {
  readonly node: StatusNode;
  neighbors: Set<string>;
  joined: boolean;
  /** `ts` of each `listening` line. */
  readonly listening: number[];
}

/**
 * A summary that took this long is recomputed at most once per
 * {@linkcode SUMMARY_DUTY} times as long: at a thousand peers it costs tens
 * of milliseconds, and redrawing the status line twice a second must not
 * take the nodes' time.
 */
const SLOW_SUMMARY_MS = 5;
const SUMMARY_DUTY = 50;

/** Options for {@linkcode LiveStatus}. */
export interface LiveStatusOptions {
  /** A monotonic clock in ms, to time the summary. @default {performance.now} */
  now?: () => number;
}

/** Live counters over the nodes' log records. */
export class LiveStatus {
  readonly #views = new Map<string, NodeView>();
  readonly #index: RunIndex;
  readonly #now: () => number;
  /** Bumped by every record, so the delivery figures are recomputed only when needed. */
  #version = 0;
  #cached: { key: string; summary: RunSummary; at: number; tookMs: number } | undefined;

  /** Tracks `nodes` (by address). */
  constructor(nodes: readonly StatusNode[], options: LiveStatusOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    for (const node of nodes) {
      this.#views.set(node.spec.address, {
        node,
        neighbors: new Set(),
        joined: false,
        listening: [],
      });
    }
    this.#index = new RunIndex(nodes.map((n) => ({
      role: n.spec.role,
      address: n.spec.address,
      name: n.spec.name,
      outages: n.outages,
    })));
  }

  /** Takes one record from the log of the node at `address`. */
  ingest(address: string, record: RunRecord): void {
    const view = this.#views.get(address);
    if (!view) return;
    this.#version++;
    this.#index.add(address, record);
    switch (record.event) {
      case "listening":
        // A new process: its links and join are still to come.
        view.listening.push(record.ts);
        view.neighbors = new Set();
        view.joined = false;
        break;
      case "joined":
        view.joined = true;
        break;
      case "neighbor_connected":
      case "neighbor_lost": {
        const neighbor = textField(record, "neighbor");
        if (neighbor === undefined) break;
        if (record.event === "neighbor_connected") view.neighbors.add(neighbor);
        else view.neighbors.delete(neighbor);
        break;
      }
    }
  }

  /** How many `listening` lines (process starts) the node at `address` has logged. */
  listeningCount(address: string): number {
    return this.#views.get(address)?.listening.length ?? 0;
  }

  /** Current neighbour count of the node at `address` (from its log). */
  degree(address: string): number {
    return this.#views.get(address)?.neighbors.size ?? 0;
  }

  // Summarising a big run takes milliseconds: do it only after a change,
  // and a slow one only now and then.
  #summary(): RunSummary {
    const outages = [...this.#views.values()].map((v) => {
      const last = v.node.outages[v.node.outages.length - 1];
      return `${v.node.outages.length}.${last?.toTs ?? ""}`;
    });
    const key = `${this.#version}:${outages.join(",")}`;
    const cached = this.#cached;
    const now = this.#now();
    if (cached?.key === key) return cached.summary;
    if (
      cached && cached.tookMs >= SLOW_SUMMARY_MS && now - cached.at < cached.tookMs * SUMMARY_DUTY
    ) {
      return cached.summary;
    }
    const summary = this.#index.summarize();
    this.#cached = { key, summary, at: now, tookMs: this.#now() - now };
    return summary;
  }

  /**
   * The run's summary over the records read so far (recomputed only after a
   * change; in a big run, at most every few seconds).
   */
  summary(): RunSummary {
    return this.#summary();
  }

  /** The figures now. */
  snapshot(): StatusSnapshot {
    const summary = this.#summary();
    const views = [...this.#views.values()];
    const running = (v: NodeView) => v.node.state === "running";
    const seeds = views.filter((v) => v.node.spec.role === "seed");
    const peers = views.filter((v) => v.node.spec.role === "peer");
    const live = new Set(peers.filter(running).map((v) => v.node.spec.address));
    const links = new Set<string>();
    for (const v of peers) {
      if (!live.has(v.node.spec.address)) continue;
      for (const n of v.neighbors) {
        if (!live.has(n)) continue;
        const a = v.node.spec.address;
        links.add(a < n ? `${a} ${n}` : `${n} ${a}`);
      }
    }
    return {
      seedsUp: seeds.filter((v) => running(v) && v.listening.length > 0).length,
      seeds: seeds.length,
      peersUp: peers.filter((v) => running(v) && v.joined).length,
      peers: peers.length,
      links: links.size,
      delivered: summary.delivered,
      expected: summary.expected,
      deadReports: summary.deadReportsSent,
      removals: summary.removals.length,
    };
  }
}

/** Options for {@linkcode formatStatusLine}. */
export interface StatusLineOptions {
  /** Time since the network was up, in ms. */
  elapsedMs: number;
  /** The run's `--duration`, if any. */
  durationMs?: number;
  /** Styles a figure (e.g. bold); identity by default. */
  strong?: (text: string) => string;
  /** Most characters the line may take; whole figures are dropped from the end to fit. */
  width?: number;
}

/** Two spaces between figures: " · " would cost the line 6 of its 80 columns. */
const SEPARATOR = "  ";

function seconds(ms: number): string {
  return `${Math.floor(ms / 1000)}s`;
}

/**
 * The status as one short line, the time first so a narrow terminal never
 * cuts it off. Gossip is the share of expected first receipts that arrived
 * (the summary's definition). It fits 80 columns for networks of up to a few
 * hundred peers; with `width`, figures that do not fit are dropped from the
 * end.
 *
 * @example Usage
 * ```ts
 * import { formatStatusLine } from "./status.ts";
 * const s = {
 *   seedsUp: 3, seeds: 3, peersUp: 8, peers: 8, links: 12,
 *   delivered: 79, expected: 80, deadReports: 0, removals: 0,
 * };
 * formatStatusLine(s, { elapsedMs: 12_000, durationMs: 45_000 });
 * // "12s/45s  seeds 3/3  peers 8/8  links 12  gossip 98.7%  reports 0  removed 0"
 * ```
 */
export function formatStatusLine(s: StatusSnapshot, options: StatusLineOptions): string {
  const b = options.strong ?? ((text: string) => text);
  const time = options.durationMs === undefined
    ? seconds(options.elapsedMs)
    : `${seconds(options.elapsedMs)}/${seconds(options.durationMs)}`;
  const gossip = s.expected === 0 ? "–" : formatPercent(s.delivered / s.expected);
  const parts: Array<[plain: string, styled: string]> = [
    [time, time],
    [`seeds ${s.seedsUp}/${s.seeds}`, `seeds ${b(`${s.seedsUp}/${s.seeds}`)}`],
    [`peers ${s.peersUp}/${s.peers}`, `peers ${b(`${s.peersUp}/${s.peers}`)}`],
    [`links ${s.links}`, `links ${b(String(s.links))}`],
    [`gossip ${gossip}`, `gossip ${b(gossip)}`],
    [`reports ${s.deadReports}`, `reports ${b(String(s.deadReports))}`],
    [`removed ${s.removals}`, `removed ${b(String(s.removals))}`],
  ];
  const width = options.width ?? Infinity;
  const shown: string[] = [];
  let length = 0;
  for (const [plain, styled] of parts) {
    const add = (shown.length === 0 ? 0 : SEPARATOR.length) + plain.length;
    if (length + add > width && shown.length > 0) break;
    shown.push(styled);
    length += add;
  }
  return shown.join(SEPARATOR);
}
