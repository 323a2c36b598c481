/**
 * The shape of a local network before anything runs: which nodes, their
 * names (`s1`.., `p1`..), addresses and log files, the config.csv that
 * lists the seeds, and the command line each child gets. Pure.
 *
 * @module
 */

import { type Address, formatAddress, sameAddress } from "../util/address.ts";
import { UsageError } from "../util/errors.ts";
import type { EventLevel } from "../log/events.ts";

/** One node `up` runs. */
export interface NodeSpec {
  /** `s1`.. for seeds, `p1`.. for peers. */
  readonly name: string;
  readonly role: "seed" | "peer";
  readonly host: string;
  readonly port: number;
  /** `host:port`. */
  readonly address: string;
}

/** Options for {@linkcode planNetwork}. */
export interface PlanOptions {
  /** Seeds to start on consecutive ports, when `seedAddresses` is not given. */
  seeds: number;
  peers: number;
  basePort: number;
  host: string;
  /** Seeds of a given config.csv: started as listed; peers start at `basePort`. */
  seedAddresses?: readonly Address[];
}

/**
 * Names and places every node: seeds first, then peers, on consecutive ports
 * from `basePort` (seeds from a given config keep their own addresses).
 *
 * @example Usage
 * ```ts
 * import { planNetwork } from "./plan.ts";
 * const nodes = planNetwork({ seeds: 1, peers: 1, basePort: 5000, host: "127.0.0.1" });
 * nodes.map((n) => `${n.name} ${n.address}`); // ["s1 127.0.0.1:5000", "p1 127.0.0.1:5001"]
 * ```
 *
 * @throws {UsageError} When the ports run past 65535 or a peer's port is a seed's.
 */
export function planNetwork(options: PlanOptions): NodeSpec[] {
  const seeds: Address[] = options.seedAddresses
    ? [...options.seedAddresses]
    : Array.from({ length: options.seeds }, (_, i) => ({
      host: options.host,
      port: options.basePort + i,
    }));
  const firstPeerPort = options.seedAddresses ? options.basePort : options.basePort + seeds.length;
  const lastPort = firstPeerPort + options.peers - 1;
  if (lastPort > 65535 || seeds.some((s) => s.port > 65535)) {
    throw new UsageError(
      `Invalid --base-port: ${options.basePort} leaves no room for ${
        seeds.length + options.peers
      } nodes on consecutive ports (the last would be ${Math.max(lastPort, options.basePort)})`,
    );
  }
  const nodes: NodeSpec[] = seeds.map((a, i) => spec(`s${i + 1}`, "seed", a));
  for (let i = 0; i < options.peers; i++) {
    const address = { host: options.host, port: firstPeerPort + i };
    const clash = seeds.find((s) => sameAddress(s, address));
    if (clash) {
      throw new UsageError(
        `Invalid --base-port: peer p${i + 1} would take ${
          formatAddress(address)
        }, a seed's address in the config; choose a --base-port clear of the seeds`,
      );
    }
    nodes.push(spec(`p${i + 1}`, "peer", address));
  }
  return nodes;
}

function spec(name: string, role: "seed" | "peer", address: Address): NodeSpec {
  return { name, role, host: address.host, port: address.port, address: formatAddress(address) };
}

/**
 * The config.csv text listing the seeds of `nodes`.
 *
 * @example Usage
 * ```ts
 * import { configCsv, planNetwork } from "./plan.ts";
 * configCsv(planNetwork({ seeds: 1, peers: 0, basePort: 5000, host: "127.0.0.1" }));
 * // "host,port\n127.0.0.1,5000\n"
 * ```
 */
export function configCsv(nodes: readonly NodeSpec[]): string {
  const rows = nodes.filter((n) => n.role === "seed").map((n) => `${n.host},${n.port}\n`);
  return `# Seeds of a gossipnet up run\nhost,port\n${rows.join("")}`;
}

/** What every child's command line shares. */
export interface ChildArgsOptions {
  configPath: string;
  logDir: string;
  /** Lowest level the child prints on its console. */
  logLevel: EventLevel;
  /** Peer timing flags, passed on to peers only. */
  peerArgs: readonly string[];
  /** Further flags for one node (e.g. its own `--metrics` address). */
  nodeArgs?: (node: NodeSpec) => readonly string[];
}

/**
 * The `gossipnet` arguments that run `node`. Children stop when their stdin
 * closes, so they cannot outlive `up` even if it is killed outright.
 */
export function childArgs(node: NodeSpec, options: ChildArgsOptions): string[] {
  return [
    node.role,
    "--port",
    String(node.port),
    "--host",
    node.host,
    "--config",
    options.configPath,
    "--log-dir",
    options.logDir,
    "--log-level",
    options.logLevel,
    "--exit-on-stdin-close",
    ...(node.role === "peer" ? options.peerArgs : []),
    ...(options.nodeArgs?.(node) ?? []),
  ];
}

/**
 * Finds a node by name (`p3`, any case) or address (`127.0.0.1:5003`).
 */
export function findNode<T extends NodeSpec>(nodes: readonly T[], query: string): T | undefined {
  const q = query.trim().toLowerCase();
  return nodes.find((n) => n.name === q || n.address === q);
}
