/**
 * The overlay's links as the peers' logs tell them: each peer's neighbours
 * replayed from its `neighbor_connected` / `neighbor_lost` lines (a new
 * `listening` starts it afresh), a link counted once if either end has it.
 * Killed peers' own lists are left out: their neighbours drop them.
 *
 * @module
 */

import { readLog } from "./jsonl_log.ts";

/** Every link `a b` (a < b, addresses) in the logs of `peerLogs`, skipping the `dead` ones' own lists. */
export function linksFromLogs(
  peerLogs: readonly string[],
  dead: ReadonlySet<string> = new Set(),
): Set<string> {
  const links = new Set<string>();
  for (const path of peerLogs) {
    if (dead.has(path)) continue;
    let self = "";
    let neighbors = new Set<string>();
    for (const line of readLog(path)) {
      const p = line.properties;
      if (p.event === "listening") {
        self = String(p.address);
        neighbors = new Set();
      } else if (p.event === "neighbor_connected") neighbors.add(String(p.neighbor));
      else if (p.event === "neighbor_lost") neighbors.delete(String(p.neighbor));
    }
    for (const n of neighbors) links.add(self < n ? `${self} ${n}` : `${n} ${self}`);
  }
  return links;
}
