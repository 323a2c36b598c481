/**
 * The `gossipnet sim --out` file: the summary's figures plus what
 * `gossipnet report` draws (nodes, the overlay at the end, each message's
 * receipts, the membership timeline). Times are virtual ms on a fixed
 * epoch, so one seed gives a byte-identical file; big runs are cut to the
 * limits below and the file says what was left out.
 *
 * @module
 */

import { type SimSummary, summarize } from "./sim_summary.ts";
import type { Simulation } from "./simulation.ts";

/** Marks a sim result file (so `report` tells it from other JSON). */
export const SIM_RESULT_FORMAT = "gossipnet-sim-result";

/**
 * Virtual time 0 as Unix ms (2000-01-01T00:00:00Z): fixed, so `ts` fields
 * read as dates yet never depend on when the run happened.
 */
export const SIM_EPOCH_MS = Date.UTC(2000, 0, 1);

/** Limits that bound the file's size for large runs. */
export const SIM_RESULT_LIMITS = {
  /** Nodes (seeds + peers started) up to which nodes and overlay links are listed (a drawing of more is a blob). */
  nodes: 500,
  /** Receipt offsets kept over all messages; later messages keep counts only. */
  receipts: 100_000,
  /** Individual join entries; above it joins are counted per virtual second. */
  joins: 500,
  /** Death, report and removal entries (each kind). */
  events: 2000,
} as const;

/** One simulated node, as the report shows it. */
export interface SimResultNode {
  readonly name: string;
  readonly role: "seed" | "peer";
  readonly address: string;
  readonly finalState: "up" | "killed" | "removed" | "left";
}

/** One flood message. */
export interface SimResultMessage {
  readonly origin: string;
  readonly seq: string;
  /** Generation time, Unix ms on {@linkcode SIM_EPOCH_MS}. */
  readonly ts: number;
  /** Running joined peers other than the origin when it was generated. */
  readonly expected: number;
  /** First receipts counted. */
  readonly received: number;
  /** ms after generation of each first receipt, ascending; absent past the receipt limit. */
  readonly offsetsMs?: readonly number[];
}

/** One membership event. */
export interface SimResultEvent {
  readonly ts: number;
  readonly kind: "join" | "death" | "report" | "removal";
  readonly text: string;
}

/** The part of the file `gossipnet report` reads. */
export interface SimResultReport {
  readonly epochMs: number;
  readonly startTs: number;
  readonly endTs: number;
  /** Empty when the run had more nodes than the limit (see `omitted`). */
  readonly nodes: readonly SimResultNode[];
  readonly links: ReadonlyArray<readonly [string, string]>;
  /** Running joined peers' degrees in the final overlay, ascending (always complete). */
  readonly degrees: readonly number[];
  readonly messages: readonly SimResultMessage[];
  /** ms to the last expected first receipt of every complete message, ascending. */
  readonly disseminationMs: readonly number[];
  readonly timeline: readonly SimResultEvent[];
  readonly deadReports: number;
  /** Peer names a seed majority removed as dead. */
  readonly removed: readonly string[];
  /** What the file leaves out, as sentences. */
  readonly omitted: readonly string[];
}

/** The whole `--out` file. */
export type SimResult = SimSummary & {
  readonly format: typeof SIM_RESULT_FORMAT;
  readonly report: SimResultReport;
};

/** Names listed in one timeline entry of peers that joined at the same instant. */
const JOIN_NAMES_SHOWN = 12;

// Virtual times carry float jitter; two decimals keep the file stable.
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The result file's content for a finished run.
 *
 * @example Usage
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * import { simResult } from "./sim_result.ts";
 * const sim = new Simulation({ seeds: 3, peers: 10, untilMs: 8000 });
 * await sim.run();
 * simResult(sim).report.nodes.length; // 13
 * ```
 */
export function simResult(sim: Simulation, summary: SimSummary = summarize(sim)): SimResult {
  const c = sim.collector;
  const at = (ms: number) => SIM_EPOCH_MS + round(ms);
  const omitted: string[] = [];
  // Names as in `up`: s1.. for seeds, p1.. for peers in start order.
  const names = new Map<string, string>();
  let seeds = 0;
  let peers = 0;
  for (const n of sim.nodes) {
    names.set(n.key, n.kind === "seed" ? `s${++seeds}` : `p${++peers}`);
  }
  const name = (key: string) => names.get(key) ?? key;
  const removedKeys = [...c.removals].filter(([, t]) => t.removedAt !== undefined).map(([k]) => k);
  const removedSet = new Set(removedKeys);

  // The final overlay among running joined peers, each link once.
  const live = sim.livePeers();
  const liveKeys = new Set(live.map((n) => n.key));
  const linkSet = new Set<string>();
  const degrees: number[] = [];
  for (const n of live) {
    const ends = (sim.peer(n.index)?.neighbors() ?? []).filter((x) => liveKeys.has(x.key));
    degrees.push(ends.length);
    for (const x of ends) {
      const [a, b] = [name(n.key), name(x.key)].sort(byText) as [string, string];
      linkSet.add(`${a} ${b}`);
    }
  }
  degrees.sort((a, b) => a - b);
  const listNodes = sim.nodes.length <= SIM_RESULT_LIMITS.nodes;
  const nodes: SimResultNode[] = [];
  let links: [string, string][] = [];
  if (listNodes) {
    for (const n of sim.nodes) {
      nodes.push({
        name: name(n.key),
        role: n.kind,
        address: n.key,
        finalState: removedSet.has(n.key)
          ? "removed"
          : n.state === "killed"
          ? "killed"
          : n.state === "left"
          ? "left"
          : "up",
      });
    }
    links = [...linkSet].sort(byText).map((l) => l.split(" ") as [string, string]);
  } else {
    omitted.push(
      `nodes and overlay links: ${sim.nodes.length} nodes is more than ${SIM_RESULT_LIMITS.nodes}` +
        ` (degrees are kept)`,
    );
  }

  const messages: SimResultMessage[] = [];
  const dissemination: number[] = [];
  const seqs = new Map<string, number>();
  let budget = SIM_RESULT_LIMITS.receipts;
  let cut = 0;
  for (const flood of sim.floods) {
    const offsets = (c.receipts.get(flood.id)?.afterMs ?? []).map(round)
      .sort((a, b) => a - b);
    const seq = (seqs.get(flood.origin) ?? 0) + 1;
    seqs.set(flood.origin, seq);
    if (flood.expected > 0 && offsets.length >= flood.expected) {
      dissemination.push(offsets[flood.expected - 1] as number);
    }
    const keep = offsets.length <= budget;
    if (keep) budget -= offsets.length;
    else cut++;
    messages.push({
      origin: name(flood.origin),
      seq: String(seq),
      ts: at(flood.atMs),
      expected: flood.expected,
      received: Math.min(offsets.length, flood.expected),
      ...(keep ? { offsetsMs: offsets } : {}),
    });
  }
  dissemination.sort((a, b) => a - b);
  if (cut > 0) {
    omitted.push(
      `receipt times of ${cut} of ${messages.length} messages (over ` +
        `${SIM_RESULT_LIMITS.receipts} receipts in all; their counts are kept)`,
    );
  }

  const timeline: SimResultEvent[] = [];
  const joins = [...c.joinedAt].sort(([, a], [, b]) => a - b);
  if (joins.length <= SIM_RESULT_LIMITS.joins) {
    // Seeds register peers in batches, so many join at one instant: one entry per instant.
    const instants = new Map<number, string[]>();
    for (const [key, ms] of joins) {
      const list = instants.get(ms);
      if (list) list.push(name(key));
      else instants.set(ms, [name(key)]);
    }
    for (const [ms, list] of instants) {
      const shown = list.slice(0, JOIN_NAMES_SHOWN).join(", ");
      const more = list.length > JOIN_NAMES_SHOWN
        ? ` and ${list.length - JOIN_NAMES_SHOWN} more`
        : "";
      const text = list.length === 1
        ? `${shown} joined`
        : `${list.length} peers joined: ${shown}${more}`;
      timeline.push({ ts: at(ms), kind: "join", text });
    }
  } else {
    const perSecond = new Map<number, number>();
    for (const [, ms] of joins) {
      const s = Math.floor(ms / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }
    for (const [s, count] of perSecond) {
      timeline.push({
        ts: at(s * 1000),
        kind: "join",
        text: `${count} peers joined in this second`,
      });
    }
    omitted.push(`single joins: ${joins.length} joins are counted per virtual second`);
  }
  const capped = (kind: SimResultEvent["kind"], entries: [number, string][]) => {
    entries.sort(([a], [b]) => a - b);
    for (const [ms, text] of entries.slice(0, SIM_RESULT_LIMITS.events)) {
      timeline.push({ ts: at(ms), kind, text });
    }
    if (entries.length > SIM_RESULT_LIMITS.events) {
      omitted.push(`${entries.length - SIM_RESULT_LIMITS.events} later ${kind} entries`);
    }
  };
  capped("death", [...sim.killed].map(([key, ms]) => [ms, `${name(key)} crashed`]));
  const reports: [number, string][] = [];
  const removals: [number, string][] = [];
  for (const [key, trace] of c.removals) {
    if (trace.reportedAt !== undefined) {
      reports.push([trace.reportedAt, `${name(key)} first reported dead`]);
    }
    if (trace.removedAt !== undefined) {
      removals.push([trace.removedAt, `${name(key)} removed as dead by a seed majority`]);
    }
  }
  capped("report", reports);
  capped("removal", removals);
  // By time, then kind; the stable sort keeps join order (and node order) within those.
  timeline.sort((a, b) => a.ts - b.ts || byText(a.kind, b.kind));
  omitted.push(
    `single votes (the simulator counts them: ${summary.consensus.votes}) and clean leaves ` +
      `(${summary.left.count} peers)`,
  );

  return {
    format: SIM_RESULT_FORMAT,
    ...summary,
    report: {
      epochMs: SIM_EPOCH_MS,
      startTs: SIM_EPOCH_MS,
      endTs: at(sim.timeline.untilMs),
      nodes,
      links,
      degrees,
      messages,
      disseminationMs: dissemination,
      timeline,
      deadReports: c.count("dead_node_reported"),
      removed: removedKeys.map(name).sort(byText),
      omitted,
    },
  };
}

/**
 * The file's text: the summary indented as before, the report section one
 * entry a line (offsets stay on their message's line), so big runs stay
 * small and diffs stay readable.
 *
 * @example Usage
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * import { formatSimResult, simResult } from "./sim_result.ts";
 * const sim = new Simulation({ seeds: 3, peers: 5, untilMs: 6000 });
 * await sim.run();
 * JSON.parse(formatSimResult(simResult(sim))).format; // "gossipnet-sim-result"
 * ```
 */
export function formatSimResult(result: SimResult): string {
  const { report, ...summary } = result;
  const head = JSON.stringify(summary, null, 2).replace(/\n}$/, "");
  const fields = Object.entries(report).map(([key, value]) => {
    const text = Array.isArray(value) && value.length > 0
      ? `[\n${value.map((v) => `      ${JSON.stringify(v)}`).join(",\n")}\n    ]`
      : JSON.stringify(value);
    return `    ${JSON.stringify(key)}: ${text}`;
  });
  return `${head},\n  "report": {\n${fields.join(",\n")}\n  }\n}\n`;
}
