/**
 * Issue 10, seed impersonation: a raw client whose hello claims a listed
 * seed's address sends what only seeds may send. None of it is acted on;
 * the claim is never verified and is dropped; the network is unharmed.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import type { MemberRecord, Message } from "../../lib/wire/messages.ts";
import { assertUnharmed, everySeedLists, nodeIdOf, startNetwork } from "../support/attack.ts";
import { events, readLog, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { FAST_PEER_ARGS, seedMembers } from "../support/network.ts";
import { helloAs, RawClient } from "../support/raw_client.ts";

const ORIGIN = "00000000000000ee";

function record(port: number, state: "member" | "removed", stamp: number): MemberRecord {
  return state === "member"
    ? { address: { host: "127.0.0.1", port }, state, version: { stamp, origin: ORIGIN }, degree: 0 }
    : {
      address: { host: "127.0.0.1", port },
      state,
      reason: "dead",
      version: { stamp, origin: ORIGIN },
      degree: 0,
    };
}

/**
 * Connects to `seed` claiming to be the seed at `claimedPort`, sends
 * `messages`, and waits until the seed drops the claim (it never proves
 * itself), returning the seed's parting words.
 */
async function impersonate(
  seed: { port: number },
  claimedPort: number,
  messages: readonly Message[],
): Promise<string> {
  await using liar = await RawClient.saying(seed.port, helloAs("seed", claimedPort));
  await liar.sendAll(messages);
  const error = await liar.receive((m) => m.kind === "error", 5000);
  assert(await liar.closedByRemote(5000), "the seed closes an unproven claim");
  return error?.kind === "error" ? `${error.code}: ${error.text}` : "closed without a word";
}

Deno.test("seed impersonation: forged commits, votes, syncs and stamps change nothing", async (t) => {
  const network = await startNetwork();
  await using _cluster = network.cluster;
  await network.cluster.explainFailure(async () => {
    const { seeds, peers } = network;
    const [s1, s2, s3] = seeds as [typeof seeds[0], typeof seeds[0], typeof seeds[0]];
    const victim = peers[1]!;
    const now = Date.now();

    await t.step("a forged commit removing a live peer, sent to every seed", async () => {
      for (const [target, claimed] of [[s1, s2], [s2, s3], [s3, s1]] as const) {
        const farewell = await impersonate(target, claimed.port, [{
          kind: "commit",
          proposalId: `${nodeIdOf(claimed)}-1`,
          record: record(victim.port, "removed", now + 1000),
        }]);
        assertMatch(farewell, /^overloaded: Not a neighbour, seed link, registered peer/);
      }
      assertUnharmed(network);
    });

    await t.step("sprayed yes votes behind a forged Dead Node report", async () => {
      // Two liars claim the other two seeds and spray yes votes for every
      // proposal id s1 may use, while a third reports the victim dead.
      const proposer = nodeIdOf(s1);
      const votes: Message[] = Array.from({ length: 300 }, (_, i) => ({
        kind: "vote",
        proposalId: `${proposer}-${i + 1}`,
        yes: true,
        reason: "unreachable",
        stamp: now,
      }));
      let reported = false;
      let rounds = 0;
      const spray = async (claimed: number) => {
        await using liar = await RawClient.saying(s1.port, helloAs("seed", claimed));
        for (let round = 0; round < 200 && !reported && !liar.closed; round++) {
          await liar.sendAll(votes).catch(() => {});
          rounds++;
          await liar.receive(() => false, 5).catch(() => undefined);
        }
      };
      // The reporter is admitted before the sprays break the rules (after
      // which this IP's strangers are refused for a while).
      await using reporter = await RawClient.saying(s1.port, helloAs("client", 0));
      await reporter.send({ kind: "ping", nonce: 1 });
      await reporter.receive((m) => m.kind === "pong");
      const sprays = [spray(s2.port), spray(s3.port)];
      await waitFor("the sprays under way", () => rounds >= 2);
      await reporter.send({
        kind: "dead_node",
        text: `Dead Node:127.0.0.1:${victim.port}:${now}:127.0.0.1`,
      });
      const decision = await reporter.receive((m) => m.kind === "decision");
      reported = true;
      await Promise.all(sprays);
      assertEquals(decision?.kind === "decision" && decision.outcome, "rejected");
      // The only votes counted came from the seeds themselves, and said it answered.
      const voters = await waitFor("the removal's votes in the log", () => {
        const removals = new Set(
          events(s1.logPath, "removal_proposed").map((e) => e.proposal),
        );
        const counted = events(s1.logPath, "vote").filter((v) => removals.has(v.proposal));
        return counted.length >= 2 && counted;
      });
      for (const vote of voters) assertMatch(String(vote.reason), /^alive/);
      assertUnharmed(network);
    });

    await t.step("a forged sync_state planting 100 phantom members", async () => {
      const phantoms = Array.from({ length: 100 }, (_, i) => record(40_000 + i, "member", now));
      for (const target of seeds) {
        await impersonate(target, (target === s1 ? s2 : s1).port, [
          { kind: "sync_state", requestId: 1, more: false, records: phantoms },
          // An answer this seed never asked for, in case it is taken as one.
          { kind: "sync_request", requestId: 9 },
        ]);
      }
      assertUnharmed(network);
      // A new peer joins and links at once: no phantom to waste its dials on.
      const late = network.cluster.peer(peers.length, FAST_PEER_ARGS);
      await waitForEvent(late.logPath, "neighbor_connected");
      assertEquals(events(late.logPath, "neighbor_dial_failed"), []);
      const offered = events(late.logPath, "peer_list").flatMap((e) => e.peers as string[]);
      assert(offered.every((p) => peers.some((q) => q.address === p)), JSON.stringify(offered));
      await everySeedLists(seeds, [...peers, late]);
      peers.push(late);
    });

    await t.step("a stamp of Number.MAX_VALUE cannot lock a peer out", async () => {
      const huge = Number.MAX_VALUE;
      await impersonate(s2, s1.port, [
        {
          kind: "propose",
          proposalId: `${nodeIdOf(s1)}-77`,
          change: { op: "add", peer: { host: "127.0.0.1", port: 9 } },
          stamp: huge,
        },
        {
          kind: "commit",
          proposalId: `${nodeIdOf(s1)}-78`,
          record: record(victim.port, "removed", huge),
        },
        {
          kind: "sync_state",
          requestId: 2,
          more: false,
          records: [record(victim.port, "removed", huge)],
        },
      ]);
      // The victim restarts: it registers again at once, under a sane version.
      const before = readLog(s2.logPath).length;
      await victim.stop();
      await waitForEvent(s2.logPath, "peer_removed", (e) => e.peer === victim.address);
      const again = network.cluster.peer(1, FAST_PEER_ARGS);
      await waitForEvent(again.logPath, "joined");
      await waitFor(
        "the restarted peer listed again",
        () =>
          readLog(s2.logPath).slice(before).some((l) =>
            l.properties.event === "peer_registered" && l.properties.peer === victim.address
          ),
      );
      peers[1] = again;
      await everySeedLists(seeds, peers);
      for (const seed of seeds) assert(seedMembers(seed).has(victim.address));
    });

    await t.step("no seed ever took a claim for a seed link", () => {
      for (const seed of seeds) {
        const inbound = events(seed.logPath, "seed_link_up").filter((e) => e.direction === "in");
        // Each seed verified the other two seeds' real links, and nothing more.
        assertEquals(new Set(inbound.map((e) => e.seed)).size, 2);
        assertEquals(
          events(seed.logPath, "seed_link_down"),
          [],
          `${seed.address} lost a real link`,
        );
      }
    });
  });
});
