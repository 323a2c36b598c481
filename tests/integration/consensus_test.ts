/**
 * Issue 4 acceptance: membership decided by a seed majority; liars and
 * partial failures cannot evict a live peer or register one nowhere.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { Cluster } from "../support/cluster.ts";
import { FakePeer } from "../support/fake_peer.ts";
import { events, readLog, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import {
  allJoined,
  allListening,
  FAST_PEER_ARGS,
  generated,
  seedMembers,
} from "../support/network.ts";
import { clientHello, RawClient } from "../support/raw_client.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function reportDead(
  seedPort: number,
  deadPort: number,
): Promise<{ code: number; out: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "report-dead",
      "--seed",
      `127.0.0.1:${seedPort}`,
      "--dead",
      `127.0.0.1:${deadPort}`,
    ],
    env: { NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  return { code: output.code, out };
}

/** Asks a seed for its peer list over a client connection. */
async function peerListOf(seedPort: number): Promise<string[]> {
  await using client = await RawClient.connect(seedPort);
  await client.send(clientHello());
  await client.send({ kind: "peer_list_request", requestId: 7 });
  await client.receive((m) => m.kind === "peer_list" && !m.more);
  return client.inbox
    .flatMap((m) => m.kind === "peer_list" ? m.peers : [])
    .map((e) => `${e.address.host}:${e.address.port}`)
    .sort();
}

Deno.test("forged Dead Node reports about a live peer remove it nowhere", async (t) => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 3 });
  const seeds = [0, 1, 2].map((i) => cluster.seed(i));
  await allListening(seeds);
  const peers = [0, 1, 2].map((i) => cluster.peer(i, FAST_PEER_ARGS));
  await allJoined(peers);
  const live = peers[1]!;
  await t.step("from gossipnet report-dead: rejected, exit 0", async () => {
    const result = await reportDead(cluster.seedPorts[0]!, live.port);
    assertEquals(result.code, 0, result.out);
    assertMatch(result.out, /^rejected: 127\.0\.0\.1:\d+ stays/m);
    await waitForEvent(seeds[0]!.logPath, "removal_rejected", (e) => e.peer === live.address);
  });
  await t.step("from a raw connection posing as a peer: rejected", async () => {
    await using liar = await RawClient.connect(cluster.seedPorts[1]!);
    await liar.send(clientHello("peer", 9));
    await liar.send({
      kind: "dead_node",
      text: `Dead Node:127.0.0.1:${live.port}:1732180000000:127.0.0.1`,
    });
    await waitForEvent(seeds[1]!.logPath, "removal_rejected", (e) => e.peer === live.address);
  });
  await t.step("no seed removed it; every no vote says it answered", () => {
    for (const seed of seeds) {
      assertEquals(events(seed.logPath, "peer_removed").filter((e) => e.peer === live.address), []);
      assert(seedMembers(seed).has(live.address));
    }
    const noes = seeds.flatMap((s) => events(s.logPath, "vote")).filter((v) => v.answer === "no");
    assert(
      noes.length >= 2 && noes.every((v) => /alive/.test(String(v.reason))),
      JSON.stringify(noes),
    );
  });
  await t.step("report-dead about a peer nobody knows, and an unreachable seed", async () => {
    const unknown = await reportDead(cluster.seedPorts[2]!, 9);
    assertEquals(unknown.code, 0, unknown.out);
    assertMatch(unknown.out, /not in the peer list/);
    const nobody = await reportDead(9, live.port);
    assertEquals(nobody.code, 1);
    assertMatch(nobody.out, /^gossipnet: Cannot reach seed 127\.0\.0\.1:9: connection refused$/m);
  });
});

Deno.test("5 seeds, 2 never started: joins and removals work; with 2 of 5 nothing registers", async (t) => {
  await using cluster = await Cluster.create({ seeds: 5, peerSlots: 4 });
  const seeds = [0, 1, 2].map((i) => cluster.seed(i));
  await allListening(seeds);
  const peers = [0, 1, 2].map((i) => cluster.peer(i, FAST_PEER_ARGS));
  await t.step("peers join with 3 of 5 seeds", async () => {
    await allJoined(peers);
    for (const peer of peers) {
      const joined = events(peer.logPath, "joined")[0]!;
      assertEquals((joined.seeds as string[]).length, 3);
    }
  });
  await t.step("a crashed peer is still removed by every running seed", async () => {
    // Documented bound (docs/protocol.md): (misses + 1) × ping interval
    // + 1.5 × peer probe timeout + seed probe timeout, plus scheduling slack.
    const bound = 4 * 100 + 1.5 * 80 + 1500 + 2000;
    const victim = peers[2]!;
    victim.signal("SIGKILL");
    await victim.status;
    for (const seed of seeds) {
      await waitForEvent(seed.logPath, "peer_removed", (e) => e.peer === victim.address, {
        timeoutMs: bound,
      });
    }
  });
  await t.step("with 2 of 5 seeds a new peer is registered nowhere and waits", async () => {
    const stopped = seeds[2]!;
    await stopped.stop();
    const late = cluster.peer(3, FAST_PEER_ARGS);
    await waitForEvent(late.logPath, "waiting_for_seeds");
    await waitFor(
      "a refused registration",
      () =>
        events(late.logPath, "registration_refused").length > 0 ||
        events(late.logPath, "seed_unreachable").length >= 3,
    );
    for (const seed of seeds.slice(0, 2)) assert(!seedMembers(seed).has(late.address));
    assertEquals(events(late.logPath, "joined"), []);
  });
  await t.step("a third seed starting lets the waiting peer in", async () => {
    const late = cluster.nodes.find((n) => n.port === cluster.peerPorts[3])!;
    const third = cluster.seed(3);
    await allListening([third]);
    await waitForEvent(late.logPath, "joined", () => true, { timeoutMs: 20_000 });
    for (const seed of [seeds[0]!, seeds[1]!, third]) {
      await waitFor(
        `${seed.address} lists the late peer`,
        () => seedMembers(seed).has(late.address),
      );
    }
  });
});

Deno.test("a seed restarted mid-run serves the same peer list as the others", async () => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 5 });
  const seeds = [0, 1, 2].map((i) => cluster.seed(i));
  await allListening(seeds);
  const peers = [0, 1, 2].map((i) => cluster.peer(i, FAST_PEER_ARGS));
  await allJoined(peers);
  const restarted = seeds[0]!;
  restarted.signal("SIGKILL");
  await restarted.status;
  // While it is down: one peer joins, one crashes and is removed.
  const newcomer = cluster.peer(3, FAST_PEER_ARGS);
  await waitForEvent(newcomer.logPath, "joined");
  peers[0]!.signal("SIGKILL");
  for (const seed of seeds.slice(1)) {
    await waitForEvent(seed.logPath, "peer_removed", (e) => e.peer === peers[0]!.address);
  }
  const before = readLog(restarted.logPath).length;
  const again = cluster.seed(0);
  // Documented: a restarted seed catches up as soon as its links are up,
  // and within its ready timeout (3 s) at worst.
  const synced = await waitFor(
    "the restarted seed to catch up",
    () => readLog(again.logPath).slice(before).find((l) => l.properties.event === "synced"),
    { timeoutMs: 5000 },
  );
  assert((synced.properties.from as string[]).length >= 1, "it synced from another seed");
  const expected = [peers[1]!, peers[2]!, newcomer].map((p) => p.address).sort();
  for (const port of cluster.seedPorts) {
    assertEquals(await peerListOf(port), expected, `seed ${port}`);
  }
});

Deno.test("a neighbour that dropped a link but is alive is not reported dead", async (t) => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 5 });
  const seed = cluster.seed(0);
  await allListening([seed]);
  const peers = [0, 1, 2].map((i) =>
    cluster.peer(i, [...FAST_PEER_ARGS, "--gossip-count", "1000"])
  );
  await allJoined(peers);
  await waitFor(
    "peers linked",
    () => peers.every((p) => events(p.logPath, "neighbor_connected").length >= 1),
  );
  const [a, b] = peers as [typeof peers[0], typeof peers[0]];
  await t.step("a dropped link: fresh-connection pings find it alive", async () => {
    await using fake = new FakePeer(cluster.peerPorts[3]!);
    await fake.link(a.port);
    await waitForEvent(a.logPath, "neighbor_connected", (e) => e.neighbor === fake.key);
    fake.unlink(a.port);
    await waitForEvent(a.logPath, "neighbor_lost", (e) => e.neighbor === fake.key);
    await waitFor("a probe over a fresh connection", () => fake.probePings > 0);
    const after = Date.now();
    await waitFor(
      "5 more gossip rounds",
      () => generated([a]).filter((g) => g.ts > after).length >= 5,
    );
    assertEquals(events(a.logPath, "dead_node_reported").filter((e) => e.dead === fake.key), []);
  });
  await t.step("pings lost on one link: other neighbours' probes clear the suspicion", async () => {
    await using fake = new FakePeer(cluster.peerPorts[4]!);
    await fake.link(a.port);
    await fake.link(b.port);
    await waitForEvent(a.logPath, "neighbor_connected", (e) => e.neighbor === fake.key);
    fake.ignorePingsFrom.add(a.address);
    await waitForEvent(a.logPath, "suspect", (e) => e.neighbor === fake.key);
    await waitForEvent(a.logPath, "suspicion_cleared", (e) => e.neighbor === fake.key);
    assertEquals(events(a.logPath, "dead_node_reported").filter((e) => e.dead === fake.key), []);
    assertEquals(events(seed.logPath, "peer_removed").filter((e) => e.peer === fake.key), []);
  });
});
