/**
 * Bad input and hard starts: garbage on the wire, seeds missing, ports taken.
 * Every case must end in a clear log line or error, and the node must keep
 * serving everyone else.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { encodeFrame } from "../../lib/wire/frame.ts";
import { encodeMessage } from "../../lib/wire/messages.ts";
import { Cluster, type NodeProcess } from "../support/cluster.ts";
import { events, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { allListening, FAST_PEER_ARGS } from "../support/network.ts";
import { clientHello, RawClient } from "../support/raw_client.ts";

const BAD_INPUTS: Array<{ name: string; bytes: () => Uint8Array; detail: RegExp }> = [
  {
    name: "garbage bytes",
    bytes: () => new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    detail: /exceeds limit/,
  },
  {
    name: "oversize length prefix",
    bytes: () => new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]),
    detail: /Frame length \(2147483647\) exceeds limit \(65536\)/,
  },
  {
    name: "zero length prefix",
    bytes: () => new Uint8Array([0, 0, 0, 0]),
    detail: /Frame length is 0/,
  },
  {
    name: "unknown message type",
    bytes: () => encodeFrame(200, new Uint8Array([1, 2, 3])),
    detail: /Unknown message type 200/,
  },
  {
    name: "valid frame before the handshake",
    bytes: () => encodeMessage({ kind: "ping", nonce: 7 }).slice(),
    detail: /Expected hello, got ping/,
  },
  {
    name: "malformed hello",
    bytes: () => encodeFrame(1, new TextEncoder().encode("GSPN")),
    detail: /Malformed hello/,
  },
];

/**
 * The node still answers: a stranger from the offending IP gets the node's
 * hello and then a pong or, while the IP is banned, a refusal; a hello
 * claiming an address the node trusts (a member's, at a seed) still gets
 * its pong.
 */
async function assertStillServing(node: NodeProcess, trustedClaim?: number): Promise<void> {
  {
    await using stranger = await RawClient.connect(node.port);
    await stranger.send(clientHello());
    await stranger.send({ kind: "ping", nonce: 4242 });
    const answer = await stranger.receive((m) =>
      m.kind === "pong" || (m.kind === "error" && m.code === "too_many_connections")
    );
    assert(stranger.inbox.some((m) => m.kind === "hello"), "the node says hello");
    assert(answer !== undefined, "a pong or a refusal");
  }
  if (trustedClaim === undefined) return;
  await using member = await RawClient.connect(node.port);
  await member.send(clientHello("peer", trustedClaim));
  await member.send({ kind: "ping", nonce: 4343 });
  const pong = await member.receive((m) => m.kind === "pong");
  assertEquals(pong, { kind: "pong", nonce: 4343 });
}

Deno.test("bad input over raw TCP: dropped with a log line, node keeps serving", async (t) => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 1 });
  const seed = cluster.seed(0);
  await allListening([seed]);
  const peer = cluster.peer(0, FAST_PEER_ARGS);
  await waitForEvent(peer.logPath, "joined");
  for (const node of [seed, peer]) {
    for (const bad of BAD_INPUTS) {
      await t.step(`${node.role}: ${bad.name}`, async () => {
        const before = events(node.logPath, "connection_dropped").length;
        await using client = await RawClient.connect(node.port);
        await client.write(bad.bytes());
        assert(await client.closedByRemote(), "the node closes the connection");
        const dropped = await waitFor(
          "a connection_dropped line",
          () =>
            events(node.logPath, "connection_dropped").slice(before).find((e) =>
              bad.detail.test(String(e.detail))
            ),
        );
        assertEquals(dropped.reason, "protocol_error");
        // Misbehaviour costs: the IP is refused for a while, and that is logged.
        await waitForEvent(
          node.logPath,
          "banned",
          (e) => String(e.detail).startsWith("protocol_error"),
        );
        await assertStillServing(node, node === seed ? peer.port : undefined);
      });
    }
  }
  await t.step("a version mismatch gets an error naming both versions", async () => {
    await using client = await RawClient.connect(seed.port);
    const hello = encodeMessage(clientHello()).slice();
    hello[10] = 9; // version u16 at payload offset 4..5 → frame offset 9..10
    await client.write(hello);
    const error = await client.receive((m) => m.kind === "error");
    if (error?.kind !== "error") throw new Error(`Expected an error message, got ${error?.kind}`);
    assertEquals(error.code, "unsupported_version");
    assertMatch(error.text, /remote speaks 9, this node speaks 1/);
  });
  await t.step("a silent connection is dropped after the handshake timeout", async () => {
    // Nothing sent at all: the node must not keep it forever. (Timeout 5 s.)
    await using client = await RawClient.connect(seed.port);
    assert(await client.closedByRemote(8000));
    await waitForEvent(seed.logPath, "connection_dropped", (e) => e.reason === "handshake_timeout");
  });
  assertEquals(events(seed.logPath, "internal_error"), []);
  assertEquals(events(peer.logPath, "internal_error"), []);
  // The real peer's registration was never disturbed.
  assertEquals(events(peer.logPath, "seed_unreachable"), []);
  assertEquals(events(seed.logPath, "peer_removed"), []);
});

Deno.test("only 1 of 3 seeds up: the peer waits for a majority, then joins", async () => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 1 });
  const first = cluster.seed(0);
  await allListening([first]);
  const peer = cluster.peer(0, FAST_PEER_ARGS);
  const waiting = await waitForEvent(peer.logPath, "waiting_for_seeds");
  assertEquals(waiting.needed, 2);
  await waitFor(
    "the console to say it is waiting",
    () => /waiting for a seed majority/.test(peer.output),
  );
  assertEquals(events(peer.logPath, "joined"), []);
  const second = cluster.seed(1);
  await allListening([second]);
  const joined = await waitForEvent(peer.logPath, "joined");
  assertEquals((joined.seeds as string[]).length, 2);
});

Deno.test("a port already in use: one-line error, exit 1", async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 1 });
  const seed = cluster.seed(0);
  await allListening([seed]);
  using _blocker = Deno.listen({ hostname: "127.0.0.1", port: cluster.peerPorts[0]! });
  const peer = cluster.peer(0);
  const status = await peer.status;
  assertEquals(status.code, 1);
  const stderr = peer.output.trim().split("\n").filter((l) => l.startsWith("gossipnet:"));
  assertEquals(stderr, [`gossipnet: Cannot listen on ${peer.address}: address already in use`]);
});
