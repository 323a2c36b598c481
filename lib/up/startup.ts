/**
 * Bringing a network up: checking its ports are free, then starting the
 * seeds together and the peers in parallel batches, each node awaited until
 * its log says `listening`. A node that exits first or stays silent past the
 * deadline fails the start with a line naming it and its last output.
 *
 * @module
 */

import { errorText, RuntimeError } from "../util/errors.ts";
import type { NodeSpec } from "./plan.ts";
import type { LiveStatus } from "./status.ts";
import type { ManagedNode, Supervisor } from "./supervisor.ts";

/** Peers started at once: enough to be quick, few enough for two cores. */
export const PEER_BATCH_SIZE = 8;
/** Peers started at once in-process, each batch awaited until joined. */
export const IN_PROCESS_BATCH_SIZE = 20;
/** Longest wait for a batch to join before the next starts anyway. */
export const SETTLE_WAIT_MS = 5_000;
/** How long a node may take to log `listening`. */
export const LISTEN_TIMEOUT_MS = 30_000;
const POLL_MS = 25;

/**
 * Checks every node's port can be bound now.
 * @throws {RuntimeError} Naming the first busy port and the range needed.
 */
export function checkPortsFree(nodes: readonly NodeSpec[]): void {
  for (const node of nodes) {
    let listener: Deno.Listener | undefined;
    try {
      listener = Deno.listen({ hostname: node.host, port: node.port });
    } catch (error) {
      const ports = nodes.map((n) => n.port);
      const span = `${Math.min(...ports)}-${Math.max(...ports)}`;
      if (error instanceof Deno.errors.AddrInUse) {
        throw new RuntimeError(
          `Cannot use ports ${span} on ${node.host}: ${node.port} (for ${node.name}) is already ` +
            `in use; choose another --base-port`,
        );
      }
      if (error instanceof Deno.errors.AddrNotAvailable) {
        throw new RuntimeError(`Cannot listen on ${node.host}: not an address of this machine`);
      }
      throw new RuntimeError(`Cannot listen on ${node.address}: ${errorText(error)}`);
    } finally {
      listener?.close();
    }
  }
}

/** Options for {@linkcode startNetwork} and {@linkcode startNode}. */
export interface StartOptions {
  supervisor: Supervisor;
  status: LiveStatus;
  /** Stop waiting (not an error) when this aborts, e.g. on Ctrl+C. */
  signal: AbortSignal;
  /** @default {LISTEN_TIMEOUT_MS} */
  timeoutMs?: number;
  /** @default {PEER_BATCH_SIZE} */
  batchSize?: number;
  /** Called once a node listens. */
  onListening?(node: ManagedNode): void;
}

function describeExit(node: ManagedNode): string {
  const status = node.exitStatus;
  const how = status === undefined
    ? "exited"
    : status.signal
    ? `was ended by ${status.signal}`
    : `exited with code ${status.code}`;
  return `${how} before listening`;
}

function lastOutput(node: ManagedNode): string {
  return node.lastLine === "" ? "no output" : `last output: ${node.lastLine}`;
}

/** Waits `ms`, or less if `listening` settles first. */
async function waitOrListen(listening: Promise<void> | undefined, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wait = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  await Promise.race(listening ? [wait, listening.catch(() => {})] : [wait]);
  clearTimeout(timer);
}

/**
 * Starts (or restarts) one node and resolves once it logs `listening`;
 * resolves early, without error, if `signal` aborts.
 * @throws {RuntimeError} When it exits first or misses the deadline.
 */
export async function startNode(node: ManagedNode, options: StartOptions): Promise<void> {
  const address = node.spec.address;
  const before = options.status.listeningCount(address);
  await options.supervisor.start(node);
  const deadline = Date.now() + (options.timeoutMs ?? LISTEN_TIMEOUT_MS);
  // An in-process node says when it listens: no need to wait for its log to be read.
  let listening = false;
  node.listening?.then(() => listening = true, () => {});
  while (!options.signal.aborted) {
    if (listening || options.status.listeningCount(address) > before) {
      options.onListening?.(node);
      return;
    }
    if (!node.alive) {
      // Its last lines may still be on their way through the log tail.
      throw new RuntimeError(
        `${node.name} (${address}) ${describeExit(node)}: ${lastOutput(node)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new RuntimeError(
        `${node.name} (${address}) did not log "listening" within ${
          (options.timeoutMs ?? LISTEN_TIMEOUT_MS) / 1000
        }s: ${lastOutput(node)}`,
      );
    }
    await waitOrListen(node.listening, POLL_MS);
  }
}

/**
 * Starts the seeds (together: each waits for the others), then the peers in
 * batches of `batchSize`, each batch awaited before the next.
 * @throws {RuntimeError} From the first node that fails to start.
 */
export async function startNetwork(options: StartOptions): Promise<void> {
  const nodes = options.supervisor.nodes;
  const seeds = nodes.filter((n) => n.spec.role === "seed");
  const peers = nodes.filter((n) => n.spec.role === "peer");
  await Promise.all(seeds.map((n) => startNode(n, options)));
  await settled(seeds, options.signal);
  const size = options.batchSize ?? PEER_BATCH_SIZE;
  for (let i = 0; i < peers.length && !options.signal.aborted; i += size) {
    const batch = peers.slice(i, i + size);
    await Promise.all(batch.map((n) => startNode(n, options)));
    await settled(batch, options.signal);
  }
}

/**
 * Waits (at most {@linkcode SETTLE_WAIT_MS}) until the nodes have joined or
 * are ready, where their runner can tell (in-process). Nodes that share a
 * process and start all at once would starve each other's handshakes; a
 * process takes long enough to start that it needs no such pacing.
 */
async function settled(nodes: readonly ManagedNode[], signal: AbortSignal): Promise<void> {
  const waits = nodes.flatMap((n) => n.settled ? [n.settled.catch(() => {})] : []);
  if (waits.length === 0 || signal.aborted) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => timer = setTimeout(resolve, SETTLE_WAIT_MS));
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
  await Promise.race([Promise.all(waits), bound, aborted]);
  clearTimeout(timer);
}
