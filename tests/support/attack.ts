/**
 * What every attack test needs: a small network on 127.0.0.1 whose seeds
 * all list all its peers, and the check that an attack left it unharmed
 * (every live peer still listed at every seed, nothing else listed, no live
 * peer removed, no internal error).
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import { Cluster, type NodeProcess } from "./cluster.ts";
import { events, waitFor } from "./jsonl_log.ts";
import { allJoined, allListening, FAST_PEER_ARGS, seedMembers } from "./network.ts";

/** Seed flags for attack tests: a short settle deadline, so a claim's fate shows quickly. */
export const ATTACK_SEED_ARGS = ["--pending-timeout", "1s"];

/** A running test network. */
export interface Network {
  cluster: Cluster;
  /** The seeds that are running (a test that stops one takes it out). */
  seeds: NodeProcess[];
  peers: NodeProcess[];
}

/** Options for {@linkcode startNetwork}. */
export interface NetworkOptions {
  seeds?: number;
  peers?: number;
  /** Ports reserved beyond the peers started (for late joiners). @default {2} */
  spare?: number;
  seedArgs?: readonly string[];
  peerArgs?: readonly string[];
}

/** Starts seeds, then peers, and waits until every seed lists every peer. */
export async function startNetwork(options: NetworkOptions = {}): Promise<Network> {
  const seedCount = options.seeds ?? 3;
  const peerCount = options.peers ?? 3;
  const cluster = await Cluster.create({
    seeds: seedCount,
    peerSlots: peerCount + (options.spare ?? 2),
  });
  const seeds = Array.from(
    { length: seedCount },
    (_, i) => cluster.seed(i, options.seedArgs ?? ATTACK_SEED_ARGS),
  );
  await allListening(seeds);
  const peers = Array.from(
    { length: peerCount },
    (_, i) => cluster.peer(i, options.peerArgs ?? FAST_PEER_ARGS),
  );
  await allJoined(peers);
  await everySeedLists(seeds, peers);
  return { cluster, seeds, peers };
}

/** Waits until every seed's list (replayed from its log) holds exactly `peers`. */
export async function everySeedLists(
  seeds: readonly NodeProcess[],
  peers: readonly NodeProcess[],
): Promise<void> {
  const expected = peers.map((p) => p.address).sort();
  for (const seed of seeds) {
    await waitFor(
      `${seed.address} to list ${expected.join(", ")}`,
      () => JSON.stringify([...seedMembers(seed)].sort()) === JSON.stringify(expected),
    );
  }
}

/** The node id a node announced when it started listening. */
export function nodeIdOf(node: NodeProcess): string {
  const listening = events(node.logPath, "listening")[0];
  if (!listening) throw new Error(`${node.address} has not started`);
  return String(listening.nodeId);
}

/**
 * The network is unharmed: every live peer is listed at every seed and
 * nothing else is, no live peer was ever removed, and no node hit an
 * internal error.
 */
export function assertUnharmed(
  network: Network,
  live: readonly NodeProcess[] = network.peers,
): void {
  const expected = live.map((p) => p.address).sort();
  for (const seed of network.seeds) {
    assertEquals([...seedMembers(seed)].sort(), expected, `${seed.address}'s list`);
    const removed = events(seed.logPath, "peer_removed").filter((e) =>
      expected.includes(String(e.peer))
    );
    assertEquals(removed, [], `${seed.address} removed a live peer`);
  }
  for (const node of [...network.seeds, ...live]) {
    assertEquals(events(node.logPath, "internal_error"), [], `${node.address} internal error`);
  }
}

/** Resident memory of process `pid` in bytes (Linux: /proc), or undefined elsewhere. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Samples `pid`'s RSS every 50 ms while `during` runs; returns the highest seen. */
export async function peakRss(pid: number, during: () => Promise<void>): Promise<number> {
  let peak = rssBytes(pid) ?? 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, rssBytes(pid) ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    await during();
  } finally {
    running = false;
    await sampler;
  }
  return Math.max(peak, rssBytes(pid) ?? 0);
}
