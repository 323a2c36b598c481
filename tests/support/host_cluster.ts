/**
 * A gossipnet network on separate hosts: a {@linkcode NetnsLab}, a
 * config.csv naming the seed hosts' addresses, and every node a real
 * process started in its host's namespace with `--host` its own address.
 * Every node is stopped by PID and every namespace removed on dispose,
 * whatever happened.
 *
 * @module
 */

import { NETNS_TIMINGS } from "./bounds.ts";
import { NodeProcess } from "./cluster.ts";
import { type LogLine, waitFor } from "./jsonl_log.ts";
import { LogFollower } from "./log_follower.ts";
import { type LabHost, NetnsLab } from "./netns.ts";
import { FAST_PEER_ARGS, replayed } from "./network.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Peer flags for tests on separate hosts: fast, and tolerant of a busy CPU (see `NETNS_TIMINGS`). */
export const NETNS_PEER_ARGS: readonly string[] = [
  ...FAST_PEER_ARGS,
  "--ping-misses",
  String(NETNS_TIMINGS.pingMisses),
];

/** `args` with `--flag value` replacing any `--flag` already there. */
export function withFlag(args: readonly string[], flag: string, value: string): string[] {
  const result = [...args];
  const at = result.indexOf(`--${flag}`);
  if (at >= 0) result.splice(at, 2);
  result.push(`--${flag}`, value);
  return result;
}

/** Console lines per node shown when a test fails. */
const DUMP_LINES = 40;

/** Port of every seed (each on its own host). */
export const SEED_PORT = 5000;
/** Port of a peer's first process on a host; later ones count up from it. */
export const PEER_PORT = 6000;

/** Options for {@linkcode HostCluster.create}. */
export interface HostClusterOptions {
  /** Seed hosts, all listed in config.csv. */
  seeds: number;
  /** Peer hosts. */
  peers: number;
  /** Hosts that run no node (an operator's machine). @default {0} */
  spare?: number;
  /** Nodes use the hosts' IPv6 addresses. @default {false} */
  ipv6?: boolean;
}

/** What a one-off command printed. */
export interface CommandOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** One node on its own host, with its log followed. */
export class HostNode {
  readonly host: LabHost;
  readonly process: NodeProcess;
  readonly log: LogFollower;

  /** How the process ended, once it has. */
  exited: Deno.CommandStatus | undefined;

  /** Wraps a started process. */
  constructor(host: LabHost, process: NodeProcess) {
    this.host = host;
    this.process = process;
    this.log = new LogFollower(process.logPath);
    process.status.then((status) => this.exited = status);
  }

  /** `host:port`. */
  get address(): string {
    return this.process.address;
  }

  /** `seed` or `peer`. */
  get role(): "seed" | "peer" {
    return this.process.role;
  }

  /** Lines of one event so far. */
  events(event: string): readonly LogLine[] {
    return this.log.events(event);
  }

  /**
   * Current neighbour count, from the log. Not connected minus lost: a link
   * that replaces one to the same neighbour (a simultaneous dial) is logged
   * as connected twice and lost once.
   */
  degree(): number {
    return this.neighbors().size;
  }

  /** Current neighbours, replayed from the log. */
  neighbors(): Set<string> {
    return replayed(this.log.lines(), "neighbor_connected", "neighbor_lost", "neighbor");
  }

  /**
   * When it first linked to a neighbour (log ts): from then on it is in the
   * overlay, and every message generated later must reach it.
   */
  linkedAt(): number | undefined {
    return this.events("neighbor_connected")[0]?.ts;
  }

  /** A seed's peer list, replayed from its log. */
  members(): Set<string> {
    return replayed(this.log.lines(), "peer_registered", "peer_removed", "peer");
  }

  /** Lines at level WARN or above. */
  warnings(): LogLine[] {
    return this.log.lines().filter((l) => l.level === "WARN" || l.level === "ERROR");
  }
}

/** A network of seeds and peers, one per host. */
export class HostCluster implements AsyncDisposable {
  readonly lab: NetnsLab;
  /** Temp dir: config.csv and every node's log. */
  readonly dir: string;
  readonly seedHosts: readonly LabHost[];
  readonly peerHosts: readonly LabHost[];
  readonly spareHosts: readonly LabHost[];
  /** Every node started, in start order. */
  readonly nodes: HostNode[] = [];
  #incarnations = new Map<LabHost, number>();
  #ipv6: boolean;

  private constructor(lab: NetnsLab, dir: string, options: HostClusterOptions) {
    this.lab = lab;
    this.dir = dir;
    this.#ipv6 = options.ipv6 ?? false;
    const hosts = lab.hosts;
    this.seedHosts = hosts.slice(0, options.seeds);
    this.peerHosts = hosts.slice(options.seeds, options.seeds + options.peers);
    this.spareHosts = hosts.slice(options.seeds + options.peers);
  }

  /** Makes the hosts and writes config.csv; starts nothing. */
  static async create(options: HostClusterOptions): Promise<HostCluster> {
    const lab = await NetnsLab.create({
      hosts: options.seeds + options.peers + (options.spare ?? 0),
      ipv6: options.ipv6 ?? false,
    });
    let dir: string | undefined;
    try {
      dir = await Deno.makeTempDir({ prefix: "gossipnet-netns-" });
      const cluster = new HostCluster(lab, dir, options);
      await Deno.writeTextFile(
        `${dir}/config.csv`,
        "host,port\n" +
          cluster.seedHosts.map((h) => `${cluster.hostAddress(h)},${SEED_PORT}\n`).join(""),
      );
      return cluster;
    } catch (error) {
      await lab[Symbol.asyncDispose]();
      if (dir) await Deno.remove(dir, { recursive: true });
      throw error;
    }
  }

  /** Starts the seed on seed host `index`. */
  startSeed(index: number, args: readonly string[] = []): HostNode {
    return this.#start("seed", this.#host(this.seedHosts, index), SEED_PORT, args);
  }

  /** The address nodes on `host` use: its IPv4 one, or its IPv6 one in an `ipv6` cluster. */
  hostAddress(host: LabHost): string {
    return this.#ipv6 ? host.address6 ?? host.address : host.address;
  }

  /** Starts every seed and waits until each is linked to all the others. */
  async startSeeds(args: readonly string[] = []): Promise<HostNode[]> {
    const seeds = this.seedHosts.map((_, i) => this.startSeed(i, args));
    await waitFor(
      "every seed to link to every other seed",
      () => {
        const dead = seeds.find((s) => s.exited);
        if (dead) {
          throw new Error(`${dead.address} exited ${dead.exited?.code}: ${dead.process.output}`);
        }
        return seeds.every((s) =>
          new Set(s.events("seed_link_up").map((l) => l.properties.seed)).size === seeds.length - 1
        );
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    return seeds;
  }

  /**
   * Starts a peer on peer host `index`. A host's first peer listens on
   * {@linkcode PEER_PORT}; a later one (after a kill) on the next port, so
   * every process has its own address and log.
   */
  startPeer(index: number, args: readonly string[] = []): HostNode {
    const host = this.#host(this.peerHosts, index);
    const incarnation = this.#incarnations.get(host) ?? 0;
    this.#incarnations.set(host, incarnation + 1);
    return this.#start("peer", host, PEER_PORT + incarnation, args);
  }

  /** Runs `gossipnet ...args` to completion on `host` (e.g. `report-dead`). */
  async gossipnet(host: LabHost, args: readonly string[]): Promise<CommandOutcome> {
    const [command, ...launcherArgs] = this.lab.launcher(host);
    const output = await new Deno.Command(command as string, {
      args: [...launcherArgs, Deno.execPath(), "run", "-A", MAIN, ...args],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return {
      code: output.code,
      stdout: text.decode(output.stdout),
      stderr: text.decode(output.stderr),
    };
  }

  /** The end of every node's console output (warnings and errors), for a failing test. */
  dump(): string {
    return this.nodes.map((n) => {
      const tail = n.process.output.trimEnd().split("\n").slice(-DUMP_LINES).join("\n");
      return `--- ${n.role} ${n.address} (${n.host.netns})\n${tail}`;
    }).join("\n");
  }

  /**
   * Runs `t.step`; throws if the step failed, so later steps do not run on a
   * broken network. The error repeats the step's own message: the step's
   * report comes before every node's output, and a CI log's tail may be all
   * that is kept.
   */
  async step(t: Deno.TestContext, name: string, body: () => void | Promise<void>): Promise<void> {
    let failure: unknown;
    const passed = await t.step(name, async () => {
      try {
        await body();
      } catch (error) {
        failure = error;
        throw error;
      }
    });
    if (passed) return;
    const why = failure instanceof Error ? failure.message : String(failure);
    throw new Error(`Step failed: ${name}: ${why.split("\n").slice(0, 12).join("\n")}`);
  }

  /** Runs `body`; if it fails, prints every node's output before rethrowing. */
  async explainFailure<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      // deno-lint-ignore no-console -- a failing test's evidence belongs on stderr.
      console.error(`${this.dump()}\n(logs: ${this.dir}; set KEEP_TEST_LOGS=1 to keep them)`);
      throw error;
    }
  }

  /** Stops every node, removes the hosts, then the directory. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await Promise.all(this.nodes.map((n) => n.process.stop()));
    } finally {
      await this.lab[Symbol.asyncDispose]();
      if (!Deno.env.get("KEEP_TEST_LOGS")) await Deno.remove(this.dir, { recursive: true });
    }
  }

  #host(hosts: readonly LabHost[], index: number): LabHost {
    const host = hosts[index];
    if (!host) throw new Error(`No host ${index} (there are ${hosts.length})`);
    return host;
  }

  #start(role: "seed" | "peer", host: LabHost, port: number, args: readonly string[]): HostNode {
    // The console only for warnings: the JSON log has everything, and a
    // dozen nodes printing every receipt into the test's pipes cost CPU.
    const process = new NodeProcess(role, port, this.dir, ["--log-level", "warning", ...args], {
      host: this.hostAddress(host),
      launcher: this.lab.launcher(host),
    });
    const node = new HostNode(host, process);
    this.nodes.push(node);
    return node;
  }
}
