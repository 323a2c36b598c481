/**
 * The lines `up` starts with: which nodes on which ports, where the logs go,
 * and what it will print. Pure.
 *
 * @module
 */

import type { NodeSpec } from "./plan.ts";

function count(list: readonly NodeSpec[], role: string): string {
  const first = list[0];
  const last = list[list.length - 1];
  if (!first || !last) return `no ${role}s`;
  if (first === last) return `1 ${role} (${first.name}, port ${first.port})`;
  return `${list.length} ${role}s (${first.name}-${last.name}, ports ${first.port}-${last.port})`;
}

/**
 * The start banner.
 *
 * @example Usage
 * ```ts
 * import { startBanner } from "./banner.ts";
 * import { planNetwork } from "./plan.ts";
 * const plan = planNetwork({ seeds: 1, peers: 2, basePort: 5000, host: "127.0.0.1" });
 * startBanner(plan, { host: "127.0.0.1", logDir: "logs/a", verbose: false })[0];
 * // "up: starting 1 seed (s1, port 5000) and 2 peers (p1-p2, ports 5001-5002) on 127.0.0.1; logs in logs/a"
 * ```
 */
export function startBanner(
  plan: readonly NodeSpec[],
  options: {
    host: string;
    logDir: string;
    verbose: boolean;
    /** The nodes run inside `up`'s process; `default` when up chose that for the peer count. */
    inProcess?: "asked" | { abovePeers: number };
    /** In-process nodes spread over this many threads (`--workers`). */
    threads?: number;
    keys?: BannerKeys;
  },
): string[] {
  const seeds = plan.filter((n) => n.role === "seed");
  const peers = plan.filter((n) => n.role === "peer");
  const mode = options.inProcess === undefined
    ? []
    : options.inProcess === "asked"
    ? ["up: every node runs inside this process (--in-process), on real TCP sockets"]
    : [
      `up: more than ${options.inProcess.abovePeers} peers: every node runs inside this ` +
      "process, on real TCP sockets (--processes for one process per node)",
    ];
  if (options.inProcess !== undefined && (options.threads ?? 1) > 1) {
    mode.push(`up: the nodes are spread over ${options.threads} threads (--workers)`);
  }
  return [
    `up: starting ${count(seeds, "seed")} and ${count(peers, "peer")} on ${options.host}; ` +
    `logs in ${options.logDir}`,
    ...mode,
    options.verbose
      ? "up: printing every node line (--verbose)"
      : "up: printing membership events only (--verbose for every node line)",
    ...(options.keys ? [keyLine(options.keys)] : []),
  ];
}

/** What the banner says about a keyed run: ids and where they came from, never keys. */
export interface BannerKeys {
  readonly ids: readonly string[];
  /** E.g. `a new key (--secure)`, `keys from net.key`. */
  readonly origin: string;
  /** The run's key file. */
  readonly path: string;
}

function keyLine(keys: BannerKeys): string {
  return `up: keyed run: key ${keys.ids.join(", ")} ${keys.origin}, in ${keys.path} ` +
    "(the keys command rotates it)";
}
