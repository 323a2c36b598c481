/**
 * `up`'s `keys` command: the run's key ids and each node's, and rotation
 * across the running network in Serf's three steps. Each step rewrites the
 * run's key file, sends SIGHUP to every node, and waits until every
 * running node logged the new keys before it reports (`rotate` does all
 * three, each only once the one before has reached every node, so no link
 * ever meets a key it does not accept).
 *
 * @module
 */

import { type ShellCommand, table } from "../shell/commands.ts";
import { errorText } from "../util/errors.ts";
import type { KeyState, NodeKeyReport } from "./key_state.ts";
import type { RunKeys } from "./run_keys.ts";
import type { ManagedNode, Supervisor } from "./supervisor.ts";

/** How long a step waits for every node to reread the key file. */
export const KEY_STEP_TIMEOUT_MS = 15_000;

/** What the `keys` command acts on. */
export interface UpKeysContext {
  /** The run's keys; undefined for a keyless run. */
  readonly keys: RunKeys | undefined;
  readonly state: KeyState;
  readonly supervisor: Supervisor;
  /** @default {KEY_STEP_TIMEOUT_MS} */
  readonly timeoutMs?: number;
}

const USAGE = "Usage: keys [install | use <id> | remove <id> | rotate]\n";

/** The `keys` entry of `up`'s command table. */
export function upKeysCommand(ctx: UpKeysContext): ShellCommand {
  let busy = false;
  return {
    help: "keys [install | use <id> | remove <id> | rotate]: key ids in use; rotate them",
    run: async (args) => {
      const keys = ctx.keys;
      if (!keys) return "This run has no network key (start up with --secure or --key-file)\n";
      const [verb = "", id, ...extra] = args.map((a) => a.toLowerCase());
      if (verb === "") return listing(ctx, keys);
      if (extra.length > 0) return USAGE;
      if (busy) return "A key change is already under way; wait for it to finish\n";
      busy = true;
      try {
        switch (verb) {
          case "install":
            return id !== undefined ? USAGE : await step(ctx, `installed ${await keys.install()}`);
          case "use":
            return id === undefined ? USAGE : await step(ctx, `sending with ${await keys.use(id)}`);
          case "remove":
            return id === undefined ? USAGE : await step(ctx, `removed ${await keys.remove(id)}`);
          case "rotate":
            return id !== undefined ? USAGE : await rotate(ctx, keys);
          default:
            return USAGE;
        }
      } catch (error) {
        return `${errorText(error)}\n`;
      } finally {
        busy = false;
      }
    },
  };
}

function listing(ctx: UpKeysContext, keys: RunKeys): string {
  const rows = ctx.supervisor.nodes.map((
    n,
  ) => [n.name, n.state, reportText(ctx.state.report(n.spec.address))]);
  return `run keys (${keys.path}): ${idsText(keys.ids)}\n` +
    table(["node", "state", "keys in use (first sends)"], rows);
}

function reportText(report: NodeKeyReport | undefined): string {
  if (!report) return "-";
  const ids = report.ids.join(", ");
  return report.failed === undefined ? ids : `${ids} (last reread failed: ${report.failed})`;
}

function idsText(ids: readonly string[]): string {
  const [send, ...rest] = ids;
  return `sending ${send}` + (rest.length > 0 ? `, also accepting ${rest.join(", ")}` : "");
}

/** Tells every node to reread the key file and waits until the running ones did. */
async function step(ctx: UpKeysContext, what: string): Promise<string> {
  const keys = ctx.keys!;
  const wanted = keys.ids.join(" ");
  const running = (): ManagedNode[] => ctx.supervisor.nodes.filter((n) => n.state === "running");
  const paused = ctx.supervisor.nodes.filter((n) => n.state === "paused");
  const before = ctx.state.serial;
  for (const node of ctx.supervisor.nodes) {
    if (node.alive) node.reloadKeys();
  }
  const late = await ctx.state.waitFor(
    () => running().map((n) => n.spec.address),
    (report) => report !== undefined && report.serial > before && report.ids.join(" ") === wanted,
    ctx.timeoutMs ?? KEY_STEP_TIMEOUT_MS,
  );
  const names = (addresses: readonly string[]) =>
    ctx.supervisor.nodes.filter((n) => addresses.includes(n.spec.address)).map((n) => n.name);
  const lines = [
    `${what}: ${idsText(keys.ids)}; ${running().length - late.length} of ${running().length} ` +
    "running nodes reread the key file",
  ];
  if (late.length > 0) {
    lines.push(`not confirmed by ${names(late).join(", ")} (see their logs; keys shows each node)`);
  }
  if (paused.length > 0) {
    lines.push(`${paused.map((n) => n.name).join(", ")} paused: they reread it when resumed`);
  }
  return lines.join("\n") + "\n";
}

/** All three steps, each once the one before reached every running node. */
async function rotate(ctx: UpKeysContext, keys: RunKeys): Promise<string> {
  const old = keys.ids;
  const fresh = await keys.install();
  const out = [await step(ctx, `1/3 installed ${fresh}`)];
  if (out[0]!.includes("not confirmed")) return out.join("") + "rotation stopped after step 1\n";
  out.push(await step(ctx, `2/3 sending with ${await keys.use(fresh)}`));
  if (out[1]!.includes("not confirmed")) return out.join("") + "rotation stopped after step 2\n";
  for (const id of old) await keys.remove(id);
  out.push(await step(ctx, `3/3 removed ${old.join(", ")}`));
  return out.join("");
}
