/**
 * `gossipnet peer`: loads the config, then runs a peer node until it is told
 * to stop.
 *
 * @module
 */

import type { PeerInvocation } from "../cli/args.ts";
import { resolvePeerTuning } from "../config/node_config.ts";
import { loadSeedList } from "../config/seed_list.ts";
import { RuntimeError } from "../util/errors.ts";

/** Runs a peer; resolves to the exit code. */
export async function runPeer(invocation: PeerInvocation): Promise<number> {
  await loadSeedList(invocation.configPath);
  resolvePeerTuning(invocation.tuning);
  throw new RuntimeError("The peer runtime is not implemented yet");
}
