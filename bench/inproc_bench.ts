/**
 * `up --in-process` against process mode, and `up --in-process` at 1000
 * peers. Every run is a real `gossipnet up` on loopback; its figures come
 * from the nodes' JSON logs, plus the CPU and memory of `up`'s whole
 * process tree, read from /proc (Linux only).
 *
 *     deno task bench:inproc                      # 20, 50, 100 peers, both modes; then 1000 in-process
 *     deno task bench:inproc --sizes 20,50        # the comparison only, these sizes
 *     deno task bench:inproc --sizes none --scale 1000
 *     deno task bench:inproc --sizes none --v8-flags=--max-old-space-size=1024
 *     deno task bench:inproc --sizes none --workers 1,2   # one thread against two, in turn
 *
 * Comparison workload (both modes, one run each, side by side): 3 seeds, N
 * peers, each peer 5 messages every N × 60 ms (about 17 messages a second
 * network-wide), pings every 2 s.
 *
 * Scale workload: 3 seeds + 1000 peers, each peer one message with a
 * gossip interval of 200 s, so the network generates 5 messages a second
 * (each peer's first message comes 0.5-1.5 intervals after it joins);
 * pings every 13 s (the default). The run lasts until every peer has
 * generated (about 310 s).
 *
 * CPU per message is the CPU time of `up` and every node (user + system,
 * from the moment `up` starts until it exits) divided by the messages
 * generated: it includes joining and stopping, the same for both modes.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark prints its results.

import { parseArgs } from "@std/cli/parse-args";
import { readRunLogs } from "../lib/up/run_logs.ts";
import { summarizeRun } from "../lib/up/summary.ts";
import { freePortBlock } from "../tests/support/ports.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const TICKS_PER_S = 100;

/** One run's figures. */
interface Result {
  mode: "in-process" | "processes";
  /** In-process: the threads the nodes share (`up --workers`). */
  threads?: number;
  peers: number;
  messages: number;
  delivery: string;
  deliveryPct: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  cpuS: number;
  cpuMsPerMessage: number;
  peakRssMiB: number;
  lastListeningS: number;
  joined: number;
  wallS: number;
}

/** CPU seconds of this process's waited-for children (and theirs), from /proc. */
function childrenCpuS(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 16 and 17 (cutime, cstime) are at 13 and 14 after the name.
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_S;
}

function descendants(pid: number): number[] {
  const out: number[] = [pid];
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
    for (const child of text === "" ? [] : text.split(" ")) out.push(...descendants(Number(child)));
  } catch {
    // Gone already.
  }
  return out;
}

function rssBytes(pid: number): number {
  try {
    const match = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmRSS:\s+(\d+) kB/m);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Workload {
  peers: number;
  intervalMs: number;
  count: number;
  pingMs: number;
  durationMs: number;
}

function comparison(peers: number): Workload {
  const intervalMs = Math.max(500, peers * 60);
  return { peers, intervalMs, count: 5, pingMs: 2000, durationMs: intervalMs * 7 + 3000 };
}

function scale(peers: number): Workload {
  // 5 messages a second network-wide; the last first message comes at 1.5 intervals.
  const intervalMs = peers * 200;
  return { peers, intervalMs, count: 1, pingMs: 13_000, durationMs: intervalMs * 1.5 + 8000 };
}

async function runOnce(
  mode: Result["mode"],
  w: Workload,
  v8Flags?: string,
  threads?: number,
): Promise<Result> {
  const basePort = freePortBlock(3 + w.peers);
  const dir = await Deno.makeTempDir({ prefix: `gossipnet-inproc-bench-${w.peers}-` });
  const cpuBefore = childrenCpuS();
  const started = Date.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      // In-process only: process mode's nodes are children of their own.
      ...(v8Flags !== undefined && mode === "in-process" ? [`--v8-flags=${v8Flags}`] : []),
      MAIN,
      "up",
      mode === "in-process" ? "--in-process" : "--processes",
      ...(threads !== undefined && mode === "in-process" ? ["--workers", String(threads)] : []),
      "--seeds",
      "3",
      "--peers",
      String(w.peers),
      "--base-port",
      String(basePort),
      "--log-dir",
      dir,
      "--duration",
      `${w.durationMs}ms`,
      "--gossip-interval",
      `${w.intervalMs}ms`,
      "--gossip-count",
      String(w.count),
      "--ping-interval",
      `${w.pingMs}ms`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let peakRss = 0;
  const sampler = setInterval(() => {
    const total = descendants(child.pid).reduce((sum, pid) => sum + rssBytes(pid), 0);
    peakRss = Math.max(peakRss, total);
  }, 500);
  const status = await child.status;
  clearInterval(sampler);
  const wallS = (Date.now() - started) / 1000;
  const cpuS = childrenCpuS() - cpuBefore;
  const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  if (!status.success) throw new Error(`up exited ${status.code}: ${stderr}`);
  const logs = await readRunLogs(dir);
  const manifest = logs.manifest;
  const summary = summarizeRun(
    logs.nodes,
    manifest?.stopTs === undefined ? {} : { stopTs: manifest.stopTs },
  );
  const listening = logs.nodes.flatMap((n) =>
    n.records.filter((r) => r.event === "listening").map((r) => r.ts)
  );
  const joined = logs.nodes.filter((n) => n.records.some((r) => r.event === "joined")).length;
  await Deno.remove(dir, { recursive: true });
  return {
    mode,
    ...(threads === undefined ? {} : { threads }),
    peers: w.peers,
    messages: summary.messages,
    delivery: `${summary.delivered}/${summary.expected}`,
    deliveryPct: summary.expected === 0 ? 0 : (100 * summary.delivered) / summary.expected,
    p50Ms: summary.dissemination?.p50Ms,
    p99Ms: summary.dissemination?.p99Ms,
    cpuS,
    cpuMsPerMessage: summary.messages === 0 ? 0 : (cpuS * 1000) / summary.messages,
    peakRssMiB: Math.round(peakRss / 1024 / 1024),
    lastListeningS: Math.round((Math.max(...listening) - started) / 100) / 10,
    joined,
    wallS,
  };
}

function show(r: Result): string {
  const ms = (v: number | undefined) => v === undefined ? "-" : `${v.toFixed(1)} ms`;
  const mode = r.threads === undefined ? r.mode : `${r.mode} ×${r.threads}`;
  return `${mode.padEnd(14)} N=${String(r.peers).padEnd(4)} delivery ${
    r.deliveryPct.toFixed(2)
  }% (${r.delivery}), coverage p50 ${ms(r.p50Ms)} p99 ${ms(r.p99Ms)}, CPU ${
    r.cpuS.toFixed(1)
  } s = ${
    r.cpuMsPerMessage.toFixed(1)
  } ms/message (${r.messages} messages), peak RSS ${r.peakRssMiB} MiB, ` +
    `last listening ${r.lastListeningS} s, joined ${r.joined}/${r.peers}`;
}

if (import.meta.main) {
  if (Deno.build.os !== "linux") {
    console.error("bench:inproc: reads /proc, so it runs on Linux only");
    Deno.exit(2);
  }
  const args = parseArgs(Deno.args, { string: ["sizes", "scale", "v8-flags", "workers"] });
  const v8Flags = args["v8-flags"];
  const list = (text: string | undefined, fallback: number[]) =>
    text === undefined ? fallback : text === "none" ? [] : text.split(",").map(Number);
  const sizes = list(args.sizes, [20, 50, 100]);
  const scales = list(args.scale, [1000]);
  if ([...sizes, ...scales].some((n) => !Number.isInteger(n) || n < 2 || n > 1000)) {
    console.error("bench:inproc: --sizes and --scale take sizes like 20,50 (2-1000) or none");
    Deno.exit(2);
  }
  // Unset: up chooses by size. A list runs the in-process rows once per count, in turn.
  const threads: (number | undefined)[] = args.workers === undefined
    ? [undefined]
    : args.workers.split(",").map(Number);
  const results: Result[] = [];
  for (const peers of sizes) {
    for (const mode of ["processes", "in-process"] as const) {
      for (const count of mode === "processes" ? [undefined] : threads) {
        const result = await runOnce(mode, comparison(peers), v8Flags, count);
        results.push(result);
        console.log(show(result));
      }
    }
  }
  for (const peers of scales) {
    for (const count of threads) {
      const result = await runOnce("in-process", scale(peers), v8Flags, count);
      results.push(result);
      console.log(show(result));
    }
  }
  console.log(JSON.stringify(results));
}
