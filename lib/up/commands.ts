/**
 * `up`'s shell: `status`, `kill`, `pause`, `resume` and `start` on the
 * nodes it runs, by name (`p3`) or address. `exit` and `help` come from
 * `lib/shell`.
 *
 * @module
 */

import { type ShellCommand, table } from "../shell/commands.ts";
import { findNode } from "./plan.ts";
import type { LiveStatus } from "./status.ts";
import type { ManagedNode, Supervisor } from "./supervisor.ts";

/** What the commands act on. */
export interface UpShellContext {
  readonly supervisor: Supervisor;
  readonly status: LiveStatus;
  /** The current status line. */
  statusLine(): string;
  /** Starts a stopped node and waits until it listens; resolves to a report line. */
  restart(node: ManagedNode): Promise<string>;
}

function range(nodes: readonly ManagedNode[], role: "seed" | "peer"): string {
  const names = nodes.filter((n) => n.spec.role === role).map((n) => n.name);
  if (names.length === 0) return "";
  return names.length === 1 ? names[0] as string : `${names[0]}-${names[names.length - 1]}`;
}

function target(
  ctx: UpShellContext,
  verb: string,
  args: readonly string[],
): ManagedNode | string {
  const [query] = args;
  if (query === undefined || args.length > 1) {
    return `Usage: ${verb} <node>, e.g. ${verb} p3\n`;
  }
  const node = findNode(ctx.supervisor.nodes.map((n) => n.spec), query);
  const managed = ctx.supervisor.nodes.find((n) => n.spec === node);
  if (managed) return managed;
  const nodes = ctx.supervisor.nodes;
  const known = [range(nodes, "seed"), range(nodes, "peer")].filter((r) => r !== "");
  return `No node "${query}": the nodes are ${known.join(" and ")}\n`;
}

function stateText(node: ManagedNode): string {
  const status = node.exitStatus;
  if (node.state === "exited" && status) {
    return status.signal ? `exited (${status.signal})` : `exited (code ${status.code})`;
  }
  return node.state;
}

function statusTable(ctx: UpShellContext): string {
  const rows = ctx.supervisor.nodes.map((n) => [
    n.name,
    n.spec.role,
    n.spec.address,
    n.pid === undefined ? "-" : String(n.pid),
    stateText(n),
    n.spec.role === "peer" ? String(ctx.status.degree(n.spec.address)) : "-",
  ]);
  return table(["node", "role", "address", "pid", "state", "links"], rows) +
    ctx.statusLine() + "\n";
}

/** The command table for {@linkcode runRepl}. */
export function upCommands(ctx: UpShellContext): Record<string, ShellCommand> {
  const { supervisor } = ctx;
  return {
    status: {
      help: "every node's state, pid and links, then the status line",
      run: () => statusTable(ctx),
    },
    kill: {
      help: "kill <node>: crash it (SIGKILL), to watch the others detect and report it",
      run: (args) => {
        const node = target(ctx, "kill", args);
        if (typeof node === "string") return node;
        const pid = node.pid;
        const how = supervisor.kind === "in-process"
          ? "crashed: sockets closed, no leave"
          : `SIGKILL to pid ${pid}`;
        return supervisor.kill(node)
          ? `${node.name} killed (${how}); its neighbours should report it dead\n`
          : `${node.name} is not running (${stateText(node)})\n`;
      },
    },
    pause: {
      help: "pause <node>: freeze it (SIGSTOP): alive but silent",
      run: (args) => {
        const node = target(ctx, "pause", args);
        if (typeof node === "string") return node;
        if (node.state !== "running") return `${node.name} is not running (${stateText(node)})\n`;
        const how = supervisor.kind === "in-process" ? "no reads, no timers" : "SIGSTOP";
        return supervisor.pause(node)
          ? `${node.name} paused (${how}); resume ${node.name} to continue it\n`
          : `Cannot pause ${node.name}: SIGSTOP is not available on this platform\n`;
      },
    },
    resume: {
      help: "resume <node>: continue a paused node (SIGCONT)",
      run: (args) => {
        const node = target(ctx, "resume", args);
        if (typeof node === "string") return node;
        const how = supervisor.kind === "in-process" ? "held timers fire late" : "SIGCONT";
        return supervisor.resume(node)
          ? `${node.name} resumed (${how})\n`
          : `${node.name} is not paused (${stateText(node)})\n`;
      },
    },
    start: {
      help: "start <node>: start a killed or exited node again",
      run: async (args) => {
        const node = target(ctx, "start", args);
        if (typeof node === "string") return node;
        if (node.alive) return `${node.name} is already ${node.state}\n`;
        return await ctx.restart(node);
      },
    },
  };
}
