/**
 * What a run achieved, computed from the nodes' log records alone: gossip
 * delivery, dissemination time, dead-node reports and removals. Pure (no
 * I/O, no clock), so `up`, its live status line and benchmark scripts all
 * use the same definitions. Reading the logs is `run_logs.ts`; the text
 * rendering is `summary_text.ts`.
 *
 * **Delivery.** For each `gossip_generated` message, the *expected*
 * receivers are the peers other than its origin that had joined the overlay
 * before it was generated and were still running afterwards:
 *
 * - joined: in the receiver's process lifetime current at generation (a
 *   lifetime starts at `listening`), it had logged `joined` and at least one
 *   `neighbor_connected`, both before the generation `ts`. A registered peer
 *   with no link cannot receive anything yet, so it is not counted; a peer
 *   that never links at all is listed separately so it is not hidden.
 * - still running: no outage imposed by `up` (kill or pause) covers the
 *   generation or starts after it, and no kill happened between the start
 *   of that lifetime and the generation (the process was gone, even if a new
 *   one was started since). A node that exits on its own is *not* excused:
 *   that is a failure and its missing receipts count.
 *
 * - late joiners: a peer that joined (registered and linked) after the
 *   message was generated, but within `catchUpWindowMs` of it, is expected
 *   too: it catches up from its first neighbour. This applies to a peer's
 *   first lifetime without outages; a node `up` killed or paused and started
 *   again is not expected to catch up on what was said while it was gone.
 * - settled after a pause: a paused peer that was resumed is expected again
 *   only for messages generated `resumeSettleMs` (2 s) or more after its
 *   resume. While it was stopped its neighbours dropped it and the seeds may
 *   have removed it; it needs a moment to notice and relink.
 *
 * *Delivered* pairs are the expected pairs with a `gossip_received` (first
 * receipt) in the receiver's log. Messages generated less than
 * `settleMs` before the stop are not counted: they were still spreading.
 * For the same reason as above, neither are messages whose origin was
 * resumed less than `resumeSettleMs` before generating them: its first
 * message after a resume goes out over links its neighbours have already
 * closed, and reaching nobody then says nothing about gossip (these are
 * counted in `resumedMessages`).
 *
 * **Dissemination time** of a message is its last expected first receipt
 * by flooding (catch-up receipts excluded: they wait for the join) minus its
 * generation, both from the logs' sub-millisecond `ts`, over the
 * messages that reached every expected receiver. Percentiles are nearest-rank.
 *
 * @module
 */

import { DEFAULT_PEER_TUNING } from "../config/node_config.ts";
import { type RunRecord, textField } from "./records.ts";

/** A period during which `up` had a node killed or paused. */
export interface Outage {
  /** `kill`: SIGKILL (the process is gone); `pause`: SIGSTOP until SIGCONT. */
  readonly kind: "kill" | "pause";
  /** When it began (Unix ms). */
  readonly fromTs: number;
  /** When it ended (restart or resume), if it did. */
  readonly toTs?: number;
}

/** One node of a run and its log. */
export interface RunNode {
  readonly role: "seed" | "peer";
  /** `host:port`, as in the logs. */
  readonly address: string;
  /** Short name such as `s1` or `p7`, for display. */
  readonly name?: string;
  /** Its log records, in file order. */
  readonly records: readonly RunRecord[];
  /** Outages imposed by `up`. @default {[]} */
  readonly outages?: readonly Outage[];
}

/** Options for {@linkcode summarizeRun}. */
export interface SummaryOptions {
  /** When the run began to stop (Unix ms); messages after it minus `settleMs` are not counted. */
  stopTs?: number;
  /** How long before `stopTs` a message must have been generated to count. @default {2000} */
  settleMs?: number;
  /**
   * How long after a message a peer may join and still be expected to get
   * it by catching up (the peers' catch-up age bound).
   * @default {60000}
   */
  catchUpWindowMs?: number;
  /** How long after a resume a peer is not yet expected to send or receive. @default {2000} */
  resumeSettleMs?: number;
}

/** A peer named in dead-node reports. */
export interface DeadPeer {
  /** `host:port`. */
  readonly peer: string;
  /** Its short name, when the run knows it. */
  readonly name?: string;
}

/** A removal of a peer reported dead. */
export interface Removal extends DeadPeer {
  /** How many seeds logged `peer_removed` with reason `dead`. */
  readonly seeds: number;
}

/** Dissemination times over complete messages, in ms. */
export interface Dissemination {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Messages measured (those that reached every expected receiver). */
  readonly messages: number;
}

/** What a run achieved. */
export interface RunSummary {
  readonly seeds: number;
  readonly peers: number;
  /** Messages generated and counted. */
  readonly messages: number;
  /** Messages generated within `settleMs` of the stop, not counted. */
  readonly unsettledMessages: number;
  /** The settle window applied, in ms (0 without a stop time). */
  readonly settleMs: number;
  /** Expected (message, receiver) pairs. */
  readonly expected: number;
  /** Expected pairs with a first receipt. */
  readonly delivered: number;
  /** `delivered / expected`, or `undefined` when nothing was expected. */
  readonly delivery: number | undefined;
  /** Messages generated by a peer within `resumeSettleMs` of its resume, not counted. */
  readonly resumedMessages: number;
  /** The resume settle window applied, in ms. */
  readonly resumeSettleMs: number;
  /** Messages that missed at least one expected receiver. */
  readonly incompleteMessages: number;
  readonly dissemination: Dissemination | undefined;
  /** Dissemination time of every complete message, ascending, in ms. */
  readonly disseminationTimesMs: readonly number[];
  /** `dead_node_reported` lines: reports sent by peers. */
  readonly deadReportsSent: number;
  /** `dead_node_report` lines: reports received by seeds. */
  readonly deadReportsReceived: number;
  /** Distinct peers reported dead. */
  readonly reportedDead: readonly DeadPeer[];
  /** Peers removed as dead, with how many seeds removed each. */
  readonly removals: readonly Removal[];
  /** `removal_rejected` lines before the stop where a seed found the peer alive. */
  readonly removalsRejected: number;
  /**
   * `removal_rejected` lines before the stop that no seed could decide
   * (too few seeds up, or too busy to check): retried, not refuted.
   */
  readonly removalsUndecided: number;
  /** Peers that never joined the overlay (no `joined` plus link in any lifetime). */
  readonly neverJoined: readonly string[];
}

interface Lifetime {
  readonly startTs: number;
  joinedTs?: number;
  linkTs?: number;
}

interface PeerIndex {
  readonly address: string;
  /** The node's outages (a live list while `up` runs). */
  readonly outages: readonly Outage[];
  readonly lifetimes: Lifetime[];
  current: Lifetime | undefined;
  /** First receipt by message key: when, and whether by catch-up. */
  readonly receipts: Map<string, { readonly ts: number; readonly catchUp: boolean }>;
}

interface Generated {
  readonly key: string;
  readonly origin: string;
  readonly ts: number;
}

/** Default for {@linkcode SummaryOptions.settleMs}. */
export const DEFAULT_SETTLE_MS = 2000;
/** Default for {@linkcode SummaryOptions.resumeSettleMs}. */
export const DEFAULT_RESUME_SETTLE_MS = 2000;

/** Whether an outage ended (by a resume) less than `settleMs` before `ts`, or had not ended. */
function unsettled(outage: Outage, ts: number, settleMs: number): boolean {
  const until = outage.toTs ?? Infinity;
  return until + (outage.kind === "pause" ? settleMs : 0) > ts;
}

function messageKey(origin: string, message: string): string {
  return `${origin}\u0000${message}`;
}

function indexRecord(peer: PeerIndex, record: RunRecord, generated: Generated[]): void {
  if (record.event === "listening" || peer.current === undefined) {
    peer.current = { startTs: record.event === "listening" ? record.ts : -Infinity };
    peer.lifetimes.push(peer.current);
  }
  if (record.event === "joined") peer.current.joinedTs ??= record.ts;
  else if (record.event === "neighbor_connected") peer.current.linkTs ??= record.ts;
  if (record.event !== "gossip_generated" && record.event !== "gossip_received") return;
  const message = textField(record, "message");
  if (message === undefined) return;
  if (record.event === "gossip_generated") {
    const origin = textField(record, "origin") ?? peer.address;
    generated.push({ key: messageKey(origin, message), origin, ts: record.ts });
  } else {
    const key = messageKey(textField(record, "origin") ?? "", message);
    // A restarted peer may see a message again; its first receipt counts.
    if (!peer.receipts.has(key)) {
      peer.receipts.set(key, { ts: record.ts, catchUp: record.fields.catchUp === true });
    }
  }
}

function joinedTs(lifetime: Lifetime): number | undefined {
  if (lifetime.joinedTs === undefined || lifetime.linkTs === undefined) return undefined;
  return Math.max(lifetime.joinedTs, lifetime.linkTs);
}

/** Whether `peer` is an expected receiver of a message generated at `ts`. */
function isExpected(peer: PeerIndex, ts: number, resumeSettleMs: number): boolean {
  const outages = peer.outages;
  // An outage still going at `ts`, starting after it, or a resume just before it.
  if (outages.some((o) => unsettled(o, ts, resumeSettleMs))) return false;
  let lifetime: Lifetime | undefined;
  for (const l of peer.lifetimes) if (l.startTs <= ts) lifetime = l;
  if (lifetime === undefined) return false;
  const start = lifetime.startTs;
  // Killed since this lifetime began: that process is gone (a restart not yet listening).
  if (outages.some((o) => o.kind === "kill" && o.fromTs >= start && o.fromTs <= ts)) return false;
  const joined = joinedTs(lifetime);
  return joined !== undefined && joined < ts;
}

/** Whether `peer` joined after a message generated at `ts`, soon enough to catch up on it. */
function isLateJoiner(peer: PeerIndex, ts: number, windowMs: number): boolean {
  if (peer.outages.length > 0 || peer.lifetimes.length !== 1) return false;
  const joined = joinedTs(peer.lifetimes[0] as Lifetime);
  return joined !== undefined && joined >= ts && joined - ts <= windowMs;
}

/**
 * The nearest-rank percentile of ascending `sorted` values.
 *
 * @example Usage
 * ```ts
 * import { percentile } from "./summary.ts";
 * percentile([1, 2, 3, 4], 50); // 2
 * percentile([1, 2, 3, 4], 99); // 4
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** A node as {@linkcode RunIndex} tracks it: a {@linkcode RunNode} without its records. */
export type IndexedNode = Omit<RunNode, "records">;

/**
 * What the summary needs from a run's records, kept up to date one record
 * at a time, so that a live run (the status line, the dashboard) can be
 * summarised without going over every record again: a thousand peers
 * receiving a thousand messages log a million lines.
 *
 * @example Usage
 * ```ts
 * import { RunIndex } from "./summary.ts";
 * const index = new RunIndex([{ role: "peer", address: "127.0.0.1:5001" }]);
 * index.add("127.0.0.1:5001", { ts: 1, event: "listening", fields: {} });
 * index.summarize().peers; // 1
 * ```
 */
export class RunIndex {
  readonly #nodes: readonly IndexedNode[];
  readonly #peers: PeerIndex[] = [];
  readonly #peerAt = new Map<string, PeerIndex>();
  readonly #generated: Generated[] = [];
  #sent = 0;
  #received = 0;
  // When each removal_rejected came, and whether a seed found the peer alive.
  readonly #rejected: { ts: number; alive: boolean }[] = [];
  readonly #reported = new Set<string>();
  readonly #removedBy = new Map<string, Set<string>>();

  /** Tracks `nodes`; records of other addresses are ignored. */
  constructor(nodes: readonly IndexedNode[]) {
    this.#nodes = nodes;
    for (const node of nodes) {
      if (node.role !== "peer") continue;
      const peer: PeerIndex = {
        address: node.address,
        outages: node.outages ?? [],
        lifetimes: [],
        current: undefined,
        receipts: new Map(),
      };
      this.#peers.push(peer);
      this.#peerAt.set(node.address, peer);
    }
  }

  /** Takes the next record (in file order) of the node at `address`. */
  add(address: string, record: RunRecord): void {
    switch (record.event) {
      case "dead_node_reported": {
        this.#sent++;
        const dead = textField(record, "dead");
        if (dead !== undefined) this.#reported.add(dead);
        break;
      }
      case "dead_node_report":
        this.#received++;
        break;
      case "removal_rejected":
        // Logs from before the field existed only had rejections on evidence.
        this.#rejected.push({ ts: record.ts, alive: record.fields.alive !== false });
        break;
      case "peer_removed": {
        const peer = textField(record, "peer");
        if (textField(record, "reason") !== "dead" || peer === undefined) break;
        const seeds = this.#removedBy.get(peer) ?? new Set<string>();
        seeds.add(address);
        this.#removedBy.set(peer, seeds);
        break;
      }
    }
    const peer = this.#peerAt.get(address);
    if (peer) indexRecord(peer, record, this.#generated);
  }

  /** The summary of the records taken so far. */
  summarize(options: SummaryOptions = {}): RunSummary {
    const peers = this.#peers;
    const generated = this.#generated;
    const settleMs = options.stopTs === undefined ? 0 : options.settleMs ?? DEFAULT_SETTLE_MS;
    const cutoff = options.stopTs === undefined ? Infinity : options.stopTs - settleMs;
    // What the seeds could not decide while the network was being stopped is not the run's.
    const stopTs = options.stopTs ?? Infinity;
    const windowMs = options.catchUpWindowMs ?? DEFAULT_PEER_TUNING.catchUpMaxAgeMs;
    const resumeSettleMs = options.resumeSettleMs ?? DEFAULT_RESUME_SETTLE_MS;
    let resumed = 0;
    let expected = 0;
    let delivered = 0;
    let counted = 0;
    let incomplete = 0;
    const times: number[] = [];
    for (const message of generated) {
      if (message.ts > cutoff) continue;
      const originOutages = this.#peerAt.get(message.origin)?.outages ?? [];
      if (
        originOutages.some((o) =>
          o.fromTs <= message.ts && unsettled(o, message.ts, resumeSettleMs)
        )
      ) {
        resumed++;
        continue;
      }
      counted++;
      let want = 0;
      let got = 0;
      let last = message.ts;
      for (const peer of peers) {
        if (peer.address === message.origin) continue;
        const onTime = isExpected(peer, message.ts, resumeSettleMs);
        if (!onTime && !isLateJoiner(peer, message.ts, windowMs)) continue;
        want++;
        const receipt = peer.receipts.get(message.key);
        if (receipt === undefined) continue;
        got++;
        if (onTime && !receipt.catchUp) last = Math.max(last, receipt.ts);
      }
      expected += want;
      delivered += got;
      if (got < want) incomplete++;
      else if (want > 0) times.push(last - message.ts);
    }
    times.sort((a, b) => a - b);
    const names = new Map(this.#nodes.map((n) => [n.address, n.name]));
    const named = (peer: string): DeadPeer => {
      const name = names.get(peer);
      return name === undefined ? { peer } : { peer, name };
    };
    const removals: Removal[] = [...this.#removedBy].sort(([a], [b]) => a.localeCompare(b))
      .map(([peer, seeds]) => ({ ...named(peer), seeds: seeds.size }));
    return {
      seeds: this.#nodes.length - peers.length,
      peers: peers.length,
      messages: counted,
      unsettledMessages: generated.length - counted - resumed,
      resumedMessages: resumed,
      resumeSettleMs,
      settleMs,
      expected,
      delivered,
      delivery: expected === 0 ? undefined : delivered / expected,
      incompleteMessages: incomplete,
      disseminationTimesMs: times,
      dissemination: times.length === 0 ? undefined : {
        p50Ms: percentile(times, 50),
        p99Ms: percentile(times, 99),
        maxMs: times[times.length - 1] as number,
        messages: times.length,
      },
      deadReportsSent: this.#sent,
      deadReportsReceived: this.#received,
      reportedDead: [...this.#reported].sort().map(named),
      removals,
      removalsRejected: this.#rejected.filter((r) => r.alive && r.ts < stopTs).length,
      removalsUndecided: this.#rejected.filter((r) => !r.alive && r.ts < stopTs).length,
      neverJoined: peers.filter((p) => !p.lifetimes.some((l) => joinedTs(l) !== undefined))
        .map((p) => p.address),
    };
  }
}

/**
 * Summarises a run from its nodes' log records.
 *
 * @example Usage
 * ```ts
 * import { summarizeRun } from "./summary.ts";
 * const summary = summarizeRun([], {});
 * summary.delivery; // undefined: nothing was expected
 * ```
 */
export function summarizeRun(
  nodes: readonly RunNode[],
  options: SummaryOptions = {},
): RunSummary {
  const index = new RunIndex(nodes);
  for (const node of nodes) for (const record of node.records) index.add(node.address, record);
  return index.summarize(options);
}
