/**
 * A run report's data from an `up` log directory (or any set of node logs):
 * the final overlay, the messages and their receipts, the membership
 * timeline and the summary, by the same definitions as `up`'s summary.
 *
 * @module
 */

import type { RunLogs } from "../up/run_logs.ts";
import { type RunRecord, textField } from "../up/records.ts";
import { type RunNode, summarizeRun } from "../up/summary.ts";
import type { FinalState, ReportData, ReportMessage, ReportNode, TimelineEntry } from "./model.ts";

/** Options for {@linkcode reportFromRunLogs}. */
export interface FromLogsOptions {
  /** The report's title (e.g. the log directory). */
  title: string;
}

function nameOf(node: RunNode, index: number, seeds: number): string {
  if (node.name !== undefined && node.name !== "") return node.name;
  return node.role === "seed" ? `s${index + 1}` : `p${index - seeds + 1}`;
}

/** How a node ended; a node that stopped with everyone at the end of the run was up. */
function finalState(node: RunNode, removed: ReadonlySet<string>, stopTs: number): FinalState {
  const last = node.outages?.[node.outages.length - 1];
  const open = last !== undefined && last.toTs === undefined;
  if (open && last.kind === "kill") return removed.has(node.address) ? "removed" : "killed";
  if (removed.has(node.address)) return "removed";
  if (open && last.kind === "pause") return "paused";
  return node.records.some((r) => r.event === "stopping" && r.ts < stopTs) ? "left" : "up";
}

/** A peer's neighbours at the end of its last process lifetime. */
function finalNeighbors(records: readonly RunRecord[]): Set<string> {
  let neighbors = new Set<string>();
  for (const record of records) {
    if (record.event === "listening") neighbors = new Set();
    const neighbor = textField(record, "neighbor");
    if (neighbor === undefined) continue;
    if (record.event === "neighbor_connected") neighbors.add(neighbor);
    else if (record.event === "neighbor_lost") neighbors.delete(neighbor);
  }
  return neighbors;
}

/** Builds the report's data from a run's logs. */
export function reportFromRunLogs(logs: RunLogs, options: FromLogsOptions): ReportData {
  const nodes = logs.nodes;
  const seeds = nodes.filter((n) => n.role === "seed").length;
  const names = new Map(nodes.map((n, i) => [n.address, nameOf(n, i, seeds)]));
  const name = (address: string) => names.get(address) ?? address;
  const stopTs = logs.manifest?.stopTs;
  const summary = summarizeRun(nodes, stopTs === undefined ? {} : { stopTs });
  const removedAddresses = new Set(summary.removals.map((r) => r.peer));
  const reportNodes: ReportNode[] = nodes.map((n) => ({
    name: name(n.address),
    role: n.role,
    address: n.address,
    finalState: finalState(n, removedAddresses, stopTs ?? Infinity),
  }));
  const gone = new Set(
    reportNodes.filter((n) => n.finalState === "killed" || n.finalState === "removed")
      .map((n) => n.address),
  );

  const links = new Map<string, [string, string]>();
  const messages = new Map<
    string,
    { origin: string; seq: string; ts: number; receipts: number[] }
  >();
  const timeline: TimelineEntry[] = [];
  const removalVotes = new Map<string, { peer: string; yes: string[]; no: string[]; ts: number }>();
  const removalShown = new Set<string>();
  let startTs = Infinity;
  let endTs = -Infinity;
  const all: Array<{ node: RunNode; record: RunRecord }> = [];
  for (const node of nodes) {
    const self = name(node.address);
    if (node.role === "peer" && !gone.has(node.address)) {
      for (const other of finalNeighbors(node.records)) {
        const pair: [string, string] = [self, name(other)].sort() as [string, string];
        links.set(pair.join(" "), pair);
      }
    }
    for (const record of node.records) all.push({ node, record });
    for (const outage of node.outages ?? []) {
      if (outage.kind !== "kill") continue;
      timeline.push({ ts: outage.fromTs, kind: "death", text: `${self} killed` });
    }
  }
  // In time order across nodes: a removal is shown once, until the peer registers again.
  all.sort((a, b) => a.record.ts - b.record.ts);
  {
    for (const { node, record } of all) {
      const self = name(node.address);
      startTs = Math.min(startTs, record.ts);
      endTs = Math.max(endTs, record.ts);
      const peer = () => name(textField(record, "peer") ?? textField(record, "dead") ?? "?");
      switch (record.event) {
        case "joined":
          timeline.push({ ts: record.ts, kind: "join", text: `${self} joined` });
          break;
        case "gossip_generated":
        case "gossip_received": {
          const text = textField(record, "message");
          const origin = textField(record, "origin") ?? node.address;
          if (text === undefined) break;
          const key = `${origin} ${text}`;
          let m = messages.get(key);
          if (!m) {
            m = {
              origin: name(origin),
              seq: text.slice(text.lastIndexOf(":") + 1),
              ts: record.ts,
              receipts: [],
            };
            messages.set(key, m);
          }
          if (record.event === "gossip_generated") m.ts = record.ts;
          else m.receipts.push(record.ts);
          break;
        }
        case "dead_node_reported":
          timeline.push({ ts: record.ts, kind: "report", text: `${self} reports ${peer()} dead` });
          break;
        case "removal_proposed":
          if (textField(record, "reason") === "dead") {
            const id = textField(record, "proposal") ?? "";
            removalVotes.set(id, { peer: peer(), yes: [], no: [], ts: record.ts });
          }
          break;
        case "vote": {
          const round = removalVotes.get(textField(record, "proposal") ?? "");
          if (!round) break;
          const voter = name(textField(record, "voter") ?? "?");
          (textField(record, "answer") === "yes" ? round.yes : round.no).push(voter);
          round.ts = record.ts;
          break;
        }
        case "peer_removed": {
          if (textField(record, "reason") !== "dead" || removalShown.has(peer())) break;
          removalShown.add(peer());
          timeline.push({ ts: record.ts, kind: "removal", text: `${peer()} removed as dead` });
          break;
        }
        case "peer_registered":
          removalShown.delete(peer());
          break;
      }
    }
  }
  for (const round of removalVotes.values()) {
    const no = round.no.length > 0 ? `; no: ${round.no.sort().join(", ")}` : "";
    timeline.push({
      ts: round.ts,
      kind: "vote",
      text: `seeds vote on removing ${round.peer}: yes ${
        round.yes.sort().join(", ") || "none"
      }${no}`,
    });
  }
  timeline.sort((a, b) => a.ts - b.ts);
  const reportMessages: ReportMessage[] = [...messages.values()]
    .map((m) => ({ ...m, receipts: m.receipts.sort((a, b) => a - b) }))
    .sort((a, b) => a.ts - b.ts);
  return {
    title: options.title,
    startTs: Number.isFinite(startTs) ? startTs : 0,
    endTs: Number.isFinite(endTs) ? endTs : 0,
    nodes: reportNodes,
    links: [...links.values()],
    messages: reportMessages,
    timeline,
    summary: {
      seeds: summary.seeds,
      peers: summary.peers,
      messages: summary.messages,
      expected: summary.expected,
      delivered: summary.delivered,
      disseminationMs: summary.disseminationTimesMs,
      deadReports: summary.deadReportsSent,
      removed: summary.removals.map((r) => name(r.peer)),
      notes: [],
    },
  };
}
