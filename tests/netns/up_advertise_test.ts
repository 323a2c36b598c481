/**
 * `up --host 0.0.0.0 --advertise <address>` on a host of its own: every node
 * listens on every interface and is known by, and dialled at, the advertised
 * address (as in a container, where the address others reach differs from
 * the one bound). Port offsets are unit-tested in tests/unit/up/plan_test.ts:
 * a real NAT needs iptables, which these machines lack. Needs root.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { events } from "../support/jsonl_log.ts";
import { ignoreWithoutNetns, type LabHost, NetnsLab } from "../support/netns.ts";

const ignore = await ignoreWithoutNetns(import.meta.url);
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const REPO_ROOT = new URL("../../", import.meta.url).pathname;

Deno.test({
  name: "up --advertise: nodes bound on 0.0.0.0 meet at the address they advertise",
  ignore,
}, async () => {
  await using lab = await NetnsLab.create({ hosts: 1 });
  const [host] = lab.hosts as [LabHost];
  const logDir = await Deno.makeTempDir({ prefix: "gossipnet-up-advertise-" });
  try {
    const [command, ...launch] = lab.launcher(host);
    const args = [
      ...launch,
      Deno.execPath(),
      "run",
      "-A",
      MAIN,
      "up",
      "--seeds",
      "2",
      "--peers",
      "4",
      "--host",
      "0.0.0.0",
      "--base-port",
      "7000",
      "--advertise",
      `${host.address}:7000`,
      "--log-dir",
      logDir,
      "--gossip-interval",
      "150ms",
      "--gossip-count",
      "5",
      "--ping-interval",
      "100ms",
      "--duration",
      "4s",
    ];
    const output = await new Deno.Command(command!, {
      args,
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 0, text);
    assertMatch(text, /^ {2}delivery +100% \((\d+) of \1 expected first receipts/m);
    // Peers were told the seeds' advertised addresses, and each node says it
    // is reached there, not at the address it bound.
    const config = await Deno.readTextFile(`${logDir}/config.csv`);
    assert(config.includes(`${host.address},7000\n${host.address},7001\n`), config);
    const names = [...Deno.readDirSync(logDir)].map((e) => e.name).filter((n) =>
      n.endsWith(".jsonl")
    );
    assertEquals(names.length, 6, names.join(" "));
    const advertised = new Set<string>();
    const bound = new Set<string>();
    for (const name of names) {
      for (const line of events(`${logDir}/${name}`, "listening")) {
        advertised.add(String(line.address));
        bound.add(String(line.bound));
      }
    }
    assertEquals(
      [...advertised].sort(),
      [7000, 7001, 7002, 7003, 7004, 7005].map((p) => `${host.address}:${p}`),
    );
    assertEquals(
      [...bound].sort(),
      [7000, 7001, 7002, 7003, 7004, 7005].map((p) => `0.0.0.0:${p}`),
    );
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
