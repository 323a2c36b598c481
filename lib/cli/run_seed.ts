/**
 * `gossipnet seed`: loads the config, runs a seed node with its shell, and
 * stops it cleanly on `exit`, SIGINT or SIGTERM.
 *
 * @module
 */

import { launchSeed } from "../api/seed_handle.ts";
import { type NodeLog, openNodeLog } from "../log/logger.ts";
import { table } from "../shell/commands.ts";
import { formatAddress } from "../util/address.ts";
import type { SeedInvocation } from "./args.ts";
import { keysCommand, onHangup } from "./key_commands.ts";
import { keyEnv } from "./key_env.ts";
import { waitForStop } from "./lifecycle.ts";
import { isListenError, listenError } from "./listen_error.ts";

/** Runs a seed; resolves to the exit code. */
export async function runSeed(invocation: SeedInvocation): Promise<number> {
  const self = { host: invocation.host, port: invocation.port };
  let log: NodeLog | undefined;
  // Listening from the start: SIGHUP's default action would end the process.
  let reload = () => {};
  const stopHangup = onHangup(() => reload());
  let launched;
  try {
    launched = await launchSeed({
      port: invocation.port,
      host: invocation.host,
      config: invocation.configPath,
      ...(invocation.advertise ? { advertise: invocation.advertise } : {}),
      ...(invocation.metrics ? { metrics: invocation.metrics } : {}),
      ...(invocation.keyFile === undefined ? {} : { keyFile: invocation.keyFile }),
      ...(invocation.tuning.maxPeers === undefined ? {} : { maxPeers: invocation.tuning.maxPeers }),
    }, {
      tuning: invocation.tuning,
      ...keyEnv(),
      openLog: async () =>
        log = await openNodeLog({
          role: "seed",
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
  const { handle, node, keys } = launched;
  const seedCount = node.status().seedCount;
  // A failed reread is logged by the handle; the node keeps its old keys.
  reload = () => void handle.reloadKeys().catch(() => {});
  const reason = await waitForStop({
    exitOnStdinClose: invocation.exitOnStdinClose,
    commands: {
      peers: {
        help: "the peer list, with each peer's degree",
        run: () => {
          const peers = node.peers();
          const rows = peers.map((p) => [formatAddress(p.address), String(p.degree)]);
          const seedsUp = node.connectedSeeds();
          return `${peers.length} peers; linked to ${seedsUp.length} of ${
            seedCount - 1
          } other seeds\n` +
            (rows.length > 0 ? table(["peer", "degree"], rows) : "");
        },
      },
      keys: keysCommand(keys, () => handle.reloadKeys()),
    },
  });
  stopHangup();
  log?.emit({ event: "stopping", reason });
  await handle.stop();
  return 0;
}
