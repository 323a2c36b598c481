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
  /** Largest peak RSS of any peer, in bytes. */
  readonly maxPeakRssBytes: number;
}

/** Sums the peers' `traffic` lines (one per process lifetime, written as it stops). */
export function trafficTotals(nodes: readonly RunNode[]): TrafficTotals {
  const totals = { peers: 0, framesSent: 0, bytesSent: 0, duplicates: 0, maxPeakRssBytes: 0 };
  for (const node of nodes) {
    if (node.role !== "peer") continue;
    let reported = false;
    for (const record of node.records) {
      if (record.event !== "traffic") continue;
      reported = true;
      totals.framesSent += numberField(record, "framesSent") ?? 0;
      totals.bytesSent += numberField(record, "bytesSent") ?? 0;
      totals.duplicates += numberField(record, "duplicates") ?? 0;
      totals.maxPeakRssBytes = Math.max(
        totals.maxPeakRssBytes,
        numberField(record, "peakRssBytes") ?? 0,
      );
    }
    if (reported) totals.peers++;
  }
  return totals;
}
