/**
 * Network benchmark: 3 seeds + N peers as separate processes on loopback,
 * each peer gossiping 10 messages, driven by `gossipnet up`; every figure
 * comes from the nodes' JSON logs.
 *
 *     deno task bench:net                 # N = 30 and N = 100
 *     deno task bench:net --peers 50      # one size
 *
 * The gossip interval grows with N (N × 60 ms, at least 500 ms) so the whole
 * network generates about 17 messages a second and floods rarely overlap:
 * this measures how fast one message spreads, not how many a 2-core machine
 * can push at once. Pings every 2 s keep liveness running as in real use.
 *
 * It first calibrates the machine: the CPU a bare Deno process spends to
 * receive and send one small message when messages arrive sparsely (as
 * gossip does). Flooding sends about 2 × links frames per message, so that
 * figure times the frames gives the CPU floor of one flood.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark prints its results.

import { parseArgs } from "@std/cli/parse-args";
import { readRunLogs } from "../lib/up/run_logs.ts";
import { summarizeRun } from "../lib/up/summary.ts";
import { trafficTotals } from "../lib/up/traffic.ts";
import { freePortBlock } from "../tests/support/ports.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const GOSSIP_COUNT = 10;

/** What one network size measured. */
interface Result {
  peers: number;
  intervalMs: number;
  delivery: string;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  duplicatesPerMessage: number;
  framesPerPeer: number;
  bytesPerPeer: number;
  meanPeakRssMiB: number;
  maxPeakRssMiB: number;
  startupS: number;
  framesPerMessage: number;
  cpuMsPerMessage: number;
  meanPrivateMiB: number;
}

async function runOnce(peers: number): Promise<Result> {
  const intervalMs = Math.max(500, peers * 60);
  const durationMs = intervalMs * (GOSSIP_COUNT + 2) + 3000;
  const basePort = freePortBlock(3 + peers);
  const dir = await Deno.makeTempDir({ prefix: `gossipnet-bench-${peers}-` });
  const started = Date.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "up",
      "--seeds",
      "3",
      "--peers",
      String(peers),
      "--base-port",
      String(basePort),
      "--log-dir",
      dir,
      "--duration",
      `${durationMs}ms`,
      "--gossip-interval",
      `${intervalMs}ms`,
      "--gossip-count",
      String(GOSSIP_COUNT),
      "--ping-interval",
      "2s",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const status = await child.status;
  const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  if (!status.success) throw new Error(`up exited ${status.code}: ${stderr}`);
  const logs = await readRunLogs(dir);
  const manifest = logs.manifest;
  const summary = summarizeRun(
    logs.nodes,
    manifest?.stopTs === undefined ? {} : { stopTs: manifest.stopTs },
  );
  const traffic = trafficTotals(logs.nodes);
  // Startup: from launching `up` to the last node listening.
  const listening = logs.nodes.flatMap((n) =>
    n.records.filter((r) => r.event === "listening").map((r) => r.ts)
  );
  await Deno.remove(dir, { recursive: true });
  const mib = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;
  return {
    peers,
    intervalMs,
    delivery: `${summary.delivered}/${summary.expected}`,
    p50Ms: summary.dissemination?.p50Ms,
    p99Ms: summary.dissemination?.p99Ms,
    maxMs: summary.dissemination?.maxMs,
    duplicatesPerMessage: summary.messages === 0 ? 0 : traffic.duplicates / summary.messages,
    framesPerPeer: traffic.peers === 0 ? 0 : traffic.framesSent / traffic.peers,
    bytesPerPeer: traffic.peers === 0 ? 0 : traffic.bytesSent / traffic.peers,
    meanPeakRssMiB: traffic.peers === 0 ? 0 : mib(traffic.sumPeakRssBytes / traffic.peers),
    maxPeakRssMiB: mib(traffic.maxPeakRssBytes),
    startupS: Math.round((Math.max(...listening) - started) / 100) / 10,
    framesPerMessage: summary.messages === 0 ? 0 : traffic.framesSent / summary.messages,
    // Every peer's CPU from joining to exit (liveness included), per message.
    cpuMsPerMessage: summary.messages === 0 ? 0 : traffic.cpuAfterJoinMs / summary.messages,
    meanPrivateMiB: traffic.peers === 0 ? 0 : mib(traffic.sumPrivateRssBytes / traffic.peers),
  };
}

const ECHO_SERVER = `
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(listener.addr.port);
for await (const conn of listener) {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(65536);
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    await conn.write(buffer.subarray(0, n));
  }
}`;

/** CPU (µs) a bare Deno process spends per small message arriving every 10 ms. */
async function calibrate(messages = 300): Promise<number> {
  const server = new Deno.Command(Deno.execPath(), {
    args: ["eval", ECHO_SERVER],
    stdout: "piped",
  }).spawn();
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value);
  const cpuMs = () => {
    const stat = Deno.readTextFileSync(`/proc/${server.pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const buffer = new Uint8Array(64);
  const before = cpuMs();
  for (let i = 0; i < messages; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await conn.write(new Uint8Array(44));
    let got = 0;
    while (got < 44) got += (await conn.read(buffer)) ?? 44;
  }
  const used = cpuMs() - before;
  conn.close();
  server.kill();
  await server.status;
  reader.releaseLock();
  await server.stdout.cancel().catch(() => {});
  return (used * 1000) / messages;
}

function show(r: Result): string {
  const ms = (v: number | undefined) => v === undefined ? "-" : `${v.toFixed(2)} ms`;
  return [
    `N=${r.peers} (3 seeds, ${GOSSIP_COUNT} messages per peer every ${r.intervalMs} ms)`,
    `  delivery               ${r.delivery} first receipts`,
    `  dissemination          p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, max ${ms(r.maxMs)}`,
    `  duplicates             ${
      r.duplicatesPerMessage.toFixed(1)
    } duplicate frames per message (network-wide)`,
    `  sent per peer          ${Math.round(r.framesPerPeer)} frames, ${
      (r.bytesPerPeer / 1024).toFixed(1)
    } KiB`,
    `  frames per message     ${r.framesPerMessage.toFixed(1)} sent network-wide (all kinds)`,
    `  CPU per message        ${
      r.cpuMsPerMessage.toFixed(1)
    } ms summed over all peers (after joining)`,
    `  peak RSS per peer      mean ${r.meanPeakRssMiB} MiB, max ${r.maxPeakRssMiB} MiB`,
    `  private memory/peer    mean ${r.meanPrivateMiB} MiB at exit (RSS minus shared Deno code)`,
    `  startup                ${r.startupS} s to the last node listening`,
  ].join("\n");
}

if (import.meta.main) {
  const args: unknown = parseArgs(Deno.args, { string: ["peers"] });
  const given = (args as { peers?: unknown }).peers;
  const sizes = typeof given === "string" ? given.split(",").map(Number) : [30, 100];
  if (sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 1000)) {
    console.error("bench:net: --peers takes sizes like 30 or 30,100 (2-1000)");
    Deno.exit(2);
  }
  if (Deno.build.os === "linux") {
    const floorUs = await calibrate();
    console.log(
      `calibration: a bare Deno echo server spends ${
        Math.round(floorUs)
      } µs of CPU per sparse message (receive + send)`,
    );
  }
  const results: Result[] = [];
  for (const peers of sizes) {
    const result = await runOnce(peers);
    results.push(result);
    console.log(show(result));
  }
  console.log(JSON.stringify(results));
}
