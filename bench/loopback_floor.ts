/**
 * The floor under `up --in-process`: a bare flood over loopback TCP in one
 * Deno process, with no protocol at all. N nodes joined by E links (a
 * random spanning tree plus random extra links, from a fixed seed), dealt
 * round-robin to W worker threads; each message is a 16-byte frame that a
 * node relays once to every link but the one it came in on, exactly as
 * gossip floods. No hello, no logs, no Message List, no pings: what is left
 * is Deno's cost of a socket write and a read per frame, and the queueing
 * of floods that overlap on a thread.
 *
 *     deno task bench:floor                                  # 1000 nodes, 2200 links, 5 msg/s, 1 then 2 threads
 *     deno task bench:floor --nodes 300 --links 1200 --rate 10 --workers 1
 *
 * Coverage is generation to the last node's first receipt, per message;
 * CPU per message is the process's user + system time over the flooding
 * phase only (not the dialling) divided by the messages.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark prints its results.

import { parseArgs } from "@std/cli/parse-args";

const TICKS_PER_S = 100;
const FRAME_BYTES = 16;

/** What the main thread tells a worker. */
type ToWorker =
  | { cmd: "init"; worker: number; workers: number; nodes: number; links: [number, number][] }
  | { cmd: "dial"; ports: number[] }
  | { cmd: "flood"; schedule: { id: number; origin: number; at: number }[] }
  | { cmd: "report" };

/** What a worker tells the main thread. */
type FromWorker =
  | { kind: "listening"; port: number }
  | { kind: "linked" }
  | { kind: "report"; receipts: [number, number, number][] };

/** Milliseconds on a clock every thread of the process shares. */
function absNow(): number {
  return performance.timeOrigin + performance.now();
}

function cpuS(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A connected random graph: a random spanning tree, then random extra links. */
function graph(nodes: number, links: number, random: () => number): [number, number][] {
  const seen = new Set<number>();
  const out: [number, number][] = [];
  const add = (a: number, b: number) => {
    if (a === b) return;
    const key = Math.min(a, b) * nodes + Math.max(a, b);
    if (seen.has(key)) return;
    seen.add(key);
    out.push([a, b]);
  };
  for (let i = 1; i < nodes; i++) add(i, Math.floor(random() * i));
  while (out.length < links) add(Math.floor(random() * nodes), Math.floor(random() * nodes));
  return out;
}

// ---- worker side ---------------------------------------------------------

interface Link {
  conn: Deno.TcpConn;
  peer: number;
  queue: Uint8Array[];
  writing: boolean;
}

function runWorker(): void {
  const scope = globalThis as unknown as {
    onmessage: (event: MessageEvent<ToWorker>) => void;
    postMessage: (message: FromWorker) => void;
  };
  const links = new Map<number, Link[]>();
  const seen = new Map<number, Set<number>>();
  // id -> [max latency, receipts]
  const receipts = new Map<number, [number, number]>();
  let mine: [number, number][] = [];
  let owner = (_node: number) => 0;
  let me = 0;
  let expected = 0;
  let linked = 0;
  let listener: Deno.TcpListener;

  const attach = (node: number, link: Link) => {
    let list = links.get(node);
    if (!list) links.set(node, list = []);
    list.push(link);
    read(node, link);
    if (++linked === expected) scope.postMessage({ kind: "linked" });
  };

  const send = (link: Link, frame: Uint8Array) => {
    link.queue.push(frame);
    if (!link.writing) flush(link);
  };

  const flush = async (link: Link) => {
    link.writing = true;
    try {
      while (link.queue.length > 0) {
        const q = link.queue;
        link.queue = [];
        let bytes = q[0]!;
        if (q.length > 1) {
          bytes = new Uint8Array(q.length * FRAME_BYTES);
          q.forEach((f, i) => bytes.set(f, i * FRAME_BYTES));
        }
        let written = 0;
        while (written < bytes.length) written += await link.conn.write(bytes.subarray(written));
      }
    } catch {
      // Closed at the end of the run.
    }
    link.writing = false;
  };

  const receive = (node: number, from: number, frame: Uint8Array) => {
    const view = new DataView(frame.buffer, frame.byteOffset, FRAME_BYTES);
    const id = view.getUint32(0);
    let got = seen.get(node);
    if (!got) seen.set(node, got = new Set());
    if (got.has(id)) return;
    got.add(id);
    const latency = absNow() - view.getFloat64(8);
    const r = receipts.get(id);
    if (r) {
      r[0] = Math.max(r[0], latency);
      r[1]++;
    } else receipts.set(id, [latency, 1]);
    for (const link of links.get(node) ?? []) if (link.peer !== from) send(link, frame);
  };

  const read = async (node: number, link: Link) => {
    const buffer = new Uint8Array(64 * 1024);
    let carry = new Uint8Array(0);
    while (true) {
      let n: number | null;
      try {
        n = await link.conn.read(buffer);
      } catch {
        return;
      }
      if (n === null) return;
      let bytes = buffer.subarray(0, n);
      if (carry.length > 0) {
        const joined = new Uint8Array(carry.length + n);
        joined.set(carry);
        joined.set(bytes, carry.length);
        bytes = joined;
      }
      let at = 0;
      for (; at + FRAME_BYTES <= bytes.length; at += FRAME_BYTES) {
        receive(node, link.peer, bytes.slice(at, at + FRAME_BYTES));
      }
      carry = bytes.slice(at);
    }
  };

  const accept = async () => {
    for await (const conn of listener) {
      conn.setNoDelay(true);
      const hello = new Uint8Array(8);
      let got = 0;
      while (got < 8) {
        const n = await conn.read(hello.subarray(got));
        if (n === null) break;
        got += n;
      }
      const view = new DataView(hello.buffer);
      attach(view.getUint32(4), { conn, peer: view.getUint32(0), queue: [], writing: false });
    }
  };

  scope.onmessage = async (event) => {
    const message = event.data;
    switch (message.cmd) {
      case "init": {
        me = message.worker;
        const workers = message.workers;
        owner = (node) => node % workers;
        mine = message.links.filter(([a]) => owner(a) === me);
        expected = message.links.reduce(
          (sum, [a, b]) => sum + (owner(a) === me ? 1 : 0) + (owner(b) === me ? 1 : 0),
          0,
        );
        listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        accept();
        scope.postMessage({ kind: "listening", port: listener.addr.port });
        return;
      }
      case "dial": {
        for (const [a, b] of mine) {
          const conn = await Deno.connect({
            hostname: "127.0.0.1",
            port: message.ports[owner(b)]!,
          });
          conn.setNoDelay(true);
          const hello = new Uint8Array(8);
          new DataView(hello.buffer).setUint32(0, a);
          new DataView(hello.buffer).setUint32(4, b);
          await conn.write(hello);
          attach(a, { conn, peer: b, queue: [], writing: false });
        }
        return;
      }
      case "flood": {
        for (const { id, origin, at } of message.schedule) {
          if (owner(origin) !== me) continue;
          setTimeout(() => {
            (seen.get(origin) ?? seen.set(origin, new Set()).get(origin)!).add(id);
            const frame = new Uint8Array(FRAME_BYTES);
            const view = new DataView(frame.buffer);
            view.setUint32(0, id);
            view.setFloat64(8, absNow());
            for (const link of links.get(origin) ?? []) send(link, frame);
          }, Math.max(0, at - absNow()));
        }
        return;
      }
      case "report": {
        scope.postMessage({
          kind: "report",
          receipts: [...receipts].map(([id, [max, count]]) => [id, max, count]),
        });
        return;
      }
    }
  };
}

// ---- main side -----------------------------------------------------------

interface FloorResult {
  workers: number;
  messages: number;
  complete: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuMsPerMessage: number;
}

function waitFor<T extends FromWorker["kind"]>(
  worker: Worker,
  kind: T,
): Promise<Extract<FromWorker, { kind: T }>> {
  return new Promise((resolve) => {
    const listener = (event: MessageEvent<FromWorker>) => {
      if (event.data.kind !== kind) return;
      worker.removeEventListener("message", listener);
      resolve(event.data as Extract<FromWorker, { kind: T }>);
    };
    worker.addEventListener("message", listener);
  });
}

async function runFloor(
  nodes: number,
  links: [number, number][],
  workers: number,
  rate: number,
  seconds: number,
): Promise<FloorResult> {
  const threads = Array.from(
    { length: workers },
    () => new Worker(import.meta.url, { type: "module" }),
  );
  const ports = await Promise.all(threads.map((w, i) => {
    const listening = waitFor(w, "listening");
    w.postMessage({ cmd: "init", worker: i, workers, nodes, links } satisfies ToWorker);
    return listening.then((m) => m.port);
  }));
  const linked = threads.map((w) => waitFor(w, "linked"));
  for (const w of threads) w.postMessage({ cmd: "dial", ports } satisfies ToWorker);
  await Promise.all(linked);

  const random = mulberry32(7);
  const count = Math.round(rate * seconds);
  const start = absNow() + 500;
  const schedule = Array.from({ length: count }, (_, id) => ({
    id,
    origin: Math.floor(random() * nodes),
    at: start + (id * 1000) / rate,
  }));
  const cpuBefore = cpuS();
  for (const w of threads) w.postMessage({ cmd: "flood", schedule } satisfies ToWorker);
  // The last flood's generation plus time for it to finish.
  await new Promise((resolve) => setTimeout(resolve, start - absNow() + seconds * 1000 + 3000));
  const cpu = cpuS() - cpuBefore;

  const reports = await Promise.all(threads.map((w) => {
    const report = waitFor(w, "report");
    w.postMessage({ cmd: "report" } satisfies ToWorker);
    return report;
  }));
  for (const w of threads) w.terminate();
  const merged = new Map<number, [number, number]>();
  for (const { receipts } of reports) {
    for (const [id, max, n] of receipts) {
      const m = merged.get(id) ?? [0, 0];
      merged.set(id, [Math.max(m[0], max), m[1] + n]);
    }
  }
  const coverage = [...merged.values()].filter(([, n]) => n === nodes - 1).map(([max]) => max)
    .sort((a, b) => a - b);
  const at = (q: number) =>
    coverage[Math.min(coverage.length - 1, Math.floor(q * coverage.length))] ?? NaN;
  return {
    workers,
    messages: count,
    complete: coverage.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: coverage.at(-1) ?? NaN,
    cpuMsPerMessage: (cpu * 1000) / count,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(Deno.args, {
    string: ["nodes", "links", "rate", "seconds", "workers"],
  });
  const nodes = Number(args.nodes ?? 1000);
  const linkCount = Number(args.links ?? Math.round(nodes * 2.2));
  const rate = Number(args.rate ?? 5);
  const seconds = Number(args.seconds ?? 30);
  const workerCounts = (args.workers ?? "1,2").split(",").map(Number);
  const valid = [nodes, linkCount, rate, seconds, ...workerCounts].every((n) =>
    Number.isFinite(n) && n > 0
  );
  if (!valid || linkCount < nodes - 1 || linkCount > (nodes * (nodes - 1)) / 2) {
    console.error(
      "bench:floor: --nodes, --links (nodes-1 .. all pairs), --rate, --seconds and --workers take positive numbers",
    );
    Deno.exit(2);
  }
  const links = graph(nodes, linkCount, mulberry32(1));
  console.log(
    `bare flood: ${nodes} nodes, ${links.length} links (${2 * links.length} frames per message), ` +
      `${rate} msg/s for ${seconds} s`,
  );
  for (const workers of workerCounts) {
    const r = await runFloor(nodes, links, workers, rate, seconds);
    console.log(
      `  ${workers} thread${workers === 1 ? " " : "s"}: coverage p50 ${r.p50Ms.toFixed(1)} ms, ` +
        `p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms ` +
        `(${r.complete}/${r.messages} messages reached all), ` +
        `CPU ${r.cpuMsPerMessage.toFixed(1)} ms/message = ` +
        `${((r.cpuMsPerMessage * 1000) / (2 * links.length)).toFixed(1)} µs/frame`,
    );
  }
}

if ("WorkerGlobalScope" in globalThis) runWorker();
else if (import.meta.main) await main();
