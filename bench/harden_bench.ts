/**
 * Join and detection time with the hardening checks on, against a build
 * without them, in one run: the two builds take turns on the same machine.
 *
 *     git archive 06ad12c | tar -x -C /tmp/gossipnet-before   # the build before
 *     deno run -A bench/harden_bench.ts --baseline /tmp/gossipnet-before
 *
 * Each round starts 3 seeds and `--peers` peers (default 10) of one build
 * on 127.0.0.1, with 200 ms pings, then kills 3 peers one after the other.
 *
 * - join: a peer's `listening` to its `joined` (registered with a majority
 *   of seeds: the check that its address answers with its node id is on
 *   this path), and to its first `neighbor_connected`;
 * - detection: the SIGKILL to the last seed's `peer_removed` (the seeds'
 *   own probes, and their checks of each other's commits, are on this path).
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark prints its results.

import { parseArgs } from "@std/cli/parse-args";
import { events, readLog, waitFor } from "../tests/support/jsonl_log.ts";
import { freePortBlock } from "../tests/support/ports.ts";

const HERE = new URL("../", import.meta.url).pathname;
const PEER_ARGS = [
  "--gossip-interval",
  "1s",
  "--ping-interval",
  "200ms",
  "--repair-interval",
  "200ms",
];

interface Node {
  role: "seed" | "peer";
  port: number;
  log: string;
  child: Deno.ChildProcess;
}

function spawn(
  root: string,
  dir: string,
  role: "seed" | "peer",
  port: number,
  args: string[],
): Node {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${root}/main.ts`,
      role,
      "--port",
      String(port),
      "--config",
      `${dir}/config.csv`,
      "--log-dir",
      `${dir}/logs`,
      "--exit-on-stdin-close",
      ...args,
    ],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  return { role, port, log: `${dir}/logs/${role}-127.0.0.1-${port}.jsonl`, child };
}

async function stopAll(nodes: Node[]): Promise<void> {
  for (const node of nodes) {
    try {
      node.child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
  }
  await Promise.all(nodes.map((n) => n.child.status));
  await Promise.all(nodes.map((n) => n.child.stdin.close().catch(() => {})));
}

function ts(
  log: string,
  event: string,
  match: (p: Record<string, unknown>) => boolean = () => true,
): number | undefined {
  return readLog(log).find((l) => l.properties.event === event && match(l.properties))?.ts;
}

interface Round {
  joinMs: number[];
  firstLinkMs: number[];
  detectMs: number[];
}

async function round(root: string, peers: number): Promise<Round> {
  const base = freePortBlock(3 + peers);
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-harden-bench-" });
  await Deno.writeTextFile(
    `${dir}/config.csv`,
    [0, 1, 2].map((i) => `127.0.0.1,${base + i}`).join("\n") + "\n",
  );
  const nodes: Node[] = [];
  try {
    const seeds = [0, 1, 2].map((i) => spawn(root, dir, "seed", base + i, []));
    nodes.push(...seeds);
    for (const seed of seeds) {
      await waitFor("a seed listening", () => ts(seed.log, "synced"), { timeoutMs: 20_000 });
    }
    const peerNodes: Node[] = [];
    for (let i = 0; i < peers; i++) {
      const peer = spawn(root, dir, "peer", base + 3 + i, PEER_ARGS);
      peerNodes.push(peer);
      nodes.push(peer);
      // One at a time: each join is measured on its own, not in a crowd.
      await waitFor(
        "the peer linked",
        () => ts(peer.log, "neighbor_connected") ?? (i === 0 && ts(peer.log, "joined")),
        { timeoutMs: 20_000 },
      );
    }
    const joinMs = peerNodes.map((p) => ts(p.log, "joined")! - ts(p.log, "listening")!);
    const firstLinkMs = peerNodes.slice(1).map((p) =>
      ts(p.log, "neighbor_connected")! - ts(p.log, "listening")!
    );
    const detectMs: number[] = [];
    for (const victim of peerNodes.slice(1, 4)) {
      const address = `127.0.0.1:${victim.port}`;
      await waitFor(
        "every seed lists the victim",
        () => seeds.every((s) => events(s.log, "peer_registered").some((e) => e.peer === address)),
        { timeoutMs: 20_000 },
      );
      const killedAt = performance.timeOrigin + performance.now();
      victim.child.kill("SIGKILL");
      await victim.child.status;
      const removedAt = await waitFor("every seed removed the victim", () => {
        const at = seeds.map((s) => ts(s.log, "peer_removed", (p) => p.peer === address));
        return at.every((t) => t !== undefined) && Math.max(...(at as number[]));
      }, { timeoutMs: 30_000 });
      detectMs.push(removedAt - killedAt);
    }
    return { joinMs, firstLinkMs, detectMs };
  } finally {
    await stopAll(nodes);
    await Deno.remove(dir, { recursive: true });
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function summary(values: number[]): string {
  return `p50 ${quantile(values, 0.5).toFixed(1)} ms, p90 ${
    quantile(values, 0.9).toFixed(1)
  } ms, max ${Math.max(...values).toFixed(1)} ms (n=${values.length})`;
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["baseline", "peers", "rounds"] }) as Record<
    string,
    string | undefined
  >;
  if (!args.baseline) {
    console.error(
      "harden_bench: --baseline <dir> (a checkout of the build to compare with) is required",
    );
    Deno.exit(2);
  }
  const peers = Number(args.peers ?? 10);
  const rounds = Number(args.rounds ?? 3);
  const builds = { before: args.baseline.replace(/\/+$/, ""), checks: HERE.replace(/\/+$/, "") };
  const results: Record<string, Round> = {
    before: { joinMs: [], firstLinkMs: [], detectMs: [] },
    checks: { joinMs: [], firstLinkMs: [], detectMs: [] },
  };
  for (let r = 0; r < rounds; r++) {
    // Alternate which build goes first, so neither always runs on a warmer machine.
    const order = r % 2 === 0 ? ["before", "checks"] as const : ["checks", "before"] as const;
    for (const name of order) {
      const result = await round(builds[name], peers);
      results[name]!.joinMs.push(...result.joinMs);
      results[name]!.firstLinkMs.push(...result.firstLinkMs);
      results[name]!.detectMs.push(...result.detectMs);
      console.log(
        `round ${r + 1} ${name}: join ${summary(result.joinMs)}; detection ${
          summary(result.detectMs)
        }`,
      );
    }
  }
  for (const name of ["before", "checks"] as const) {
    const result = results[name]!;
    console.log(`${name}:`);
    console.log(`  join (listening -> joined)        ${summary(result.joinMs)}`);
    console.log(`  first link (listening -> linked)  ${summary(result.firstLinkMs)}`);
    console.log(`  detection (SIGKILL -> all seeds)  ${summary(result.detectMs)}`);
  }
  console.log(JSON.stringify(results));
}
