/**
 * Real `gossipnet` processes on 127.0.0.1 for integration tests: a temp
 * directory with a config.csv, seeds and peers started as child processes,
 * and cleanup that stops every one of them (by PID) whatever happens.
 *
 * @module
 */

import { logFileName } from "../../lib/log/logger.ts";
import { formatAddress } from "../../lib/util/address.ts";
import { freePortBlock } from "./ports.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Where and how a {@linkcode NodeProcess} runs. */
export interface NodeProcessOptions {
  /** The node's `--host`. @default {"127.0.0.1"} */
  host?: string;
  /** Argv run before `deno`, e.g. `["ip", "netns", "exec", "<ns>"]`. @default {[]} */
  launcher?: readonly string[];
  /** Its file-descriptor limit (POSIX only). @default {inherited} */
  maxOpenFiles?: number;
  /** Further environment variables (e.g. `GOSSIPNET_KEY`). @default {none} */
  env?: Readonly<Record<string, string>>;
}

/** One running node process. */
export class NodeProcess {
  readonly role: "seed" | "peer";
  readonly port: number;
  readonly address: string;
  readonly logPath: string;
  readonly child: Deno.ChildProcess;
  readonly status: Promise<Deno.CommandStatus>;
  #output: string[] = [];
  #stdin: WritableStreamDefaultWriter<Uint8Array>;

  /**
   * Spawns `gossipnet <role> --port <port> ...args` (with `--host` when not
   * 127.0.0.1); with `maxOpenFiles`, under that descriptor limit (`ulimit
   * -n`, through `/bin/sh`).
   */
  constructor(
    role: "seed" | "peer",
    port: number,
    dir: string,
    args: readonly string[],
    options: NodeProcessOptions = {},
  ) {
    const host = options.host ?? "127.0.0.1";
    const limit = options.maxOpenFiles;
    const deno = limit === undefined
      ? [Deno.execPath()]
      : ["/bin/sh", "-c", `ulimit -n ${limit} && exec "$0" "$@"`, Deno.execPath()];
    const [command, ...launcherArgs] = [...(options.launcher ?? []), ...deno];
    this.role = role;
    this.port = port;
    this.address = formatAddress({ host, port });
    this.logPath = `${dir}/logs/${logFileName(role, host, port)}`;
    this.child = new Deno.Command(command as string, {
      args: [
        ...launcherArgs,
        "run",
        "-A",
        MAIN,
        role,
        "--port",
        String(port),
        "--config",
        `${dir}/config.csv`,
        "--log-dir",
        `${dir}/logs`,
        "--exit-on-stdin-close",
        ...(host === "127.0.0.1" ? [] : ["--host", host]),
        ...args,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", ...options.env },
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    // The exit status resolves once the output is read too, so a test that
    // awaits it sees everything the process printed.
    const pumps = [this.#collect(this.child.stdout), this.#collect(this.child.stderr)];
    this.status = Promise.all([this.child.status, ...pumps]).then(([status]) => status);
  }

  /** Everything the process printed so far. */
  get output(): string {
    return this.#output.join("");
  }

  /** Types a line into the node's shell. */
  async type(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Sends a signal; ignores a process that already exited. */
  signal(signal: Deno.Signal): void {
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<Deno.CommandStatus> {
    this.signal("SIGCONT");
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    try {
      return await this.status;
    } finally {
      clearTimeout(timer);
      try {
        await this.#stdin.close();
      } catch {
        // The pipe is already closed.
      }
    }
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.#output.push(chunk);
      }
    } catch {
      // The pipe broke with the process; what arrived is kept.
    }
  }
}

/** Options for {@linkcode Cluster.create}. */
export interface ClusterOptions {
  /** Seeds listed in config.csv. @default {3} */
  seeds?: number;
  /** Ports reserved for peers. @default {16} */
  peerSlots?: number;
}

/** A test network: a temp dir, a config, and the processes started in it. */
export class Cluster implements AsyncDisposable {
  readonly dir: string;
  readonly seedPorts: number[];
  readonly peerPorts: number[];
  readonly nodes: NodeProcess[] = [];

  private constructor(dir: string, seedPorts: number[], peerPorts: number[]) {
    this.dir = dir;
    this.seedPorts = seedPorts;
    this.peerPorts = peerPorts;
  }

  /** Reserves ports and writes config.csv; starts nothing. */
  static async create(options: ClusterOptions = {}): Promise<Cluster> {
    const seeds = options.seeds ?? 3;
    const peers = options.peerSlots ?? 16;
    const base = freePortBlock(seeds + peers);
    const dir = await Deno.makeTempDir({ prefix: "gossipnet-test-" });
    const seedPorts = Array.from({ length: seeds }, (_, i) => base + i);
    const peerPorts = Array.from({ length: peers }, (_, i) => base + seeds + i);
    await Deno.writeTextFile(
      `${dir}/config.csv`,
      "host,port\n" + seedPorts.map((p) => `127.0.0.1,${p}\n`).join(""),
    );
    return new Cluster(dir, seedPorts, peerPorts);
  }

  /** Starts seed number `index` (0-based). */
  seed(index: number, args: readonly string[] = [], options: NodeProcessOptions = {}): NodeProcess {
    const node = new NodeProcess("seed", this.seedPorts[index] as number, this.dir, args, options);
    this.nodes.push(node);
    return node;
  }

  /** Starts peer number `index` (0-based). */
  peer(index: number, args: readonly string[] = [], options: NodeProcessOptions = {}): NodeProcess {
    const node = new NodeProcess("peer", this.peerPorts[index] as number, this.dir, args, options);
    this.nodes.push(node);
    return node;
  }

  /** Every node's output, for a failing test's message. */
  dump(): string {
    return this.nodes.map((n) => `--- ${n.role} ${n.address}\n${n.output}`).join("\n");
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

  /** Stops every process started, then removes the directory. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    if (!Deno.env.get("KEEP_TEST_LOGS")) await Deno.remove(this.dir, { recursive: true });
  }
}
