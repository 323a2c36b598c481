/**
 * Soak run on separate hosts: 3 seeds and N peers, each in its own network
 * namespace with its own address, left running for a while; then counts
 * what each seed warned about (0 expected: nothing fails) and how much of
 * the gossip arrived. Needs root (it builds the namespaces); not part of CI.
 *
 *     deno task bench:netns                       # 60 s, 6 peers
 *     deno task bench:netns --seconds 120 --peers 12 --ping-interval 1s
 *
 * Peers use the multi-host tests' timings (gossip 200 ms, ping 100 ms,
 * 6 misses) unless told otherwise, so a minute is several hundred ping
 * rounds and a few hundred floods.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark reports on the console.
import { parseArgs } from "@std/cli/parse-args";
import {
  HostCluster,
  type HostNode,
  NETNS_PEER_ARGS,
  withFlag,
} from "../tests/support/host_cluster.ts";
import { generatedAfter, waitForOverlay } from "../tests/support/host_checks.ts";
import { netnsSkipReason } from "../tests/support/netns.ts";

const args = parseArgs(Deno.args, { string: ["seconds", "peers", "ping-interval", "ping-misses"] });
const seconds = Number(args.seconds ?? 60);
const peerCount = Number(args.peers ?? 6);
if (!(seconds > 0 && seconds <= 3600) || !(peerCount >= 1 && peerCount <= 200)) {
  console.error(
    "usage: netns_soak.ts [--seconds 1-3600] [--peers 1-200] [--ping-interval <dur>] [--ping-misses <n>]",
  );
  Deno.exit(2);
}
// The tests' timings, with ping flags replaced when given (the node checks them).
let peerArgs = [...NETNS_PEER_ARGS];
for (const flag of ["ping-interval", "ping-misses"] as const) {
  const value = args[flag];
  if (value !== undefined) peerArgs = withFlag(peerArgs, flag, String(value));
}
const skip = await netnsSkipReason();
if (skip) {
  console.error(`netns soak: ${skip}`);
  Deno.exit(1);
}

// The machine's 1-minute load average: other work on it shows in the figures.
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0] ?? "?";
  } catch {
    return "?";
  }
}

function countBy(lines: ReadonlyArray<{ properties: { event: string } }>): string {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.properties.event, (counts.get(l.properties.event) ?? 0) + 1);
  return [...counts].map(([event, n]) => `${event} ×${n}`).join(", ") || "none";
}

{
  await using net = await HostCluster.create({ seeds: 3, peers: peerCount });
  const seeds = await net.startSeeds();
  const allUp = Math.max(...seeds.map((s) => s.events("listening")[0]?.ts ?? Infinity));
  const peers: HostNode[] = net.peerHosts.map((_, i) =>
    net.startPeer(i, [...peerArgs, "--gossip-count", "1000000"])
  );
  await waitForOverlay(seeds, peers);
  const formed = Date.now();
  console.log(
    `3 seeds + ${peerCount} peers on ${net.lab.subnet} (${peerArgs.join(" ")}); ` +
      `overlay formed; soaking ${seconds} s; load average ${loadAverage()}`,
  );
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const end = Date.now();
  // Messages from the soak, except the last second's (still spreading).
  const messages = generatedAfter(peers, formed).filter((m) => m.ts < end - 1000);
  let receipts = 0;
  for (const m of messages) {
    receipts += peers.filter((p) => p.address !== m.origin && p.log.received().has(m.key)).length;
  }
  const expected = messages.length * (peers.length - 1);
  console.log(`\nwarnings per seed from the moment all seeds listened:`);
  for (const seed of seeds) {
    const warnings = seed.warnings().filter((l) => l.ts > allUp);
    console.log(`  ${seed.address}: ${warnings.length} (${countBy(warnings)})`);
  }
  const peerWarnings = peers.flatMap((p) => p.warnings().filter((l) => l.ts > formed));
  console.log(
    `warnings from all peers during the soak: ${peerWarnings.length} (${countBy(peerWarnings)})`,
  );
  console.log(
    `delivery: ${messages.length} messages, ${receipts} of ${expected} first receipts ` +
      `(${(100 * receipts / Math.max(1, expected)).toFixed(2)}%)`,
  );
  console.log(`run took ${((end - formed) / 1000).toFixed(1)} s; load average ${loadAverage()}`);
}
