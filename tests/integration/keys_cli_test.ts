/**
 * Issue 12, the command line: `keygen`, `--key-file` errors on every
 * command that connects, `GOSSIPNET_KEY`, the `keys` shell command, and
 * `up --secure` (with a rotation through `up`'s own `keys` command).
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { Cluster } from "../support/cluster.ts";
import { assertUserError, describe, gossipnet } from "../support/cli_run.ts";
import { events, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { allJoined, allListening, FAST_PEER_ARGS } from "../support/network.ts";
import { UpProcess } from "../support/up_process.ts";
import { generateKeyText, keyId } from "../../lib/wire/keyring.ts";

function decode(key: string): Uint8Array {
  return Uint8Array.from(atob(key), (c) => c.charCodeAt(0));
}

Deno.test("keygen prints a new 32-byte base64 key, exit 0", async () => {
  const [one, two] = await Promise.all([gossipnet(["keygen"]), gossipnet(["keygen"])]);
  for (const outcome of [one, two]) {
    assertEquals(outcome.code, 0, describe(["keygen"], outcome));
    assertEquals(outcome.stderr, "");
    assertMatch(outcome.stdout, /^[A-Za-z0-9+/]{43}=\n$/);
    assertEquals(decode(outcome.stdout.trim()).length, 32);
  }
  assert(one.stdout !== two.stdout, "two keys alike");
});

Deno.test("--key-file problems: one line naming the file and line, exit 2, no key", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-keyfile-" });
  try {
    const good = generateKeyText();
    const short = btoa("s".repeat(16));
    await Deno.writeTextFile(`${dir}/empty.key`, "");
    await Deno.writeTextFile(`${dir}/bad.key`, `# ours\n${good}\n${short}\n`);
    const cases: [string, string][] = [
      [`${dir}/none.key`, `Cannot read key file ${dir}/none.key: no such file`],
      [`${dir}/empty.key`, `Bad key: ${dir}/empty.key: no key found`],
      [`${dir}/bad.key`, `Bad key: ${dir}/bad.key line 3: a key must be 32 bytes, this one is 16`],
      [dir, `Cannot read key file ${dir}: not a regular file`],
    ];
    const commands: string[][] = [
      ["seed", "--port", "1", "--config", `${dir}/config.csv`],
      ["peer", "--port", "1", "--config", `${dir}/config.csv`],
      ["up", "--log-dir", `${dir}/run`],
      ["report-dead", "--seed", "127.0.0.1:1", "--dead", "127.0.0.1:2"],
      ["send", "--peer", "127.0.0.1:1", "hello"],
      ["members", "--seed", "127.0.0.1:1"],
      ["status", "--node", "127.0.0.1:1"],
    ];
    for (const command of commands) {
      await t.step(command[0]!, async () => {
        for (const [file, message] of cases) {
          const args = [...command, "--key-file", file];
          const outcome = await gossipnet(args);
          assertUserError(args, outcome, message);
          assert(!outcome.stderr.includes(good) && !outcome.stderr.includes(short));
        }
      });
    }
    // up leaves no run directory behind for a bad key.
    await t.step("up creates nothing", async () => {
      const entries = [];
      for await (const entry of Deno.readDir(dir)) entries.push(entry.name);
      assert(!entries.includes("run"), entries.join(", "));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "GOSSIPNET_KEY keys a node; SIGHUP and the keys shell command show and reread keys",
  ignore: Deno.build.os === "windows",
}, async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 1 });
  const [a, b] = [generateKeyText(), generateKeyText()];
  const [idA, idB] = [await keyId(decode(a)), await keyId(decode(b))];
  const file = `${cluster.dir}/net.key`;
  await Deno.writeTextFile(file, `${a}\n`);
  await Deno.chmod(file, 0o644);
  // The file wins over the environment: the seed uses a, not b.
  const seed = cluster.seed(0, ["--key-file", file], { env: { GOSSIPNET_KEY: b } });
  const peer = cluster.peer(0, FAST_PEER_ARGS, { env: { GOSSIPNET_KEY: a } });
  await cluster.explainFailure(async () => {
    await allListening([seed]);
    await allJoined([peer]);
    assertEquals(events(seed.logPath, "keys_loaded")[0], {
      event: "keys_loaded",
      ids: [idA],
      source: file,
    });
    assertEquals(events(peer.logPath, "keys_loaded")[0]?.source, "GOSSIPNET_KEY");
    // A key file others can read is worth a warning.
    assertEquals(events(seed.logPath, "key_file_open")[0]?.mode, "0644");
    await seed.type("keys");
    await waitFor("the keys command", () => seed.output.includes(`sending ${idA} from ${file}`));
    // Step 1 of a rotation by SIGHUP.
    await Deno.writeTextFile(file, `${a}\n${b}\n`);
    seed.signal("SIGHUP");
    await waitForEvent(seed.logPath, "keys_loaded", (e) => (e.ids as string[]).length === 2);
    await seed.type("keys");
    await waitFor(
      "the keys command after SIGHUP",
      () => seed.output.includes(`sending ${idA}, also accepting ${idB}`),
    );
    // gossipnet status shows them too, from afar.
    const status = await gossipnet(["status", "--node", seed.address, "--key-file", file]);
    assertEquals(status.code, 0, status.stderr);
    assertMatch(status.stdout, new RegExp(`\nkeys: sending ${idA}, also accepting ${idB}\n`));
    // Keys from the environment cannot be reread: said, and nothing changes.
    await peer.type("keys reload");
    await waitFor("the refusal", () => peer.output.includes("only a key file is reread"));
    assertEquals(events(peer.logPath, "keys_loaded").length, 1);
    for (const node of [seed, peer]) {
      assert(!node.output.includes(a) && !node.output.includes(b), node.address);
      assert(!(await Deno.readTextFile(node.logPath)).includes(a), node.address);
    }
  });
});

Deno.test({
  name: "up --secure: a keyed run with 100% delivery, rotated by up's keys command",
  ignore: Deno.build.os === "windows",
}, async () => {
  await using up = await UpProcess.start({
    seeds: 3,
    peers: 8,
    // Pings patient enough (2 s to suspicion) that a parallel test's CPU load is no
    // death; gossip slow enough to start once every peer linked (under load the first
    // peer can wait half a second for a link, and what it says alone reaches nobody).
    args: [
      "--secure",
      "--gossip-interval",
      "1s",
      "--ping-interval",
      "500ms",
      "--ping-misses",
      "4",
      "--gossip-count",
      "6",
      "--duration",
      "10s",
    ],
  });
  const banner = await up.waitForOutput(/keyed run: key ([0-9a-f]{8}) /);
  const first = banner[1]!;
  await up.waitForOutput(/all 11 nodes listening/, { timeoutMs: 30_000 });
  const keyFile = `${up.dir}/network.key`;
  assertEquals((await Deno.stat(keyFile)).mode! & 0o777, 0o600);
  const key = (await Deno.readTextFile(keyFile)).split("\n").find((l) => /^[A-Za-z0-9+/]/.test(l))!;
  assertEquals(await keyId(decode(key)), first);
  // The sending key cannot be removed; an unknown id is named.
  await up.type(`keys remove ${first}`);
  await up.waitForOutput(
    new RegExp(`Key ${first} is the sending key: make another one send first`),
  );
  await up.type("keys use zz");
  await up.waitForOutput(new RegExp(`No key "zz": the keys are ${first}\n`));
  await up.type("keys rotate");
  const rotated = await up.waitForOutput(/3\/3 removed .*: sending ([0-9a-f]{8}); 11 of 11/, {
    timeoutMs: 60_000,
  });
  assert(rotated[1] !== first);
  // Every node reports the new key alone.
  await up.type("keys");
  await up.waitForOutput(new RegExp(`run keys \\(${keyFile}\\): sending ${rotated[1]}\\n`));
  const { code, output } = await up.finished();
  assertEquals(code, 0, output);
  assertMatch(output, /delivery\s+100% /);
  assertMatch(output, /dead reports\s+0 sent by peers/);
  // Peers that dial each other at once keep one link, as in a plaintext run: no loss is shown.
  assert(!/lost its link/.test(output), output);
  assert(!output.includes(key), "up printed the key");
  const now = (await Deno.readTextFile(keyFile)).split("\n").find((l) => /^[A-Za-z0-9+/]/.test(l))!;
  assert(!output.includes(now), "up printed the new key");
});

Deno.test({
  name: "up --key-file: every node uses the given keys, copied into the run",
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-upkey-" });
  const [a, b] = [generateKeyText(), generateKeyText()];
  const [idA, idB] = [await keyId(decode(a)), await keyId(decode(b))];
  await Deno.writeTextFile(`${dir}/mine.key`, `# two keys\n${a}\n${b}\n`);
  try {
    await using up = await UpProcess.start({
      seeds: 1,
      peers: 2,
      args: [
        "--key-file",
        `${dir}/mine.key`,
        "--gossip-interval",
        "1s",
        "--gossip-count",
        "3",
        "--duration",
        "6s",
      ],
    });
    const { code, output } = await up.finished();
    assertEquals(code, 0, output);
    assertMatch(output, new RegExp(`keyed run: key ${idA}, ${idB} from ${dir}/mine.key, in `));
    assertMatch(output, /delivery\s+100% /);
    assert(!output.includes(a) && !output.includes(b), "up printed a key");
    for await (const entry of Deno.readDir(up.dir)) {
      if (!entry.name.endsWith(".jsonl")) continue;
      const log = `${up.dir}/${entry.name}`;
      assertEquals(events(log, "keys_loaded")[0]?.ids, [idA, idB], entry.name);
      assertEquals(events(log, "keys_loaded")[0]?.source, `${up.dir}/network.key`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
