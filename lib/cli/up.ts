/**
 * `gossipnet up`: a whole local network from one command. Starts the seeds
 * and then the peers as child processes, shows their membership events (or,
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
import type { RunRecord } from "../up/records.ts";
import type { ShellCommand } from "../shell/commands.ts";
import { type Dashboard, startDashboard, summaryFromStatus } from "../ui/dashboard.ts";
import { writeReport } from "./report.ts";
import { LogTail } from "../up/log_tail.ts";
import { childArgs, configCsv, type NodeSpec, planNetwork } from "../up/plan.ts";
import { manifestNode, prepareRunDir, writeRunFile, writeRunManifest } from "../up/run_logs.ts";
import { selfCommand } from "../up/self_command.ts";
import { checkPortsFree, startNetwork, startNode } from "../up/startup.ts";
import { LiveStatus } from "../up/status.ts";
import { StatusDisplay } from "../up/status_display.ts";
import { onStopSignals, StopSignals } from "./signals.ts";
import { startBanner } from "../up/banner.ts";
import { runSummaryText } from "../up/run_summary.ts";
import { type ManagedNode, Supervisor } from "../up/supervisor.ts";
import { Terminal } from "../up/terminal.ts";
import { systemClock } from "../util/clock.ts";
import { formatAddress } from "../util/address.ts";
import { errorText } from "../util/errors.ts";
import type { UpInvocation } from "./args.ts";

/**
 * A second stop signal this soon after the first is the same Ctrl+C: under
 * `deno task`, the terminal's SIGINT reaches `up` directly and is also
 * forwarded to it by the task runner.
 */
export const SIGNAL_ECHO_MS = 1000;
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
  const configPath = invocation.configPath ?? `${logDir}/config.csv`;
  if (invocation.configPath === undefined) await writeRunFile(configPath, configCsv(plan));
  const run = new UpRun(invocation, plan, { startTs, logDir, configPath });
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
  #dashboard: Dashboard | undefined;
  #keyboard: TtyLineInput | undefined;
  #stop: (reason: string) => void = () => {};
  #upTs: number | undefined;
  #stopTs: number | undefined;

  constructor(inv: UpInvocation, plan: readonly NodeSpec[], paths: RunPaths) {
    this.#inv = inv;
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
      nodeArgs: metricsArgs(plan, inv),
    };
    this.#supervisor = new Supervisor(plan, {
      command: selfCommand(),
      args: (node) => childArgs(node, args),
      hooks: {
        onLine: (node, line) => this.#output.output(node.spec, line),
        onExit: (node, status, expected) => this.#onExit(node, status, expected),
        onChange: () => this.#writeManifest(),
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
    this.#tail = new LogTail({
      onRecord: (address, record) => this.#onRecord(address, record),
      onPollEnd: () => this.#output.flush(),
      sinceTs: paths.startTs,
    });
    for (const node of plan) {
      this.#tail.add(
        node.address,
        `${paths.logDir}/${logFileName(node.role, node.host, node.port)}`,
      );
    }
  }

  async execute(): Promise<number> {
    const stopped = new Promise<string>((resolve) => this.#stop = resolve);
    const removeSignals = this.#listenForSignals();
    try {
      this.#writeManifest();
      this.#tail.start(tailPollMs(this.#supervisor.nodes.length));
      this.#banner();
      if (this.#inv.ui !== undefined) this.#startDashboard(this.#inv.ui);
      this.#display.start();
      const started = startNetwork({
        supervisor: this.#supervisor,
        status: this.#status,
        signal: this.#abort.signal,
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
      await this.#supervisor.stopAll(STOP_TIMEOUTS);
      this.#display.stop();
      this.#tail.poll();
      this.#tail.close();
      removeSignals();
      this.#writeManifest();
      await this.#dashboard?.close();
    }
    await this.#printSummary();
    await this.#writeReport();
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
    const node = this.#byAddress.get(address);
    if (!node) return;
    this.#dashboard?.ingest(node.name, record);
    this.#output.record(node.spec, record);
  }

  async #writeReport(): Promise<void> {
    try {
      const path = await writeReport(this.#paths.logDir, `${this.#paths.logDir}/report.html`);
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

  #onExit(node: ManagedNode, status: Deno.CommandStatus, expected: boolean): void {
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
    });
    for (const line of lines) this.#terminal.notice(line);
  }

  #writeManifest(): void {
    const nodes = this.#supervisor.nodes.map((n) => manifestNode(n.spec, n.pids, n.outages));
    writeRunManifest(this.#paths.logDir, {
      startTs: this.#paths.startTs,
      ...(this.#stopTs === undefined ? {} : { stopTs: this.#stopTs }),
      pid: Deno.pid,
      nodes,
    });
  }

  async #printSummary(): Promise<void> {
    this.#terminal.write(
      await runSummaryText(this.#paths.logDir, {
        startTs: this.#paths.startTs,
        stopTs: this.#stopTs ?? systemClock.now(),
        width: this.#terminal.width,
        heading: (text) => this.#terminal.strong(text),
      }),
    );
  }
}

/** `--metrics` for each node: the first (s1) on the given port, each next one on the next port. */
function metricsArgs(plan: readonly NodeSpec[], inv: UpInvocation): (node: NodeSpec) => string[] {
  const base = inv.metrics;
  if (!base) return () => [];
  const index = new Map(plan.map((node, i) => [node.name, i]));
  return (node) => {
    const port = base.port + (index.get(node.name) ?? 0);
    return port > 65535 ? [] : ["--metrics", formatAddress({ host: base.host, port })];
  };
}
