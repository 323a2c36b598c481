/**
 * `gossipnet seed`: loads the config, then runs a seed node until it is told
 * to stop.
 *
 * @module
 */

import type { SeedInvocation } from "../cli/args.ts";
import { resolveSeedTuning } from "../config/node_config.ts";
import { isListedSeed, loadSeedList } from "../config/seed_list.ts";
import { formatAddress } from "../util/address.ts";
import { ConfigError, RuntimeError } from "../util/errors.ts";

/** Runs a seed; resolves to the exit code. */
export async function runSeed(invocation: SeedInvocation): Promise<number> {
  const seeds = await loadSeedList(invocation.configPath);
  const self = { host: invocation.host, port: invocation.port };
  if (!isListedSeed(seeds, self)) {
    throw new ConfigError(
      `Cannot start seed: ${formatAddress(self)} is not listed in ${invocation.configPath}`,
    );
  }
  resolveSeedTuning(invocation.tuning);
  throw new RuntimeError("The seed runtime is not implemented yet");
}
