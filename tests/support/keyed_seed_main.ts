/**
 * A keyed seed alone in its own process, for tests that measure what
 * strangers cost it: `deno run -A keyed_seed_main.ts <port> <maxPending>`,
 * with the key text in `GOSSIPNET_TEST_KEY`. Its events go to stdout as
 * JSON lines. Stops on SIGTERM.
 *
 * @module
 */

import { resolveSeedTuning } from "../../lib/config/node_config.ts";
import type { EventLog, LogEvent } from "../../lib/log/events.ts";
import { SeedNode } from "../../lib/seed/seed_node.ts";
import { KeyringHolder, parseKeyring } from "../../lib/wire/keyring.ts";
import { tcpTransport } from "../../lib/wire/transport.ts";

const port = Number(Deno.args[0]);
const maxPending = Number(Deno.args[1] ?? 512);
const keyring = await parseKeyring(Deno.env.get("GOSSIPNET_TEST_KEY") ?? "", "GOSSIPNET_TEST_KEY");
const encoder = new TextEncoder();
const log: EventLog = {
  emit(event: LogEvent) {
    Deno.stdout.writeSync(encoder.encode(JSON.stringify(event) + "\n"));
  },
};
const self = { host: "127.0.0.1", port };
const node = new SeedNode({
  self,
  seeds: [self],
  tuning: resolveSeedTuning({ maxPending, maxPendingPerIp: maxPending }),
  transport: tcpTransport,
  log,
  keyring: new KeyringHolder(keyring),
});
node.start();
Deno.addSignalListener("SIGTERM", async () => {
  await node.stop();
  Deno.exit(0);
});
