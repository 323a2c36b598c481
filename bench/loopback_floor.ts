/**
 * The floor under `up --in-process`: a bare flood over loopback TCP in one
 * Deno process, with no protocol at all. N nodes joined by E links (a
 * random spanning tree plus random extra links, from a fixed seed), dealt
 * round-robin to W worker threads; each message is a 16-byte frame that a
 * node relays once to every link but the one it came in on, exactly as
 * gossip floods. No hello, no logs, no Message List, no pings: what is left
 * is the runtime's cost of a socket write and a read per frame, and the
 * queueing of floods that overlap on a thread. Both socket APIs take turns:
 * `Deno.connect` (one awaited read per arrival) and `node:net` (arrivals
 * pushed to a callback), which is why in-process nodes use the latter.
 *
 *     deno task bench:floor                                  # 1000 nodes, 2200 links, 5 msg/s, 1 then 2 threads
 *     deno task bench:floor --nodes 300 --links 1200 --rate 10 --workers 1
 *     deno task bench:floor --sockets node                   # only node:net (default: deno,node in turn)
 *
 * Coverage is generation to the last node's first receipt, per message;
 * CPU per message is the process's user + system time over the flooding
 * phase only (not the dialling) divided by the messages.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark prints its results.

import net from "node:net";
import { parseArgs } from "@std/cli/parse-args";
import { seededRng } from "../lib/util/random.ts";

const TICKS_PER_S = 100;

/** Which socket API carries the links. */
type Sockets = "deno" | "node";
const FRAME_BYTES = 16;

/** What the main thread tells a worker. */
type ToWorker =
  | {
    cmd: "init";
    worker: number;
    workers: number;
    nodes: number;
    links: [number, number][];
    sockets: Sockets;
  }
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

/** One end of a link, whichever socket API carries it. */
interface Link {
  peer: number;
  send(frame: Uint8Array): void;
}

/** Splits a byte stream into frames; the first 8 bytes of an accepted stream are its hello. */
class Framer {
  #carry = new Uint8Array(0);
  push(chunk: Uint8Array, frame: (bytes: Uint8Array) => void, size = FRAME_BYTES): void {
    let bytes = chunk;
    if (this.#carry.length > 0) {
      bytes = new Uint8Array(this.#carry.length + chunk.length);
      bytes.set(this.#carry);
      bytes.set(chunk, this.#carry.length);
    }
    let at = 0;
    for (; at + size <= bytes.length; at += size) frame(bytes.slice(at, at + size));
    this.#carry = bytes.slice(at);
  }
}

function hello(from: number, to: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, from);
  new DataView(bytes.buffer).setUint32(4, to);
  return bytes;
}

/** `Deno.connect`: one awaited read per arrival, writes awaited one batch at a time. */
function denoLink(conn: Deno.TcpConn, peer: number, onFrame: (f: Uint8Array) => void): Link {
  let queue: Uint8Array[] = [];
  let writing = false;
  const flush = async () => {
    writing = true;
    try {
      while (queue.length > 0) {
        const q = queue;
        queue = [];
        let bytes = q[0]!;
        if (q.length > 1) {
          bytes = new Uint8Array(q.length * FRAME_BYTES);
          q.forEach((f, i) => bytes.set(f, i * FRAME_BYTES));
        }
        let written = 0;
        while (written < bytes.length) written += await conn.write(bytes.subarray(written));
      }
    } catch {
      // Closed at the end of the run.
    }
    writing = false;
  };
  (async () => {
    const buffer = new Uint8Array(64 * 1024);
    const framer = new Framer();
    while (true) {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch {
        return;
      }
      if (n === null) return;
      framer.push(buffer.subarray(0, n), onFrame);
    }
  })();
  return {
    peer,
    send(frame) {
      queue.push(frame);
      if (!writing) flush();
    },
  };
}

/** `node:net`: arrivals pushed to a callback, writes not awaited. */
function nodeLink(socket: net.Socket, peer: number, onFrame: (f: Uint8Array) => void): Link {
  const framer = new Framer();
  socket.on("data", (chunk: Uint8Array) => framer.push(chunk, onFrame));
  socket.on("error", () => {});
  return { peer, send: (frame) => void socket.write(frame) };
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
  let sockets: Sockets = "deno";

  const attach = (node: number, link: Link) => {
    let list = links.get(node);
    if (!list) links.set(node, list = []);
    list.push(link);
    if (++linked === expected) scope.postMessage({ kind: "linked" });
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
    for (const link of links.get(node) ?? []) if (link.peer !== from) link.send(frame);
  };

  const listen = (): Promise<number> => {
    if (sockets === "deno") {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      (async () => {
        for await (const conn of listener) {
          conn.setNoDelay(true);
          const head = new Uint8Array(8);
          let got = 0;
          while (got < 8) {
            const n = await conn.read(head.subarray(got));
            if (n === null) break;
            got += n;
          }
          const view = new DataView(head.buffer);
          const [from, to] = [view.getUint32(0), view.getUint32(4)];
          attach(to, denoLink(conn, from, (f) => receive(to, from, f)));
        }
      })();
      return Promise.resolve(listener.addr.port);
    }
    const server = net.createServer({ noDelay: true }, (socket) => {
      // The hello comes first; the frames after it go to the node's link.
      const framer = new Framer();
      const onHead = (chunk: Uint8Array) => {
        framer.push(chunk, (head) => {
          socket.off("data", onHead);
          const view = new DataView(head.buffer, head.byteOffset, 8);
          const [from, to] = [view.getUint32(0), view.getUint32(4)];
          attach(to, nodeLink(socket, from, (f) => receive(to, from, f)));
        }, 8);
      };
      socket.on("data", onHead);
    });
    return new Promise((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))
    );
  };

  const dial = async (a: number, b: number, port: number) => {
    if (sockets === "deno") {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.setNoDelay(true);
      await conn.write(hello(a, b));
      attach(a, denoLink(conn, b, (f) => receive(a, b, f)));
      return;
    }
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(hello(a, b));
    attach(a, nodeLink(socket, b, (f) => receive(a, b, f)));
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
        sockets = message.sockets;
        scope.postMessage({ kind: "listening", port: await listen() });
        return;
      }
      case "dial": {
        for (const [a, b] of mine) await dial(a, b, message.ports[owner(b)]!);
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
            for (const link of links.get(origin) ?? []) link.send(frame);
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
  sockets: Sockets,
): Promise<FloorResult> {
  const threads = Array.from(
    { length: workers },
    () => new Worker(import.meta.url, { type: "module" }),
  );
  const ports = await Promise.all(threads.map((w, i) => {
    const listening = waitFor(w, "listening");
    w.postMessage({ cmd: "init", worker: i, workers, nodes, links, sockets } satisfies ToWorker);
    return listening.then((m) => m.port);
  }));
  const linked = threads.map((w) => waitFor(w, "linked"));
  for (const w of threads) w.postMessage({ cmd: "dial", ports } satisfies ToWorker);
  await Promise.all(linked);

  const random = seededRng(7);
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
    string: ["nodes", "links", "rate", "seconds", "workers", "sockets"],
  });
  const socketKinds: string[] = (args.sockets ?? "deno,node").split(",");
  const nodes = Number(args.nodes ?? 1000);
  const linkCount = Number(args.links ?? Math.round(nodes * 2.2));
  const rate = Number(args.rate ?? 5);
  const seconds = Number(args.seconds ?? 30);
  const workerCounts = (args.workers ?? "1,2").split(",").map(Number);
  const valid = [nodes, linkCount, rate, seconds, ...workerCounts].every((n) =>
    Number.isFinite(n) && n > 0
  );
  const kindsValid = socketKinds.every((k) => k === "deno" || k === "node");
  if (!valid || !kindsValid || linkCount < nodes - 1 || linkCount > (nodes * (nodes - 1)) / 2) {
    console.error(
      "bench:floor: --nodes, --links (nodes-1 .. all pairs), --rate, --seconds and --workers take " +
        "positive numbers, --sockets deno and/or node",
    );
    Deno.exit(2);
  }
  const links = graph(nodes, linkCount, seededRng(1));
  console.log(
    `bare flood: ${nodes} nodes, ${links.length} links (${2 * links.length} frames per message), ` +
      `${rate} msg/s for ${seconds} s`,
  );
  // Taking turns, so both socket APIs see the machine as it is at each size.
  for (const workers of workerCounts) {
    for (const sockets of socketKinds as Sockets[]) {
      const r = await runFloor(nodes, links, workers, rate, seconds, sockets);
      console.log(
        `  ${sockets.padEnd(4)} ${workers} thread${workers === 1 ? " " : "s"}: ` +
          `coverage p50 ${r.p50Ms.toFixed(1)} ms, ` +
          `p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms ` +
          `(${r.complete}/${r.messages} messages reached all), ` +
          `CPU ${r.cpuMsPerMessage.toFixed(1)} ms/message = ` +
          `${((r.cpuMsPerMessage * 1000) / (2 * links.length)).toFixed(1)} µs/frame`,
      );
    }
  }
}

if ("WorkerGlobalScope" in globalThis) runWorker();
else if (import.meta.main) await main();
