/**
 * Keyed links between real nodes over TCP: tampering through a proxy closes
 * the link and the network heals; wrong-key and keyless nodes and clients
 * get nothing, and both sides say why.
 */

import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import type { LogEvent } from "../../lib/log/events.ts";
import { systemClock } from "../../lib/util/clock.ts";
import { ClientLink } from "../../lib/wire/client.ts";
import { generateKeyText, KeyringHolder, parseKeyring } from "../../lib/wire/keyring.ts";
import { newNodeId, systemRng } from "../../lib/util/random.ts";
import { probeNode } from "../../lib/wire/probe.ts";
import { helloFrom } from "../../lib/wire/serve.ts";
import { tcpTransport } from "../../lib/wire/transport.ts";
import { startTestPeer, startTestSeed, type TestPeer } from "../support/keyed_nodes.ts";
import { freePortBlock } from "../support/ports.ts";
import { type Direction, type Tamper, TamperProxy, TamperSwitch } from "../support/tamper_proxy.ts";

const ring = (text: string) => parseKeyring(text, "test");

const linked = (peer: string, direction?: "in" | "out") => (e: LogEvent) =>
  e.event === "neighbor_connected" && e.neighbor === peer &&
  (direction === undefined || e.direction === direction);

/**
 * Resolves once `to` received a message `from` published (gossip flows):
 * publishes afresh every 2 s while the link may still be settling, for at
 * most 30 s.
 */
async function flows(from: TestPeer, to: TestPeer, label: string): Promise<void> {
  for (let attempt = 1; attempt <= 15; attempt++) {
    const published = from.node.publish(new TextEncoder().encode(`${label} ${attempt}`));
    try {
      await to.log.waitFor(
        (e) => e.event === "message_received" && e.id === published.id,
        `${label} at ${to.key}`,
        2000,
      );
      return;
    } catch (error) {
      if (attempt === 15) throw error;
    }
  }
}

Deno.test("keyed links: a flipped, replayed or reordered record closes the link; it heals", async () => {
  const base = freePortBlock(3);
  const key = await ring(generateKeyText());
  const seed = startTestSeed(base, key);
  // Each peer advertises a proxy in front of it, so their link, whoever
  // dials it, runs through one; one switch arms both.
  const tampering = new TamperSwitch();
  const proxies = [new TamperProxy(base + 1, tampering), new TamperProxy(base + 2, tampering)];
  const p1 = startTestPeer(base + 1, [seed.address], key, { advertisePort: proxies[0]!.port });
  const peers: TestPeer[] = [p1];
  try {
    await p1.joined;
    const p2 = startTestPeer(base + 2, [seed.address], key, { advertisePort: proxies[1]!.port });
    peers.push(p2);
    await p2.joined;
    await p1.log.waitFor(linked(p2.key), "p1's link with p2");
    await p2.log.waitFor(linked(p1.key), "p2's link with p1");
    await flows(p1, p2, "before");
    const cases: [Tamper, Direction, string][] = [
      ["flip", "up", "does not open"],
      ["replay", "down", "Replayed sealed record"],
      ["swap", "up", "out of order"],
    ];
    for (const [tamper, direction, detail] of cases) {
      const links = [p1.log.count(linked(p2.key)), p2.log.count(linked(p1.key))];
      await tampering.arm(tamper, direction);
      // The side that received the tampered record names it; both lose the link.
      const named = (other: TestPeer) => (e: LogEvent) =>
        e.event === "neighbor_lost" && e.neighbor === other.key &&
        e.reason.startsWith("protocol_error: ") && e.reason.includes(detail);
      await Promise.race([
        p1.log.waitFor(named(p2), `${tamper}: p1 naming "${detail}"`),
        p2.log.waitFor(named(p1), `${tamper}: p2 naming "${detail}"`),
      ]);
      // The network heals: the two link again (through a proxy) and gossip flows both ways.
      await p1.log.waitFor(
        (e) => linked(p2.key)(e) && p1.log.count(linked(p2.key)) > links[0]!,
        `${tamper}: p1 relinked with p2`,
        30_000,
      );
      await p2.log.waitFor(
        (e) => linked(p1.key)(e) && p2.log.count(linked(p1.key)) > links[1]!,
        `${tamper}: p2 relinked with p1`,
        30_000,
      );
      await flows(p1, p2, `after ${tamper}`);
      await flows(p2, p1, `back after ${tamper}`);
    }
    const accepted = proxies[0]!.accepted + proxies[1]!.accepted;
    assert(accepted >= 4, `the proxies saw ${accepted} connections`);
  } finally {
    await Promise.all(peers.map((p) => p.node.stop()));
    await seed.node.stop();
    for (const proxy of proxies) proxy.close();
  }
});

Deno.test("keyed links: wrong-key and keyless nodes and clients get nothing; both sides log why", async () => {
  const base = freePortBlock(4);
  const key = await ring(generateKeyText());
  const other = await ring(generateKeyText());
  const seed = startTestSeed(base, key);
  const peers: TestPeer[] = [];
  try {
    const good = startTestPeer(base + 1, [seed.address], key);
    peers.push(good);
    await good.joined;
    await good.log.waitFor((e) => e.event === "seed_connected", "the keyed peer registering");

    const wrong = startTestPeer(base + 2, [seed.address], other);
    peers.push(wrong);
    const seedSaw = await seed.log.waitFor(
      (e) => e.event === "auth_failed" && e.reason.includes("not in this node's keyring"),
      "the seed's auth_failed for the wrong key",
    );
    assertStringIncludes((seedSaw as { remote: string }).remote, "127.0.0.1:");
    await wrong.log.waitFor(
      (e) => e.event === "auth_failed" && e.remote === `127.0.0.1:${base}`,
      "the wrong-key peer's auth_failed",
    );

    const keyless = startTestPeer(base + 3, [seed.address], undefined);
    peers.push(keyless);
    await seed.log.waitFor(
      (e) => e.event === "auth_failed" && e.reason === "remote has no key",
      "the seed's auth_failed for the keyless peer",
    );
    await keyless.log.waitFor(
      (e) => e.event === "auth_failed" && e.reason.includes("this network requires a key"),
      "the keyless peer's auth_failed",
    );

    // A raw client without the key: a one-line reason, no answer.
    const options = { transport: tcpTransport, clock: systemClock, timeoutMs: 3000 };
    const error = await assertRejects(() => ClientLink.open(seed.address, options));
    assertStringIncludes((error as Error).message, "this network requires a key");
    // With the key, the same client is answered.
    const link = await ClientLink.open(seed.address, {
      ...options,
      keyring: new KeyringHolder(key),
    });
    assertEquals(link.remoteRole, "seed");
    await link.close();

    // Probes (how seeds check a reported peer) authenticate too.
    const probe = (keyring?: KeyringHolder) =>
      probeNode(seed.address, {
        transport: tcpTransport,
        localHello: helloFrom("client", newNodeId(), { host: "127.0.0.1", port: 0 }),
        timeoutMs: 3000,
        rng: systemRng,
        clock: systemClock,
        ...(keyring ? { keyring } : {}),
      });
    assertEquals((await probe(new KeyringHolder(key))).alive, true);
    const keylessProbe = await probe();
    assertEquals(keylessProbe.alive, false);
    assertStringIncludes(keylessProbe.detail, "this network requires a key");

    // Neither outsider registered, neighboured or was listed.
    const registered = seed.log.events
      .filter((e) => e.event === "peer_registered")
      .map((e) => (e as { peer: string }).peer);
    assertEquals(registered, [good.key]);
    for (const outsider of [wrong, keyless]) {
      assertEquals(outsider.log.count((e) => e.event === "seed_connected"), 0);
      assertEquals(outsider.log.count((e) => e.event === "peer_list"), 0);
      assertEquals(good.log.count(linked(outsider.key)), 0);
    }
  } finally {
    await Promise.all(peers.map((p) => p.node.stop()));
    await seed.node.stop();
  }
});
