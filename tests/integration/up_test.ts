/**
 * `gossipnet up` as a user runs it: real processes on 127.0.0.1, timings in
 * milliseconds. Every wait is on output or log events, never a fixed sleep;
 * every process is stopped in `await using` cleanup whatever happens.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { readLog, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { isAlive, isListening, UpProcess } from "../support/up_process.ts";

// 6 misses at 100 ms: a clean run must print no warning, and a node off
// the CPU for 300 ms on a loaded machine would be suspected at 3.
const FAST = [
  "--gossip-interval",
  "150ms",
  "--gossip-count",
  "5",
  "--ping-interval",
  "100ms",
  "--ping-misses",
  "6",
];
// Signals and SIGKILL/SIGSTOP semantics are POSIX.
const POSIX_ONLY = Deno.build.os === "windows";

/** Asserts no PID `up` recorded is alive and none of its ports listens. */
async function assertNothingLeft(up: UpProcess, nodes: number): Promise<void> {
  const manifest = up.manifest();
  if (!manifest) throw new Error(`nodes.json missing:\n${up.output}`);
  assertEquals(manifest.nodes.length, nodes);
  for (const node of manifest.nodes) {
    assert(node.pids.length > 0, `${node.name} has no pid`);
    for (const pid of node.pids) assert(!isAlive(pid), `${node.name} (pid ${pid}) still alive`);
    assert(!(await isListening(node.port)), `${node.name}'s port ${node.port} still listening`);
  }
}

Deno.test("up with 3 seeds and 6 peers runs for --duration and reports 100% delivery", async () => {
  await using up = await UpProcess.start({
    seeds: 3,
    peers: 6,
    // Joining takes well under a second and gossip 750 ms; the summary leaves out the
    // last 2 s before the stop, so this leaves room for every message to count.
    args: [...FAST, "--duration", "4s"],
  });
  // End of input is not a reason to stop: `up --duration 30s < /dev/null` must run.
  await up.closeStdin();
  const { code, output } = await up.finished();
  assertMatch(output, /stopping \(duration reached\)/);
  assertEquals(code, 0, output);
  assertMatch(
    output,
    /^ {2}delivery +100% \((\d+) of \1 expected first receipts, \d+ messages\)$/m,
  );
  assertMatch(output, /^ {2}dissemination +p50 [\d.]+ m?s, p99 [\d.]+ m?s/m);
  assertMatch(output, /^ {2}logs +.*gossipnet-up-test-/m);
  // Membership events arrive one per line, named and timed; nodes are never shown by address.
  assertMatch(output, /^ +\+\d+\.\ds s1 +ready \(\d+ peers in its list\)$/m);
  assertMatch(output, /^ +\+\d+\.\ds p6 +joined via s\d, s\d \(\d+ peers? known\)$/m);
  const eventLines = output.split("\n").filter((line) => /^ +\+\d+\.\ds /.test(line));
  assert(eventLines.every((line) => !line.includes("127.0.0.1:")), eventLines.join("\n"));
  // By default gossip is not news; a clean stop prints no warnings (a WARN level line or a leave).
  assert(!/received|generated|left|WARN/.test(eventLines.join("\n")), eventLines.join("\n"));
  // Nodes of one build never break the protocol with each other, even when they join at once.
  assert(!/protocol_error|Unexpected/.test(output), output);
  assertMatch(output, /^ {2}report +.*report\.html$/m);
  // Nothing at all between the stop and the summary: a clean stop is not news.
  const stopping = output.slice(output.indexOf("up: stopping"), output.indexOf("Summary:"));
  assertEquals(stopping.trim().split("\n").length, 1, stopping);
  // And the nodes logged no warning while stopping.
  const stopTs = up.manifest()?.stopTs ?? 0;
  assert(stopTs > 0, "no stopTs in nodes.json");
  for (const file of Deno.readDirSync(up.dir)) {
    if (!file.name.endsWith(".jsonl")) continue;
    const warnings = readLog(`${up.dir}/${file.name}`)
      .filter((l) => l.level === "WARN" && l.ts >= stopTs);
    assertEquals(warnings.map((w) => w.message), [], file.name);
  }
  await assertNothingLeft(up, 9);
});

Deno.test({
  name: "up stopped by SIGTERM mid-run leaves no process and no listening port",
  ignore: POSIX_ONLY,
  fn: async () => {
    await using up = await UpProcess.start({ seeds: 3, peers: 6, args: FAST });
    await up.waitForOutput(/all 9 nodes listening/);
    // Mid-run: every peer has joined and gossip is flowing.
    await waitFor("6 peers with a pid", () => up.manifest()?.nodes.every((n) => n.pids.length));
    await waitForEvent(`${up.dir}/peer-127.0.0.1-${up.basePort + 8}.jsonl`, "gossip_received");
    up.child.kill("SIGTERM");
    const { code, output } = await up.finished();
    assertEquals(code, 0, output);
    assertMatch(output, /stopping \(SIGTERM\)/);
    assertMatch(output, /^ {2}delivery +/m);
    await assertNothingLeft(up, 9);
  },
});

Deno.test({
  name: "up's nodes stop by themselves when up is killed outright",
  ignore: POSIX_ONLY,
  fn: async () => {
    await using up = await UpProcess.start({ seeds: 1, peers: 2, args: FAST });
    await up.waitForOutput(/all 3 nodes listening/);
    up.child.kill("SIGKILL");
    await up.status;
    const pids = up.manifest()?.nodes.flatMap((n) => n.pids) ?? [];
    assertEquals(pids.length, 3);
    // Their stdin pipe closed with `up`; --exit-on-stdin-close does the rest.
    await waitFor("every node to exit", () => pids.every((pid) => !isAlive(pid)));
    // A process whose main thread has exited reads as a zombie while its
    // other threads still close its sockets: wait for the ports too.
    const nodes = up.manifest()?.nodes ?? [];
    await waitFor("every node's port to close", async () => {
      for (const node of nodes) if (await isListening(node.port)) return false;
      return true;
    }, { timeoutMs: 5000 });
  },
});

Deno.test({
  name: "up's kill p3 is followed by a dead-node report and removal, shown in the summary",
  ignore: POSIX_ONLY,
  fn: async () => {
    await using up = await UpProcess.start({ seeds: 3, peers: 6, args: FAST });
    await up.waitForOutput(/all 9 nodes listening/);
    const p3 = `127.0.0.1:${up.basePort + 5}`;
    // p3 must be in the overlay before it dies, or nobody watches it, and
    // listed by every seed (each checks a new member itself before listing it).
    await waitForEvent(`${up.dir}/peer-${p3.replace(":", "-")}.jsonl`, "neighbor_connected");
    for (let i = 0; i < 3; i++) {
      await waitForEvent(
        `${up.dir}/seed-127.0.0.1-${up.basePort + i}.jsonl`,
        "peer_registered",
        (e) => e.peer === p3,
      );
    }
    await up.type("kill p3");
    await up.waitForOutput(/p3 killed \(SIGKILL to pid \d+\)/);
    for (let i = 0; i < 3; i++) {
      await waitForEvent(
        `${up.dir}/seed-127.0.0.1-${up.basePort + i}.jsonl`,
        "peer_removed",
        (e) => e.peer === p3 && e.reason === "dead",
      );
    }
    await up.type("exit");
    const { code, output } = await up.finished();
    assertEquals(code, 0, output);
    const escaped = p3.replaceAll(".", "\\.");
    assertMatch(
      output,
      new RegExp(`^ {2}dead reports +[1-9]\\d* sent by peers about p3 \\(${escaped}\\)`, "m"),
    );
    assertMatch(
      output,
      new RegExp(`^ {2}removals +p3 \\(${escaped}\\) removed by 3 of 3 seeds`, "m"),
    );
    await assertNothingLeft(up, 9);
  },
});
