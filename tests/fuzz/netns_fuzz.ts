/**
 * The live fuzz on separate hosts: 3 seeds and 3 peers, each in a network
 * namespace of its own, and the fuzzer on a seventh host sending
 * `--frames` fuzzed frames (default 100,000) at them over the virtual
 * switch, exactly as `fuzz:live` does on 127.0.0.1. Afterwards every node
 * must still be running and every seed's Peer List must hold exactly the
 * real peers. Needs root (it makes the namespaces); says so otherwise.
 *
 *     deno task fuzz:netns
 *     deno task fuzz:netns --frames 1000000
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a task reports what it did.

import { parseArgs } from "@std/cli/parse-args";
import { HostCluster, NETNS_PEER_ARGS } from "../support/host_cluster.ts";
import { waitFor } from "../support/jsonl_log.ts";
import { netnsSkipReason } from "../support/netns.ts";

const FUZZER = new URL("./live_fuzz.ts", import.meta.url).pathname;

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["frames", "seed"] }) as {
    frames?: string;
    seed?: string;
  };
  const frames = Number(args.frames ?? 100_000);
  const why = await netnsSkipReason();
  if (why !== undefined) {
    console.error(`fuzz:netns: skipped: ${why}`);
    Deno.exit(0);
  }
  await using cluster = await HostCluster.create({ seeds: 3, peers: 3, spare: 1 });
  const seeds = await cluster.startSeeds();
  const peers = [0, 1, 2].map((i) =>
    cluster.startPeer(i, [...NETNS_PEER_ARGS, "--gossip-count", "100000"])
  );
  const real = peers.map((p) => p.address).sort();
  for (const seed of seeds) {
    await waitFor(`${seed.address} lists every peer`, () => seed.members().size === 3, {
      timeoutMs: 30_000,
    });
  }
  const nodes = [...seeds, ...peers];
  const targets = nodes.map((n) => `${n.role}@${n.address}`).join(",");
  const attacker = cluster.spareHosts[0]!;
  const [command, ...launcher] = cluster.lab.launcher(attacker);
  const started = Date.now();
  const output = await new Deno.Command(command as string, {
    args: [
      ...launcher,
      Deno.execPath(),
      "run",
      "-A",
      FUZZER,
      "--frames",
      String(frames),
      "--seed",
      args.seed ?? "1",
      "--targets",
      targets,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`fuzz:netns: the fuzzer failed (${output.code})`);
  const sent = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").pop()!);
  console.log(
    `fuzz:netns: ${sent.frames} frames over ${sent.connections} connections in ` +
      `${sent.seconds.toFixed(1)} s from ${attacker.address} at ${nodes.length} nodes on ` +
      `${nodes.length} hosts (${((Date.now() - started) / 1000).toFixed(1)} s with start-up)`,
  );
  for (const node of nodes) {
    if (node.exited) throw new Error(`${node.role} ${node.address} exited during the fuzz`);
  }
  for (const seed of seeds) {
    await waitFor(
      `${seed.address} to list exactly the real peers`,
      () => JSON.stringify([...seed.members()].sort()) === JSON.stringify(real),
      { timeoutMs: 30_000 },
    );
  }
  const errors = nodes.flatMap((n) => n.events("internal_error"));
  if (errors.length > 0) throw new Error(`internal errors: ${JSON.stringify(errors.slice(0, 5))}`);
  const removed = seeds.flatMap((s) => s.events("peer_removed"));
  if (removed.length > 0) throw new Error(`live peers removed: ${JSON.stringify(removed)}`);
  const refused = nodes.reduce((n, node) => n + node.events("connection_refused").length, 0);
  const banned = nodes.reduce((n, node) => n + node.events("banned").length, 0);
  console.log(
    `fuzz:netns: every node running; each seed lists exactly ${real.join(", ")}; ` +
      `${banned} bans, ${refused} refused connections logged`,
  );
}
