/**
 * Application-message throughput: one origin publishes as fast as 19 other
 * peers take it, in a 20-peer network in one process (one seed, real TCP on
 * 127.0.0.1), through `publish()` of the library, with payloads of 64 B,
 * 1 KiB and 32 KiB; and, for comparison, the text gossip of the protocol
 * (`<ts>:<ip>:<seq>`, about 27 bytes) flooded through the same network from
 * a neighbour that injects gossip frames.
 *
 *     deno task bench:app                  # every row, 3 runs each
 *     deno task bench:app --runs 1         # quicker
 *
 * The origin keeps at most a window of messages in flight (sent but not
 * yet received by every peer), so the figure is what the network sustains,
 * not how fast send queues fill. Delivered messages/s counts each message
 * once per receiving peer; MB/s counts their payload bytes.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark prints its results.

import { parseArgs } from "@std/cli/parse-args";
import { type PeerHandle, startPeer, startSeed } from "../mod.ts";
import { FakePeer } from "../tests/support/fake_peer.ts";
import { freePortBlock } from "../tests/support/ports.ts";

const PEERS = 20;

interface Row {
  readonly name: string;
  readonly bytes: number;
  readonly count: number;
  readonly window: number;
}

const ROWS: readonly Row[] = [
  { name: "publish 64 B", bytes: 64, count: 20_000, window: 512 },
  { name: "publish 1 KiB", bytes: 1024, count: 10_000, window: 256 },
  { name: "publish 32 KiB", bytes: 32 * 1024, count: 1_000, window: 32 },
  { name: "text gossip", bytes: 0, count: 20_000, window: 512 },
];

/** Counts what each receiver got; `wait` resolves when the slowest passes a mark. */
class Progress {
  readonly #got: number[];
  #waiters: Array<{ mark: number; resolve: () => void }> = [];

  constructor(receivers: number) {
    this.#got = new Array(receivers).fill(0);
  }

  /** Receiver `i` got one more. */
  add(i: number): void {
    this.#got[i]!++;
    const slowest = this.slowest;
    this.#waiters = this.#waiters.filter((w) => w.mark > slowest || (w.resolve(), false));
  }

  get slowest(): number {
    return Math.min(...this.#got);
  }

  wait(mark: number): Promise<void> {
    if (this.slowest >= mark) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ mark, resolve }));
  }
}

async function network(): Promise<{ peers: PeerHandle[]; stop: () => Promise<void> }> {
  const seed = await startSeed({ port: 0, seeds: [] });
  const peers: PeerHandle[] = [];
  for (let i = 0; i < PEERS; i++) {
    const peer = await startPeer({ port: 0, seeds: [seed.address], gossipCount: 0 });
    await peer.joined;
    peers.push(peer);
  }
  return {
    peers,
    stop: async () => {
      await Promise.all(peers.map((p) => p.stop()));
      await seed.stop();
    },
  };
}

/** Feeds one receiver's deliveries of `row` into `progress`. */
function listen(peer: PeerHandle, i: number, row: Row, progress: Progress): () => void {
  if (row.bytes > 0) {
    const messages = peer.messages({ capacity: 1_000_000 });
    (async () => {
      for await (const _ of messages) progress.add(i);
    })();
    return () => messages.return?.();
  }
  const events = peer.events({ capacity: 1_000_000 });
  (async () => {
    for await (const event of events) if (event.event === "gossip_received") progress.add(i);
  })();
  return () => events.return?.();
}

async function runRow(
  row: Row,
): Promise<{ seconds: number; perSecond: number; mbPerSecond: number }> {
  const { peers, stop } = await network();
  const [origin, ...receivers] = peers as [PeerHandle, ...PeerHandle[]];
  await using fake = new FakePeer(freePortBlock(1));
  const progress = new Progress(row.bytes > 0 ? receivers.length : peers.length);
  const listeners = (row.bytes > 0 ? receivers : peers).map((p, i) => listen(p, i, row, progress));
  const payload = new Uint8Array(row.bytes).fill(7);
  let send = (_seq: number) => {
    origin.publish(payload);
  };
  if (row.bytes === 0) {
    // Text gossip comes from a neighbour of the first peer, as a peer's own would.
    await fake.link(Number(origin.address.split(":").pop()));
    const link = [...fake.links.values()][0]!;
    send = (seq) =>
      link.send({ kind: "gossip", origin: fake.address, text: `${Date.now()}:127.0.0.1:${seq}` });
  }
  const started = performance.now();
  for (let seq = 1; seq <= row.count; seq++) {
    if (seq - progress.slowest > row.window) await progress.wait(seq - row.window);
    send(seq);
  }
  await progress.wait(row.count);
  const seconds = (performance.now() - started) / 1000;
  for (const stopListening of listeners) stopListening();
  await stop();
  const delivered = row.count * (row.bytes > 0 ? receivers.length : peers.length);
  const bytes = row.bytes > 0 ? row.bytes : 27;
  return {
    seconds,
    perSecond: delivered / seconds,
    mbPerSecond: (delivered * bytes) / seconds / 1e6,
  };
}

const args = parseArgs(Deno.args, { string: ["runs"] });
const runs = Number(args.runs ?? 3);
console.log(`${PEERS} peers, 1 seed, one process; each figure: median (min-max) of ${runs} runs`);
console.log("row              messages  delivered msgs/s             payload MB/s");
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const row of ROWS) {
  const results = [];
  for (let r = 0; r < runs; r++) results.push(await runRow(row));
  const cell = (values: number[], digits: number) =>
    `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${
      Math.max(...values).toFixed(digits)
    })`;
  console.log(
    `${row.name.padEnd(16)} ${String(row.count).padStart(8)}  ${
      cell(results.map((r) => r.perSecond), 0).padEnd(25)
    }  ${cell(results.map((r) => r.mbPerSecond), 1)}`,
  );
}
