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
  /** Where it listens. */
  readonly host: string;
  readonly port: number;
  /** Where others reach it, when not `host:port` (`--advertise`). */
  readonly advertised?: Address;
  /** The address others know it by, `host:port`: the advertised one, else the bound one. */
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
  /**
   * Where the node on `basePort` is reached (NAT, containers); the node on
   * `basePort + i` is reached at this port + i. Seeds of a given config keep
   * their addresses.
   */
  advertise?: Address;
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
 * @throws {UsageError} When the ports (bound or advertised) run past 65535 or a peer's port
 * is a seed's.
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
  const advertise = options.advertise;
  const lastAdvertised = advertise && advertise.port + (lastPort - options.basePort);
  if (lastAdvertised !== undefined && lastAdvertised > 65535) {
    throw new UsageError(
      `Invalid --advertise: port ${advertise!.port} leaves no room for the ${
        lastPort - options.basePort + 1
      } nodes on consecutive ports (the last would be ${lastAdvertised})`,
    );
  }
  // Only nodes up places on consecutive ports get an advertised address.
  const advertisedAt = (bound: Address): Address | undefined =>
    advertise && { host: advertise.host, port: advertise.port + bound.port - options.basePort };
  const nodes: NodeSpec[] = seeds.map((a, i) =>
    spec(`s${i + 1}`, "seed", a, options.seedAddresses ? undefined : advertisedAt(a))
  );
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
    nodes.push(spec(`p${i + 1}`, "peer", address, advertisedAt(address)));
  }
  return nodes;
}

function spec(
  name: string,
  role: "seed" | "peer",
  address: Address,
  advertised: Address | undefined,
): NodeSpec {
  return {
    name,
    role,
    host: address.host,
    port: address.port,
    ...(advertised ? { advertised } : {}),
    address: formatAddress(advertised ?? address),
  };
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
  const rows = nodes.filter((n) => n.role === "seed").map((n) => {
    const { host, port } = n.advertised ?? n;
    return `${host},${port}\n`;
  });
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
    ...(node.advertised ? ["--advertise", formatAddress(node.advertised)] : []),
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
