/**
 * Bad local input: a full log disk, addresses that cannot work or that are
 * one address spelt two ways, and a binary file given as the config. Each
 * ends in a clear line; none stops a node that can go on.
 */

import { assert, assertEquals } from "@std/assert";
import { assertUserError, gossipnet } from "../support/cli_run.ts";
import { Cluster } from "../support/cluster.ts";
import { waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { allListening, FAST_PEER_ARGS, messageKey, received } from "../support/network.ts";

const ADVERTISE = "; to listen on every interface, also give --advertise <host:port> " +
  "(the address others reach this node at)";

Deno.test("local input that cannot work is refused with the reason, exit 2", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet_local_input_" });
  try {
    const logDir = `${dir}/logs`;
    const twice = `${dir}/twice.csv`;
    await Deno.writeTextFile(twice, "host,port\n::1,5000\n0:0:0:0:0:0:0:1,5000\n");
    const zeros = `${dir}/zeros.csv`;
    await Deno.writeTextFile(zeros, "0.0.0.0,5000\n");
    const binary = `${dir}/config.bin`;
    // What a user gets by passing the wrong file: NUL, escape sequences, invalid UTF-8.
    await Deno.writeFile(
      binary,
      new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0xfe, 0x0a, 0]),
    );
    const cases: Array<[string, string[], string]> = ([
      [
        "seed --host 0.0.0.0",
        ["seed", "--port", "5000", "--host", "0.0.0.0"],
        "0.0.0.0",
        ADVERTISE,
      ],
      ["peer --host ::", ["peer", "--port", "6000", "--host", "::"], "::", ADVERTISE],
      [
        "peer --host 0:0:0:0:0:0:0:0 (shown in canonical form)",
        ["peer", "--port", "6000", "--host", "0:0:0:0:0:0:0:0"],
        "::",
        ADVERTISE,
      ],
      ["up --host 0.0.0.0", ["up", "--host", "0.0.0.0"], "0.0.0.0", ADVERTISE],
    ] as Array<[string, string[], string, string]>).map(([name, args, host, rest]) => [
      name as string,
      args as string[],
      `Invalid --host "${host}": it means every interface, which other nodes cannot dial${rest}`,
    ]);
    cases.push(
      [
        "::1 and 0:0:0:0:0:0:0:1 are one seed",
        ["peer", "--port", "6000", "--config", twice, "--log-dir", logDir],
        `Cannot read ${twice}: line 3: duplicate seed [::1]:5000 (first on line 2)`,
      ],
      [
        "a seed at 0.0.0.0 in the config",
        ["peer", "--port", "6000", "--config", zeros, "--log-dir", logDir],
        `Cannot read ${zeros}: line 1: host 0.0.0.0 is the unspecified address, which peers ` +
        "cannot dial; list the seed's own address",
      ],
      [
        "a binary config file is quoted, not echoed",
        ["seed", "--port", "5000", "--config", binary, "--log-dir", logDir],
        `Cannot read ${binary}: line 1: not text (control or invalid UTF-8 bytes; a binary ` +
        'file?): "\\u007fELF\\u0000\\u0001\\u001b[2J\uFFFD\uFFFD"',
      ],
      [
        "an escape sequence in an argument is quoted",
        ["peer", "--port", "6000", "\u001b[31mred"],
        'Unexpected argument "\\u001b[31mred" for "peer" (see gossipnet peer --help)',
      ],
    );
    const outcomes = cases.map(([, args]) => gossipnet(args));
    for (const [i, [name, args, message]] of cases.entries()) {
      await t.step(name, async () => {
        const outcome = await outcomes[i]!;
        assertUserError(args, outcome, message);
        // Nothing unprintable reaches the terminal but the final newline.
        // deno-lint-ignore no-control-regex -- control characters are what is checked for.
        assert(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(outcome.stderr), outcome.stderr);
      });
    }
    await Promise.allSettled(outcomes);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a full log disk: the node warns once on the console and keeps working",
  // /dev/full: every write fails with "No space left on device".
  ignore: Deno.build.os !== "linux",
}, async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 2 });
  const seed = cluster.seed(0);
  await allListening([seed]);
  await Deno.mkdir(`${cluster.dir}/logs`, { recursive: true });
  const fullPort = cluster.peerPorts[0]!;
  await Deno.symlink("/dev/full", `${cluster.dir}/logs/peer-127.0.0.1-${fullPort}.jsonl`);
  const full = cluster.peer(0, [...FAST_PEER_ARGS, "--gossip-count", "1000"]);
  const other = cluster.peer(1, FAST_PEER_ARGS);
  await cluster.explainFailure(async () => {
    const warning = /cannot write log file .*No space left on device.*the node keeps running/;
    const warnings = () => full.output.split("\n").filter((line) => warning.test(line)).length;
    await waitFor("the console warning", () => warnings() > 0);
    // It keeps gossiping although every write of its log fails.
    const fromFull = () =>
      [...received(other)].filter((key) => key.startsWith(messageKey(full.address, ""))).length;
    await waitFor("20 messages from the peer whose disk is full", () => fromFull() >= 20);
    assertEquals(warnings(), 1, full.output);
    await waitForEvent(seed.logPath, "peer_registered", (e) => e.peer === full.address);
    const status = await full.stop();
    assertEquals(status.code, 0, full.output);
    await waitForEvent(seed.logPath, "peer_removed", (e) => e.peer === full.address);
  });
});
