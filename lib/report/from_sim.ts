/**
 * Fills a {@linkcode ReportData} from a `gossipnet sim --out` file, so a
 * simulation is reported the same way as an `up` run. The file is checked
 * only as far as the report reads it; anything else gets one clear error.
 *
 * @module
 */

import type { SimResult, SimResultReport } from "../sim/sim_result.ts";
import { SIM_RESULT_FORMAT } from "../sim/sim_result.ts";
import type { ReportData, ReportMessage } from "./model.ts";

/** Whether parsed JSON claims to be a sim result file. */
export function isSimResult(value: unknown): value is SimResult {
  return typeof value === "object" && value !== null &&
    (value as { format?: unknown }).format === SIM_RESULT_FORMAT;
}

function reportPart(result: SimResult): SimResultReport {
  const r = (result as { report?: unknown }).report as Partial<SimResultReport> | undefined;
  const lists = ["nodes", "links", "degrees", "messages", "disseminationMs", "timeline", "removed"];
  if (
    typeof r !== "object" || r === null || typeof r.startTs !== "number" ||
    typeof r.endTs !== "number" ||
    lists.some((k) => !Array.isArray((r as Record<string, unknown>)[k]))
  ) {
    throw new TypeError("its report section is missing or malformed");
  }
  return r as SimResultReport;
}

/**
 * The report of a simulation, from its result file's parsed JSON.
 * Throws a `TypeError` naming what is wrong when the file lacks report data.
 *
 * @example Usage
 * ```ts ignore
 * import { reportFromSimResult } from "./from_sim.ts";
 * const data = reportFromSimResult(JSON.parse(Deno.readTextFileSync("r.json")));
 * ```
 */
export function reportFromSimResult(result: SimResult): ReportData {
  const r = reportPart(result);
  const n = result.network;
  const messages: ReportMessage[] = r.messages.map((m) => ({
    origin: m.origin,
    seq: m.seq,
    ts: m.ts,
    receipts: (m.offsetsMs ?? []).map((off) => m.ts + off),
  }));
  const jitter = n.jitterMs > 0 ? ` ± ${n.jitterMs} ms jitter` : "";
  const bandwidth = n.bandwidthBps > 0 ? `, ${n.bandwidthBps} bit/s per link` : "";
  const notes = [
    `simulated in virtual time (random seed ${n.seed}; ${n.events} events); times count from the fixed ` +
    `epoch ${new Date(r.startTs).toISOString()}`,
    `${result.join.joined} of ${result.join.started} peers registered with a seed majority`,
    `duplicates: ${result.duplicates.perMessage ?? "n/a"} per message; 2E − 2(N−1) = ` +
    `${result.duplicates.theory}`,
    `false removals: ${result.falseRemovals}`,
    ...r.omitted.map((o) => `left out of the result file: ${o}`),
  ];
  return {
    title: `simulation (random seed ${n.seed}): ${n.seeds} seeds and ${n.peers} peers, ` +
      `${n.latencyMs} ms latency${jitter}${bandwidth}`,
    source: "simulation",
    startTs: r.startTs,
    endTs: r.endTs,
    nodes: r.nodes,
    links: r.links,
    ...(r.nodes.length === 0 ? { degrees: r.degrees } : {}),
    messages,
    timeline: r.timeline,
    summary: {
      seeds: n.seeds,
      peers: n.peers,
      messages: result.delivery.messages,
      expected: result.delivery.expected,
      delivered: result.delivery.received,
      disseminationMs: r.disseminationMs,
      deadReports: r.deadReports,
      removed: r.removed,
      notes,
    },
  };
}
