/**
 * `gossipnet seed`: loads the config, runs a seed node with its shell, and
 * stops it cleanly on `exit`, SIGINT or SIGTERM.
 *
 * @module
 */

import type { SeedInvocation } from "./args.ts";
import { waitForStop } from "./lifecycle.ts";
import { listenError } from "./listen_error.ts";
import { resolveSeedTuning } from "../config/node_config.ts";
import { isListedSeed, loadSeedList } from "../config/seed_list.ts";
import { openNodeLog } from "../log/logger.ts";
import { table } from "../shell/commands.ts";
import { formatAddress } from "../util/address.ts";
import { ConfigError } from "../util/errors.ts";
import { tcpTransport } from "../wire/transport.ts";
import { SeedNode } from "../seed/seed_node.ts";

/** Runs a seed; resolves to the exit code. */
export async function runSeed(invocation: SeedInvocation): Promise<number> {
  const seeds = await loadSeedList(invocation.configPath);
  const self = { host: invocation.host, port: invocation.port };
  if (!isListedSeed(seeds, self)) {
    throw new ConfigError(
      `Cannot start seed: ${formatAddress(self)} is not listed in ${invocation.configPath}`,
    );
  }
  const tuning = resolveSeedTuning(invocation.tuning);
  const log = await openNodeLog({
    role: "seed",
    host: self.host,
    port: self.port,
    logDir: invocation.logDir,
    consoleLevel: invocation.logLevel,
  });
  const node = new SeedNode({ self, seeds, tuning, transport: tcpTransport, log });
  try {
    node.start();
  } catch (error) {
    await log.close();
    throw listenError(self, error);
  }
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
            seeds.length - 1
          } other seeds\n` +
            (rows.length > 0 ? table(["peer", "degree"], rows) : "");
        },
      },
    },
  });
  log.emit({ event: "stopping", reason });
  await node.stop();
  await log.close();
  return 0;
}
