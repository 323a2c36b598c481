/**
 * What a run report shows, independent of where the run came from: `up`'s
 * log directory fills it today (`from_logs.ts`); a simulator's result can
 * fill the same shape. Names (`p3`) identify nodes throughout.
 *
 * @module
 */

/** How a node ended the run. */
export type FinalState = "up" | "killed" | "removed" | "left" | "paused";

/** One node. */
export interface ReportNode {
  readonly name: string;
  readonly role: "seed" | "peer";
  /** `host:port`, or any label a simulator uses. */
  readonly address: string;
  readonly finalState: FinalState;
}

/** One gossip message and its first receipts. */
export interface ReportMessage {
  /** Its origin's name. */
  readonly origin: string;
  /** Its sequence number at the origin. */
  readonly seq: string;
  /** Generation time, Unix ms. */
  readonly ts: number;
  /** Times of its first receipts (Unix ms), ascending. */
  readonly receipts: readonly number[];
}

/** What happened to the membership, in time order. */
export interface TimelineEntry {
  readonly ts: number;
  readonly kind: "join" | "death" | "report" | "vote" | "removal";
  readonly text: string;
}

/** The headline numbers. */
export interface ReportSummary {
  readonly seeds: number;
  readonly peers: number;
  /** Messages counted for delivery. */
  readonly messages: number;
  readonly expected: number;
  readonly delivered: number;
  /** Dissemination time of every complete message, ascending, in ms. */
  readonly disseminationMs: readonly number[];
  readonly deadReports: number;
  /** Names of the peers removed as dead. */
  readonly removed: readonly string[];
  /** Extra lines, already worded (e.g. `up`'s summary text). */
  readonly notes: readonly string[];
}

/** Everything a report shows. */
export interface ReportData {
  readonly title: string;
  /** Where the run came from: `up`'s logs (the default) or a simulation in virtual time. */
  readonly source?: "logs" | "simulation";
  /** Unix ms of the first and last record. */
  readonly startTs: number;
  readonly endTs: number;
  readonly nodes: readonly ReportNode[];
  /** The overlay at the end: each link once, by node names. */
  readonly links: ReadonlyArray<readonly [string, string]>;
  /** Peer degrees when `nodes`/`links` were left out (a big simulation); else derived from links. */
  readonly degrees?: readonly number[];
  readonly messages: readonly ReportMessage[];
  readonly timeline: readonly TimelineEntry[];
  readonly summary: ReportSummary;
}

/**
 * Each peer's degree in the final overlay.
 *
 * @example Usage
 * ```ts
 * import { peerDegrees } from "./model.ts";
 * const nodes = [
 *   { name: "p1", role: "peer", address: "a", finalState: "up" },
 *   { name: "p2", role: "peer", address: "b", finalState: "up" },
 * ] as const;
 * peerDegrees({ nodes, links: [["p1", "p2"]] }); // [1, 1]
 * ```
 */
export function peerDegrees(
  data: Pick<ReportData, "nodes" | "links">,
): number[] {
  const degree = new Map<string, number>();
  for (const n of data.nodes) if (n.role === "peer") degree.set(n.name, 0);
  for (const [a, b] of data.links) {
    if (degree.has(a)) degree.set(a, (degree.get(a) ?? 0) + 1);
    if (degree.has(b)) degree.set(b, (degree.get(b) ?? 0) + 1);
  }
  return [...degree.values()];
}
