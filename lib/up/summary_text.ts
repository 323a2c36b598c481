/**
 * The end-of-run summary as text for people. Pure: the numbers come from
 * `summary.ts`, this only words them (and states what "expected" means, so
 * the percentage can be judged).
 *
 * @module
 */

import type { DeadPeer, RunSummary } from "./summary.ts";
import type { TrafficTotals } from "./traffic.ts";

/** Options for {@linkcode formatSummary}. */
export interface SummaryTextOptions {
  /** How long the run lasted, in ms. */
  elapsedMs?: number;
  /** Where the logs are, shown last. */
  logDir?: string;
  /** Peer traffic totals, when the peers reported them. */
  traffic?: TrafficTotals;
  /** Seeds in the run, for "removed by k of n seeds". */
  seedCount?: number;
  /** Wrap headings in these (e.g. bold); identity by default. */
  heading?: (text: string) => string;
  /** Wrap lines longer than this at spaces, indented under their figure. @default {Infinity} */
  width?: number;
}

/** Splits `text` at spaces into pieces of at most `width` characters (longer words stay whole). */
function wrapText(text: string, width: number): string[] {
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

/**
 * Formats a delivery ratio as a percentage that never rounds up to 100%.
 *
 * @example Usage
 * ```ts
 * import { formatPercent } from "./summary_text.ts";
 * formatPercent(1); // "100%"
 * formatPercent(0.99996); // "99.9%"
 * ```
 */
export function formatPercent(ratio: number): string {
  if (ratio >= 1) return "100%";
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
}

/**
 * Formats a duration in ms for people: sub-ms precision for small values.
 *
 * @example Usage
 * ```ts
 * import { formatMs } from "./summary_text.ts";
 * formatMs(2.345); // "2.35 ms"
 * formatMs(1234); // "1.23 s"
 * ```
 */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function who(peer: DeadPeer): string {
  return peer.name === undefined ? peer.peer : `${peer.name} (${peer.peer})`;
}

function bytes(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function deliveryLines(s: RunSummary): string[] {
  const lines = s.delivery === undefined
    ? [`no gossip to count (${count(s.messages, "message")}, no peer expected to receive any)`]
    : [
      `${formatPercent(s.delivery)} (${s.delivered} of ${s.expected} expected first receipts` +
      `, ${count(s.messages, "message")})`,
      "expected = each message × the peers that had joined (registered and linked) " +
      "before it was generated and were not killed or paused by up afterwards",
    ];
  if (s.incompleteMessages > 0) {
    lines.push(`${count(s.incompleteMessages, "message")} missed at least one expected peer`);
  }
  if (s.unsettledMessages > 0) {
    lines.push(
      `${count(s.unsettledMessages, "message")} generated in the last ${s.settleMs / 1000}s ` +
        `before the stop not counted (still spreading)`,
    );
  }
  if (s.resumedMessages > 0) {
    lines.push(
      `${count(s.resumedMessages, "message")} generated within ${s.resumeSettleMs / 1000}s ` +
        `of its origin's resume not counted (its links were stale)`,
    );
  }
  if (s.neverJoined.length > 0) {
    lines.push(`peers that never joined the overlay: ${s.neverJoined.join(", ")}`);
  }
  return lines;
}

/**
 * The summary, one labelled line per figure.
 *
 * @example Usage
 * ```ts
 * import { summarizeRun } from "./summary.ts";
 * import { formatSummary } from "./summary_text.ts";
 * formatSummary(summarizeRun([])).startsWith("Summary"); // true
 * ```
 */
export function formatSummary(summary: RunSummary, options: SummaryTextOptions = {}): string {
  const heading = options.heading ?? ((text: string) => text);
  const elapsed = options.elapsedMs === undefined
    ? ""
    : `, ran ${(options.elapsedMs / 1000).toFixed(1)} s`;
  const rows: Array<[string, string[]]> = [["delivery", deliveryLines(summary)]];
  const d = summary.dissemination;
  rows.push([
    "dissemination",
    [
      d === undefined
        ? "no complete message to time"
        : `p50 ${formatMs(d.p50Ms)}, p99 ${formatMs(d.p99Ms)}, max ${formatMs(d.maxMs)} ` +
          `(${count(d.messages, "message")}, generation to last first receipt)`,
    ],
  ]);
  const about = summary.reportedDead.length === 0
    ? ""
    : ` about ${summary.reportedDead.map(who).join(", ")}`;
  rows.push([
    "dead reports",
    [
      `${summary.deadReportsSent} sent by peers${about}; ` +
      `${summary.deadReportsReceived} received by seeds`,
    ],
  ]);
  const of = options.seedCount === undefined ? "" : ` of ${options.seedCount}`;
  const removals = summary.removals.map((r) =>
    `${who(r)} removed by ${r.seeds}${of} ${r.seeds === 1 && of === "" ? "seed" : "seeds"}`
  );
  if (summary.removalsRejected > 0) {
    removals.push(`${count(summary.removalsRejected, "removal")} rejected (the peer answered)`);
  }
  rows.push(["removals", removals.length === 0 ? ["none"] : removals]);
  const t = options.traffic;
  if (t !== undefined && t.peers > 0) {
    rows.push([
      "traffic",
      [
        `${t.framesSent} frames / ${bytes(t.bytesSent)} sent by ${count(t.peers, "peer")}, ` +
        `${t.duplicates} duplicate gossip; peak RSS of a peer ${bytes(t.maxPeakRssBytes)}`,
      ],
    ]);
  }
  if (options.logDir !== undefined) rows.push(["logs", [options.logDir]]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const room = Math.max(20, (options.width ?? Infinity) - width - 2);
  const body = rows.flatMap(([label, lines]) =>
    lines.flatMap((line) => wrapText(line, room)).map((line, i) =>
      `  ${(i === 0 ? label : "").padEnd(width)}${line}`
    )
  );
  const title = heading(
    `Summary: ${count(summary.seeds, "seed")}, ${count(summary.peers, "peer")}${elapsed}`,
  );
  return [title, ...body].join("\n") + "\n";
}
