/**
 * The parts of the command line only `gossipnet sim` has: its scenario
 * values (`0.01@60s`, `0.2@30s-40s`, a rate) and its typed invocation.
 *
 * @module
 */

import type { PeerTuning } from "../config/node_config.ts";
import { parseDuration } from "../config/duration.ts";
import { defaultJoinSpacingMs, type KillPlan, type PartitionPlan } from "../sim/sim_plan.ts";
import { UsageError } from "../util/errors.ts";

/** `gossipnet sim`. */
export interface SimInvocation {
  command: "sim";
  seeds: number;
  peers: number;
  origins: number;
  messages: number;
  latencyMs: number;
  jitterMs: number;
  bandwidthBps: number;
  joinSpacingMs: number;
  kill?: KillPlan;
  churnPerSecond: number;
  partition?: PartitionPlan;
  seed: number;
  untilMs?: number;
  out?: string;
  /** The simulation heap's old-generation limit (`--max-heap`), in MiB. */
  maxHeapMiB?: number;
  tuning: Partial<PeerTuning>;
}

function fraction(text: string): number | undefined {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 && value <= 1 ? value : undefined;
}

/**
 * Parses `<fraction>@<time>` (`0.01@60s`); `undefined` when malformed.
 *
 * @example Usage
 * ```ts
 * import { parseShareAt } from "./sim_args.ts";
 * parseShareAt("0.01@60s"); // { fraction: 0.01, atMs: 60000 }
 * parseShareAt("2@1s"); // undefined
 * ```
 */
export function parseShareAt(text: string): KillPlan | undefined {
  const [share, at, extra] = text.split("@");
  if (share === undefined || at === undefined || extra !== undefined) return undefined;
  const f = fraction(share);
  const atMs = parseDuration(at);
  return f === undefined || atMs === undefined ? undefined : { fraction: f, atMs };
}

/**
 * Parses `<fraction>@<from>-<to>` (`0.2@30s-40s`); `undefined` when
 * malformed, when the fraction is 1 (nobody left on the other side) or
 * when `to` is not after `from`.
 *
 * @example Usage
 * ```ts
 * import { parseShareWindow } from "./sim_args.ts";
 * parseShareWindow("0.2@30s-40s"); // { fraction: 0.2, fromMs: 30000, toMs: 40000 }
 * ```
 */
export function parseShareWindow(text: string): PartitionPlan | undefined {
  const [share, window, extra] = text.split("@");
  if (share === undefined || window === undefined || extra !== undefined) return undefined;
  const [from, to, more] = window.split("-");
  if (from === undefined || to === undefined || more !== undefined) return undefined;
  const f = fraction(share);
  const fromMs = parseDuration(from);
  const toMs = parseDuration(to);
  if (f === undefined || f >= 1 || fromMs === undefined || toMs === undefined) return undefined;
  return toMs > fromMs ? { fraction: f, fromMs, toMs } : undefined;
}

/**
 * Parses a rate: a decimal number >= 0 (`2.5`); `undefined` when malformed.
 *
 * @example Usage
 * ```ts
 * import { parseRate } from "./sim_args.ts";
 * parseRate("2.5"); // 2.5
 * parseRate("-1"); // undefined
 * ```
 */
export function parseRate(text: string): number | undefined {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value <= 1_000_000 ? value : undefined;
}

/** Builds the invocation from checked flag values. */
export function simInvocation(
  values: ReadonlyMap<string, unknown>,
  tuning: Partial<PeerTuning>,
): SimInvocation {
  const number = (name: string, fallback: number) =>
    (values.get(name) as number | undefined) ?? fallback;
  const peers = number("peers", 100);
  const origins = number("origins", 1);
  if (origins > peers) {
    throw new UsageError(`Invalid --origins ${origins}: more than the ${peers} peers`);
  }
  const kill = values.get("kill") as KillPlan | undefined;
  const partition = values.get("partition") as PartitionPlan | undefined;
  const untilMs = values.get("until") as number | undefined;
  const out = values.get("out") as string | undefined;
  const maxHeapMiB = values.get("max-heap") as number | undefined;
  return {
    command: "sim",
    seeds: number("seeds", 3),
    peers,
    origins,
    messages: number("messages", 1),
    latencyMs: number("latency", 20),
    jitterMs: number("jitter", 0),
    bandwidthBps: number("bandwidth", 0),
    joinSpacingMs: number("join-interval", defaultJoinSpacingMs(peers)),
    churnPerSecond: number("churn", 0),
    seed: number("seed", 1),
    tuning: { gossipIntervalMs: 1000, ...tuning },
    ...(kill ? { kill } : {}),
    ...(partition ? { partition } : {}),
    ...(untilMs !== undefined ? { untilMs } : {}),
    ...(out !== undefined ? { out } : {}),
    ...(maxHeapMiB !== undefined ? { maxHeapMiB } : {}),
  };
}
