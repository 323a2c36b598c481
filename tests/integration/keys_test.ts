/**
 * Issue 12, the surface: network keys on real processes. A keyed network
 * of 3 seeds and 8 peers delivers everything; a node or client with the
 * wrong key (or none) gets nothing and both sides say why; keys rotate in
 * three SIGHUP steps across the running network without loss or false dead
 * reports; keygen, --key-file errors and GOSSIPNET_KEY behave as
 * documented.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { assertUnharmed, everySeedLists, type Network, startNetwork } from "../support/attack.ts";
import { Cluster, type NodeProcess } from "../support/cluster.ts";
import { events, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import {
  allJoined,
  allListening,
  type Generated,
  generated,
  missing,
  seedMembers,
} from "../support/network.ts";
import { gossipnet } from "../support/cli_run.ts";
import { clientHello, RawClient } from "../support/raw_client.ts";
import { generateKeyText, keyId } from "../../lib/wire/keyring.ts";

/**
 * Peer timings for these tests: fast gossip, but pings patient enough
 * (2 s to suspicion) that CPU starvation from the CLI processes and the
 * tests running beside them cannot pass for a dead neighbour.
 */
const PATIENT_PEER_ARGS = [
  "--gossip-interval",
  "200ms",
  "--ping-interval",
  "500ms",
  "--ping-misses",
  "4",
  "--repair-interval",
  "100ms",
];

async function idOf(key: string): Promise<string> {
  return await keyId(Uint8Array.from(atob(key), (c) => c.charCodeAt(0)));
}

async function writeKeys(path: string, keys: readonly string[]): Promise<void> {
  await Deno.writeTextFile(path, keys.map((k) => `${k}\n`).join(""), { mode: 0o600 });
}

/** Messages generated after `sinceTs` reach every one of `peers`. */
async function allDelivered(peers: readonly NodeProcess[], sinceTs: number): Promise<Generated[]> {
  const messages = generated(peers).filter((g) => g.ts > sinceTs);
  await waitFor(
    `${messages.length} messages to reach every peer`,
    () => messages.every((m) => missing(peers, m).length === 0),
    { timeoutMs: 20_000 },
  );
  return messages;
}

/** Sends SIGHUP to every node and waits until each logged `ids` as its keys. */
async function rereadEverywhere(nodes: readonly NodeProcess[], ids: readonly string[]) {
  const before = nodes.map((n) => events(n.logPath, "keys_loaded").length);
  for (const node of nodes) node.signal("SIGHUP");
  await Promise.all(
    nodes.map((node, i) =>
      waitFor(`${node.address} to reread ${ids.join(",")}`, () => {
        const loaded = events(node.logPath, "keys_loaded");
        return loaded.length > before[i]! &&
          JSON.stringify(loaded[loaded.length - 1]!.ids) === JSON.stringify(ids);
      })
    ),
  );
}

function noFalseDeaths(network: Network, live: readonly NodeProcess[]): void {
  for (const peer of live) {
    assertEquals(events(peer.logPath, "dead_node_reported"), [], `${peer.address} reported`);
  }
  const addresses = live.map((p) => p.address);
  for (const seed of network.seeds) {
    const removed = events(seed.logPath, "peer_removed").filter((e) =>
      addresses.includes(String(e.peer))
    );
    assertEquals(removed, [], `${seed.address} removed a live peer`);
  }
}

Deno.test({
  name: "keyed network: 3 seeds + 8 peers deliver all; a wrong key or none gets nothing",
  ignore: Deno.build.os === "windows",
}, async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-keys-" });
  const good = generateKeyText();
  const wrong = generateKeyText();
  await writeKeys(`${dir}/good.key`, [good]);
  await writeKeys(`${dir}/wrong.key`, [wrong]);
  const keyed = ["--key-file", `${dir}/good.key`];
  const network = await startNetwork({
    seeds: 3,
    peers: 8,
    spare: 1,
    seedArgs: ["--pending-timeout", "1s", ...keyed],
    peerArgs: [...PATIENT_PEER_ARGS, "--gossip-count", "1000", ...keyed],
  });
  const { cluster, seeds, peers } = network;
  try {
    await cluster.explainFailure(async () => {
      await t.step("every node logs the key id, never the key", async () => {
        const id = await idOf(good);
        for (const node of [...seeds, ...peers]) {
          const loaded = events(node.logPath, "keys_loaded");
          assertEquals(loaded.map((e) => e.ids), [[id]], node.address);
          const log = await Deno.readTextFile(node.logPath);
          assert(!log.includes(good), `${node.address} logged the key`);
          assert(!node.output.includes(good), `${node.address} printed the key`);
        }
      });

      await t.step("100% delivery over keyed links", async () => {
        const formed = Date.now();
        await waitFor(
          "3 messages per peer after the network formed",
          () => peers.every((p) => generated([p]).filter((g) => g.ts > formed).length >= 3),
        );
        const messages = await allDelivered(peers, formed);
        assert(messages.length >= 24, `${messages.length} messages`);
      });

      await t.step("a peer with the wrong key cannot register, neighbour or gossip", async () => {
        const intruder = cluster.peer(8, [...PATIENT_PEER_ARGS, "--key-file", `${dir}/wrong.key`]);
        // Its side says why...
        const refused = await waitForEvent(intruder.logPath, "auth_failed");
        assertMatch(String(refused.reason), /key/);
        // ...and so does a seed's, naming the remote.
        const seen = await Promise.race(
          seeds.map((s) => waitForEvent(s.logPath, "auth_failed")),
        );
        assertMatch(String(seen.remote), /^127\.0\.0\.1:\d+$/);
        assertMatch(String(seen.reason), /not in this node's keyring/);
        // Let it try every seed, round after round; nobody ever lists or links it.
        await waitFor(
          "the intruder to retry its seeds",
          () => events(intruder.logPath, "waiting_for_seeds").length >= 3,
        );
        const tried = new Set(events(intruder.logPath, "seed_unreachable").map((e) => e.seed));
        assertEquals(tried.size, seeds.length, [...tried].join(", "));
        assertEquals(events(intruder.logPath, "seed_connected"), []);
        assertEquals(events(intruder.logPath, "neighbor_connected"), []);
        for (const seed of seeds) assert(!seedMembers(seed).has(intruder.address), seed.address);
        for (const peer of peers) {
          const from = events(peer.logPath, "neighbor_connected").map((e) => e.neighbor);
          assert(!from.includes(intruder.address), `${peer.address} linked the intruder`);
          const gossip = events(peer.logPath, "gossip_received").map((e) => e.origin);
          assert(!gossip.includes(intruder.address), `${peer.address} took its gossip`);
        }
        await intruder.stop();
      });

      await t.step("clients with the wrong key or none get nothing, exit 1, say why", async () => {
        const seed = seeds[0]!.address;
        const members = await gossipnet([
          "members",
          "--seed",
          seed,
          "--key-file",
          `${dir}/wrong.key`,
        ]);
        assertEquals(members.code, 1, members.stderr);
        assertEquals(members.stdout, "");
        assertMatch(members.stderr, /^gossipnet: Cannot reach .*keyring.*\n$/);
        assert(!members.stderr.includes(wrong) && !members.stderr.includes(good));
        const keyless = await gossipnet(["members", "--seed", seed]);
        assertEquals(keyless.code, 1);
        assertMatch(keyless.stderr, /this network requires a key/);
        // A Dead Node report with the wrong key does not even arrive (about an
        // address no peer holds, so no genuine report can be mistaken for it).
        const victim = "127.0.0.1:1";
        const report = await gossipnet([
          "report-dead",
          "--seed",
          seed,
          "--dead",
          victim,
          "--key-file",
          `${dir}/wrong.key`,
        ]);
        assertEquals(report.code, 1, report.stdout + report.stderr);
        for (const s of seeds) {
          const taken = events(s.logPath, "dead_node_report").filter((e) => e.dead === victim);
          assertEquals(taken, [], `${s.address} took the report`);
        }
        // With the key, the same report arrives (so the check above can fail).
        const keyedReport = await gossipnet([
          "report-dead",
          "--seed",
          seed,
          "--dead",
          victim,
          "--key-file",
          `${dir}/good.key`,
        ]);
        assertEquals(keyedReport.code, 0, keyedReport.stdout + keyedReport.stderr);
        await waitForEvent(seeds[0]!.logPath, "dead_node_report", (e) => e.dead === victim);
        // send: refused with the wrong key, published with the right one.
        const through = peers[4]!.address;
        const refusedSend = await gossipnet([
          "send",
          "--peer",
          through,
          "--key-file",
          `${dir}/wrong.key`,
          "x",
        ]);
        assertEquals(refusedSend.code, 1, refusedSend.stderr);
        const sent = await gossipnet([
          "send",
          "--peer",
          through,
          "--key-file",
          `${dir}/good.key`,
          "sealed",
        ]);
        assertEquals(sent.code, 0, sent.stderr);
        const id = sent.stdout.trim();
        await waitFor(
          `message ${id} at every other peer`,
          () =>
            peers.filter((p) => p.address !== through).every((p) =>
              events(p.logPath, "message_received").some((e) => e.id === id)
            ),
        );
        // The right key through GOSSIPNET_KEY works.
        const allowed = await gossipnet(["members", "--seed", seed, "--json"], {
          GOSSIPNET_KEY: good,
        });
        assertEquals(allowed.code, 0, allowed.stderr);
        assertEquals(JSON.parse(allowed.stdout).length, 8);
      });

      await t.step("a raw client written from the protocol alone gets nothing", async () => {
        for (const node of [seeds[1]!, peers[1]!]) {
          await using raw = await RawClient.saying(node.port, clientHello("peer", 65000));
          const kinds: string[] = [];
          // Anything but the handshake's own frames would be a leak; the node closes.
          const leak = await raw.receive((m) => {
            kinds.push(m.kind);
            return m.kind !== "error" && m.kind !== "auth_hello" && m.kind !== "hello";
          });
          assertEquals(leak, undefined, `${node.address} sent ${kinds.join(", ")}`);
        }
      });

      await t.step("the network is unharmed", () => assertUnharmed(network));
    });
  } finally {
    await cluster[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "rotation in three SIGHUP steps: no delivery loss, no false dead reports",
  ignore: Deno.build.os === "windows",
}, async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-rotate-" });
  const path = `${dir}/net.key`;
  const [a, b] = [generateKeyText(), generateKeyText()];
  const [idA, idB] = [await idOf(a), await idOf(b)];
  await writeKeys(path, [a]);
  await writeKeys(`${dir}/a.key`, [a]);
  await writeKeys(`${dir}/b.key`, [b]);
  const network = await startNetwork({
    seeds: 3,
    peers: 8,
    spare: 2,
    seedArgs: ["--pending-timeout", "1s", "--key-file", path],
    peerArgs: [...PATIENT_PEER_ARGS, "--gossip-count", "1000", "--key-file", path],
  });
  const { cluster, seeds, peers } = network;
  const nodes = [...seeds, ...peers];
  const status = (key: string, node: NodeProcess) =>
    gossipnet(["status", "--node", node.address, "--key-file", `${dir}/${key}.key`]);
  try {
    await cluster.explainFailure(async () => {
      const start = Date.now();
      await t.step("1: install b everywhere (a still sends)", async () => {
        await writeKeys(path, [a, b]);
        await rereadEverywhere(nodes, [idA, idB]);
        // A node not yet told still handshakes with every node told.
        assertEquals((await status("a", seeds[0]!)).code, 0);
      });
      let late: NodeProcess | undefined;
      await t.step("2: b sends everywhere; nodes told and not yet told link up", async () => {
        await writeKeys(path, [b, a]);
        const half = Math.floor(nodes.length / 2);
        await rereadEverywhere(nodes.slice(0, half), [idB, idA]);
        // A peer as yet untold (a sends, b accepted) joins the mixed network.
        await writeKeys(`${dir}/late.key`, [a, b]);
        late = cluster.peer(8, [...PATIENT_PEER_ARGS, "--key-file", `${dir}/late.key`]);
        await allJoined([late]);
        await writeKeys(`${dir}/late.key`, [b, a]);
        await rereadEverywhere([...nodes.slice(half), late], [idB, idA]);
        assertEquals((await status("b", seeds[1]!)).code, 0);
      });
      await t.step("3: remove a everywhere", async () => {
        await writeKeys(path, [b]);
        await writeKeys(`${dir}/late.key`, [b]);
        await rereadEverywhere([...nodes, late!], [idB]);
        const old = await status("a", seeds[2]!);
        assertEquals(old.code, 1);
        assertMatch(old.stderr, /Handshake with .* failed/);
        assertEquals((await status("b", peers[2]!)).code, 0);
      });
      await t.step("every message of the rotation reached every peer", async () => {
        const during = generated(peers).filter((g) => g.ts > start);
        assert(during.length >= 8, `${during.length} messages`);
        await allDelivered([...peers, late!], start);
      });
      await t.step("a new peer with only b joins and gets fresh gossip", async () => {
        const fresh = cluster.peer(9, [...PATIENT_PEER_ARGS, "--key-file", `${dir}/b.key`]);
        await allJoined([fresh]);
        const joined = Date.now();
        await waitFor(
          "fresh gossip from every old peer at the new one",
          () =>
            peers.every((p) =>
              generated([p]).some((g) => g.ts > joined && missing([fresh], g).length === 0)
            ),
        );
        assertEquals(events(fresh.logPath, "auth_failed"), []);
      });
      await t.step("a bad file on SIGHUP keeps the keys in use and says why", async () => {
        await Deno.writeTextFile(path, "not a key\n");
        const node = peers[3]!;
        node.signal("SIGHUP");
        const failed = await waitForEvent(node.logPath, "keys_reload_failed");
        assertEquals(failed.ids, [idB]);
        assertMatch(String(failed.detail), /line 1/);
        assertEquals((await status("b", node)).code, 0);
        await writeKeys(path, [b]);
      });
      await t.step("no false dead reports, no removals, no auth failure but the old key's", () => {
        noFalseDeaths(network, [...peers, late!]);
        for (const node of nodes) {
          const failures = events(node.logPath, "auth_failed");
          // Only the client that proved with the removed key was refused.
          const expected = node === seeds[2] ? failures.length : 0;
          assertEquals(failures.length, expected, `${node.address}: ${JSON.stringify(failures)}`);
          for (const f of failures) assertMatch(String(f.reason), /key/);
        }
      });
    });
  } finally {
    await cluster[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a seed with the wrong key links to no seed, registers no peer and casts no vote",
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-keyseed-" });
  await writeKeys(`${dir}/good.key`, [generateKeyText()]);
  await writeKeys(`${dir}/wrong.key`, [generateKeyText()]);
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 4 });
  const good = ["--pending-timeout", "1s", "--key-file", `${dir}/good.key`];
  const seeds = [cluster.seed(0, good), cluster.seed(1, good)];
  const rogue = cluster.seed(2, ["--pending-timeout", "1s", "--key-file", `${dir}/wrong.key`]);
  try {
    await cluster.explainFailure(async () => {
      await allListening([...seeds, rogue]);
      const peers = Array.from(
        { length: 4 },
        (_, i) => cluster.peer(i, [...PATIENT_PEER_ARGS, "--key-file", `${dir}/good.key`]),
      );
      await allJoined(peers);
      await everySeedLists(seeds, peers);
      // A peer killed outright: the two good seeds decide its removal alone.
      const victim = peers[3]!;
      victim.signal("SIGKILL");
      await victim.status;
      for (const seed of seeds) {
        await waitForEvent(seed.logPath, "peer_removed", (e) => e.peer === victim.address);
      }
      const voters = new Set(
        seeds.flatMap((s) => events(s.logPath, "vote")).map((v) => String(v.voter)),
      );
      // Votes come from the good seeds (by address), never from the rogue one.
      assert(voters.size > 0, "no votes at all");
      const goodSeeds = seeds.map((seed) => seed.address);
      for (const voter of voters) assert(goodSeeds.includes(voter), `${voter} voted`);
      // The rogue seed says why it is alone, and has nobody.
      await waitForEvent(rogue.logPath, "auth_failed");
      assertEquals(seedMembers(rogue).size, 0);
      assertEquals(events(rogue.logPath, "seed_link_up"), []);
      for (const seed of seeds) {
        const linked = events(seed.logPath, "seed_link_up").map((e) => e.seed);
        assert(!linked.includes(rogue.address), `${seed.address} linked the rogue seed`);
      }
      for (const peer of peers) {
        const registered = events(peer.logPath, "seed_connected").map((e) => e.seed);
        assert(!registered.includes(rogue.address), `${peer.address} registered with it`);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
