/**
 * The library's options for `startSeed` and `startPeer`. They mirror the
 * command-line flags: the same names in camelCase (`--gossip-interval` is
 * `gossipInterval`) and the same defaults, with one deliberate difference:
 * a library node writes no log file unless given `logDir`, and prints
 * nothing (read its events with `events()`).
 *
 * @module
 */

import { parseDuration } from "../config/duration.ts";
import type { PeerTuning, SeedTuning } from "../config/node_config.ts";
import { loadSeedList } from "../config/seed_list.ts";
import type { EventLog } from "../log/events.ts";
import {
  type Address,
  formatAddress,
  isValidHost,
  isValidPort,
  parseAddress,
} from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import { ConfigError } from "../util/errors.ts";
import type { Rng } from "../util/random.ts";
import type { Transport } from "../wire/transport.ts";

/** A duration: milliseconds, or text such as `"200ms"`, `"1.5s"`, `"2m"`. */
export type Duration = number | string;

/** An address: `"host:port"` (`"[::1]:5000"`) or `{ host, port }`. */
export type AddressLike = string | Address;

/** Options both roles take. */
export interface NodeOptions {
  /** TCP port to listen on (`--port`); 0 picks a free one (see `address` on the handle). */
  port: number;
  /** Address to listen on (`--host`). @default {"127.0.0.1"} */
  host?: string;
  /**
   * Address other nodes reach this one at (`--advertise`), when it is not
   * the listen address: behind NAT, in a container, or with `host:
   * "0.0.0.0"`. @default {the listen address}
   */
  advertise?: AddressLike;
  /** The seed list file (`--config`), read when `seeds` is not given. @default {"config.csv"} */
  config?: string;
  /** The network's seeds, instead of a config file. */
  seeds?: readonly AddressLike[];
  /** Directory for a JSON Lines log file (`--log-dir`). @default {no file} */
  logDir?: string;
  /** Serve Prometheus metrics at `http://<metrics>/metrics` (`--metrics`). @default {none} */
  metrics?: AddressLike;
  /**
   * The network key file (`--key-file`): one base64 key per line (from
   * `gossipnet keygen`), the first sends, all are accepted. With keys every
   * link is authenticated and sealed; `reloadKeys()` on the handle
   * rereads the file for rotation. The library does not read
   * `GOSSIPNET_KEY`; pass its value as `key`. @default {no key: plaintext}
   */
  keyFile?: string;
  /** Key text in the key file's format, instead of `keyFile`. @default {none} */
  key?: string;
  /** Another sink for the node's events (besides `events()` and `logDir`). */
  log?: EventLog;
  /** Advanced: the network (an in-memory one in tests). @default {TCP} */
  transport?: Transport;
  /** Advanced: the time source. @default {the system clock} */
  clock?: Clock;
  /** Advanced: the random source. @default {Math.random} */
  rng?: Rng;
}

/** Options of `startSeed`. */
export interface SeedOptions extends NodeOptions {
  /** Most peers this seed registers (`--max-peers`). @default {unlimited} */
  maxPeers?: number;
}

/** Options of `startPeer`. */
export interface PeerOptions extends NodeOptions {
  /** Most neighbours dialled when joining (`--max-neighbors`). @default {4} */
  maxNeighbors?: number;
  /** Time between this peer's own text gossip messages (`--gossip-interval`). @default {"5s"} */
  gossipInterval?: Duration;
  /** Text gossip messages this peer generates; 0 only relays (`--gossip-count`). @default {10} */
  gossipCount?: number;
  /** Time between liveness pings to each neighbour (`--ping-interval`). @default {"13s"} */
  pingInterval?: Duration;
  /** Missed pings in a row before a neighbour is suspected (`--ping-misses`). @default {3} */
  pingMisses?: number;
  /** Most inbound neighbour links accepted (`--max-inbound`). @default {64} */
  maxInbound?: number;
  /** How often a peer with too few neighbours looks for more (`--repair-interval`). @default {"2s"} */
  repairInterval?: Duration;
  /**
   * New gossip messages a second taken from one neighbour; more are dropped
   * and a flood far past it drops the link (`--max-gossip-rate`). @default {200}
   */
  maxGossipRate?: number;
  /** A shell command run for each received message (`--on-message`). @default {none} */
  onMessage?: string;
}

/** Library option → peer tuning knob, for the options that mirror `PEER_TUNING_FLAGS`. */
export const PEER_OPTION_KNOBS = {
  maxNeighbors: "maxNeighbors",
  gossipInterval: "gossipIntervalMs",
  gossipCount: "gossipCount",
  pingInterval: "pingIntervalMs",
  pingMisses: "pingMisses",
  maxInbound: "maxInbound",
  repairInterval: "repairIntervalMs",
  maxGossipRate: "gossipRatePerLink",
} as const satisfies Record<string, keyof PeerTuning>;

function optionError(name: string, expected: string, value: unknown): ConfigError {
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  return new ConfigError(`Invalid option ${name}: expected ${expected}, got ${shown}`);
}

/** Reads an {@linkcode AddressLike}. @throws {ConfigError} Naming the option. */
export function toAddress(value: AddressLike, name: string): Address {
  if (typeof value === "string") {
    const address = parseAddress(value);
    if (!address) throw optionError(name, "host:port", value);
    return address;
  }
  if (!isValidHost(value.host) || !isValidPort(value.port)) {
    throw optionError(name, "a valid host and a port 1-65535", formatAddress(value));
  }
  return { host: value.host, port: value.port };
}

/** Reads a {@linkcode Duration} in ms. @throws {ConfigError} Naming the option. */
export function toMs(value: Duration, name: string): number {
  const ms = typeof value === "number" ? value : parseDuration(value);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw optionError(name, "milliseconds or a duration such as 200ms, 1.5s or 2m", value);
  }
  return ms;
}

/** Checks the listen address options. @throws {ConfigError} Naming the option. */
export function checkListen(options: NodeOptions): { host: string; port: number } {
  const host = options.host ?? "127.0.0.1";
  if (!isValidHost(host)) throw optionError("host", "an IP address or host name", host);
  const port = options.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw optionError("port", "a port 0-65535", port);
  }
  return { host, port };
}

/** The peer tuning the options ask for (unset ones keep their defaults). */
export function peerTuningOf(options: PeerOptions): Partial<PeerTuning> {
  const tuning: Partial<PeerTuning> = {};
  for (const [option, knob] of Object.entries(PEER_OPTION_KNOBS)) {
    const value = options[option as keyof typeof PEER_OPTION_KNOBS];
    if (value === undefined) continue;
    tuning[knob] = knob.endsWith("Ms") ? toMs(value, option) : Number(value);
  }
  return tuning;
}

/** The seed tuning the options ask for. */
export function seedTuningOf(options: SeedOptions): Partial<SeedTuning> {
  return options.maxPeers === undefined ? {} : { maxPeers: options.maxPeers };
}

/**
 * The network's seeds: `seeds` if given, else the config file.
 * @throws {ConfigError} When an entry or the file is bad.
 */
export async function seedsOf(options: NodeOptions): Promise<Address[]> {
  if (options.seeds) return options.seeds.map((s, i) => toAddress(s, `seeds[${i}]`));
  return await loadSeedList(options.config ?? "config.csv");
}
