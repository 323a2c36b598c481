/**
 * Keyed links against plaintext, on the same workloads, in one run: a
 * 20-peer network in one process (one seed, real TCP on 127.0.0.1), built
 * once keyless and once with a network key, alternately, `--runs` times.
 *
 *     deno task bench:keys              # 3 runs of each
 *     deno task bench:keys --runs 1     # quicker
 *     deno task bench:keys --runs 0     # only the cost of one cipher call
 *     deno task bench:keys --null-cipher  # and keyed links with AES-GCM replaced
 *     deno task bench:keys --node-cipher  # and keyed links sealed by node:crypto
 *
 * `--node-cipher` adds a network whose records are sealed with the
 * EXPERIMENTAL synchronous record cipher (`useRecordCipher("node")`, Node's
 * `createCipheriv` built into Deno: the same AES-256-GCM records, without
 * WebCrypto's hand-off to a worker thread per call).
 *
 * It ends with the CPU of one AES-GCM call on 100 bytes, made back to back
 * and made once a millisecond (as sparse gossip makes them), through
 * WebCrypto and, for comparison, Node's synchronous `createCipheriv`.
 *
 * `--null-cipher` is a diagnostic: a third network whose records are
 * "sealed" by copying (WebCrypto's `encrypt`/`decrypt` replaced, in this
 * process only, by functions that copy and add or drop 16 bytes), to tell
 * the cost of the record layer's structure from that of the cipher calls.
 *
 * - sparse gossip: 300 small messages, one every 25 ms from the peers in
 *   turn (gossip as it is used: writes are sparse, so a per-write cost
 *   shows); CPU of the process per message, and coverage: for each message
 *   and each of the 19 other peers, the time from publish to receipt
 *   (p50/p99);
 * - the handshake: 200 client connections to the seed one after another,
 *   connect through the remote's accepted hello (p50);
 * - throughput of 32 KiB application messages from one origin, at most 32
 *   in flight, in MB/s of payload delivered (counted once per receiver).
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark prints its results.

import { createCipheriv } from "node:crypto";
import { parseArgs } from "@std/cli/parse-args";
import { resolvePeerTuning, resolveSeedTuning } from "../lib/config/node_config.ts";
import { PeerNode } from "../lib/peer/peer_node.ts";
import { SeedNode } from "../lib/seed/seed_node.ts";
import { systemClock } from "../lib/util/clock.ts";
import { cpuTimeMs } from "../lib/util/process_stats.ts";
import { ClientLink } from "../lib/wire/client.ts";
import { generateKeyText, type Keyring, KeyringHolder, parseKeyring } from "../lib/wire/keyring.ts";
import { useRecordCipher } from "../lib/wire/sealed_records.ts";
import { tcpTransport } from "../lib/wire/transport.ts";
import { freePortBlock } from "../tests/support/ports.ts";

const PEERS = 20;
const SPARSE_MESSAGES = 300;
const SPARSE_GAP_MS = 25;
const HANDSHAKES = 200;
const BIG_BYTES = 32 * 1024;
const BIG_MESSAGES = 600;
const BIG_WINDOW = 32;

interface Figures {
  cpuMsPerMessage: number;
  p50Ms: number;
  p99Ms: number;
  handshakeP50Ms: number;
  bigMBps: number;
}

const quiet = { emit() {} };

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Publish time of each message (by its first data bytes) and every receipt's delay. */
class Receipts {
  readonly sentAt = new Map<number, number>();
  readonly delays: number[] = [];
  #counts = new Map<number, number>();
  #waiters: { id: number; need: number; resolve: () => void }[] = [];

  received(id: number): void {
    const sent = this.sentAt.get(id);
    if (sent !== undefined) this.delays.push(performance.now() - sent);
    const count = (this.#counts.get(id) ?? 0) + 1;
    this.#counts.set(id, count);
    this.#waiters = this.#waiters.filter((w) => {
      if (w.id !== id || count < w.need) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once message `id` reached `need` receivers (or after 10 s: a lost message). */
  reached(id: number, need: number): Promise<void> {
    if ((this.#counts.get(id) ?? 0) >= need) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      this.#waiters.push({ id, need, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

function idOf(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}

function payload(id: number, bytes: number): Uint8Array {
  const data = new Uint8Array(bytes);
  new DataView(data.buffer).setUint32(0, id);
  return data;
}

type Mode = "plain" | "keyed" | "null cipher" | "node cipher";

// What `--null-cipher` puts in place of AES-GCM: the same shapes, no cipher.
const realEncrypt = crypto.subtle.encrypt.bind(crypto.subtle);
const realDecrypt = crypto.subtle.decrypt.bind(crypto.subtle);
function nullCipher(on: boolean): void {
  const subtle = crypto.subtle as unknown as Record<string, unknown>;
  subtle.encrypt = on
    ? (_a: unknown, _k: unknown, data: Uint8Array) => {
      const out = new Uint8Array(data.length + 16);
      out.set(data);
      return Promise.resolve(out.buffer);
    }
    : realEncrypt;
  subtle.decrypt = on
    ? (_a: unknown, _k: unknown, data: Uint8Array) =>
      Promise.resolve(data.slice(0, data.length - 16).buffer)
    : realDecrypt;
}

async function runNetwork(keyring: Keyring | undefined): Promise<Figures> {
  const base = freePortBlock(PEERS + 1);
  const self = { host: "127.0.0.1", port: base };
  const keys = keyring ? { keyring: new KeyringHolder(keyring) } : {};
  const seed = new SeedNode({
    self,
    seeds: [self],
    tuning: resolveSeedTuning({}),
    transport: tcpTransport,
    log: quiet,
    ...keys,
  });
  seed.start();
  const receipts = new Receipts();
  const peers: PeerNode[] = [];
  try {
    for (let i = 1; i <= PEERS; i++) {
      const peer = new PeerNode({
        self: { host: "127.0.0.1", port: base + i },
        seeds: [self],
        tuning: resolvePeerTuning({ gossipCount: 0 }),
        transport: tcpTransport,
        log: quiet,
        ...keys,
        onMessage: (message) => receipts.received(idOf(message.data)),
      });
      peer.start();
      peers.push(peer);
      await peer.join();
    }
    // Let the overlay settle (catch-up, degree updates) before measuring.
    await new Promise((r) => setTimeout(r, 1000));

    // Sparse gossip.
    const cpuBefore = cpuTimeMs() ?? 0;
    const done: Promise<void>[] = [];
    for (let id = 1; id <= SPARSE_MESSAGES; id++) {
      receipts.sentAt.set(id, performance.now());
      peers[id % PEERS]!.publish(payload(id, 64));
      done.push(receipts.reached(id, PEERS - 1));
      await new Promise((r) => setTimeout(r, SPARSE_GAP_MS));
    }
    await Promise.all(done);
    const cpuMsPerMessage = ((cpuTimeMs() ?? 0) - cpuBefore) / SPARSE_MESSAGES;
    const delays = [...receipts.delays].sort((a, b) => a - b);

    // Handshakes.
    const handshakes: number[] = [];
    for (let i = 0; i < HANDSHAKES; i++) {
      const started = performance.now();
      const link = await ClientLink.open(self, {
        transport: tcpTransport,
        clock: systemClock,
        timeoutMs: 5000,
        ...keys,
      });
      handshakes.push(performance.now() - started);
      await link.close();
    }
    handshakes.sort((a, b) => a - b);

    // 32 KiB throughput from one origin.
    const origin = peers[0]!;
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < BIG_MESSAGES; i++) {
      const id = 1_000_000 + i;
      origin.publish(payload(id, BIG_BYTES));
      inFlight.push(receipts.reached(id, PEERS - 1));
      if (inFlight.length >= BIG_WINDOW) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const seconds = (performance.now() - started) / 1000;
    const bigMBps = (BIG_MESSAGES * (PEERS - 1) * BIG_BYTES) / seconds / 1e6;

    return {
      cpuMsPerMessage,
      p50Ms: quantile(delays, 0.5),
      p99Ms: quantile(delays, 0.99),
      handshakeP50Ms: quantile(handshakes, 0.5),
      bigMBps,
    };
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    await seed.stop();
  }
}

/** Extra CPU µs per call of `op`, made `calls` times back to back and once a millisecond. */
async function callCost(
  op: () => unknown,
  calls: number,
): Promise<{ tight: number; sparse: number }> {
  let started = cpuTimeMs() ?? 0;
  for (let i = 0; i < calls; i++) await op();
  const tight = ((cpuTimeMs() ?? 0) - started) * 1000 / calls;
  const tick = () => new Promise((r) => setTimeout(r, 1));
  started = cpuTimeMs() ?? 0;
  for (let i = 0; i < calls; i++) await tick();
  const idle = (cpuTimeMs() ?? 0) - started;
  started = cpuTimeMs() ?? 0;
  for (let i = 0; i < calls; i++) (await tick(), await op());
  const sparse = ((cpuTimeMs() ?? 0) - started - idle) * 1000 / calls;
  return { tight, sparse };
}

async function cipherCalls(): Promise<void> {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  const data = new Uint8Array(100);
  const iv = new Uint8Array(12);
  const web = await callCost(() => crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, data), 2000);
  const node = await callCost(() => {
    const cipher = createCipheriv("aes-256-gcm", raw, iv);
    cipher.update(data);
    cipher.final();
    return cipher.getAuthTag();
  }, 2000);
  console.log("\nCPU of one AES-256-GCM call on 100 bytes (µs): back to back / once a millisecond");
  console.log(`WebCrypto encrypt: ${web.tight.toFixed(1)} / ${web.sparse.toFixed(1)}`);
  console.log(`node:crypto createCipheriv: ${node.tight.toFixed(1)} / ${node.sparse.toFixed(1)}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const args = parseArgs(Deno.args, {
    string: ["runs"],
    boolean: ["null-cipher", "node-cipher"],
    default: { runs: "3" },
  });
  const runs = Number(args.runs);
  const keyring = await parseKeyring(generateKeyText(), "bench");
  const modes: Mode[] = ["plain", "keyed"];
  if (args["null-cipher"]) modes.push("null cipher");
  if (args["node-cipher"]) modes.push("node cipher");
  const results: Record<Mode, Figures[]> = {
    plain: [],
    keyed: [],
    "null cipher": [],
    "node cipher": [],
  };
  for (let run = 1; run <= runs; run++) {
    // Alternate, so drift in the machine's load falls on every mode alike.
    for (const mode of run % 2 ? modes : [...modes].reverse()) {
      nullCipher(mode === "null cipher");
      useRecordCipher(mode === "node cipher" ? "node" : "webcrypto");
      const figures = await runNetwork(mode === "plain" ? undefined : keyring).finally(() => {
        nullCipher(false);
        useRecordCipher("webcrypto");
      });
      results[mode].push(figures);
      console.log(
        `run ${run} ${mode}: ${
          JSON.stringify(
            figures,
            (_k, v) => typeof v === "number" ? Math.round(v * 1000) / 1000 : v,
          )
        }`,
      );
    }
  }
  if (runs === 0) return await cipherCalls();
  const row = (mode: Mode) => {
    const f = results[mode];
    const m = (key: keyof Figures) => median(f.map((x) => x[key]));
    return {
      cpu: m("cpuMsPerMessage"),
      p50: m("p50Ms"),
      p99: m("p99Ms"),
      handshake: m("handshakeP50Ms"),
      mbps: m("bigMBps"),
    };
  };
  const plain = row("plain");
  const keyed = row("keyed");
  console.log(`\nmedians of ${runs} run(s), ${PEERS} peers:`);
  console.log("| | CPU ms/message | coverage p50 | p99 | handshake p50 | 32 KiB MB/s |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  const rows: [string, ReturnType<typeof row>][] = [["plaintext", plain], ["keyed", keyed]];
  if (args["null-cipher"]) rows.push(["keyed, null cipher", row("null cipher")]);
  if (args["node-cipher"]) rows.push(["keyed, node cipher", row("node cipher")]);
  for (const [name, r] of rows) {
    console.log(
      `| ${name} | ${r.cpu.toFixed(2)} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ` +
        `${r.handshake.toFixed(2)} ms | ${r.mbps.toFixed(0)} |`,
    );
  }
  console.log(
    `keyed vs plaintext: CPU ${((keyed.cpu / plain.cpu - 1) * 100).toFixed(0)}%, p50 ${
      (keyed.p50 - plain.p50).toFixed(2)
    } ms, p99 ${(keyed.p99 - plain.p99).toFixed(2)} ms, handshake +${
      (keyed.handshake - plain.handshake).toFixed(2)
    } ms, 32 KiB throughput ${((keyed.mbps / plain.mbps - 1) * 100).toFixed(0)}%`,
  );
  await cipherCalls();
}

if (import.meta.main) await main();
