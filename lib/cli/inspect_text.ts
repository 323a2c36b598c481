/**
 * How `members` and `status` print their answers: tables for people, and
 * the JSON shape of `members --json`. Pure.
 *
 * @module
 */

import type { NodeStatus } from "../node/node_status.ts";
import type { MemberRecord } from "../protocol/membership_types.ts";
import { table } from "../shell/commands.ts";
import { formatAddress } from "../util/address.ts";
import { countText } from "../util/count_text.ts";

/** One Peer List entry as `members --json` prints it. */
export interface MemberJson {
  readonly address: string;
  /** `member`, or `removed` (remembered for a while after removal). */
  readonly state: "member" | "removed";
  /** Why it was removed: `dead` or `left`. */
  readonly reason?: string;
  readonly degree: number;
  /** When the entry last changed (Unix ms). */
  readonly since: number;
}

/** Members first (by address), then removed peers. */
function sorted(records: readonly MemberRecord[]): MemberRecord[] {
  return [...records].sort((a, b) =>
    a.state === b.state
      ? formatAddress(a.address).localeCompare(formatAddress(b.address), "en", { numeric: true })
      : a.state === "member"
      ? -1
      : 1
  );
}

/** The `--json` form of a Peer List. */
export function membersJson(records: readonly MemberRecord[]): MemberJson[] {
  return sorted(records).map((r) => ({
    address: formatAddress(r.address),
    state: r.state,
    ...(r.reason ? { reason: r.reason } : {}),
    degree: r.degree,
    since: r.version.stamp,
  }));
}

function clockTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + "Z";
}

/**
 * A Peer List as a table.
 *
 * @example Usage
 * ```ts
 * import { formatMembers } from "./inspect_text.ts";
 * const record = {
 *   address: { host: "127.0.0.1", port: 6001 }, state: "member" as const, degree: 2,
 *   version: { stamp: 0, origin: "0123456789abcdef" },
 * };
 * formatMembers([record], "127.0.0.1:5000").split("\n")[0];
 * // "1 member in the Peer List of 127.0.0.1:5000 (0 removed)"
 * ```
 */
export function formatMembers(records: readonly MemberRecord[], seed: string): string {
  const members = records.filter((r) => r.state === "member").length;
  const head = `${countText(members, "member")} in the Peer List of ${seed} ` +
    `(${records.length - members} removed)\n`;
  if (records.length === 0) return head;
  const rows = sorted(records).map((r) => [
    formatAddress(r.address),
    r.state === "member" ? "member" : `removed (${r.reason ?? "dead"})`,
    String(r.degree),
    clockTime(r.version.stamp),
  ]);
  return head + table(["peer", "state", "degree", "since"], rows);
}

/** A duration for people: `3.2s`, `4m 05s`, `2h 03m`, `3d 04h`. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor(s / 3600) % 24)}h`;
}

function counterLines(counters: Readonly<Record<string, number>>): string {
  const rows = Object.entries(counters).map(([name, n]) => [name, String(n)]);
  return table(["counter", "count"], rows);
}

/**
 * A node's status for people.
 *
 * @example Usage
 * ```ts
 * import { formatStatus } from "./inspect_text.ts";
 * const text = formatStatus({
 *   format: 1, role: "seed", nodeId: "0123456789abcdef", address: "127.0.0.1:5000",
 *   version: "0.1.0", startedAt: 0, uptimeMs: 65_000, counters: { vote: 3 },
 *   traffic: { framesSent: 1, bytesSent: 2, framesReceived: 3, bytesReceived: 4 },
 *   ready: true, members: 8, seedCount: 3, seedLinks: ["127.0.0.1:5001"],
 * });
 * text.split("\n")[0]; // "seed 127.0.0.1:5000 (node 0123456789abcdef), gossipnet 0.1.0, up 1m 05s"
 * ```
 */
export function formatStatus(status: NodeStatus): string {
  const t = status.traffic;
  const lines = [
    `${status.role} ${status.address} (node ${status.nodeId}), gossipnet ${status.version}, ` +
    `up ${formatUptime(status.uptimeMs)}`,
  ];
  if (status.role === "seed") {
    lines.push(
      `ready: ${
        status.ready ? "yes" : "no (catching up)"
      }; ${status.members} peers in the Peer List`,
      `seed links: ${status.seedLinks.length} of ${status.seedCount - 1} other seeds` +
        (status.seedLinks.length > 0 ? ` (${status.seedLinks.join(", ")})` : ""),
    );
  } else {
    lines.push(
      `joined: ${status.joined ? "yes" : "no"}; registered with ${status.seeds.length} seeds` +
        (status.seeds.length > 0 ? ` (${status.seeds.join(", ")})` : ""),
      `neighbours: ${status.neighborCount}`,
    );
    if (status.neighbors.length > 0) {
      const rows = status.neighbors.map((n) => [
        n.address,
        n.direction,
        n.rttMs === null ? "-" : `${n.rttMs.toFixed(2)}ms`,
        clockTime(n.since),
      ]);
      lines.push(table(["neighbour", "dir", "rtt", "since"], rows).trimEnd());
    }
    lines.push(
      `Message List: ${status.messageList.entries} entries, ` +
        `${status.messageList.duplicates} duplicates dropped`,
    );
    if (status.handler) {
      lines.push(
        `--on-message: ${status.handler.waiting} waiting, ${status.handler.dropped} dropped`,
      );
    }
  }
  if (status.keys && status.keys.length > 0) {
    const [send, ...rest] = status.keys;
    lines.push(
      `keys: sending ${send}` + (rest.length > 0 ? `, also accepting ${rest.join(", ")}` : ""),
    );
  }
  lines.push(
    `traffic: sent ${t.framesSent} frames / ${t.bytesSent} bytes, ` +
      `received ${t.framesReceived} frames / ${t.bytesReceived} bytes`,
    counterLines(status.counters).trimEnd(),
  );
  return lines.join("\n") + "\n";
}
