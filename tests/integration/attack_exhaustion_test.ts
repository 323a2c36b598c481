/**
 * Issue 10, exhaustion: thousands of connections that say hello and then
 * nothing, half-sent maximum-size frame headers, clients that never read,
 * and junk Dead Node reports. Each costs a seed a bounded, documented
 * amount (docs/protocol.md, section 14) and harms nobody else.
 */

import { assert, assertEquals } from "@std/assert";
import { encodeMessage } from "../../lib/wire/messages.ts";
import { assertUnharmed, peakRss, rssBytes, startNetwork } from "../support/attack.ts";
import { events, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { closeAll, helloAs, openMany, RawClient } from "../support/raw_client.ts";

const MIB = 1024 * 1024;
/**
 * Documented bound on what each of these attacks may add to a seed's RSS
 * (docs/protocol.md, section 14): measured 25-47 MiB for 5,000 connection
 * attempts at once, most of it Deno's own state per accepted socket while
 * it is refused (a bare Deno listener doing the same costs 38 MiB).
 */
const RSS_BOUND = 64 * MIB;

Deno.test({
  name: "exhaustion: held, half-sent, unread and junk connections cost a seed a bounded amount",
  ignore: Deno.build.os !== "linux",
  fn: async (t) => {
    const network = await startNetwork();
    await using _cluster = network.cluster;
    await network.cluster.explainFailure(async () => {
      const [s1, s2, s3] = network.seeds as [
        typeof network.seeds[0],
        typeof network.seeds[0],
        typeof network.seeds[0],
      ];
      const member = network.peers[0]!;

      await t.step("2,000 connections that say hello and nothing more", async () => {
        const before = rssBytes(s1.child.pid)!;
        let clients: RawClient[] = [];
        const peak = await peakRss(s1.child.pid, async () => {
          clients = await openMany(s1.port, 2000);
          const hello = encodeMessage(helloAs("client", 0)).slice();
          await Promise.all(clients.map((c) => c.write(hello).catch(() => {})));
          // Every one is turned away at once or dropped at its deadline.
          await waitFor("every held connection closed", async () => {
            const open = await Promise.all(
              clients.map((c) => c.closedByRemote(10).catch(() => true)),
            );
            return open.every(Boolean);
          }, { timeoutMs: 30_000 });
        });
        await closeAll(clients);
        await waitForEvent(
          s1.logPath,
          "connection_refused",
          (e) => e.reason === "ip_pending_limit",
        );
        assert(peak - before < RSS_BOUND, `RSS grew ${((peak - before) / MIB).toFixed(1)} MiB`);
      });

      await t.step("5,000 half-sent maximum-size frame headers", async () => {
        const before = rssBytes(s2.child.pid)!;
        let clients: RawClient[] = [];
        const peak = await peakRss(s2.child.pid, async () => {
          clients = await openMany(s2.port, 5000, 128);
          const header = new Uint8Array([0, 1, 0, 0, 8]); // L = 65536, type 8: then nothing
          await Promise.all(clients.map((c) => c.write(header).catch(() => {})));
          await waitForEvent(
            s2.logPath,
            "connection_dropped",
            (e) => e.reason === "handshake_timeout",
            { timeoutMs: 20_000 },
          );
        });
        await closeAll(clients);
        assert(peak - before < RSS_BOUND, `RSS grew ${((peak - before) / MIB).toFixed(1)} MiB`);
      });

      await t.step("50 clients that ask and ask and never read", async () => {
        const before = rssBytes(s3.child.pid)!;
        const requests = new Uint8Array(
          Array.from(
            { length: 5000 },
            (_, i) => [...encodeMessage({ kind: "peer_list_request", requestId: i })],
          ).flat(),
        );
        let clients: RawClient[] = [];
        const peak = await peakRss(s3.child.pid, async () => {
          clients = await openMany(s3.port, 50);
          const hello = encodeMessage(helloAs("client", 0)).slice();
          await Promise.all(clients.map(async (c) => {
            await c.write(hello).catch(() => {});
            for (let i = 0; i < 4; i++) await c.write(requests).catch(() => {});
          }));
          await waitForEvent(s3.logPath, "request_refused", (e) => e.kind === "peer_list_request");
        });
        // The seed still answers its members meanwhile.
        await using stillMember = await RawClient.saying(s3.port, helloAs("peer", member.port));
        await stillMember.send({ kind: "ping", nonce: 77 });
        assertEquals(await stillMember.receive((m) => m.kind === "pong"), {
          kind: "pong",
          nonce: 77,
        });
        await closeAll(clients);
        assert(peak - before < RSS_BOUND, `RSS grew ${((peak - before) / MIB).toFixed(1)} MiB`);
      });

      await t.step("200 maximum-size junk Dead Node reports", async () => {
        const before = (await Deno.stat(s1.logPath)).size;
        const junk = encodeMessage({ kind: "dead_node", text: "J".repeat(65_000) }).slice();
        const hello = encodeMessage(helloAs("client", 0)).slice();
        for (let i = 0; i < 200; i++) {
          await using client = await RawClient.connect(s1.port);
          await client.write(hello).catch(() => {});
          await client.write(junk).catch(() => {});
          await client.closedByRemote(2000);
        }
        await waitForEvent(s1.logPath, "dead_node_invalid");
        await waitForEvent(s1.logPath, "banned", (e) => String(e.detail).includes("Dead Node"));
        const grown = (await Deno.stat(s1.logPath)).size - before;
        assert(grown < 512 * 1024, `log grew ${grown} bytes for 13 MB of junk`);
        for (const line of events(s1.logPath, "dead_node_invalid")) {
          assert(String(line.raw).length < 700, "junk is cut short in the log");
        }
      });

      await t.step("the network is unharmed", () => assertUnharmed(network));
    });
  },
});
