/**
 * What a simulation run comes to, as numbers (the `--out` file) and as text
 * shaped like `up`'s summary. Everything here derives from virtual time and
 * the seeded run, never from wall time, so one seed gives byte-identical
 * output.
 *
 * @module
 */

import { fitPowerLaw } from "../stats/power_law.ts";
import { MessageType } from "../wire/message_types.ts";
import type { Simulation } from "./simulation.ts";
import { wrapText } from "../util/wrap_text.ts";

const SUMMARY_WIDTH = 80;

/** Figures of one run. Times are virtual ms. */
export interface SimSummary {
  readonly network: {
    readonly seeds: number;
    readonly peers: number;
    readonly seed: number;
    readonly latencyMs: number;
    readonly jitterMs: number;
    readonly bandwidthBps: number;
    readonly untilMs: number;
    readonly events: number;
  };
  readonly join: {
    /** Peers started (initial and churn joins). */
    readonly started: number;
    /** Peers registered with a seed majority. */
    readonly joined: number;
    /** When the last initial peer joined; null if one never did. */
    readonly allJoinedMs: number | null;
  };
  readonly delivery: {
    readonly messages: number;
    /** Receipts expected: each message's running, joined peers other than its origin. */
    readonly expected: number;
    readonly received: number;
    /** received / expected (1 when nothing was expected). */
    readonly ratio: number;
  };
  readonly dissemination: { readonly p50Ms: number | null; readonly p99Ms: number | null };
  /** Hops by which a message reached 50, 90 and 100% of its expected receivers (median over messages). */
  readonly hops: {
    readonly to50: number | null;
    readonly to90: number | null;
    readonly to100: number | null;
  };
  readonly duplicates: {
    /** Duplicate receipts per flood message, as the peers' Message Lists counted them. */
    readonly perMessage: number | null;
    /** 2E − 2(N−1) for the overlay as it stood when the floods began. */
    readonly theory: number;
    readonly edges: number;
    readonly peers: number;
  };
  readonly degrees: {
    readonly max: number;
    readonly median: number;
    /** Power-law exponent by maximum likelihood; null when too few peers to fit. */
    readonly exponent: number | null;
    readonly kMin: number | null;
  };
  readonly killed: {
    readonly count: number;
    readonly detected: number;
    readonly removed: number;
    /** Kill to first Dead Node report. */
    readonly detectionP50Ms: number | null;
    readonly detectionMaxMs: number | null;
    /** Kill to removal by a seed majority. */
    readonly removalP50Ms: number | null;
    readonly removalMaxMs: number | null;
  };
  /** Running peers a seed majority removed as dead. */
  readonly falseRemovals: number;
  readonly left: { readonly count: number; readonly removed: number };
  readonly consensus: {
    readonly registrations: number;
    readonly removals: number;
    readonly rejected: number;
    readonly votes: number;
  };
  /** What crossed the simulated network: where a run's work goes. */
  readonly traffic: {
    readonly frames: number;
    readonly bytes: number;
    /** Frames by message kind, most first (ties by name). */
    readonly byKind: ReadonlyArray<{ readonly kind: string; readonly frames: number }>;
  };
}

// "DegreeUpdate" -> "degree_update", as message kinds are spelled.
const KIND_BY_TYPE: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, type] of Object.entries(MessageType)) {
    names[type] = name.replace(/(?<=[a-z])(?=[A-Z])/g, "_").toLowerCase();
  }
  return names;
})();

function trafficOf(sim: Simulation): SimSummary["traffic"] {
  const stats = sim.network.stats;
  const byKind: { kind: string; frames: number }[] = [];
  let frames = 0;
  stats.framesByType.forEach((count, type) => {
    if (!count) return;
    frames += count;
    byKind.push({
      kind: KIND_BY_TYPE[type] ?? (type === 0 ? "unparsed" : `type ${type}`),
      frames: count,
    });
  });
  byKind.sort((a, b) => b.frames - a.frames || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return { frames, bytes: stats.bytes, byKind };
}

/** The value at rank `q` (0..1) of ascending `sorted`, nearest rank; null when empty. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

function ascending(values: number[]): number[] {
  return values.sort((a, b) => a - b);
}

// Virtual times carry float jitter; two decimals keep output stable and readable.
function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}

/** Hops at which `receipts` cover `share` of `expected` receivers; null if they never do. */
export function hopsToCover(
  hops: readonly number[],
  expected: number,
  share: number,
): number | null {
  if (expected === 0) return 0;
  const need = Math.ceil(share * expected);
  const sorted = ascending(hops.slice());
  return need <= sorted.length ? sorted[need - 1] as number : null;
}

/** Computes the summary of a finished run. */
export function summarize(sim: Simulation): SimSummary {
  const o = sim.options;
  const c = sim.collector;
  const flat: number[] = [];
  const to: { 50: number[]; 90: number[]; 100: (number | null)[] } = { 50: [], 90: [], 100: [] };
  let expected = 0;
  let received = 0;
  for (const flood of sim.floods) {
    const receipts = c.receipts.get(flood.id);
    expected += flood.expected;
    received += Math.min(receipts?.length ?? 0, flood.expected);
    const hops = receipts?.hops ?? [];
    for (const afterMs of receipts?.afterMs ?? []) flat.push(afterMs);
    to[50].push(hopsToCover(hops, flood.expected, 0.5) ?? Infinity);
    to[90].push(hopsToCover(hops, flood.expected, 0.9) ?? Infinity);
    to[100].push(hopsToCover(hops, flood.expected, 1));
  }
  ascending(flat);
  const medianHops = (values: number[]) => {
    const m = percentile(ascending(values), 0.5);
    return m === null || !Number.isFinite(m) ? null : m;
  };
  const full = to[100].filter((h): h is number => h !== null);
  const shot = sim.snapshots[0];
  const degrees = shot ? ascending(shot.degrees.slice()) : [];
  const fit = degrees.length >= 10 ? fitPowerLaw(degrees) : undefined;
  const detection: number[] = [];
  const removal: number[] = [];
  for (const [key, at] of sim.killed) {
    const trace = c.removals.get(key);
    if (trace?.reportedAt !== undefined) detection.push(trace.reportedAt - at);
    if (trace?.removedAt !== undefined) removal.push(trace.removedAt - at);
  }
  let falseRemovals = 0;
  for (const [key, trace] of c.removals) {
    if (trace.removedAt !== undefined && !sim.killed.has(key) && !sim.left.has(key)) {
      falseRemovals++;
    }
  }
  let leftRemoved = 0;
  for (const key of sim.left) if (c.leftRemovals.has(key)) leftRemoved++;
  const initial = sim.nodes.filter((n) => n.kind === "peer").slice(0, o.peers);
  const joinTimes = initial.map((n) => c.joinedAt.get(n.key));
  const allJoined = joinTimes.every((t) => t !== undefined)
    ? Math.max(0, ...joinTimes as number[])
    : null;
  const floods = sim.floods.length;
  return {
    network: {
      seeds: sim.seedAddresses.length,
      peers: o.peers,
      seed: o.seed ?? 1,
      latencyMs: o.latencyMs ?? 20,
      jitterMs: o.jitterMs ?? 0,
      bandwidthBps: o.bandwidthBps ?? 0,
      untilMs: sim.timeline.untilMs,
      events: sim.clock.events,
    },
    join: {
      started: sim.nodes.filter((n) => n.kind === "peer").length,
      joined: c.joinedAt.size,
      allJoinedMs: round(allJoined),
    },
    delivery: {
      messages: floods,
      expected,
      received,
      ratio: expected === 0 ? 1 : received / expected,
    },
    dissemination: { p50Ms: round(percentile(flat, 0.5)), p99Ms: round(percentile(flat, 0.99)) },
    hops: {
      to50: medianHops(to[50]),
      to90: medianHops(to[90]),
      to100: full.length === to[100].length ? medianHops(full) : null,
    },
    duplicates: {
      perMessage: floods === 0 ? null : round(sim.floodDuplicates / floods),
      theory: shot ? 2 * shot.edges - 2 * (shot.peers - 1) : 0,
      edges: shot?.edges ?? 0,
      peers: shot?.peers ?? 0,
    },
    degrees: {
      max: degrees.at(-1) ?? 0,
      median: percentile(degrees, 0.5) ?? 0,
      exponent: fit ? round(fit.alpha) : null,
      kMin: fit?.kMin ?? null,
    },
    killed: {
      count: sim.killed.size,
      detected: detection.length,
      removed: removal.length,
      detectionP50Ms: round(percentile(ascending(detection), 0.5)),
      detectionMaxMs: round(detection.at(-1) ?? null),
      removalP50Ms: round(percentile(ascending(removal), 0.5)),
      removalMaxMs: round(removal.at(-1) ?? null),
    },
    falseRemovals,
    left: { count: sim.left.size, removed: leftRemoved },
    consensus: {
      registrations: c.count("registration_proposed"),
      removals: c.count("removal_proposed"),
      rejected: c.count("registration_rejected") + c.count("removal_rejected"),
      votes: c.count("vote"),
    },
    traffic: trafficOf(sim),
  };
}

function ms(value: number | null): string {
  return value === null ? "n/a" : `${value} ms`;
}

function percent(ratio: number): string {
  if (ratio >= 1) return "100%";
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
}

// "3142093 frames, 211.4 MiB: ping 19.1%, pong 19.1%, ..." (the six largest kinds).
function trafficText(t: SimSummary["traffic"]): string {
  const share = (n: number) =>
    `${(Math.round((1000 * n) / Math.max(1, t.frames)) / 10).toFixed(1)}%`;
  const top = t.byKind.slice(0, 6).map((k) => `${k.kind} ${share(k.frames)}`);
  const rest = t.byKind.slice(6).reduce((sum, k) => sum + k.frames, 0);
  if (rest > 0) top.push(`${t.byKind.length - 6} other kinds ${share(rest)}`);
  const mib = (t.bytes / 1024 / 1024).toFixed(1);
  return `${t.frames} frames, ${mib} MiB${top.length > 0 ? `: ${top.join(", ")}` : ""}`;
}

/** The summary as text for people (virtual times only: stable for one seed). */
export function formatSimSummary(s: SimSummary): string {
  const n = s.network;
  const lines = [
    `Simulated ${count(n.seeds, "seed")} and ${
      count(n.peers, "peer")
    } for ${n.untilMs} virtual ms ` +
    `(seed ${n.seed}; latency ${n.latencyMs} ms, jitter ${n.jitterMs} ms` +
    `${n.bandwidthBps > 0 ? `, ${n.bandwidthBps} bit/s per link` : ""}; ${n.events} events)`,
    `  join:          ${s.join.joined} of ${s.join.started} peers registered with a seed majority` +
    (s.join.allJoinedMs === null
      ? " (not all initial peers)"
      : `, the last at ${s.join.allJoinedMs} ms`),
    `  delivery:      ${
      percent(s.delivery.ratio)
    } (${s.delivery.received} of ${s.delivery.expected} ` +
    `expected receipts of ${count(s.delivery.messages, "message")})`,
    `  dissemination: p50 ${ms(s.dissemination.p50Ms)}, p99 ${ms(s.dissemination.p99Ms)}`,
    `  hops:          50% by ${s.hops.to50 ?? "n/a"}, 90% by ${s.hops.to90 ?? "n/a"}, 100% by ${
      s.hops.to100 ?? "n/a (not every message reached everyone)"
    }`,
    `  duplicates:    ${s.duplicates.perMessage ?? "n/a"} per message; 2E − 2(N−1) = ` +
    `${s.duplicates.theory} (E = ${s.duplicates.edges}, N = ${s.duplicates.peers})`,
    `  degrees:       max ${s.degrees.max}, median ${s.degrees.median}, power-law exponent ${
      s.degrees.exponent === null ? "n/a" : `${s.degrees.exponent} (MLE, k ≥ ${s.degrees.kMin})`
    }`,
  ];
  const k = s.killed;
  if (k.count > 0) {
    lines.push(
      `  killed:        ${k.count} peers; ${k.detected} reported dead (p50 ${
        ms(k.detectionP50Ms)
      }, max ${ms(k.detectionMaxMs)}), ${k.removed} removed by a seed majority (p50 ${
        ms(k.removalP50Ms)
      }, max ${ms(k.removalMaxMs)})`,
    );
  }
  if (s.left.count > 0) {
    lines.push(
      `  left:          ${s.left.count} peers left cleanly; ${s.left.removed} removed as left`,
    );
  }
  lines.push(
    `  false removals: ${s.falseRemovals}`,
    `  consensus:     ${s.consensus.registrations} registrations and ${s.consensus.removals} ` +
      `removals proposed, ${s.consensus.rejected} rejected, ${s.consensus.votes} votes`,
    `  traffic:       ${trafficText(s.traffic)}`,
  );
  return lines.flatMap(fitLine).join("\n") + "\n";
}

// Lines fit 80 columns, wrapped under their figure as up's summary is
// (the heading line under its second character).
function fitLine(line: string): string[] {
  if (line.length <= SUMMARY_WIDTH) return [line];
  const label = /^ +[^:]+: +/.exec(line)?.[0] ?? "";
  const indent = label === "" ? 2 : label.length;
  const first = wrapText(line.slice(label.length), SUMMARY_WIDTH - label.length);
  const [head, ...rest] = first;
  const tail = wrapText(rest.join(" "), SUMMARY_WIDTH - indent);
  return [label + head!, ...(rest.length > 0 ? tail.map((t) => " ".repeat(indent) + t) : [])];
}

// "1 seed", "3 seeds".
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
