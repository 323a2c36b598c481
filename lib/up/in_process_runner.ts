/**
 * Nodes inside `up`'s own process (`up --in-process`): the same seed and
 * peer code as the library's `startSeed`/`startPeer`, on real TCP sockets,
 * each writing the same JSON Lines log file a child process would.
 *
 * Each node gets a clock and a transport of its own, so one node can be
 * frozen or crashed without touching the rest: `pause` holds its timers,
 * reads, writes, accepts and dials (a SIGSTOP'd process); `resume` lets
 * them go, the held timers firing late; `kill` closes its sockets and
 * listener with nothing more sent, cancels its timers and silences its log
 * (a SIGKILL'd process leaves no goodbye lines either).
 *
 * @module
 */

import { launchPeer } from "../api/peer_handle.ts";
import { launchSeed } from "../api/seed_handle.ts";
import type { PeerTuning } from "../config/node_config.ts";
import { openEventFile } from "../log/event_file.ts";
import type { EventLog, LogEvent } from "../log/events.ts";
import type { NodeLog } from "../log/logger.ts";
import type { Address } from "../util/address.ts";
import { type Clock, systemClock } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { PausableClock } from "../util/pausable_clock.ts";
import { PausableTransport } from "../wire/pausable_transport.ts";
import { nodeTcpTransport } from "../wire/node_tcp_transport.ts";
import type { Transport } from "../wire/transport.ts";
import type { NodeExit, NodeInstance, NodeRunner } from "./node_runner.ts";
import type { NodeSpec } from "./plan.ts";

/** Options for {@linkcode inProcessRunner}. */
export interface InProcessRunnerOptions {
  /** The network's seeds, as the others reach them (advertised addresses). */
  seeds: readonly Address[];
  /** Where each node's log file goes. */
  logDir: string;
  /** The peer timing flags, as knobs. */
  peerTuning: Partial<PeerTuning>;
  /** A node's `--metrics` address, if it serves one. */
  metrics?: (node: NodeSpec) => string | undefined;
  /**
   * Also gets every event of every node as it happens (besides its log
   * file), with the time it was logged.
   */
  onEvent?: (node: NodeSpec, event: LogEvent, ts: number) => void;
  /** @default {nodeTcpTransport} */
  transport?: Transport;
  /** @default {systemClock} */
  clock?: Clock;
  /** The run's key file, for every node. @default {none: plaintext} */
  keyFile?: string;
}

/**
 * How long a node's log lines may wait in memory before they are written.
 * A thousand nodes at the 100 ms a process uses would make ten thousand
 * small file writes a second, a tenth of the CPU of a flood; lines carry
 * the time they were logged, and a crashed node's log is drained on close,
 * so only `up`'s own death could lose them (at most this long's worth).
 */
const LOG_FLUSH_MS = 1000;

/** How long a crashed node's leftovers (its metrics server) may take to close. */
const CRASH_CLEANUP_MS = 2000;

const CLEAN_EXIT: NodeExit = { success: true, code: 0, signal: null };
const FAILED_EXIT: NodeExit = { success: false, code: 1, signal: null };
const KILLED_EXIT: NodeExit = { success: false, code: 137, signal: "SIGKILL" };

/** A log that drops everything once its node has crashed. */
class SilencedLog implements NodeLog {
  readonly #file: NodeLog;
  readonly #tap: EventLog | undefined;
  #silent = false;

  constructor(file: NodeLog, tap: EventLog | undefined) {
    this.#file = file;
    this.#tap = tap;
  }

  get path(): string {
    return this.#file.path;
  }

  emit(event: LogEvent): void {
    if (this.#silent) return;
    this.#file.emit(event);
    this.#tap?.emit(event);
  }

  silence(): void {
    this.#silent = true;
  }

  async close(): Promise<void> {
    await this.#file.close();
  }
}

interface Launched {
  stop(): Promise<void>;
  reloadKeys(): Promise<string[]>;
  /** A seed ready to serve, a peer joined. */
  settled: Promise<void>;
  /** Rejects when the node gives up for good (a peer the seeds refuse). */
  failed: Promise<never>;
}

/** One in-process node's life: launching, running, paused, stopped or crashed. */
class InProcessNode implements NodeInstance {
  readonly pid = Deno.pid;
  #reloadOnResume = false;
  readonly exited: Promise<NodeExit>;
  readonly listening: Promise<void>;
  readonly settled: Promise<void>;
  readonly #clock: PausableClock;
  readonly #transport: PausableTransport;
  readonly #onLine: (line: string) => void;
  #log: SilencedLog | undefined;
  #launched: Launched | undefined;
  #finish: (exit: NodeExit) => void = () => {};
  #ended = false;
  #killed = false;
  #stopping = false;

  constructor(
    spec: NodeSpec,
    options: InProcessRunnerOptions,
    onLine: (line: string) => void,
  ) {
    this.#onLine = onLine;
    this.#clock = new PausableClock(options.clock ?? systemClock);
    this.#transport = new PausableTransport(options.transport ?? nodeTcpTransport);
    this.exited = new Promise((resolve) => this.#finish = resolve);
    const launching = this.#launch(spec, options);
    this.listening = launching.then(() => {});
    this.settled = launching.then((launched) => launched.settled);
    this.settled.catch(() => {});
    // A failed start shows as an exit with its reason as the last line.
    launching.catch((error) => {
      this.#onLine(`error: ${errorText(error)}`);
      this.#end(FAILED_EXIT);
    });
    this.listening.catch(() => {});
  }

  async #launch(spec: NodeSpec, options: InProcessRunnerOptions): Promise<Launched> {
    const clock = options.clock ?? systemClock;
    const tap = options.onEvent
      ? { emit: (event: LogEvent) => options.onEvent?.(spec, event, clock.now()) }
      : undefined;
    const openLog = async () => {
      const file = await openEventFile({
        role: spec.role,
        host: spec.host,
        port: spec.port,
        logDir: options.logDir,
        flushIntervalMs: LOG_FLUSH_MS,
      });
      return this.#log = new SilencedLog(file, tap);
    };
    const metrics = options.metrics?.(spec);
    const common = {
      port: spec.port,
      host: spec.host,
      seeds: options.seeds,
      ...(spec.advertised ? { advertise: spec.advertised } : {}),
      transport: this.#transport,
      clock: this.#clock,
      ...(metrics === undefined ? {} : { metrics }),
      ...(options.keyFile === undefined ? {} : { keyFile: options.keyFile }),
    };
    if (spec.role === "seed") {
      const { handle } = await launchSeed(common, { openLog });
      this.#launched = {
        stop: () => handle.stop(),
        reloadKeys: () => handle.reloadKeys(),
        settled: handle.ready,
        failed: new Promise(() => {}),
      };
    } else {
      const { handle } = await launchPeer(common, { tuning: options.peerTuning, openLog });
      this.#launched = {
        stop: () => handle.stop(),
        reloadKeys: () => handle.reloadKeys(),
        settled: handle.joined,
        failed: handle.joined.then(() => new Promise<never>(() => {})),
      };
      this.#launched.failed.catch((error) => this.#gaveUp(error));
    }
    // Killed or stopped while it was starting.
    if (this.#killed) this.#crashNow().then(() => this.#end(KILLED_EXIT));
    else if (this.#stopping) this.requestStop();
    return this.#launched;
  }

  kill(): boolean {
    if (this.#ended || this.#killed) return false;
    this.#killed = true;
    // Exited once its log file is closed, so a restart appends after every line it wrote.
    this.#crashNow().then(() => this.#end(KILLED_EXIT));
    return true;
  }

  pause(): boolean {
    if (this.#ended || this.#killed) return false;
    this.#transport.pause();
    this.#clock.pause();
    return true;
  }

  resume(): boolean {
    if (this.#ended || this.#killed || !this.#transport.paused) return false;
    this.#transport.resume();
    this.#clock.resume();
    if (this.#reloadOnResume) {
      this.#reloadOnResume = false;
      this.reloadKeys();
    }
    return true;
  }

  reloadKeys(): boolean {
    const launched = this.#launched;
    if (this.#ended || this.#killed || !launched) return false;
    // A frozen node rereads when it runs again, as a SIGSTOP'd process takes its SIGHUP.
    if (this.#transport.paused) return this.#reloadOnResume = true;
    // Failures are the node's own keys_reload_failed event.
    launched.reloadKeys().catch(() => {});
    return true;
  }

  requestStop(): void {
    if (this.#ended || this.#killed) return;
    this.#stopping = true;
    this.resume();
    const launched = this.#launched;
    if (!launched) return;
    this.#log?.emit({ event: "stopping", reason: "stop requested by up" });
    launched.stop().then(
      () => this.#end(CLEAN_EXIT),
      (error) => {
        this.#onLine(`error: ${errorText(error)}`);
        this.#end(FAILED_EXIT);
      },
    );
  }

  terminate(): void {
    // Nothing harder than a stop exists short of a crash, which comes next.
  }

  #gaveUp(error: unknown): void {
    if (this.#ended || this.#stopping) return;
    this.#onLine(`error: ${errorText(error)}`);
    this.#stopping = true;
    this.#launched?.stop().finally(() => this.#end(FAILED_EXIT));
  }

  /**
   * Cuts the node off, then lets its code wind down unheard; resolves once
   * its log file is closed. Still launching: the launch finishes the job.
   */
  async #crashNow(): Promise<void> {
    this.#log?.silence();
    this.#transport.crash();
    this.#clock.halt();
    const launched = this.#launched;
    if (!launched) return;
    // Its stop can only close what the crash left (a metrics server): nothing reaches the network.
    const cleanup = launched.stop().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bounded = new Promise((resolve) => timer = setTimeout(resolve, CRASH_CLEANUP_MS));
    await Promise.race([cleanup, bounded]);
    clearTimeout(timer);
    await this.#log?.close().catch(() => {});
  }

  #end(exit: NodeExit): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#log?.close().catch(() => {});
    this.#finish(exit);
  }
}

/**
 * Runs each node inside this process, on its own pausable clock and
 * transport.
 */
export function inProcessRunner(options: InProcessRunnerOptions): NodeRunner {
  return {
    kind: "in-process",
    start: (spec, onLine) => new InProcessNode(spec, options, onLine),
  };
}
