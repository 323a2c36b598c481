/**
 * What the dashboard's buttons drive: a small interface over the nodes of a
 * local network (name, role, address, state) and the operations on them
 * (kill, pause, resume, start), each answering with the line the shell
 * would print. Today's process {@linkcode Supervisor} provides it through
 * the shell's own command table, so a button and a typed `kill p3` do the
 * same thing; an in-process network can implement it too.
 *
 * @module
 */

import type { ShellCommand } from "../shell/commands.ts";
import type { NodeState } from "./supervisor.ts";

/** An operation on one node. */
export type ControlAction = "kill" | "pause" | "resume" | "start";

/** The actions, in button order. */
export const CONTROL_ACTIONS: readonly ControlAction[] = ["kill", "pause", "resume", "start"];

/** One node as the controls see it. */
export interface ControlNode {
  readonly name: string;
  readonly role: "seed" | "peer";
  /** `host:port`. */
  readonly address: string;
  readonly state: NodeState;
}

/** A network whose nodes can be listed and acted on. */
export interface NetworkControl {
  /** Every node, seeds first. */
  nodes(): ControlNode[];
  /** Runs `action` on the node named `name`; resolves to a one-line result. */
  act(action: ControlAction, name: string): Promise<string>;
}

/** Whether `text` names a control action. */
export function isControlAction(text: string): text is ControlAction {
  return (CONTROL_ACTIONS as readonly string[]).includes(text);
}

/**
 * A {@linkcode NetworkControl} over a shell command table that has `kill`,
 * `pause`, `resume` and `start` (as `upCommands` does).
 */
export function shellControl(
  nodes: () => ControlNode[],
  commands: Readonly<Record<string, ShellCommand>>,
): NetworkControl {
  return {
    nodes,
    async act(action, name) {
      const command = commands[action];
      if (!command) return `Cannot ${action}: not supported here`;
      return (await command.run([name], name)).trim();
    },
  };
}
