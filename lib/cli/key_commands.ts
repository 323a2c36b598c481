/**
 * Keys on a running `gossipnet seed` or `peer`: SIGHUP rereads the key
 * file (rotation step by step, as with Serf), and the `keys` shell command
 * shows the key ids in use.
 *
 * @module
 */

import type { ShellCommand } from "../shell/commands.ts";
import type { NodeKeys } from "../api/node_keys.ts";

/** The `keys` shell command: the ids in use, the sending key first. */
export function keysCommand(
  keys: NodeKeys | undefined,
  reload: () => Promise<string[]>,
): ShellCommand {
  return {
    help: "keys [reload]: the network key ids in use (the first sends); reload rereads the file",
    run: async (args) => {
      if (args[0]?.toLowerCase() === "reload") {
        try {
          return `reread ${keys?.source}: ${listIds(await reload())}\n`;
        } catch (error) {
          return `${error instanceof Error ? error.message : String(error)}\n`;
        }
      }
      if (args.length > 0) return "Usage: keys [reload]\n";
      if (!keys) return "no network key: links are plaintext\n";
      return `${listIds(keys.ids)} from ${keys.source}\n`;
    },
  };
}

function listIds(ids: readonly string[]): string {
  const [send, ...rest] = ids;
  return `sending ${send}` + (rest.length > 0 ? `, also accepting ${rest.join(", ")}` : "");
}

/**
 * Calls `handler` on every SIGHUP until the returned function is called.
 * Where SIGHUP does not exist (Windows), nothing listens: the `keys reload`
 * shell command does the same.
 */
export function onHangup(handler: () => void): () => void {
  try {
    Deno.addSignalListener("SIGHUP", handler);
  } catch {
    return () => {};
  }
  return () => {
    try {
      Deno.removeSignalListener("SIGHUP", handler);
    } catch {
      // Already removed.
    }
  };
}
