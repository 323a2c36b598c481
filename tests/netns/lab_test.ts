/**
 * The namespace lab itself: hosts reach each other and nothing else, link
 * cuts work as documented, and nothing is left behind, not even by a test
 * that fails or a run that crashed. Needs root.
 */

import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  ignoreWithoutNetns,
  type LabHost,
  NETNS_PREFIX,
  NetnsLab,
  removeStaleNamespaces,
} from "../support/netns.ts";

const ignore = await ignoreWithoutNetns(import.meta.url);
const PORT = 7000;

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const output = await new Deno.Command(args[0]!, {
    args: args.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: output.code, out: text.decode(output.stdout) + text.decode(output.stderr) };
}

async function namespaces(): Promise<string[]> {
  return (await run(["ip", "netns", "list"])).out.split("\n").map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n !== "");
}

/** Connects from `from` to `to`:7000 within 1 s: "ok", or why not. */
async function connect(lab: NetnsLab, from: LabHost, to: LabHost): Promise<string> {
  const { code, out } = await run([
    ...lab.launcher(from),
    "timeout",
    "1",
    "bash",
    "-c",
    `exec 3<>/dev/tcp/${to.address}/${PORT}`,
  ]);
  if (code === 0) return "ok";
  return code === 124 ? "silence" : /Invalid argument/.test(out) ? "refused locally" : out.trim();
}

/** A TCP listener on `host`:7000, in its own process; ready when this resolves. */
async function listener(lab: NetnsLab, host: LabHost): Promise<Deno.ChildProcess> {
  const [command, ...args] = [
    ...lab.launcher(host),
    Deno.execPath(),
    "eval",
    `const l = Deno.listen({ hostname: "${host.address}", port: ${PORT} }); console.log("ready");` +
    "for await (const c of l) c.close();",
  ];
  const child = new Deno.Command(command!, { args, stdout: "piped", stderr: "null", stdin: "null" })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  await reader.read();
  await reader.cancel();
  return child;
}

Deno.test({
  name: "lab: hosts talk over their switch; cuts, blackholes and partitions drop their traffic",
  ignore,
}, async () => {
  await using lab = await NetnsLab.create({ hosts: 3 });
  const [a, b, c] = lab.hosts as [LabHost, LabHost, LabHost];
  const servers = [await listener(lab, b), await listener(lab, c)];
  try {
    assertEquals([await connect(lab, a, b), await connect(lab, a, c)], ["ok", "ok"]);
    // Loopback inside a host is its own: nothing listens on 127.0.0.1 there.
    assert(!/inet 127\.0\.0\.1.*eth0/.test((await run(["ip", "-n", a.netns, "addr"])).out));

    await lab.cut(c);
    assertEquals([await connect(lab, a, c), await connect(lab, a, b)], ["silence", "ok"]);
    await lab.restore(c);
    assertEquals(await connect(lab, a, c), "ok");

    await lab.blackhole(a, b);
    assertEquals([await connect(lab, a, b), await connect(lab, a, c)], ["refused locally", "ok"]);
    await lab.unblackhole(a, b);
    assertEquals(await connect(lab, a, b), "ok");

    await lab.partition([c]);
    assertEquals([await connect(lab, a, c), await connect(lab, a, b)], ["silence", "ok"]);
    await lab.heal();
    assertEquals(await connect(lab, a, c), "ok");
  } finally {
    for (const server of servers) {
      server.kill("SIGKILL");
      await server.status;
    }
  }
});

Deno.test({
  name: "lab: every namespace goes, even when the test fails, and nothing touches the root",
  ignore,
}, async () => {
  const rootLinks = (await run(["ip", "-o", "link"])).out;
  let made: string[] = [];
  await assertRejects(
    async () => {
      await using lab = await NetnsLab.create({ hosts: 2 });
      made = [lab.switchNetns, ...lab.hosts.map((h) => h.netns)];
      assertEquals(made.filter((n) => !n.startsWith(`${NETNS_PREFIX}-${Deno.pid}-`)), []);
      throw new Error("the test failed");
    },
    Error,
    "the test failed",
  );
  const left = await namespaces();
  assertEquals(made.filter((n) => left.includes(n)), []);
  assertEquals((await run(["ip", "-o", "link"])).out, rootLinks);
});

Deno.test({
  name: "lab: namespaces of a crashed run are removed, those of a live one kept",
  ignore,
}, async () => {
  const gone = new Deno.Command("true").spawn();
  await gone.status;
  const stale = `${NETNS_PREFIX}-${gone.pid}-crashed-sw`;
  const live = `${NETNS_PREFIX}-${Deno.pid}-running-sw`;
  await run(["ip", "netns", "add", stale]);
  await run(["ip", "netns", "add", live]);
  try {
    const removed = await removeStaleNamespaces();
    assert(removed.includes(stale), `removed ${removed}`);
    const left = await namespaces();
    assertEquals([left.includes(stale), left.includes(live)], [false, true]);
  } finally {
    await run(["ip", "netns", "del", live]);
    await run(["ip", "netns", "del", stale]);
  }
});
