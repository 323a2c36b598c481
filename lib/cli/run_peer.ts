/**
 * `gossipnet peer`: loads the config, runs a peer node with its shell, and
 * leaves cleanly on `exit`, SIGINT or SIGTERM.
 *
 * @module
 */

import { launchPeer } from "../api/peer_handle.ts";
import { quorumSize } from "../config/seed_list.ts";
import { type NodeLog, openNodeLog } from "../log/logger.ts";
import type { PeerNode } from "../peer/peer_node.ts";
import { type ShellCommand, table } from "../shell/commands.ts";
import { errorText } from "../util/errors.ts";
import { systemProcessStats } from "../util/process_stats.ts";
import type { PeerInvocation } from "./args.ts";
import { keysCommand, onHangup } from "./key_commands.ts";
import { keyEnv } from "./key_env.ts";
import { waitForStop } from "./lifecycle.ts";
import { isListenError, listenError } from "./listen_error.ts";
import { countText } from "../util/count_text.ts";

/** Runs a peer; resolves to the exit code. */
export async function runPeer(invocation: PeerInvocation): Promise<number> {
  const self = { host: invocation.host, port: invocation.port };
  let log: NodeLog | undefined;
  // Listening from the start: SIGHUP's default action would end the process.
  let reload = () => {};
  const stopHangup = onHangup(() => reload());
  let launched;
  try {
    launched = await launchPeer({
      port: invocation.port,
      host: invocation.host,
      config: invocation.configPath,
      ...(invocation.advertise ? { advertise: invocation.advertise } : {}),
      ...(invocation.metrics ? { metrics: invocation.metrics } : {}),
      ...(invocation.keyFile === undefined ? {} : { keyFile: invocation.keyFile }),
      ...(invocation.onMessage === undefined ? {} : { onMessage: invocation.onMessage }),
    }, {
      tuning: invocation.tuning,
      ...keyEnv(),
      processStats: systemProcessStats,
      openLog: async () =>
        log = await openNodeLog({
          role: "peer",
          host: self.host,
          port: self.port,
          logDir: invocation.logDir,
          consoleLevel: invocation.logLevel,
        }),
    });
  } catch (error) {
    stopHangup();
    throw isListenError(error) ? listenError(self, error) : error;
  }
  const { handle, node, seeds, keys } = launched;
  // A failed reread is logged by the handle; the node keeps its old keys.
  reload = () => void handle.reloadKeys().catch(() => {});
  const stopped = waitForStop({
    exitOnStdinClose: invocation.exitOnStdinClose,
    commands: { ...peerCommands(node, seeds.length), keys: keysCommand(keys, handle.reloadKeys) },
  });
  // Joining may wait for seeds for a long time; a stop request wins.
  const joined = handle.joined.then(() => undefined, (error: Error) => error);
  const first = await Promise.race([stopped.then((reason) => ({ reason })), joined]);
  if (first instanceof Error) {
    stopHangup();
    await handle.stop();
    throw first;
  }
  const reason = first === undefined ? await stopped : first.reason;
  stopHangup();
  log?.emit({ event: "stopping", reason });
  await handle.stop();
  return 0;
}

function peerCommands(node: PeerNode, seedCount: number): Record<string, ShellCommand> {
  return {
    peers: {
      help: "neighbours (direction, last ping round trip) and the peers the seeds listed",
      run: () => {
        const neighbors = node.neighbors().map((n) => {
          const rtt = node.lastRtt(n.key);
          return [n.key, n.direction, rtt === undefined ? "-" : `${rtt.toFixed(2)}ms`];
        });
        const known = node.knownPeers().map((p) => [p.key, String(p.degree)]);
        return `${countText(neighbors.length, "neighbour")}\n` +
          (neighbors.length > 0 ? table(["neighbour", "dir", "rtt"], neighbors) : "") +
          `${countText(known.length, "peer")} known from seeds\n` +
          (known.length > 0 ? table(["peer", "degree"], known) : "");
      },
    },
    seeds: {
      help: "the seeds this peer is registered with",
      run: () => {
        const registered = node.registeredSeeds();
        return `registered with ${registered.length} of ${seedCount} seeds (${
          quorumSize(seedCount)
        } needed)\n` +
          registered.map((s) => `  ${s}\n`).join("");
      },
    },
    send: {
      help: "send <text>: publish <text> to every other peer; prints its id",
      run: (_args, rest) => {
        if (rest === "") return "Usage: send <text>\n";
        try {
          const { id, neighbors } = node.publish(new TextEncoder().encode(rest));
          return neighbors === 0
            ? `${id} (no neighbours yet: nobody received it)\n`
            : `${id} (sent to ${neighbors} neighbours)\n`;
        } catch (error) {
          return `Not sent: ${errorText(error)}\n`;
        }
      },
    },
    msg: {
      help: "the Message List: every gossip and application message seen, first receipt",
      run: () => {
        const rows = node.messageList.entries().map((m) => [
          m.text,
          m.origin,
          new Date(m.firstSeen).toISOString().slice(11, 23),
          m.from,
        ]);
        return `${rows.length} messages\n` +
          (rows.length > 0 ? table(["message", "origin", "first seen", "from"], rows) : "");
      },
    },
  };
}
