/**
 * The registrar takes nobody's word: it votes on its own probe, applies
 * others' commits and syncs only when its own probe agrees, rejects stamps
 * from the future, abstains on its own trouble and keeps stalled removals.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import type { ProposedChange } from "../../../lib/protocol/membership_types.ts";
import { Membership } from "../../../lib/seed/membership.ts";
import { Registrar, type Removal } from "../../../lib/seed/registrar.ts";
import type { MemberRecord, Message, VoteMessage } from "../../../lib/wire/messages.ts";
import type { ProbeResult } from "../../../lib/wire/probe.ts";
import { settle } from "../../support/fake_stream.ts";
import { ALIVE, DEAD, FakeProbe } from "../../support/fake_probe.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const START = 1_700_000_000_000;
const NODE_ID = "aaaa000000000000";
const SEEDS = [5000, 5001, 5002].map((port) => ({ host: "127.0.0.1", port }));
const S2 = "127.0.0.1:5001";
const PEER = { host: "127.0.0.1", port: 6001 };
const PEER_KEY = "127.0.0.1:6001";
const REGISTRANT = "00000000000000b1";
const AS_PEER: ProbeResult = {
  alive: true,
  rttMs: 1,
  nodeId: REGISTRANT,
  role: "peer",
  detail: "pong",
};
const OUT_OF_FDS: ProbeResult = {
  alive: false,
  cause: "local",
  detail: "Too many open files (os error 24)",
};
const ADD: ProposedChange = { op: "add", peer: PEER };
const REMOVE: Removal = { op: "remove", peer: PEER, reason: "dead", raw: "" };

function setup(init: { connected?: string[] } = {}) {
  const clock = new ManualClock(START);
  const membership = new Membership({ clock });
  const log = new MemoryEventLog();
  const probe = new FakeProbe();
  const sent: Message[] = [];
  const stalled: Removal[] = [];
  const connected = init.connected ?? [S2, "127.0.0.1:5002"];
  const registrar = new Registrar({
    nodeId: NODE_ID,
    selfKey: "127.0.0.1:5000",
    seeds: 3,
    quorum: 2,
    membership,
    maxPeers: 100,
    voteTimeoutMs: 3000,
    records: { seeds: SEEDS, self: SEEDS[0]! },
    skewMs: 60_000,
    clock,
    log,
    connectedSeeds: () => connected.slice(),
    broadcast: (message) => sent.push(message),
    probe: probe.probe,
    onChange() {},
    onStalled: (removal) => stalled.push(removal),
  });
  return { registrar, membership, clock, log, probe, sent, stalled };
}

function member(stamp = START - 1000): MemberRecord {
  return {
    address: PEER,
    state: "member",
    version: { stamp, origin: "bbbb000000000000" },
    degree: 0,
  };
}

function removed(stamp = START + 10): MemberRecord {
  return { ...member(stamp), state: "removed", reason: "dead" };
}

async function voteOn(s: ReturnType<typeof setup>, change: ProposedChange, stamp = 0) {
  const replies: VoteMessage[] = [];
  await s.registrar.onPropose(
    { kind: "propose", proposalId: "bbbb000000000000-1", change, stamp },
    (m) => replies.push(m),
    S2,
  );
  return replies;
}

Deno.test("Registrar.onCommit() removes a member only if its own probe fails too", async (t) => {
  await t.step("the member answers: the commit is refused and logged", async () => {
    const s = setup();
    s.registrar.apply(member());
    s.probe.answer = ALIVE;
    await s.registrar.onCommit({
      kind: "commit",
      proposalId: "bbbb000000000000-1",
      record: removed(),
    }, S2);
    assertEquals(s.membership.isMember(PEER_KEY), true);
    assertEquals(s.log.named("change_refused"), [{
      event: "change_refused",
      peer: PEER_KEY,
      change: "remove",
      source: "commit",
      detail: "alive: answered ping",
    }]);
  });
  await t.step("this seed cannot check (out of descriptors): not removed either", async () => {
    const s = setup();
    s.registrar.apply(member());
    s.probe.answer = OUT_OF_FDS;
    await s.registrar.onCommit({
      kind: "commit",
      proposalId: "bbbb000000000000-1",
      record: removed(),
    }, S2);
    assertEquals(s.membership.isMember(PEER_KEY), true);
    assertMatch(String(s.log.named("change_refused")[0]?.detail), /^abstain: cannot check/);
  });
  await t.step("the probe fails for the peer's reason: removed", async () => {
    const s = setup();
    s.registrar.apply(member());
    s.probe.answer = DEAD;
    await s.registrar.onCommit({
      kind: "commit",
      proposalId: "bbbb000000000000-1",
      record: removed(),
    }, S2);
    assertEquals(s.membership.isMember(PEER_KEY), false);
  });
});

Deno.test("Registrar.onSynced() adds a member only where something answers as a peer", async (t) => {
  for (
    const [name, answer, listed] of [
      ["nothing listens", DEAD, false],
      ["a seed answers", { ...ALIVE, role: "seed" } as ProbeResult, false],
      ["a peer answers", AS_PEER, true],
    ] as const
  ) {
    await t.step(name, async () => {
      const s = setup();
      s.probe.answer = answer;
      await s.registrar.onSynced(member(START), S2);
      assertEquals(s.membership.isMember(PEER_KEY), listed);
      assertEquals(s.log.named("change_refused").length, listed ? 0 : 1);
    });
  }
  await t.step("a refused record is not probed again when the next sync repeats it", async () => {
    const s = setup();
    s.probe.answer = DEAD;
    await s.registrar.onSynced(member(START), S2);
    s.clock.advance(5000);
    await s.registrar.onSynced(member(START), S2);
    assertEquals(s.probe.calls.length, 1);
    assertEquals(s.log.named("change_refused").length, 1);
  });
  await t.step("a seed's address is never a member, whatever answers there", async () => {
    const s = setup();
    s.probe.answer = AS_PEER;
    await s.registrar.onSynced({ ...member(START), address: SEEDS[1]! }, S2);
    assertEquals(s.membership.size, 0);
    assertEquals(s.probe.calls, []);
    assertEquals(s.log.named("change_refused")[0]?.detail, "127.0.0.1:5001 is a seed's address");
  });
});

Deno.test("Registrar rejects version stamps far ahead of its clock", async (t) => {
  const FUTURE = Number.MAX_VALUE;
  await t.step("in a commit or a synced record: not applied, not observed", async () => {
    const s = setup();
    s.probe.answer = AS_PEER;
    await s.registrar.onCommit({
      kind: "commit",
      proposalId: "bbbb000000000000-1",
      record: { ...removed(), version: { stamp: FUTURE, origin: "bbbb000000000000" } },
    }, S2);
    await s.registrar.onSynced(
      { ...member(), version: { stamp: START + 60_001, origin: "b" } },
      S2,
    );
    assertEquals(s.membership.get(PEER_KEY), undefined);
    assertEquals(s.membership.lastStamp, 0);
    assertEquals(s.log.named("stamp_rejected").map((e) => e.what), [
      `commit of ${PEER_KEY}`,
      `sync of ${PEER_KEY}`,
    ]);
  });
  await t.step("in a proposal: no vote; in a vote: not counted", async () => {
    const s = setup();
    s.probe.answer = AS_PEER;
    assertEquals(await voteOn(s, ADD, FUTURE), []);
    s.registrar.propose(ADD);
    await settle();
    s.registrar.onVote(S2, {
      kind: "vote",
      proposalId: `${NODE_ID}-1`,
      yes: true,
      reason: "ok",
      stamp: FUTURE,
    });
    await settle();
    assertEquals(s.membership.isMember(PEER_KEY), false);
    assertEquals(s.membership.lastStamp < START + 60_000, true);
    assertEquals(s.log.named("stamp_rejected").length, 2);
  });
  await t.step("a peer removed under a huge stamp could never rejoin; here it can", async () => {
    const s = setup();
    s.probe.answer = AS_PEER;
    await s.registrar.onSynced({ ...removed(), version: { stamp: FUTURE, origin: "b" } }, S2);
    const decision = s.registrar.propose(ADD);
    await settle();
    s.registrar.onVote(S2, {
      kind: "vote",
      proposalId: `${NODE_ID}-1`,
      yes: true,
      reason: "ok",
      stamp: 0,
    });
    assertEquals((await decision).accepted, true);
    assertEquals(s.membership.isMember(PEER_KEY), true);
  });
});

Deno.test("Registrar votes on adds by its own probe of the address", async (t) => {
  await t.step("the registrant's own node id answers: yes, committed", async () => {
    const s = setup();
    s.probe.answer = AS_PEER;
    const decision = s.registrar.propose(ADD, { nodeId: REGISTRANT });
    await settle();
    s.registrar.onVote(S2, {
      kind: "vote",
      proposalId: `${NODE_ID}-1`,
      yes: true,
      reason: "ok",
      stamp: 0,
    });
    assertEquals((await decision).accepted, true);
    assertEquals(s.log.named("vote")[0]?.reason, "ok");
  });
  for (
    const [name, answer, reason] of [
      ["nothing listens: no", DEAD, /^unreachable: /],
      [
        "another node answers: no",
        { ...AS_PEER, nodeId: "00000000000000c3" } as ProbeResult,
        /another node answers there/,
      ],
      ["a seed answers: no", { ...AS_PEER, role: "seed" } as ProbeResult, /answers as a seed/],
      ["out of descriptors: abstain", OUT_OF_FDS, /^abstain: /],
    ] as const
  ) {
    await t.step(`own vote, ${name}`, async () => {
      const s = setup();
      s.probe.answer = answer;
      const decision = s.registrar.propose(ADD, { nodeId: REGISTRANT });
      await settle();
      const own = s.log.named("vote")[0];
      assertEquals(own?.answer, answer === OUT_OF_FDS ? "abstain" : "no");
      assertMatch(String(own?.reason), reason);
      s.registrar.stop();
      assertEquals((await decision).accepted, false);
    });
  }
  await t.step(
    "another seed's proposal: yes without a probe (the address is checked at commit)",
    async () => {
      const s = setup();
      s.probe.answer = DEAD;
      assertEquals((await voteOn(s, ADD))[0]?.yes, true);
      assertEquals(s.probe.calls, []);
      await s.registrar.onCommit({
        kind: "commit",
        proposalId: "bbbb000000000000-1",
        record: member(START),
      }, S2);
      assertEquals(s.membership.isMember(PEER_KEY), false, "nothing answers there: not applied");
      assertEquals(s.probe.calls.length, 1);
    },
  );
  await t.step("a seed's address: no, without probing", async () => {
    const s = setup();
    const [reply] = await voteOn(s, { op: "add", peer: SEEDS[2]! });
    assertEquals([reply?.yes, reply?.reason], [false, "127.0.0.1:5002 is a seed's address"]);
    assertEquals(s.probe.calls, []);
  });
});

Deno.test("Registrar abstains on removals it cannot check", async () => {
  const s = setup();
  s.registrar.apply(member());
  s.probe.answer = OUT_OF_FDS;
  const [reply] = await voteOn(s, REMOVE);
  assertEquals(reply?.yes, false);
  assertMatch(String(reply?.reason), /^abstain: cannot check: Too many open files/);
});

Deno.test("Registrar keeps removals that lack a majority for want of seeds", async (t) => {
  await t.step("too few seeds reachable: removal_stalled, handed to onStalled", async () => {
    const s = setup({ connected: [] });
    s.registrar.apply(member());
    const decision = await s.registrar.propose(REMOVE);
    assertEquals(decision.accepted, false);
    assertEquals(s.log.named("removal_stalled"), [
      { event: "removal_stalled", peer: PEER_KEY, detail: "only 1 of 3 seeds reachable" },
    ]);
    assertEquals(s.stalled, [REMOVE]);
  });
  await t.step("timed out with no vote saying alive: stalled too", async () => {
    const s = setup();
    s.registrar.apply(member());
    s.probe.answer = DEAD;
    const decision = s.registrar.propose(REMOVE);
    await settle();
    s.registrar.onVote(S2, {
      kind: "vote",
      proposalId: `${NODE_ID}-1`,
      yes: false,
      reason: "abstain: cannot check",
      stamp: 0,
    });
    s.clock.advance(3000);
    assertEquals((await decision).accepted, false);
    assertEquals(s.stalled.length, 1);
  });
  await t.step("rejected because the peer answered: not stalled", async () => {
    const s = setup();
    s.registrar.apply(member());
    s.probe.answer = ALIVE;
    const decision = s.registrar.propose(REMOVE);
    await settle();
    s.registrar.onVote(S2, {
      kind: "vote",
      proposalId: `${NODE_ID}-1`,
      yes: false,
      reason: "alive: answered ping",
      stamp: 0,
    });
    assertEquals((await decision).accepted, false);
    assertEquals(s.stalled, []);
    assertEquals(s.log.named("removal_stalled"), []);
  });
  await t.step("a peer no longer listed is not stalled", async () => {
    const s = setup({ connected: [] });
    await s.registrar.propose(REMOVE);
    assertEquals(s.stalled, []);
  });
});

Deno.test("Registrar.onCommit() checks against probes made since the proposal, not before", async (t) => {
  await t.step(
    "a peer that restarted: the failed probe of its leave does not refuse its return",
    async () => {
      const s = setup();
      s.registrar.apply(member());
      s.probe.answer = DEAD;
      await voteOn(s, { op: "remove", peer: PEER, reason: "left", raw: "" });
      await s.registrar.onCommit({
        kind: "commit",
        proposalId: "bbbb000000000000-1",
        record: removed(),
      }, S2);
      assertEquals(s.membership.isMember(PEER_KEY), false);
      // It is back: another seed commits its registration, 200 ms later.
      s.clock.advance(200);
      s.probe.answer = AS_PEER;
      await s.registrar.onCommit({
        kind: "commit",
        proposalId: "cccc000000000000-1",
        record: member(START + 100),
      }, S2);
      assertEquals(s.membership.isMember(PEER_KEY), true);
      assertEquals(s.log.named("change_refused"), []);
    },
  );
  await t.step("a commit after this seed's own vote reuses the vote's probe", async () => {
    const s = setup();
    s.probe.answer = AS_PEER;
    await voteOn(s, ADD);
    await s.registrar.onCommit({
      kind: "commit",
      proposalId: "bbbb000000000000-1",
      record: member(START),
    }, S2);
    assertEquals(s.membership.isMember(PEER_KEY), true);
    assertEquals(s.probe.calls.length, 1);
  });
});

Deno.test("Registrar commits a registration only with its own yes (it alone heard the registrant)", async (t) => {
  await t.step(
    "another node answers at the address: the others' yes votes do not carry it",
    async () => {
      // An alias of a live peer (another name, same process) passes the
      // others' check (a peer answers there) but not this seed's (node id).
      const s = setup();
      s.probe.answer = { ...AS_PEER, nodeId: "00000000000000c3" };
      const decision = s.registrar.propose(ADD, { nodeId: REGISTRANT });
      for (const voter of [S2, "127.0.0.1:5002"]) {
        s.registrar.onVote(voter, {
          kind: "vote",
          proposalId: `${NODE_ID}-1`,
          yes: true,
          reason: "ok",
          stamp: 0,
        });
      }
      const outcome = await decision;
      assertEquals(outcome.accepted, false);
      assertMatch(outcome.detail, /^this seed's own check failed/);
      assertEquals(s.membership.isMember(PEER_KEY), false);
    },
  );
  await t.step("the others' yes votes first, this seed's yes last: committed then", async () => {
    const s = setup();
    s.probe.answer = "hold";
    const decision = s.registrar.propose(ADD, { nodeId: REGISTRANT });
    s.registrar.onVote(S2, {
      kind: "vote",
      proposalId: `${NODE_ID}-1`,
      yes: true,
      reason: "ok",
      stamp: 0,
    });
    s.registrar.onVote("127.0.0.1:5002", {
      kind: "vote",
      proposalId: `${NODE_ID}-1`,
      yes: true,
      reason: "ok",
      stamp: 0,
    });
    await settle();
    assertEquals(s.membership.isMember(PEER_KEY), false, "not before its own check");
    s.probe.resolve(AS_PEER);
    assertEquals((await decision).accepted, true);
    assertEquals(s.membership.isMember(PEER_KEY), true);
  });
});

Deno.test("Registrar.onSynced() passes over a record it holds already (a whole sync round) and checks a newer one", async () => {
  const s = setup();
  s.probe.answer = DEAD;
  s.registrar.apply(member());
  // The same version again, and an older one: nothing to wait for, no probe, no log.
  assertEquals(s.registrar.onSynced(member(), S2), undefined);
  assertEquals(s.registrar.onSynced(member(START - 2000), S2), undefined);
  assertEquals(s.probe.calls.length, 0);
  assertEquals(s.log.events, []);
  // A newer record that would remove the member is still checked: the probe fails, so it applies.
  const check = s.registrar.onSynced(removed(), S2);
  assert(check instanceof Promise);
  await check;
  assertEquals(s.probe.calls.length, 1);
  assertEquals(s.membership.isMember(PEER_KEY), false);
});
