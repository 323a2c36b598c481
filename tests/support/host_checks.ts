/**
 * Questions tests ask of a network on separate hosts, answered from the
 * nodes' logs: has the overlay formed, did every message reach every peer,
 * does anything mention an address that is not a lab host's.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";
import { formatAddress, parseAddress } from "../../lib/util/address.ts";
import type { HostCluster, HostNode } from "./host_cluster.ts";
import { waitFor } from "./jsonl_log.ts";
import { messageKey } from "./network.ts";

/** Polling period for checks over many logs. */
const POLL_MS = 50;

/** Options for {@linkcode waitForOverlay}. */
export interface OverlayWait {
  /** Give up after this long. @default {30000} */
  timeoutMs?: number;
}

/**
 * Waits until every peer joined and has a neighbour, their links join them
 * all into one overlay, and every seed's peer list is exactly `peers`.
 */
export async function waitForOverlay(
  seeds: readonly HostNode[],
  peers: readonly HostNode[],
  options: OverlayWait = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const wanted = peers.map((p) => p.address).sort();
  await waitFor("every peer to join", () => peers.every((p) => p.events("joined").length > 0), {
    timeoutMs,
    intervalMs: POLL_MS,
  });
  await waitFor("every peer to have a neighbour", () => peers.every((p) => p.degree() >= 1), {
    timeoutMs,
    intervalMs: POLL_MS,
  });
  // Flooding reaches only a peer's own component: a neighbour each is not
  // yet one overlay (two joiners may have found only each other so far).
  await waitFor("the overlay to be one component", () => connected(peers), {
    timeoutMs,
    intervalMs: POLL_MS,
  });
  await waitFor(
    `every seed to list exactly ${wanted.length} peers`,
    () => seeds.every((s) => sameSet([...s.members()], wanted)),
    { timeoutMs, intervalMs: POLL_MS },
  );
}

/** Whether the links `peers` log (either end's word counts) join them all. */
function connected(peers: readonly HostNode[]): boolean {
  const links = new Map(peers.map((p) => [p.address, new Set(p.neighbors())]));
  for (const [a, ns] of links) for (const b of ns) links.get(b)?.add(a);
  const start = peers[0]?.address;
  const seen = new Set(start === undefined ? [] : [start]);
  const queue = [...seen];
  for (let a = queue.pop(); a !== undefined; a = queue.pop()) {
    for (const b of links.get(a) ?? []) {
      if (!seen.has(b) && links.has(b)) {
        seen.add(b);
        queue.push(b);
      }
    }
  }
  return seen.size === peers.length;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === b.length && b.every((x) => set.has(x));
}

/**
 * Asserts that no log line of `nodes` mentions 127.0.0.1, and that every
 * address in peer lists, registrations and neighbour links is a lab host's.
 */
export function assertLabAddressesOnly(net: HostCluster, nodes: readonly HostNode[]): void {
  const hosts = new Set(net.lab.hosts.map((h) => net.hostAddress(h)));
  const check = (node: HostNode, what: string, address: unknown) => {
    const parsed = parseAddress(String(address));
    if (!parsed) throw new Error(`${node.address} logged ${what} ${address}, not an address`);
    assert(
      hosts.has(parsed.host),
      `${node.address} logged ${what} ${address}, not a lab host`,
    );
    // Addresses are logged in canonical form, one spelling per endpoint.
    assertEquals(formatAddress(parsed), address, `${node.address} logged ${what}`);
  };
  for (const node of nodes) {
    for (const line of node.log.lines()) {
      assert(!JSON.stringify(line).includes("127.0.0.1"), `${node.address}: ${line.message}`);
    }
    for (const l of node.events("peer_list")) {
      for (const peer of l.properties.peers as unknown[]) check(node, "listed peer", peer);
    }
    for (const l of node.events("peer_registered")) check(node, "peer", l.properties.peer);
    for (const l of node.events("neighbor_connected")) {
      check(node, "neighbour", l.properties.neighbor);
    }
    for (const l of node.events("seed_connected")) check(node, "seed", l.properties.seed);
    for (const l of node.events("listening")) check(node, "listen address", l.properties.address);
  }
}

/** One generated message, by key, with its generation time. */
export interface Generated {
  key: string;
  origin: string;
  ts: number;
}

/** Messages `origins` generated after `after` (log ts). */
export function generatedAfter(origins: readonly HostNode[], after: number): Generated[] {
  return origins.flatMap((o) =>
    o.events("gossip_generated").filter((l) => l.ts > after).map((l) => ({
      key: messageKey(l.properties.origin, l.properties.message),
      origin: String(l.properties.origin),
      ts: l.ts,
    }))
  );
}

/** Options for {@linkcode waitForDelivery}. */
export interface DeliveryOptions {
  /** Peers whose messages are followed. */
  origins: readonly HostNode[];
  /** Peers that must receive them. @default {origins} */
  receivers?: readonly HostNode[];
  /** Only messages generated after this log ts. @default {the last origin's or receiver's first link} */
  after?: number;
  /** Messages to wait for from each origin. @default {3} */
  perOrigin?: number;
  /** Give up after this long. @default {30000} */
  timeoutMs?: number;
}

/** What {@linkcode waitForDelivery} saw. */
export interface Delivery {
  /** Messages checked. */
  messages: number;
  /** Log ts when the last of them reached its last receiver. */
  completeAt: number;
  /** Log ts of the newest of them. */
  newest: number;
}

/**
 * Waits for `perOrigin` fresh messages from every origin, then until each
 * reached every receiver other than its origin; asserts that no receiver
 * logged a first receipt twice.
 */
export async function waitForDelivery(options: DeliveryOptions): Promise<Delivery> {
  const origins = options.origins;
  const receivers = options.receivers ?? origins;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const perOrigin = options.perOrigin ?? 3;
  const after = options.after ??
    Math.max(...[...origins, ...receivers].map((p) => p.linkedAt() ?? Infinity));
  assert(Number.isFinite(after), "a peer never linked");
  await waitFor(
    `${perOrigin} messages from every origin`,
    () => origins.every((o) => generatedAfter([o], after).length >= perOrigin),
    { timeoutMs, intervalMs: POLL_MS },
  );
  const messages = generatedAfter(origins, after);
  const pending = (m: Generated) =>
    receivers.filter((r) => r.address !== m.origin && !r.log.received().has(m.key));
  await waitFor(
    `${messages.length} messages to reach all ${receivers.length} receivers`,
    () => messages.every((m) => pending(m).length === 0),
    { timeoutMs, intervalMs: POLL_MS },
  ).catch((error) => {
    const missed = messages.map((m) => [m.key, pending(m).map((r) => r.address)] as const)
      .filter(([, who]) => who.length > 0);
    throw new Error(`${error.message}; missing: ${JSON.stringify(missed.slice(0, 10))}`);
  });
  let completeAt = 0;
  for (const receiver of receivers) {
    const receipts = receiver.events("gossip_received");
    const keys = receipts.map((l) => messageKey(l.properties.origin, l.properties.message));
    assertEquals(keys.length, new Set(keys).size, `${receiver.address} logged a receipt twice`);
    const wanted = new Set(messages.map((m) => m.key));
    for (const l of receipts) {
      if (wanted.has(messageKey(l.properties.origin, l.properties.message))) {
        completeAt = Math.max(completeAt, l.ts);
      }
    }
  }
  return { messages: messages.length, completeAt, newest: Math.max(...messages.map((m) => m.ts)) };
}

/** The window {@linkcode fullDeliveryAt} looks at (log ts). */
export interface DeliveryWindow {
  /** Messages generated after this. */
  since: number;
  /** Messages generated up to this (all of them delivered by now). */
  until: number;
}

/**
 * The log ts at which delivery became complete again after `since`: when
 * the first message generated after `since`, such that it and every later
 * one up to `until` reached every receiver, reached its last receiver.
 * `undefined` when the newest message is still missing somewhere.
 */
export function fullDeliveryAt(
  origins: readonly HostNode[],
  receivers: readonly HostNode[],
  window: DeliveryWindow,
): number | undefined {
  const messages = generatedAfter(origins, window.since).filter((m) => m.ts <= window.until)
    .sort((a, b) => a.ts - b.ts);
  const complete = (m: Generated) =>
    receivers.every((r) => r.address === m.origin || r.log.received().has(m.key));
  let first = messages.length;
  while (first > 0 && complete(messages[first - 1] as Generated)) first--;
  const message = messages[first];
  if (!message) return undefined;
  let at = message.ts;
  for (const receiver of receivers) {
    for (const l of receiver.events("gossip_received")) {
      if (messageKey(l.properties.origin, l.properties.message) === message.key) {
        at = Math.max(at, l.ts);
      }
    }
  }
  return at;
}

/** Prints a measured figure when `GOSSIPNET_FIGURES` is set (for docs/benchmarks.md). */
export function reportFigure(name: string, value: string): void {
  if (!Deno.env.get("GOSSIPNET_FIGURES")) return;
  // deno-lint-ignore no-console -- figures are asked for explicitly.
  console.error(`figure: ${name}: ${value}`);
}

/**
 * Waits until no peer has logged a neighbour coming or going for `quietMs`
 * (the overlay has settled after a heal or churn: a frame queued on a link
 * that is being replaced is lost, flooding sends it once). Returns the log
 * ts of the last change.
 */
export async function waitForSettledLinks(
  peers: readonly HostNode[],
  options: { quietMs?: number; timeoutMs?: number } = {},
): Promise<number> {
  const quietMs = options.quietMs ?? 1000;
  return await waitFor(`no link change for ${quietMs} ms`, () => {
    const last = Math.max(
      ...peers.flatMap((p) =>
        [p.events("neighbor_connected").at(-1)?.ts, p.events("neighbor_lost").at(-1)?.ts]
          .filter((ts): ts is number => ts !== undefined)
      ),
    );
    return Date.now() - last >= quietMs ? last : undefined;
  }, { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: POLL_MS });
}
