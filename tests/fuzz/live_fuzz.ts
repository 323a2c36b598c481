/**
 * Live fuzzing: a network of 3 seeds and 3 peers on 127.0.0.1 gets
 * `--frames` fuzzed frames (default 1,000,000) over many connections, each
 * opened with a hello claiming a random role and address (often a real
 * node's). Most frames are well-formed messages with random fields, of the
 * kinds the claimed role may send (registrations, reports, gossip, probes);
 * the rest are mutated or random bytes. Afterwards every node must still be
 * running and every seed's Peer List must hold exactly the real peers.
 *
 *     deno task fuzz:live                     # 1,000,000 frames
 *     deno task fuzz:live --frames 100000     # what .ci/run does
 *
 * With `--targets role@host:port,...` it only fuzzes the nodes named (no
 * network of its own) and prints what it sent: `tests/fuzz/netns_fuzz.ts`
 * runs it so on a host of its own, against nodes on separate hosts.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a task reports what it did.

import { parseArgs } from "@std/cli/parse-args";
import { encodeFrame } from "../../lib/wire/frame.ts";
import {
  encodeMessage,
  type Message,
  type NodeRole,
  PROTOCOL_VERSION,
} from "../../lib/wire/messages.ts";
import { formatHost } from "../../lib/util/address.ts";
import type { Rng } from "../../lib/util/random.ts";
import { Cluster } from "../support/cluster.ts";
import { events, waitFor } from "../support/jsonl_log.ts";
import { allJoined, allListening, FAST_PEER_ARGS, seedMembers } from "../support/network.ts";
import { randomInt, seededRng } from "../support/rng.ts";
import { SAMPLES } from "../support/wire_samples.ts";

/** Kinds each claimed role may send without breaking the protocol, at a seed and at a peer. */
const POLITE: Record<"seed" | "peer", Record<NodeRole, readonly string[]>> = {
  seed: {
    client: ["ping", "dead_node", "peer_list_request"],
    peer: ["ping", "pong", "register", "degree_update", "dead_node", "peer_list_request"],
    seed: ["ping", "pong"],
  },
  peer: {
    client: ["ping", "pong"],
    peer: ["ping", "pong", "gossip", "probe_request", "probe_result"],
    seed: ["ping", "pong"],
  },
};

const KINDS_FOR: Record<NodeRole, readonly string[]> = {
  client: ["ping", "dead_node", "peer_list_request"],
  peer: [
    "ping",
    "pong",
    "register",
    "degree_update",
    "dead_node",
    "peer_list_request",
    "gossip",
    "probe_request",
    "probe_result",
  ],
  seed: [
    "ping",
    "seed_challenge",
    "seed_proof",
    "propose",
    "vote",
    "commit",
    "sync_state",
    "sync_request",
  ],
};

const HOSTS = ["127.0.0.1", "127.0.0.2", "10.0.0.1", "::1", "127.0.0n1", "localhost"];

/** The real nodes' hosts: most claimed addresses name one of them. */
let homes: readonly string[] = ["127.0.0.1"];

/** A node to fuzz. */
interface Target {
  readonly role: "seed" | "peer";
  readonly host: string;
  readonly port: number;
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function hex(rng: Rng, bytes: number): string {
  return Array.from({ length: bytes }, () => randomInt(rng, 0, 255).toString(16).padStart(2, "0"))
    .join("");
}

/**
 * A well-formed message of `kind` with random fields around the real nodes'
 * ports; `polite` keeps texts valid (Dead Node reports, gossip).
 */
function randomMessage(rng: Rng, kind: string, ports: readonly number[], polite = false): Message {
  const junk = !polite && rng() < 0.3;
  const address = () => ({
    host: rng() < 0.8 ? pick(rng, homes) : pick(rng, HOSTS),
    port: rng() < 0.7 ? pick(rng, ports) : randomInt(rng, 1, 65535),
  });
  const stamp = () => pick(rng, [0, Date.now(), Date.now() + 1e7, Number.MAX_VALUE, rng() * 1e13]);
  const nonce = () => randomInt(rng, 0, 0xffffffff);
  const record = () => ({
    address: address(),
    state: rng() < 0.5 ? "member" as const : "removed" as const,
    version: { stamp: stamp(), origin: hex(rng, 8) },
    degree: randomInt(rng, 0, 65535),
  });
  const proposalId = () => `${hex(rng, 8)}-${randomInt(rng, 0, 50)}`;
  const target = address();
  switch (kind) {
    case "ping":
    case "pong":
      return { kind, nonce: nonce() };
    case "register":
    case "degree_update":
      return { kind, degree: randomInt(rng, 0, 65535) };
    case "dead_node": {
      const dead = address();
      return {
        kind,
        text: junk
          ? hex(rng, randomInt(rng, 0, 40))
          : `Dead Node:${formatHost(dead.host)}:${dead.port}:${Date.now()}:127.0.0.1`,
      };
    }
    case "peer_list_request":
    case "sync_request":
      return { kind, requestId: nonce() };
    case "gossip":
      return {
        kind,
        origin: target,
        text: junk
          ? hex(rng, randomInt(rng, 0, 200))
          : `${Date.now()}:${formatHost(target.host)}:${randomInt(rng, 1, 1e6)}`,
      };
    case "probe_request":
      return { kind, nonce: nonce(), target };
    case "probe_result":
      return { kind, nonce: nonce(), target, alive: rng() < 0.5 };
    case "seed_challenge":
    case "seed_proof":
      return { kind, nonce: hex(rng, 16) };
    case "propose":
      return rng() < 0.5
        ? { kind, proposalId: proposalId(), change: { op: "add", peer: target }, stamp: stamp() }
        : {
          kind,
          proposalId: proposalId(),
          change: { op: "remove", peer: target, reason: "dead", raw: "" },
          stamp: stamp(),
        };
    case "vote":
      return {
        kind,
        proposalId: proposalId(),
        yes: rng() < 0.5,
        reason: "unreachable",
        stamp: stamp(),
      };
    case "commit":
      return { kind, proposalId: proposalId(), record: record() };
    default:
      return {
        kind: "sync_state",
        requestId: nonce(),
        more: rng() < 0.2,
        records: Array.from({ length: randomInt(rng, 0, 30) }, record),
      };
  }
}

/** A frame: usually a well-formed message, sometimes a mutated one, sometimes noise. */
function fuzzFrame(rng: Rng, role: NodeRole, ports: readonly number[]): Uint8Array {
  const roll = rng();
  if (roll < 0.75) return encodeMessage(randomMessage(rng, pick(rng, KINDS_FOR[role]), ports));
  const base = encodeMessage(
    roll < 0.9 ? pick(rng, SAMPLES) : randomMessage(rng, pick(rng, KINDS_FOR.peer), ports),
  ).slice();
  const mutation = randomInt(rng, 0, 3);
  if (mutation === 0) {
    for (let i = 0; i < randomInt(rng, 1, 4); i++) {
      const at = randomInt(rng, 4, base.length - 1);
      base[at] = (base[at] ?? 0) ^ (1 << randomInt(rng, 0, 7));
    }
    return base;
  }
  if (mutation === 1) return encodeFrame(randomInt(rng, 0, 255), base.subarray(5));
  if (mutation === 2) return base.subarray(0, randomInt(rng, 1, base.length));
  return crypto.getRandomValues(new Uint8Array(randomInt(rng, 1, 64)));
}

/**
 * One connection's worth: a hello claiming something, then `count` frames.
 * A `polite` connection breaks no rule (random but valid requests of the
 * claimed role), so the node acts on each: the fuzz reaches the logic
 * behind the decoders, not only the bans that the rest soon earn.
 */
async function fuzzConnection(
  target: Target,
  rng: Rng,
  ports: readonly number[],
  options: { count: number; polite: boolean },
): Promise<number> {
  const { count, polite } = options;
  const role = pick(rng, ["client", "peer", "peer", "seed"] as const);
  const hello: Message = {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role,
    nodeId: hex(rng, 8),
    address: {
      host: rng() < 0.9 ? pick(rng, homes) : pick(rng, HOSTS),
      port: role === "client" ? 0 : pick(rng, ports),
    },
  };
  const frames = [
    encodeMessage(hello),
    ...Array.from(
      { length: count },
      () =>
        polite
          ? encodeMessage(randomMessage(rng, pick(rng, POLITE[target.role][role]), ports, true))
          : fuzzFrame(rng, role, ports),
    ),
  ];
  const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const frame of frames) {
    bytes.set(frame, at);
    at += frame.length;
  }
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: target.host, port: target.port });
  } catch {
    return 0;
  }
  try {
    let written = 0;
    while (written < bytes.length) written += await conn.write(bytes.subarray(written));
    // Read a little of the answer, so the node's writes do not fail at once.
    await Promise.race([conn.read(new Uint8Array(4096)), new Promise((r) => setTimeout(r, 5))]);
  } catch {
    // Closed by the node: expected.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
  return frames.length;
}

/** Sends `total` fuzzed frames at `targets`, 16 connections at a time. */
export async function fuzzTargets(
  targets: readonly Target[],
  total: number,
  rng: Rng,
): Promise<{ frames: number; connections: number; seconds: number }> {
  homes = [...new Set(targets.map((t) => t.host))];
  const ports = [...new Set(targets.map((t) => t.port))];
  const started = Date.now();
  let sent = 0;
  let connections = 0;
  const worker = async () => {
    while (sent < total) {
      // The first fifth is polite; the rest is anything at all.
      const polite = sent < total / 5;
      const count = Math.min(total - sent, randomInt(rng, 1, polite ? 20 : 200));
      sent += count + 1;
      connections++;
      await fuzzConnection(pick(rng, targets), rng, ports, { count, polite });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { frames: sent, connections, seconds: (Date.now() - started) / 1000 };
}

/** Parses `role@host:port,...`. */
function parseTargets(text: string): Target[] {
  return text.split(",").map((item) => {
    const match = /^(seed|peer)@(.+):(\d+)$/.exec(item.trim());
    if (!match) throw new Error(`fuzz:live: bad target "${item}" (expected role@host:port)`);
    return {
      role: match[1] as "seed" | "peer",
      host: (match[2] as string).replace(/^\[(.*)\]$/, "$1"),
      port: Number(match[3]),
    };
  });
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["frames", "seed", "targets"] }) as {
    frames?: string;
    seed?: string;
    targets?: string;
  };
  const total = Number(args.frames ?? 1_000_000);
  const rng = seededRng(Number(args.seed ?? 1));
  if (!Number.isInteger(total) || total < 1) {
    console.error("fuzz:live: --frames takes a whole number");
    Deno.exit(2);
  }
  if (args.targets !== undefined) {
    const result = await fuzzTargets(parseTargets(args.targets), total, rng);
    console.log(JSON.stringify(result));
    Deno.exit(0);
  }
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 3 });
  const seeds = [0, 1, 2].map((i) => cluster.seed(i));
  await allListening(seeds);
  const peers = [0, 1, 2].map((i) =>
    cluster.peer(i, [...FAST_PEER_ARGS, "--gossip-count", "100000"])
  );
  await allJoined(peers);
  const real = peers.map((p) => p.address).sort();
  for (const seed of seeds) {
    await waitFor(`${seed.address} lists every peer`, () => seedMembers(seed).size === 3);
  }
  const nodes = [...seeds, ...peers];
  const targets = nodes.map((n) => ({ role: n.role, host: "127.0.0.1", port: n.port }));
  const { frames: sent, connections, seconds } = await fuzzTargets(targets, total, rng);
  console.log(
    `fuzz:live: ${sent} frames over ${connections} connections in ${seconds.toFixed(1)} s`,
  );
  // Every node is still running, and each seed lists exactly the real peers.
  for (const node of nodes) {
    const status = await Promise.race([
      node.status,
      new Promise((r) => setTimeout(() => r("running"), 100)),
    ]);
    if (status !== "running") {
      throw new Error(
        `${node.role} ${node.address} exited during the fuzz: ${JSON.stringify(status)}`,
      );
    }
  }
  for (const seed of seeds) {
    await waitFor(
      `${seed.address} to list exactly the real peers`,
      () => JSON.stringify([...seedMembers(seed)].sort()) === JSON.stringify(real),
      { timeoutMs: 30_000 },
    );
  }
  const errors = nodes.flatMap((n) => events(n.logPath, "internal_error"));
  if (errors.length > 0) throw new Error(`internal errors: ${JSON.stringify(errors.slice(0, 5))}`);
  const removed = seeds.flatMap((s) => events(s.logPath, "peer_removed"));
  if (removed.length > 0) throw new Error(`live peers removed: ${JSON.stringify(removed)}`);
  console.log(`fuzz:live: every node running; each seed lists exactly ${real.join(", ")}`);
}
