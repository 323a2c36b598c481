/**
 * `gossipnet up --in-process`: every node inside `up`'s process, on real
 * TCP sockets on 127.0.0.1, with the same logs, summary and shell as
 * process mode. Every wait is on output or log events, never a fixed sleep.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { readLog, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { isListening, UpProcess } from "../support/up_process.ts";

const GOSSIP = ["--gossip-interval", "150ms", "--gossip-count", "5"];
const FAST = [...GOSSIP, "--ping-interval", "100ms"];

const SEEDS = 3;
const PEERS = 30;

function seedLog(up: UpProcess, i: number): string {
  return `${up.dir}/seed-127.0.0.1-${up.basePort + i}.jsonl`;
}

function peerLog(up: UpProcess, peer: number): string {
  return `${up.dir}/peer-127.0.0.1-${up.basePort + SEEDS + peer - 1}.jsonl`;
}

function peerAddress(up: UpProcess, peer: number): string {
  return `127.0.0.1:${up.basePort + SEEDS + peer - 1}`;
}

/** Asserts none of the run's ports still listens. */
async function assertNoPortLeft(up: UpProcess): Promise<void> {
  const manifest = up.manifest();
  if (!manifest) throw new Error(`nodes.json missing:\n${up.output}`);
  assertEquals(manifest.nodes.length, SEEDS + PEERS);
  for (const node of manifest.nodes) {
    assert(!(await isListening(node.port)), `${node.name}'s port ${node.port} still listening`);
  }
}

/** Waits until `peer` is linked into the overlay and listed by every seed. */
async function waitInOverlay(up: UpProcess, peer: number, sinceTs = 0): Promise<void> {
  const address = peerAddress(up, peer);
  await waitForEvent(peerLog(up, peer), "neighbor_connected");
  for (let i = 0; i < SEEDS; i++) {
    await waitFor(
      `${address} registered with seed ${i + 1}`,
      () =>
        readLog(seedLog(up, i)).some((l) =>
          l.ts > sinceTs && l.properties.event === "peer_registered" &&
          l.properties.peer === address
        ),
    );
  }
}

/** The outage `up` recorded for a node, once closed. */
function outage(up: UpProcess, name: string, kind: "kill" | "pause") {
  return up.manifest()?.nodes.find((n) => n.name === name)?.outages.find((o) => o.kind === kind);
}

// Each test runs on up's own thread (the default at this size) and over two worker threads.
for (const threads of [1, 2]) {
  const WORKERS = threads === 1 ? [] : ["--workers", String(threads)];
  const ON = threads === 1 ? "" : ` over ${threads} threads`;

  Deno.test(`up --in-process${ON} with 3 seeds and 30 peers runs for --duration and reports 100% delivery`, async () => {
    await using up = await UpProcess.start({
      seeds: SEEDS,
      peers: PEERS,
      // Pings every second: 33 nodes share one event loop, and on a loaded machine a stall of a few
      // hundred milliseconds would have every 100 ms pinger suspect its neighbours at once.
      args: ["--in-process", ...WORKERS, ...GOSSIP, "--ping-interval", "1s", "--duration", "4s"],
    });
    await up.closeStdin();
    const { code, output } = await up.finished();
    assertEquals(code, 0, output);
    assertMatch(output, /every node runs inside this process \(--in-process\)/);
    assertMatch(output, /all 33 nodes listening after/);
    if (threads > 1) assertMatch(output, /the nodes are spread over 2 threads \(--workers\)/);
    else assert(!output.includes("threads (--workers)"), output);
    assertMatch(output, /stopping \(duration reached\)/);
    assertMatch(
      output,
      /^ {2}delivery +100% \((\d+) of \1 expected first receipts, \d+ messages\)$/m,
    );
    assert(!/protocol_error|Unexpected|WARN/.test(output), output);
    // Every node wrote its own log, as a child process would, and left cleanly.
    for (let p = 1; p <= PEERS; p++) {
      const lines = readLog(peerLog(up, p)).map((l) => l.properties.event);
      assert(lines.includes("listening"), `p${p} never logged listening`);
      assert(lines.includes("gossip_generated"), `p${p} generated nothing`);
      assert(lines.includes("traffic"), `p${p} has no traffic line: it did not stop cleanly`);
    }
    await assertNoPortLeft(up);
  });

  Deno.test(`up --in-process${ON}: kill crashes a node without a word, pause freezes one, resume and start bring them back`, async () => {
    await using up = await UpProcess.start({
      seeds: SEEDS,
      peers: PEERS,
      args: ["--in-process", ...WORKERS, ...FAST],
    });
    await up.waitForOutput(/all 33 nodes listening/);

    // kill: the others detect it and a majority of seeds removes it as dead.
    await waitInOverlay(up, 3);
    await up.type("kill p3");
    await up.waitForOutput(/p3 killed \(crashed: sockets closed, no leave\)/);
    const p3 = peerAddress(up, 3);
    for (let i = 0; i < SEEDS; i++) {
      await waitForEvent(
        seedLog(up, i),
        "peer_removed",
        (e) => e.peer === p3 && e.reason === "dead",
      );
    }
    // In-process nodes flush their logs every second: the reporter's line may
    // reach its file after the seeds' removals reached theirs, so wait for it.
    const reports = () =>
      Array.from({ length: PEERS }, (_, k) => k + 1).filter((p) => p !== 3)
        .flatMap((p) => readLog(peerLog(up, p)))
        .filter((l) => l.properties.event === "dead_node_reported" && l.properties.dead === p3);
    await waitFor("a peer's dead report about p3", () => reports().length > 0, {
      timeoutMs: 5_000,
    });
    assert(reports().length > 0, "nobody reported p3 dead");
    // A crash leaves no goodbye: no leave, no lost links, no traffic line in its own log.
    const killedAt = await waitFor(
      "the kill in nodes.json",
      () => outage(up, "p3", "kill")?.fromTs,
    );
    const afterKill = readLog(peerLog(up, 3)).filter((l) => l.ts >= killedAt);
    assertEquals(afterKill.map((l) => l.properties.event), []);
    for (let i = 0; i < SEEDS; i++) {
      const left = readLog(seedLog(up, i)).some((l) =>
        l.properties.event === "peer_removed" && l.properties.peer === p3 &&
        l.properties.reason === "left"
      );
      assert(!left, `seed ${i + 1} saw p3 leave: a crash sent a leave`);
    }

    // start: the same node comes back on its port and joins again.
    await up.type("start p3");
    await up.waitForOutput(/p3 listening again/);
    await waitInOverlay(up, 3, killedAt);

    // pause: alive but silent, so it misses its pings and is reported and removed.
    const p5 = peerAddress(up, 5);
    await waitInOverlay(up, 5);
    await up.type("pause p5");
    await up.waitForOutput(/p5 paused \(no reads, no timers\)/);
    for (let i = 0; i < SEEDS; i++) {
      await waitForEvent(
        seedLog(up, i),
        "peer_removed",
        (e) => e.peer === p5 && e.reason === "dead",
      );
    }
    const pausedAt = await waitFor(
      "the pause in nodes.json",
      () => outage(up, "p5", "pause")?.fromTs,
    );
    await up.type("resume p5");
    await up.waitForOutput(/p5 resumed \(held timers fire late\)/);
    const resumedAt = await waitFor(
      "the resume in nodes.json",
      () => outage(up, "p5", "pause")?.toTs,
    );
    // Frozen means frozen: it logged nothing while paused (it had gossip and pings due). Held
    // timers fire as it resumes, about when up records the resume, so stop looking a little
    // before; both times are up's own clock, the one the log lines carry.
    const during = readLog(peerLog(up, 5)).filter((l) =>
      l.ts > pausedAt + 50 && l.ts < resumedAt - 50
    );
    assertEquals(during.map((l) => l.properties.event), []);
    // Alive after all: it notices it was dropped and registers again with every seed.
    await waitInOverlay(up, 5, resumedAt);

    await up.type("exit");
    const { code, output } = await up.finished();
    assertEquals(code, 0, output);
    assertMatch(output, /p3 \(127\.0\.0\.1:\d+\) removed by 3 of 3 seeds/);
    await assertNoPortLeft(up);
  });
}
