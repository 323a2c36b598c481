/**
 * `gossipnet up`: a whole local network from one command. Starts the seeds
 * and then the peers as child processes (or, `--in-process`, inside this
 * process: `lib/up/in_process_runner.ts`), shows their membership events (or,
 * with `--verbose`, every node line) and a live status line, takes shell
 * commands (`status`, `kill`, `pause`, `resume`, `start`, `exit`), serves
 * a live dashboard with `--ui`, and when the run ends (by `--duration`,
 * `exit`, Ctrl+C or SIGTERM; not by end of stdin) stops every node, waits
 * for each, prints a summary computed from their logs and writes the HTML
 * report.
 *
 * The parts live in `lib/up/`: the plan, the supervisor of the processes,
 * the log tail and status, the startup, the summary.
 *
 * @module
 */

import { loadSeedList } from "../config/seed_list.ts";
import { consoleUsesColor, logFileName } from "../log/logger.ts";
import { runRepl, type TtyLineInput, ttyLineInput } from "../shell/repl.ts";
import { upCommands } from "../up/commands.ts";
import { shellControl } from "../up/control.ts";
import { nameAddresses } from "../up/event_lines.ts";
import { NodeOutput } from "../up/node_output.ts";
import { recordOfEvent, type RunRecord } from "../up/records.ts";
import type { ShellCommand } from "../shell/commands.ts";
import { type Dashboard, startDashboard, summaryFromStatus } from "../ui/dashboard.ts";
import { writeReport } from "./report.ts";
import { LogTail } from "../up/log_tail.ts";
import { childArgs, configCsv, type NodeSpec, planNetwork } from "../up/plan.ts";
import {
  manifestNode,
  prepareRunDir,
  readRunLogs,
  type RunLogs,
  writeRunFile,
  writeRunManifest,
} from "../up/run_logs.ts";
import { selfCommand } from "../up/self_command.ts";
import { checkPortsFree, IN_PROCESS_BATCH_SIZE, startNetwork, startNode } from "../up/startup.ts";
import { LiveStatus } from "../up/status.ts";
import { StatusDisplay } from "../up/status_display.ts";
import { onStopSignals, StopSignals } from "./signals.ts";
import { startBanner } from "../up/banner.ts";
import { upKeysCommand } from "../up/key_commands.ts";
import { KeyState } from "../up/key_state.ts";
import { keyLines, type RunKeyOrigin, RunKeys } from "../up/run_keys.ts";
import { KEY_ENV, keyFileText } from "../api/node_keys.ts";
import { keyEnv } from "./key_env.ts";
import { runSummaryText } from "../up/run_summary.ts";
import { type ManagedNode, Supervisor } from "../up/supervisor.ts";
import { inProcessRunner } from "../up/in_process_runner.ts";
import { workerRunner } from "../up/worker_runner.ts";
import { processRunner } from "../up/process_runner.ts";
import type { NodeExit } from "../up/node_runner.ts";

import { Terminal } from "../up/terminal.ts";
import { systemClock } from "../util/clock.ts";
import { formatAddress } from "../util/address.ts";
import { errorText } from "../util/errors.ts";
import type { UpInvocation } from "./args.ts";
import { IN_PROCESS_ABOVE_PEERS, WORKERS_ABOVE_PEERS } from "./flags.ts";
import type { NodeRunner } from "../up/node_runner.ts";
import type { LogEvent } from "../log/events.ts";

/**
 * A second stop signal this soon after the first is the same Ctrl+C: under
 * `deno task`, the terminal's SIGINT reaches `up` directly and is also
 * forwarded to it by the task runner.
 */
export const SIGNAL_ECHO_MS = 1000;
/** In-process peers stopped at once at the end (see `StopOptions.batchSize`). */
const IN_PROCESS_STOP_BATCH = 50;

/** One thread per core (at most 8) for a large in-process network, else one. */
function defaultThreads(peers: number): number {
  if (peers <= WORKERS_ABOVE_PEERS) return 1;
  return Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1));
}
/** Changes to nodes.json within this long are written together. */
const MANIFEST_DELAY_MS = 100;
/** A node still running this long after its stop request gets SIGTERM, then SIGKILL. */
const STOP_TIMEOUTS = { termAfterMs: 2000, killAfterMs: 5000 };
/**
 * How often the node logs are read for the status line: every 100 ms, and
 * less often for big networks (5 ms per node), whose gossip would otherwise
 * compete with a thousand reads a second.
 */
function tailPollMs(nodes: number): number {
  return Math.max(100, 5 * nodes);
}

/** Runs a local network; resolves to the exit code. */
export async function runUp(invocation: UpInvocation): Promise<number> {
  const startTs = systemClock.now();
  // Read (and checked) first, so a bad key leaves nothing behind.
  const keyText = await upKeyText(invocation);
  const seedAddresses = invocation.configPath === undefined
    ? undefined
    : await loadSeedList(invocation.configPath);
  const plan = planNetwork({
    seeds: invocation.seeds,
    peers: invocation.peers,
    basePort: invocation.basePort,
    host: invocation.host,
    ...(seedAddresses === undefined ? {} : { seedAddresses }),
    ...(invocation.advertise === undefined ? {} : { advertise: invocation.advertise }),
  });
  checkPortsFree(plan);
  const logDir = await prepareRunDir(invocation.logDir);
  const keys = keyText === undefined
    ? undefined
    : await RunKeys.create(`${logDir}/${RUN_KEY_FILE}`, keyText.origin, keyText.lines);
  const configPath = invocation.configPath ?? `${logDir}/config.csv`;
  if (invocation.configPath === undefined) await writeRunFile(configPath, configCsv(plan));
  const run = new UpRun(invocation, plan, { startTs, logDir, configPath }, keys);
  return await run.execute();
}

interface RunPaths {
  startTs: number;
  logDir: string;
  configPath: string;
}

/** One `up` run: its terminal, processes, log tail, status and shell. */
class UpRun {
  readonly #inv: UpInvocation;
  readonly #paths: RunPaths;
  readonly #terminal: Terminal;
  readonly #supervisor: Supervisor;
  readonly #status: LiveStatus;
  readonly #display: StatusDisplay;
  readonly #tail: LogTail;
  readonly #abort = new AbortController();
  readonly #names: ReadonlyMap<string, string>;
  readonly #byAddress: ReadonlyMap<string, ManagedNode>;
  readonly #output: NodeOutput;
  readonly #commands: Record<string, ShellCommand>;
  readonly #keys: RunKeys | undefined;
  readonly #keyState = new KeyState();
  /** Threads the in-process nodes share. */
  readonly #threads: number;
  #dashboard: Dashboard | undefined;
  #keyboard: TtyLineInput | undefined;
  #stop: (reason: string) => void = () => {};
  #upTs: number | undefined;
  #stopTs: number | undefined;
  #manifestTimer: ReturnType<typeof setTimeout> | undefined;
  #flusher: ReturnType<typeof setInterval> | undefined;

  constructor(
    inv: UpInvocation,
    plan: readonly NodeSpec[],
    paths: RunPaths,
    keys: RunKeys | undefined,
  ) {
    this.#inv = inv;
    this.#keys = keys;
    this.#threads = inv.workers ?? defaultThreads(plan.filter((n) => n.role === "peer").length);
    this.#paths = paths;
    this.#names = new Map(plan.map((n) => [n.address, n.name]));
    this.#terminal = new Terminal({ tty: Deno.stdout.isTerminal(), color: consoleUsesColor() });
    this.#terminal.setNames(plan.map((n) => n.name));
    this.#output = new NodeOutput({
      terminal: this.#terminal,
      names: this.#names,
      verbose: inv.verbose,
      startTs: paths.startTs,
    });
    const args = {
      configPath: paths.configPath,
      logDir: paths.logDir,
      // up prints what the nodes log from their log files, named; their consoles print errors only.
      logLevel: "error" as const,
      peerArgs: inv.peerArgs,
      nodeArgs: (node: NodeSpec) => [
        ...metricsArgs(plan, inv)(node),
        ...(keys ? ["--key-file", keys.path] : []),
      ],
    };
    this.#supervisor = new Supervisor(plan, {
      runner: inv.inProcess
        ? this.#inProcessRunner(plan, keys)
        : processRunner({ command: selfCommand(), args: (node) => childArgs(node, args) }),
      hooks: {
        onLine: (node, line) => this.#output.output(node.spec, line),
        onExit: (node, status, expected) => this.#onExit(node, status, expected),
        onChange: () => this.#manifestSoon(),
      },
    });
    this.#byAddress = new Map(this.#supervisor.nodes.map((n) => [n.spec.address, n]));
    this.#status = new LiveStatus(this.#supervisor.nodes);
    this.#display = new StatusDisplay({
      terminal: this.#terminal,
      status: this.#status,
      nodes: this.#supervisor.nodes,
      startTs: paths.startTs,
      ...(inv.durationMs === undefined ? {} : { durationMs: inv.durationMs }),
    });
    this.#commands = upCommands({
      supervisor: this.#supervisor,
      status: this.#status,
      statusLine: () => this.#display.line(false, this.#terminal.width),
      restart: (node) => this.#restart(node),
    });
    this.#commands.keys = upKeysCommand({
      keys,
      state: this.#keyState,
      supervisor: this.#supervisor,
    });
    this.#tail = new LogTail({
      onRecord: (address, record) => this.#onRecord(address, record),
      onPollEnd: () => this.#output.flush(),
      sinceTs: paths.startTs,
    });
    for (const node of inv.inProcess ? [] : plan) {
      this.#tail.add(
        node.address,
        `${paths.logDir}/${logFileName(node.role, node.host, node.port)}`,
      );
    }
  }

  /** In-process nodes on this thread, or spread over worker threads. */
  #inProcessRunner(plan: readonly NodeSpec[], keys: RunKeys | undefined): NodeRunner {
    const inv = this.#inv;
    const options = {
      seeds: plan.filter((n) => n.role === "seed")
        .map((n) => n.advertised ?? { host: n.host, port: n.port }),
      logDir: this.#paths.logDir,
      peerTuning: inv.peerTuning,
      metrics: metricsAddress(plan, inv),
      ...(keys ? { keyFile: keys.path } : {}),
      // Their events come straight here: no need to read back the files they write.
      onEvent: (node: NodeSpec, event: LogEvent, ts: number) =>
        this.#onRecord(node.address, recordOfEvent(event, ts)),
    };
    if (this.#threads === 1) return inProcessRunner(options);
    return workerRunner({
      ...options,
      workers: this.#threads,
      onProblem: (text) => this.#terminal.problem(`up: a node failed unexpectedly: ${text}`),
    });
  }

  async execute(): Promise<number> {
    const stopped = new Promise<string>((resolve) => this.#stop = resolve);
    const removeSignals = this.#listenForSignals();
    const removeGuard = this.#inv.inProcess ? this.#guardProcess() : () => {};
    try {
      this.#writeManifest();
      this.#tail.start(tailPollMs(this.#supervisor.nodes.length));
      // In-process records arrive one by one; print them in time order a few times a second.
      if (this.#inv.inProcess) this.#flusher = setInterval(() => this.#output.flush(), 100);
      this.#banner();
      if (this.#inv.ui !== undefined) this.#startDashboard(this.#inv.ui);
      this.#display.start();
      const started = startNetwork({
        supervisor: this.#supervisor,
        status: this.#status,
        signal: this.#abort.signal,
        ...(this.#inv.inProcess ? { batchSize: IN_PROCESS_BATCH_SIZE } : {}),
      });
      // A stop request during startup wins; startup notices the abort.
      await Promise.race([started, stopped]);
      await started;
      if (!this.#abort.signal.aborted) this.#running();
      const reason = await stopped;
      this.#output.stopping();
      this.#display.stopping();
      this.#terminal.notice(
        `up: stopping (${reason}): asking every node to stop, waiting for each`,
      );
    } finally {
      this.#stopTs ??= systemClock.now();
      this.#abort.abort();
      this.#output.stopping();
      this.#display.stopping();
      this.#keyboard?.restore();
      this.#terminal.setInput(undefined);
      await this.#supervisor.stopAll({
        ...STOP_TIMEOUTS,
        ...(this.#inv.inProcess ? { batchSize: IN_PROCESS_STOP_BATCH } : {}),
      });
      this.#display.stop();
      this.#tail.poll();
      this.#tail.close();
      clearInterval(this.#flusher);
      this.#output.flush();
      removeSignals();
      removeGuard();
      this.#writeManifest();
      await this.#dashboard?.close();
    }
    // One reading of the logs serves both: a thousand nodes' records held
    // twice would double the run's peak memory at its very end.
    const logs = await readRunLogs(this.#paths.logDir);
    await this.#printSummary(logs);
    await this.#writeReport(logs);
    return 0;
  }

  #startDashboard(address: { host: string; port: number }): void {
    const nodes = () =>
      this.#supervisor.nodes.map((n) => ({
        name: n.name,
        role: n.spec.role,
        address: n.spec.address,
        state: n.state,
      }));
    this.#dashboard = startDashboard({
      address,
      names: this.#names,
      nameText: (text) => nameAddresses(text, this.#names),
      control: shellControl(nodes, this.#commands),
      title: `gossipnet: ${this.#paths.logDir}`,
      summary: () => summaryFromStatus(this.#status),
      fallbackToFreePort: true,
    });
    if (this.#dashboard.fellBack) {
      this.#terminal.problem(`up: port ${address.port} is in use; the dashboard took a free one`);
    }
    this.#terminal.notice(`up: dashboard at ${this.#dashboard.url} (open it in a browser)`);
  }

  /** A record from a node's log: the status, the dashboard and the terminal's lines. */
  #onRecord(address: string, record: RunRecord): void {
    this.#status.ingest(address, record);
    this.#keyState.ingest(address, record);
    const node = this.#byAddress.get(address);
    if (!node) return;
    this.#dashboard?.ingest(node.name, record);
    this.#output.record(node.spec, record);
  }

  async #writeReport(logs: RunLogs): Promise<void> {
    try {
      const path = await writeReport(
        this.#paths.logDir,
        `${this.#paths.logDir}/report.html`,
        logs,
      );
      this.#terminal.write(`  ${"report".padEnd(15)}${path}\n`);
    } catch (error) {
      this.#terminal.problem(`up: cannot write the report: ${errorText(error)}`);
    }
  }

  /** After startup: the duration timer and the shell. */
  #running(): void {
    this.#upTs = systemClock.now();
    this.#display.markUp(this.#upTs);
    const took = ((this.#upTs - this.#paths.startTs) / 1000).toFixed(1);
    const until = this.#inv.durationMs === undefined
      ? "until exit, Ctrl+C or SIGTERM"
      : `for ${this.#inv.durationMs / 1000}s (or until exit, Ctrl+C or SIGTERM)`;
    const hint = Deno.stdin.isTerminal() ? " Type help for commands." : "";
    this.#terminal.notice(
      `up: all ${this.#supervisor.nodes.length} nodes listening after ${took}s; running ${until}.` +
        hint,
    );
    if (this.#inv.durationMs !== undefined) {
      const timer = setTimeout(() => this.#requestStop("duration reached"), this.#inv.durationMs);
      this.#abort.signal.addEventListener("abort", () => clearTimeout(timer));
    }
    // On a terminal, up reads keys itself and echoes them on a prompt line of their own.
    this.#keyboard = Deno.stdout.isTerminal()
      ? ttyLineInput({
        onEdit: (buffer) => this.#terminal.setInput(buffer),
        onLine: (line) => this.#terminal.echoInput(line),
      })
      : undefined;
    if (this.#keyboard) this.#terminal.setInput("");
    runRepl({
      commands: this.#commands,
      onExit: () => this.#requestStop("exit command"),
      exitHelp: "stop every node, print the summary and write the report",
      output: this.#terminal,
      ...(this.#keyboard ? { input: this.#keyboard.input } : {}),
    });
  }

  async #restart(node: ManagedNode): Promise<string> {
    if (this.#supervisor.stopping) return "Stopping: no new nodes\n";
    try {
      await startNode(node, {
        supervisor: this.#supervisor,
        status: this.#status,
        signal: this.#abort.signal,
      });
      return `${node.name} listening again (pid ${node.pid})\n`;
    } catch (error) {
      return `Cannot start ${node.name}: ${errorText(error)}\n`;
    }
  }

  #requestStop(reason: string): void {
    this.#stopTs ??= systemClock.now();
    this.#abort.abort();
    this.#stop(reason);
  }

  /**
   * In-process, a node's unexpected error would end `up` and every other
   * node with it; a process would have lost only that node. Say it and go on.
   */
  #guardProcess(): () => void {
    const report = (event: Event, error: unknown) => {
      event.preventDefault();
      this.#terminal.problem(`up: a node failed unexpectedly: ${errorText(error)}`);
    };
    const onRejection = (event: PromiseRejectionEvent) => report(event, event.reason);
    const onError = (event: ErrorEvent) => report(event, event.error ?? event.message);
    globalThis.addEventListener("unhandledrejection", onRejection);
    globalThis.addEventListener("error", onError);
    return () => {
      globalThis.removeEventListener("unhandledrejection", onRejection);
      globalThis.removeEventListener("error", onError);
    };
  }

  #listenForSignals(): () => void {
    const signals = new StopSignals({ echoMs: SIGNAL_ECHO_MS });
    return onStopSignals((signal) => {
      const meaning = signals.meaning(systemClock.now());
      // The same Ctrl+C delivered twice (terminal and `deno task`) is one request.
      if (meaning === "echo") return;
      if (meaning === "stop" || !this.#abort.signal.aborted) return this.#requestStop(signal);
      // A second Ctrl+C: do not wait for anyone.
      this.#terminal.problem(`up: ${signal} again: killing every node now`);
      this.#supervisor.killAll();
    });
  }

  #onExit(node: ManagedNode, status: NodeExit, expected: boolean): void {
    // Startup reports its own failures; at shutdown every exit is expected.
    if (expected || this.#upTs === undefined || this.#abort.signal.aborted) return;
    const how = status.signal ? `was ended by ${status.signal}` : `exited with code ${status.code}`;
    const last = node.lastLine === "" ? "" : `; last output: ${node.lastLine}`;
    this.#terminal.problem(`up: ${node.name} (${node.spec.address}) ${how}${last}`);
  }

  #banner(): void {
    const plan = this.#supervisor.nodes.map((n) => n.spec);
    const lines = startBanner(plan, {
      host: this.#inv.host,
      logDir: this.#paths.logDir,
      verbose: this.#inv.verbose,
      ...(this.#keys
        ? {
          keys: {
            ids: this.#keys.ids,
            origin: keyOriginText(this.#keys.origin),
            path: this.#keys.path,
          },
        }
        : {}),
      ...(this.#inv.inProcess
        ? {
          inProcess: this.#inv.inProcessByDefault
            ? { abovePeers: IN_PROCESS_ABOVE_PEERS }
            : "asked" as const,
          threads: this.#threads,
        }
        : {}),
    });
    for (const line of lines) this.#terminal.notice(line);
  }

  /**
   * Rewrites nodes.json shortly: a start of a thousand nodes changes it a
   * thousand times, and each write holds every node.
   */
  #manifestSoon(): void {
    this.#manifestTimer ??= setTimeout(() => this.#writeManifest(), MANIFEST_DELAY_MS);
  }

  #writeManifest(): void {
    clearTimeout(this.#manifestTimer);
    this.#manifestTimer = undefined;
    const nodes = this.#supervisor.nodes.map((n) => manifestNode(n.spec, n.pids, n.outages));
    writeRunManifest(this.#paths.logDir, {
      startTs: this.#paths.startTs,
      ...(this.#stopTs === undefined ? {} : { stopTs: this.#stopTs }),
      pid: Deno.pid,
      nodes,
    });
  }

  async #printSummary(logs: RunLogs): Promise<void> {
    this.#terminal.write(
      await runSummaryText(this.#paths.logDir, {
        logs,
        startTs: this.#paths.startTs,
        stopTs: this.#stopTs ?? systemClock.now(),
        width: this.#terminal.width,
        heading: (text) => this.#terminal.strong(text),
      }),
    );
  }
}

/** Each node's metrics address: the first (s1) on the given port, each next one on the next port. */
function metricsAddress(
  plan: readonly NodeSpec[],
  inv: UpInvocation,
): (node: NodeSpec) => string | undefined {
  const base = inv.metrics;
  if (!base) return () => undefined;
  const index = new Map(plan.map((node, i) => [node.name, i]));
  return (node) => {
    const port = base.port + (index.get(node.name) ?? 0);
    return port > 65535 ? undefined : formatAddress({ host: base.host, port });
  };
}

/** `--metrics` for each node, as child arguments. */
function metricsArgs(plan: readonly NodeSpec[], inv: UpInvocation): (node: NodeSpec) => string[] {
  const address = metricsAddress(plan, inv);
  return (node) => {
    const at = address(node);
    return at === undefined ? [] : ["--metrics", at];
  };
}

/** The run's key file, in its log directory. */
export const RUN_KEY_FILE = "network.key";

/** Where the run's keys come from: --secure, --key-file, else GOSSIPNET_KEY; none without. */
async function upKeyText(
  inv: UpInvocation,
): Promise<{ origin: RunKeyOrigin; lines?: string[] } | undefined> {
  if (inv.secure) return { origin: { from: "secure" } };
  if (inv.keyFile !== undefined) {
    const lines = await keyLines(await keyFileText(inv.keyFile), inv.keyFile);
    return { origin: { from: "file", path: inv.keyFile }, lines };
  }
  const env = keyEnv().keyEnv;
  if (env === undefined) return undefined;
  return { origin: { from: "env" }, lines: await keyLines(env, KEY_ENV) };
}

function keyOriginText(origin: RunKeyOrigin): string {
  switch (origin.from) {
    case "secure":
      return "(new for this run: --secure)";
    case "file":
      return `from ${origin.path}`;
    case "env":
      return "from GOSSIPNET_KEY";
  }
}
