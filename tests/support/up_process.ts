/**
 * A real `gossipnet up` process for integration tests: its output
 * collected, its shell typed into, its run directory (with `nodes.json`)
 * in a temp dir, and cleanup that leaves no process behind, by PID.
 *
 * @module
 */

import { parseRunManifest, type RunManifest } from "../../lib/up/run_logs.ts";
import { waitFor, type WaitOptions } from "./jsonl_log.ts";
import { freePortBlock } from "./ports.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Options for {@linkcode UpProcess.start}. */
export interface UpOptions {
  seeds: number;
  peers: number;
  /** Further flags (timings, `--duration`). */
  args?: readonly string[];
}

/** One `gossipnet up` run. */
export class UpProcess implements AsyncDisposable {
  readonly dir: string;
  readonly basePort: number;
  readonly child: Deno.ChildProcess;
  readonly status: Promise<Deno.CommandStatus>;
  #output: string[] = [];
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #collected: Promise<unknown>;

  private constructor(dir: string, basePort: number, options: UpOptions) {
    this.dir = dir;
    this.basePort = basePort;
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "up",
        "--seeds",
        String(options.seeds),
        "--peers",
        String(options.peers),
        "--base-port",
        String(basePort),
        "--log-dir",
        dir,
        ...(options.args ?? []),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    this.#collected = Promise.all([
      this.#collect(this.child.stdout),
      this.#collect(this.child.stderr),
    ]);
    this.status = this.child.status;
  }

  /** Reserves free ports and a temp dir, and starts `up`. */
  static async start(options: UpOptions): Promise<UpProcess> {
    const basePort = freePortBlock(options.seeds + options.peers);
    const dir = await Deno.makeTempDir({ prefix: "gossipnet-up-test-" });
    return new UpProcess(dir, basePort, options);
  }

  /** Everything `up` printed so far (stdout and stderr). */
  get output(): string {
    return this.#output.join("");
  }

  /** Waits until the output matches `pattern`; returns the match. */
  waitForOutput(pattern: RegExp, options: WaitOptions = {}): Promise<RegExpMatchArray> {
    return waitFor(`output matching ${pattern}`, () => this.output.match(pattern), options);
  }

  /** The run's `nodes.json`, if written yet. */
  manifest(): RunManifest | undefined {
    try {
      return parseRunManifest(Deno.readTextFileSync(`${this.dir}/nodes.json`));
    } catch {
      return undefined;
    }
  }

  /** Types a line into `up`'s shell. */
  async type(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Closes `up`'s stdin (end of input). */
  async closeStdin(): Promise<void> {
    await this.#stdin.close();
  }

  /** Exit status and full output, once `up` has exited. */
  async finished(): Promise<{ code: number; output: string }> {
    const status = await this.status;
    await this.#collected;
    return { code: status.code, output: this.output };
  }

  /** Kills `up` (if still running) and every node PID it recorded, then removes the dir. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await this.status;
    await this.#collected;
    try {
      await this.#stdin.close();
    } catch {
      // Already closed.
    }
    for (const node of this.manifest()?.nodes ?? []) {
      for (const pid of node.pids) if (isAlive(pid)) killQuietly(pid);
    }
    if (!Deno.env.get("KEEP_TEST_LOGS")) await Deno.remove(this.dir, { recursive: true });
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) this.#output.push(chunk);
  }
}

function killQuietly(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Gone meanwhile.
  }
}

/**
 * Whether process `pid` exists (and, on Linux, is not a zombie). Probes
 * with SIGCONT where there is no /proc: harmless to a running process, and
 * NotFound once it is gone. A Deno process has several threads: its main
 * thread can be a zombie while the others still run and hold its sockets,
 * so it is gone only when no thread is left but the zombie.
 */
export function isAlive(pid: number): boolean {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const zombie = /^State:\s+Z/m.test(status);
    const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? "1");
    return !zombie || threads > 1;
  } catch (error) {
    if (Deno.build.os === "linux" && error instanceof Deno.errors.NotFound) return false;
  }
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export async function isListening(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}
