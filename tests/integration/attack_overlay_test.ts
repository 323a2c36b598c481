/**
 * Issue 10, attacks on the overlay: a raw client claiming to be a peer's
 * neighbours (hijack and eclipse), asking it to probe an address of the
 * attacker's choice (reflection), and flooding it with gossip that is not
 * gossip, or too much of it. The peer keeps its links, opens nothing, logs
 * little, and the network is unharmed.
 */

import { assert, assertEquals } from "@std/assert";
import type { Message } from "../../lib/wire/messages.ts";
import { assertUnharmed, startNetwork } from "../support/attack.ts";
import { events, readLog, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { FAST_PEER_ARGS, generated, messageKey, received } from "../support/network.ts";
import { CountingListener, helloAs, RawClient } from "../support/raw_client.ts";

// 6 misses rather than 3: these tests assert that nobody was reported dead,
// and a victim busy with a flood (or a loaded machine) can sit out 300 ms.
const CHATTY = [...FAST_PEER_ARGS, "--ping-misses", "6", "--gossip-count", "1000"];

Deno.test("link hijack: a second link claiming each neighbour is refused; the peer misses nothing", async () => {
  const network = await startNetwork({ peers: 4, peerArgs: CHATTY });
  await using _cluster = network.cluster;
  await network.cluster.explainFailure(async () => {
    const victim = network.peers[0]!;
    const others = network.peers.slice(1);
    // Links that have carried gossip for a while: a claim within a second of
    // a link's birth may still win the simultaneous-dial tie-break (documented).
    await waitFor("the victim's links settled", () => {
      const lines = readLog(victim.logPath);
      const linked = lines.filter((l) => l.properties.event === "neighbor_connected");
      if (linked.length === 0) return false;
      const lastLink = Math.max(...linked.map((l) => l.ts));
      const since = lines.filter((l) =>
        l.properties.event === "gossip_generated" && l.ts > lastLink
      );
      const heard = new Set(events(victim.logPath, "gossip_received").map((e) => e.from));
      return since.length >= 6 && linked.every((l) => heard.has(l.properties.neighbor));
    }, { timeoutMs: 20_000 });
    const neighbours = [
      ...new Set(events(victim.logPath, "neighbor_connected").map((e) => String(e.neighbor))),
    ];
    // One fake per neighbour, each answering pings as a live neighbour would.
    const fakes: RawClient[] = [];
    for (const neighbour of neighbours) {
      const port = Number(neighbour.split(":")[1]);
      const fake = await RawClient.saying(victim.port, helloAs("peer", port, "00000000000000f1"));
      fake.respondToPings();
      fakes.push(fake);
    }
    const attackAt = Date.now();
    for (const neighbour of neighbours) {
      await waitForEvent(victim.logPath, "link_refused", (e) => e.neighbor === neighbour);
    }
    // The real links stay; messages keep flowing both ways for 10 rounds.
    await waitFor(
      "10 more messages from each peer",
      () => network.peers.every((p) => generated([p]).filter((g) => g.ts > attackAt).length >= 10),
      { timeoutMs: 20_000 },
    );
    const after = generated(network.peers).filter((g) => g.ts > attackAt + 50);
    await waitFor(
      "every message everywhere",
      () =>
        after.every((g) =>
          network.peers.every((p) =>
            p.address === g.origin || received(p).has(messageKey(g.origin, g.message))
          )
        ),
    );
    const lost = events(victim.logPath, "neighbor_lost").filter((e) =>
      neighbours.includes(String(e.neighbor))
    );
    assertEquals(lost, [], "no real link was replaced");
    for (const fake of fakes) await fake[Symbol.asyncDispose]();
    assertEquals(events(victim.logPath, "dead_node_reported"), []);
    for (const other of others) assertEquals(events(other.logPath, "dead_node_reported"), []);
    assertUnharmed(network);
  });
});

Deno.test("reflection: probe requests for an address that is not a neighbour open no connection", async () => {
  const network = await startNetwork({ peers: 2 });
  await using _cluster = network.cluster;
  await network.cluster.explainFailure(async () => {
    const helper = network.peers[0]!;
    using target = new CountingListener();
    // A neighbour link from the attacker (any unused address will do).
    await using attacker = await RawClient.saying(
      helper.port,
      helloAs("peer", network.cluster.peerPorts.at(-1)!, "00000000000000f2"),
    );
    await waitForEvent(
      helper.logPath,
      "neighbor_connected",
      (e) => String(e.neighbor).endsWith(`:${network.cluster.peerPorts.at(-1)}`),
    );
    const requests: Message[] = Array.from({ length: 200 }, (_, i) => ({
      kind: "probe_request",
      nonce: i,
      target: { host: "127.0.0.1", port: target.port },
    }));
    await attacker.sendAll(requests);
    await waitForEvent(helper.logPath, "request_refused", (e) => e.kind === "probe_request");
    // A probe request about a real neighbour is still answered, over the link.
    const neighbour = network.peers[1]!;
    await attacker.send({
      kind: "probe_request",
      nonce: 999,
      target: { host: "127.0.0.1", port: neighbour.port },
    });
    const result = await attacker.receive((m) => m.kind === "probe_result" && m.nonce === 999, 5000)
      .catch(() => undefined);
    assertEquals(target.accepted, 0, "the helper opened no connection to the attacker's target");
    // Over the rate it may be declined too: either way, never a probe of the target.
    if (result?.kind === "probe_result") assertEquals(result.alive, true);
    assertUnharmed(network);
  });
});

Deno.test("gossip flood: non-gossip text closes the link; a flood of gossip is cut off", async (t) => {
  const network = await startNetwork({ peers: 4, peerArgs: CHATTY });
  await using _cluster = network.cluster;
  await network.cluster.explainFailure(async () => {
    const [junkVictim, floodVictim] = network.peers as [
      typeof network.peers[0],
      typeof network.peers[0],
    ];
    const fakePort = network.cluster.peerPorts.at(-1)!;
    await t.step(
      "maximum-size gossip text: dropped, the link closed, the sender banned",
      async () => {
        await using flooder = await RawClient.saying(
          junkVictim.port,
          helloAs("peer", fakePort, "00000000000000f3"),
        );
        const junk: Message = {
          kind: "gossip",
          origin: { host: "127.0.0.1", port: fakePort },
          text: "J".repeat(65_000),
        };
        await flooder.sendAll([junk, junk, junk]);
        assert(await flooder.closedByRemote(5000), "the victim drops the link");
        await waitForEvent(
          junkVictim.logPath,
          "banned",
          (e) => String(e.detail).includes("Malformed gossip text"),
        );
        const logged = events(junkVictim.logPath, "gossip_received").filter((e) =>
          String(e.message).startsWith("J")
        );
        assertEquals(logged, []);
      },
    );
    await t.step(
      "20,000 well-formed messages at once: a burst is relayed, then the link is cut",
      async () => {
        const before = (await Deno.stat(floodVictim.logPath)).size;
        const flood: Message[] = Array.from({ length: 20_000 }, (_, i) => ({
          kind: "gossip",
          origin: { host: "127.0.0.1", port: fakePort },
          text: `${1_700_000_000_000 + i}:127.0.0.1:${i + 1}`,
        }));
        await using flooder = await RawClient.saying(
          floodVictim.port,
          helloAs("peer", fakePort, "00000000000000f4"),
        );
        await waitForEvent(
          floodVictim.logPath,
          "neighbor_connected",
          (e) => e.neighbor === `127.0.0.1:${fakePort}`,
        );
        for (let i = 0; i < flood.length && !flooder.closed; i += 2000) {
          await flooder.sendAll(flood.slice(i, i + 2000)).catch(() => {});
          await flooder.receive(() => false, 1).catch(() => undefined);
        }
        assert(await flooder.closedByRemote(5000), "the flooding link is closed");
        await waitForEvent(
          floodVictim.logPath,
          "banned",
          (e) => String(e.detail).includes("Gossip flood"),
        );
        const relayed = events(floodVictim.logPath, "gossip_received").filter((e) =>
          e.origin === `127.0.0.1:${fakePort}`
        ).length;
        // The link takes a burst of its rate (200/s), plus what refills while it is read.
        assert(relayed <= 2000, `relayed ${relayed} of 20,000`);
        const grown = (await Deno.stat(floodVictim.logPath)).size - before;
        assert(grown < 5 * 1024 * 1024, `log grew ${grown} bytes`);
      },
    );
    await t.step("the real peers saw no false death and missed no real message", async () => {
      const since = Date.now();
      await waitFor(
        "5 more messages from each peer",
        () =>
          network.peers.every((p) => generated([p]).filter((g) => g.ts > since).length >= 5),
        { timeoutMs: 20_000 },
      );
      const after = generated(network.peers).filter((g) => g.ts > since);
      await waitFor(
        "every message everywhere",
        () =>
          after.every((g) =>
            network.peers.every((p) =>
              p.address === g.origin || received(p).has(messageKey(g.origin, g.message))
            )
          ),
      );
      for (const peer of network.peers) {
        const falsely = events(peer.logPath, "dead_node_reported").filter((e) =>
          network.peers.some((p) => p.address === e.dead)
        );
        assertEquals(falsely, [], `${peer.address} reported a live peer`);
      }
      assertUnharmed(network);
    });
  });
});
