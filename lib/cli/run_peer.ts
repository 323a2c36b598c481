/**
 * `gossipnet peer`: loads the config, runs a peer node with its shell, and
 * leaves cleanly on `exit`, SIGINT or SIGTERM.
 *
 * @module
 */

import type { PeerInvocation } from "./args.ts";
import { waitForStop } from "./lifecycle.ts";
import { listenError } from "./listen_error.ts";
import { resolvePeerTuning } from "../config/node_config.ts";
import { loadSeedList, quorumSize } from "../config/seed_list.ts";
import { openNodeLog } from "../log/logger.ts";
import { type ShellCommand, table } from "../shell/commands.ts";
import { tcpTransport } from "../wire/transport.ts";
import { PeerNode } from "../peer/peer_node.ts";

/** Runs a peer; resolves to the exit code. */
export async function runPeer(invocation: PeerInvocation): Promise<number> {
  const seeds = await loadSeedList(invocation.configPath);
  const tuning = resolvePeerTuning(invocation.tuning);
  const self = { host: invocation.host, port: invocation.port };
  const log = await openNodeLog({
    role: "peer",
    host: self.host,
    port: self.port,
    logDir: invocation.logDir,
    consoleLevel: invocation.logLevel,
  });
  const node = new PeerNode({ self, seeds, tuning, transport: tcpTransport, log });
  try {
    node.start();
  } catch (error) {
    await log.close();
    throw listenError(self, error);
  }
  const stopped = waitForStop({
    exitOnStdinClose: invocation.exitOnStdinClose,
    commands: peerCommands(node, seeds.length),
  });
  // Joining may wait for seeds for a long time; a stop request wins.
  const joined = node.join().then(() => undefined, (error: Error) => error);
  const first = await Promise.race([stopped.then((reason) => ({ reason })), joined]);
  if (first instanceof Error) {
    await node.stop();
    await log.close();
    throw first;
  }
  const reason = first === undefined ? await stopped : first.reason;
  log.emit({ event: "stopping", reason });
  await node.stop();
  await log.close();
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
        return `${neighbors.length} neighbours\n` +
          (neighbors.length > 0 ? table(["neighbour", "dir", "rtt"], neighbors) : "") +
          `${known.length} peers known from seeds\n` +
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
    msg: {
      help: "the Message List: every gossip message seen, first receipt",
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
