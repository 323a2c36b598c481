/**
 * What the peers' traffic cost, from the `traffic` line each peer writes as
 * it stops (frames, bytes, duplicate gossip, peak memory). Pure.
 *
 * @module
 */

import { numberField } from "./records.ts";
import type { RunNode } from "./summary.ts";

/** Traffic totals from the peers' `traffic` lines (written when a peer stops). */
export interface TrafficTotals {
  /** Peers that reported traffic. */
  readonly peers: number;
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly duplicates: number;
  /** Most frames sent by one peer. */
  readonly maxFramesSent: number;
  /** Most bytes sent by one peer. */
  readonly maxBytesSent: number;
  /** Largest peak RSS of any peer, in bytes. */
  readonly maxPeakRssBytes: number;
  /** Sum of the peers' peak RSS (divide by `peers` for the mean), in bytes. */
  readonly sumPeakRssBytes: number;
  /** CPU time used by all peers, in ms (peers that could not tell are left out). */
  readonly cpuMs: number;
  /** CPU used by all peers after joining (exit minus `joined`), in ms. */
  readonly cpuAfterJoinMs: number;
  /** Sum of the peers' private resident memory at exit, in bytes. */
  readonly sumPrivateRssBytes: number;
}

/** Sums the peers' `traffic` lines (one per process lifetime, written as it stops). */
export function trafficTotals(nodes: readonly RunNode[]): TrafficTotals {
  const totals = {
    peers: 0,
    framesSent: 0,
    bytesSent: 0,
    duplicates: 0,
    maxFramesSent: 0,
    maxBytesSent: 0,
    maxPeakRssBytes: 0,
    sumPeakRssBytes: 0,
    cpuMs: 0,
    cpuAfterJoinMs: 0,
    sumPrivateRssBytes: 0,
  };
  for (const node of nodes) {
    if (node.role !== "peer") continue;
    let reported = false;
    let joinedCpu: number | undefined;
    for (const record of node.records) {
      if (record.event === "joined") joinedCpu = numberField(record, "cpuMs");
      if (record.event !== "traffic") continue;
      reported = true;
      const frames = numberField(record, "framesSent") ?? 0;
      const bytes = numberField(record, "bytesSent") ?? 0;
      const rss = numberField(record, "peakRssBytes") ?? 0;
      totals.framesSent += frames;
      totals.bytesSent += bytes;
      totals.duplicates += numberField(record, "duplicates") ?? 0;
      totals.maxFramesSent = Math.max(totals.maxFramesSent, frames);
      totals.maxBytesSent = Math.max(totals.maxBytesSent, bytes);
      totals.maxPeakRssBytes = Math.max(totals.maxPeakRssBytes, rss);
      totals.sumPeakRssBytes += rss;
      const cpu = numberField(record, "cpuMs") ?? -1;
      totals.cpuMs += Math.max(0, cpu);
      if (cpu >= 0 && joinedCpu !== undefined && joinedCpu >= 0) {
        totals.cpuAfterJoinMs += cpu - joinedCpu;
      }
      joinedCpu = undefined;
      totals.sumPrivateRssBytes += Math.max(0, numberField(record, "privateRssBytes") ?? 0);
    }
    if (reported) totals.peers++;
  }
  return totals;
}
