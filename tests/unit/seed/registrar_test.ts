import { assertEquals, assertStrictEquals } from "@std/assert";
import { type LogEvent, MemoryEventLog } from "../../../lib/log/events.ts";
import type { ProposedChange } from "../../../lib/protocol/membership_types.ts";
import { Membership } from "../../../lib/seed/membership.ts";
import { type Decision, Registrar } from "../../../lib/seed/registrar.ts";
import { formatAddress } from "../../../lib/util/address.ts";
import type { MemberRecord, Message, VoteMessage } from "../../../lib/wire/messages.ts";
import { settle } from "../../support/fake_stream.ts";
import { ALIVE, DEAD, FakeProbe } from "../../support/fake_probe.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const START = 1_700_000_000_000;
const NODE_ID = "aaaa000000000000";
const SELF = "127.0.0.1:5000";
const S2 = "127.0.0.1:5001";
const S3 = "127.0.0.1:5002";
const VOTE_TIMEOUT = 3000;
const SEED_1 = { host: "127.0.0.1", port: 5000 };
const SEED_2 = { host: "127.0.0.1", port: 5001 };
const SEED_3 = { host: "127.0.0.1", port: 5002 };
const PEER = { host: "127.0.0.1", port: 6001 };
const PEER_KEY = "127.0.0.1:6001";
const OTHER = { host: "127.0.0.1", port: 6002 };
const ADD: ProposedChange = { op: "add", peer: PEER };
const RAW = "Dead Node:127.0.0.1:6001:1700000000000:127.0.0.1";
const REMOVE: ProposedChange = { op: "remove", peer: PEER, reason: "dead", raw: RAW };
const UNREACHABLE = `unreachable: ${DEAD.detail}`;

interface Setup {
  registrar: Registrar;
  membership: Membership;
  clock: ManualClock;
  log: MemoryEventLog;
  probe: FakeProbe;
  /** Messages broadcast to the other seeds, in order. */
  sent: Message[];
  /** Seeds `connectedSeeds()` reports; tests may change it. */
  connected: string[];
  changes: Array<[MemberRecord, "added" | "removed"]>;
}

function setup(
  init: { seeds?: number; quorum?: number; connected?: string[]; maxPeers?: number } = {},
): Setup {
  const seeds = init.seeds ?? 3;
  const clock = new ManualClock(START);
  const membership = new Membership({ clock });
  const log = new MemoryEventLog();
  const probe = new FakeProbe();
  const sent: Message[] = [];
  const connected = init.connected ?? [S2, S3];
  const changes: Array<[MemberRecord, "added" | "removed"]> = [];
  const registrar = new Registrar({
    nodeId: NODE_ID,
    selfKey: SELF,
    seeds,
    quorum: init.quorum ?? Math.floor(seeds / 2) + 1,
    membership,
    maxPeers: init.maxPeers ?? 100,
    voteTimeoutMs: VOTE_TIMEOUT,
    records: { seeds: [SEED_1, SEED_2, SEED_3].slice(0, seeds), self: SEED_1 },
    skewMs: 60_000,
    clock,
    log,
    connectedSeeds: () => connected.slice(),
    broadcast: (message) => sent.push(message),
    probe: probe.probe,
    // What seed_node does with a change: log it.
    onChange(record, outcome) {
      changes.push([record, outcome]);
      const peer = formatAddress(record.address);
      log.emit(
        outcome === "added"
          ? { event: "peer_registered", peer, degree: record.degree }
          : { event: "peer_removed", peer, reason: record.reason ?? "dead" },
      );
    },
  });
  return { registrar, membership, clock, log, probe, sent, connected, changes };
}

/** Follows a promise so tests can look at its state after settling. */
function track(promise: Promise<Decision>): { decision: Decision | undefined } {
  const state: { decision: Decision | undefined } = { decision: undefined };
  promise.then((decision) => state.decision = decision);
  return state;
}

function memberRecord(address = PEER, stamp = START - 1000, origin = "bbbb"): MemberRecord {
  return { address, state: "member", version: { stamp, origin }, degree: 0 };
}

function vote(proposalId: string, yes: boolean, reason: string, stamp = 0): VoteMessage {
  return { kind: "vote", proposalId, yes, reason, stamp };
}

function voteEvent(proposal: string, voter: string, yes: boolean, reason: string): LogEvent {
  return { event: "vote", proposal, peer: PEER_KEY, voter, answer: yes ? "yes" : "no", reason };
}

/** Runs `onPropose` for another seed's proposal and returns its reply. */
async function voteOn(
  s: Setup,
  proposalId: string,
  change: ProposedChange,
  stamp = 0,
): Promise<VoteMessage> {
  const replies: VoteMessage[] = [];
  await s.registrar.onPropose(
    { kind: "propose", proposalId, change, stamp },
    (m) => replies.push(m),
  );
  assertEquals(replies.length, 1);
  return replies[0] as VoteMessage;
}

const ID1 = `${NODE_ID}-1`;
const ID2 = `${NODE_ID}-2`;

Deno.test("Registrar.propose() with one seed commits on its own vote", async () => {
  const s = setup({ seeds: 1, connected: [] });
  s.probe.answer = ALIVE;
  const decision = track(s.registrar.propose(ADD));
  await settle();

  assertEquals(decision.decision, { accepted: true, yes: 1, needed: 1, detail: "committed" });
  const record: MemberRecord = {
    address: PEER,
    state: "member",
    version: { stamp: START, origin: NODE_ID },
    degree: 0,
  };
  assertEquals(s.changes, [[record, "added"]]);
  assertEquals(s.membership.isMember(PEER_KEY), true);
  assertEquals(s.log.events, [
    { event: "registration_proposed", peer: PEER_KEY, proposal: ID1 },
    voteEvent(ID1, SELF, true, "ok"),
    { event: "peer_registered", peer: PEER_KEY, degree: 0 },
  ]);
  // The propose and commit go out to nobody; no other seed's answer was awaited.
  assertEquals(s.sent, [
    { kind: "propose", proposalId: ID1, change: ADD, stamp: 0 },
    { kind: "commit", proposalId: ID1, record },
  ]);
  assertEquals(s.clock.pending, 0);
});

Deno.test("Registrar.propose() add among three seeds commits on one more yes", async () => {
  const s = setup();
  s.probe.answer = ALIVE;
  const decision = track(s.registrar.propose(ADD));
  assertEquals(s.sent, [{ kind: "propose", proposalId: ID1, change: ADD, stamp: 0 }]);
  await settle();
  assertEquals(decision.decision, undefined);
  assertEquals(s.membership.isMember(PEER_KEY), false);

  // The voter's stamp is ahead of this seed's clock: the commit's version must pass it.
  const ahead = START + 60_000;
  s.registrar.onVote(S2, vote(ID1, true, "ok", ahead));
  await settle();

  const record: MemberRecord = {
    address: PEER,
    state: "member",
    version: { stamp: ahead + 1, origin: NODE_ID },
    degree: 0,
  };
  assertEquals(decision.decision, { accepted: true, yes: 2, needed: 2, detail: "committed" });
  assertEquals(s.sent, [
    { kind: "propose", proposalId: ID1, change: ADD, stamp: 0 },
    { kind: "commit", proposalId: ID1, record },
  ]);
  assertEquals(s.membership.get(PEER_KEY), record);
  assertEquals(s.changes, [[record, "added"]]);
  assertEquals(s.log.events, [
    { event: "registration_proposed", peer: PEER_KEY, proposal: ID1 },
    voteEvent(ID1, SELF, true, "ok"),
    voteEvent(ID1, S2, true, "ok"),
    { event: "peer_registered", peer: PEER_KEY, degree: 0 },
  ]);
  assertEquals(s.clock.pending, 0);

  // A late vote on the closed proposal changes nothing.
  s.registrar.onVote(S3, vote(ID1, false, "max_peers"));
  await settle();
  assertEquals(s.log.events.length, 4);
  assertEquals(s.sent.length, 2);
  assertEquals(s.changes.length, 1);

  // The proposer's own yes (a promise to add) ended with the commit.
  s.probe.answer = DEAD;
  const reply = await voteOn(s, "bbbb-1", REMOVE);
  assertEquals([reply.yes, reply.reason], [true, UNREACHABLE]);
});

Deno.test("Registrar.propose() aborts when a majority votes no", async () => {
  const s = setup();
  s.probe.answer = ALIVE;
  const decision = track(s.registrar.propose(ADD));
  await settle();
  s.registrar.onVote(S2, vote(ID1, false, "max_peers"));
  await settle();
  assertEquals(decision.decision, undefined); // 1 yes + 1 undecided can still make 2
  s.registrar.onVote(S3, vote(ID1, false, "being removed"));
  await settle();

  const detail = `a majority voted no (${S2}: max_peers; ${S3}: being removed)`;
  assertEquals(decision.decision, { accepted: false, yes: 1, needed: 2, detail });
  assertEquals(s.sent, [
    { kind: "propose", proposalId: ID1, change: ADD, stamp: 0 },
    { kind: "abort", proposalId: ID1 },
  ]);
  assertEquals(s.log.named("registration_rejected"), [
    { event: "registration_rejected", peer: PEER_KEY, proposal: ID1, yes: 1, needed: 2, detail },
  ]);
  assertEquals(s.membership.get(PEER_KEY), undefined);
  assertEquals(s.changes, []);
  assertEquals(s.clock.pending, 0);

  // The proposer's own yes (a promise to add) was released: a removal gets probed.
  s.probe.answer = DEAD;
  const reply = await voteOn(s, "bbbb-1", REMOVE);
  assertEquals([reply.yes, reply.reason], [true, UNREACHABLE]);
});

Deno.test("Registrar.propose() aborts when the vote timeout passes", async (t) => {
  await t.step("no other vote", async () => {
    const s = setup();
    s.probe.answer = ALIVE;
    const decision = track(s.registrar.propose(ADD));
    await settle();
    s.clock.advance(VOTE_TIMEOUT - 1);
    await settle();
    assertEquals(decision.decision, undefined);
    s.clock.advance(1);
    await settle();
    const detail = "timed out waiting for votes";
    assertEquals(decision.decision, { accepted: false, yes: 1, needed: 2, detail });
    assertEquals(s.sent.at(-1), { kind: "abort", proposalId: ID1 });
    assertEquals(s.log.named("registration_rejected"), [
      { event: "registration_rejected", peer: PEER_KEY, proposal: ID1, yes: 1, needed: 2, detail },
    ]);
    assertEquals(s.changes, []);
  });

  await t.step("the no votes so far are named", async () => {
    const s = setup();
    s.probe.answer = ALIVE;
    const decision = track(s.registrar.propose(ADD));
    await settle();
    s.registrar.onVote(S2, vote(ID1, false, "max_peers"));
    s.clock.advance(VOTE_TIMEOUT);
    await settle();
    assertEquals(decision.decision, {
      accepted: false,
      yes: 1,
      needed: 2,
      detail: `timed out waiting for votes (${S2}: max_peers)`,
    });
  });

  await t.step("a removal whose own probe never answers", async () => {
    const s = setup();
    s.registrar.apply(memberRecord());
    s.probe.answer = "hold";
    const decision = track(s.registrar.propose(REMOVE));
    s.clock.advance(VOTE_TIMEOUT);
    await settle();
    assertEquals(decision.decision, {
      accepted: false,
      yes: 0,
      needed: 2,
      detail: "timed out waiting for votes",
    });
    // Nobody found the peer alive: undecided, not refuted.
    assertEquals(s.log.named("removal_rejected").map((e) => e.alive), [false]);
    assertEquals(s.membership.isMember(PEER_KEY), true);
  });
});

Deno.test("Registrar.propose() fails at once when fewer seeds than the quorum are reachable", async (t) => {
  const cases: Array<{ seeds: number; connected: string[]; detail: string }> = [
    { seeds: 3, connected: [], detail: "only 1 of 3 seeds reachable" },
    { seeds: 5, connected: [S2], detail: "only 2 of 5 seeds reachable" },
    { seeds: 4, connected: [S2], detail: "only 2 of 4 seeds reachable" },
  ];
  for (const c of cases) {
    for (const operation of [ADD, REMOVE]) {
      await t.step(`${operation.op}: ${c.detail}`, async () => {
        const s = setup({ seeds: c.seeds, connected: c.connected });
        const needed = Math.floor(c.seeds / 2) + 1;
        assertEquals(await s.registrar.propose(operation), {
          accepted: false,
          yes: 0,
          needed,
          detail: c.detail,
        });
        assertEquals(s.sent, []);
        assertEquals(s.log.events, []);
        assertEquals(s.probe.calls, []);
        assertEquals(s.clock.pending, 0);
      });
    }
  }
});

Deno.test("Registrar.propose() joins an open proposal of the same change", async () => {
  const s = setup();
  s.probe.answer = ALIVE;
  const first = s.registrar.propose(ADD);
  const second = s.registrar.propose({ op: "add", peer: { ...PEER } });
  assertStrictEquals(second, first);
  assertEquals(s.sent.filter((m) => m.kind === "propose").length, 1);
  assertEquals(s.log.named("registration_proposed").length, 1);

  // Another peer, or the other operation, is a proposal of its own.
  s.registrar.propose({ op: "add", peer: OTHER });
  s.registrar.propose(REMOVE);
  assertEquals(
    s.sent.map((m) => m.kind === "propose" ? [m.proposalId, m.change.op] : m.kind),
    [[ID1, "add"], [ID2, "add"], [`${NODE_ID}-3`, "remove"]],
  );

  s.registrar.onVote(S2, vote(ID1, true, "ok"));
  await settle();
  assertEquals((await first).accepted, true);
  // Once decided, the same change makes a new proposal.
  const third = s.registrar.propose(ADD);
  assertEquals(third === first, false);
  assertEquals(s.sent.at(-1), {
    kind: "propose",
    proposalId: `${NODE_ID}-4`,
    change: ADD,
    stamp: START,
  });
});

Deno.test("Registrar.propose() remove: the own vote waits for the probe", async (t) => {
  await t.step("peer dead: yes, committed as removed", async () => {
    const s = setup();
    s.registrar.apply(memberRecord());
    s.probe.answer = "hold";
    const decision = track(s.registrar.propose(REMOVE));
    assertEquals(s.probe.calls, [PEER]);
    assertEquals(s.sent, [{
      kind: "propose",
      proposalId: ID1,
      change: REMOVE,
      stamp: START - 1000,
    }]);
    s.registrar.onVote(S2, vote(ID1, true, UNREACHABLE));
    await settle();
    assertEquals(decision.decision, undefined); // one yes so far: the own vote is not in
    assertEquals(s.log.named("vote").map((e) => e.voter), [S2]);

    s.probe.resolve(DEAD);
    await settle();
    const record: MemberRecord = {
      address: PEER,
      state: "removed",
      reason: "dead",
      version: { stamp: START, origin: NODE_ID },
      degree: 0,
    };
    assertEquals(decision.decision, { accepted: true, yes: 2, needed: 2, detail: "committed" });
    assertEquals(s.sent.at(-1), { kind: "commit", proposalId: ID1, record });
    assertEquals(s.membership.isMember(PEER_KEY), false);
    assertEquals(s.changes.at(-1), [record, "removed"]);
    assertEquals(s.log.events.slice(-3), [
      voteEvent(ID1, S2, true, UNREACHABLE),
      voteEvent(ID1, SELF, true, UNREACHABLE),
      { event: "peer_removed", peer: PEER_KEY, reason: "dead" },
    ]);
    assertEquals(s.log.events[1], {
      event: "removal_proposed",
      peer: PEER_KEY,
      proposal: ID1,
      reason: "dead",
    });
  });

  await t.step('peer alive: no "alive: answered ping"', async () => {
    const s = setup();
    s.registrar.apply(memberRecord());
    s.probe.answer = ALIVE;
    const decision = track(s.registrar.propose(REMOVE));
    await settle();
    assertEquals(s.log.named("vote"), [voteEvent(ID1, SELF, false, "alive: answered ping")]);
    s.registrar.onVote(S2, vote(ID1, false, "alive: answered ping"));
    await settle();
    const detail =
      `a majority voted no (${SELF}: alive: answered ping; ${S2}: alive: answered ping)`;
    assertEquals(decision.decision, { accepted: false, yes: 0, needed: 2, detail });
    assertEquals(s.log.named("removal_rejected"), [
      {
        event: "removal_rejected",
        peer: PEER_KEY,
        proposal: ID1,
        yes: 0,
        needed: 2,
        detail,
        alive: true,
      },
    ]);
    assertEquals(s.membership.isMember(PEER_KEY), true);
    assertEquals(s.changes.map(([, outcome]) => outcome), ["added"]);
  });
});

Deno.test("Registrar shares one probe between concurrent removals of a peer", async () => {
  const s = setup();
  s.registrar.apply(memberRecord());
  s.probe.answer = "hold";
  const decision = track(s.registrar.propose(REMOVE));
  const replyB = voteOn(s, "bbbb-1", REMOVE);
  const replyC = voteOn(s, "cccc-1", { ...REMOVE, raw: "", reason: "left" });
  await settle();
  assertEquals(s.probe.calls, [PEER]);
  assertEquals(s.probe.held, 1);

  s.probe.resolve(DEAD);
  assertEquals([(await replyB).yes, (await replyB).reason], [true, UNREACHABLE]);
  assertEquals([(await replyC).yes, (await replyC).reason], [true, UNREACHABLE]);
  await settle();
  assertEquals(s.log.named("vote").map((e) => [e.voter, e.answer]), [[SELF, "yes"]]);
  assertEquals(decision.decision, undefined);

  // Once it finished, a later question probes afresh.
  s.probe.answer = DEAD;
  await voteOn(s, "dddd-1", REMOVE);
  assertEquals(s.probe.calls.length, 2);
});

Deno.test("Registrar.onPropose() votes on other seeds' proposals", async (t) => {
  await t.step('add: yes "ok", with this seed\'s stamp', async () => {
    const s = setup();
    s.probe.answer = ALIVE;
    const reply = await voteOn(s, "bbbb-1", ADD, START + 5);
    assertEquals(reply, {
      kind: "vote",
      proposalId: "bbbb-1",
      yes: true,
      reason: "ok",
      stamp: START + 5,
    });
    assertEquals(s.membership.lastStamp, START + 5);
    assertEquals(s.sent, []);
    assertEquals(s.log.events, []);
  });

  await t.step('add when full: no "max_peers"', async () => {
    const s = setup({ maxPeers: 1 });
    s.registrar.apply(memberRecord(OTHER));
    const reply = await voteOn(s, "bbbb-1", ADD);
    assertEquals([reply.yes, reply.reason], [false, "max_peers"]);
  });

  await t.step('add of a member, even when full: yes "already a member"', async () => {
    const s = setup({ maxPeers: 1 });
    s.probe.answer = ALIVE;
    s.registrar.apply(memberRecord());
    const reply = await voteOn(s, "bbbb-1", ADD);
    assertEquals([reply.yes, reply.reason], [true, "already a member"]);
  });

  await t.step('add while a removal is promised: no "being removed"', async () => {
    const s = setup();
    const removal = await voteOn(s, "bbbb-1", REMOVE);
    assertEquals([removal.yes, removal.reason], [true, UNREACHABLE]);
    const reply = await voteOn(s, "cccc-1", ADD);
    assertEquals([reply.yes, reply.reason], [false, "being removed"]);
  });

  await t.step('remove while an add is promised: no "being registered", no probe', async () => {
    const s = setup();
    s.probe.answer = ALIVE;
    assertEquals((await voteOn(s, "bbbb-1", ADD)).yes, true);
    const reply = await voteOn(s, "cccc-1", REMOVE);
    assertEquals([reply.yes, reply.reason], [false, "being registered"]);
    assertEquals(s.probe.calls, []);
  });

  await t.step('remove of a live peer: no "alive: answered ping"', async () => {
    const s = setup();
    s.probe.answer = ALIVE;
    const reply = await voteOn(s, "bbbb-1", REMOVE);
    assertEquals([reply.yes, reply.reason], [false, "alive: answered ping"]);
    // A no is not a promise: an add is still welcome.
    assertEquals((await voteOn(s, "cccc-1", ADD)).reason, "ok");
  });

  await t.step("a removal being checked refuses a concurrent add", async () => {
    // The removal promise is made before probing, so while this seed checks
    // it will not also agree to the opposite change.
    const s = setup();
    s.probe.answer = "hold";
    const removal = voteOn(s, "bbbb-1", REMOVE);
    await settle();
    assertEquals((await voteOn(s, "cccc-1", ADD)).reason, "being removed");
    s.probe.resolve(DEAD);
    const reply = await removal;
    assertEquals([reply.yes, reply.reason], [true, UNREACHABLE]);
  });

  await t.step("a removal found alive releases its promise at once", async () => {
    const s = setup();
    s.probe.answer = "hold";
    const removal = voteOn(s, "bbbb-1", REMOVE);
    await settle();
    s.probe.resolve(ALIVE);
    assertEquals((await removal).yes, false);
    s.probe.answer = ALIVE;
    assertEquals((await voteOn(s, "cccc-1", ADD)).reason, "ok");
  });
});

Deno.test("Registrar.onPropose() refuses to add a member whose removal it promised", async () => {
  // "A seed that has voted yes to adding a peer votes no to removing it (and
  // the reverse) until that proposal ends" (consensus.ts); "add P and remove P
  // race: any voter that promised one votes no to the other; at most one
  // commits" (docs/protocol.md, section 12). The "already a member" answer is
  // given before the promise is checked, so a voter that promised to remove P
  // also votes yes to adding P, and both changes can commit.
  const s = setup();
  s.registrar.apply(memberRecord());
  const removal = await voteOn(s, "bbbb-1", REMOVE);
  assertEquals([removal.yes, removal.reason], [true, UNREACHABLE]);
  const reply = await voteOn(s, "cccc-1", ADD);
  assertEquals([reply.yes, reply.reason], [false, "being removed"]);
});

Deno.test("Registrar releases a promise on commit, abort or expiry", async (t) => {
  await t.step("onAbort()", async () => {
    const s = setup();
    s.probe.answer = ALIVE;
    await voteOn(s, "bbbb-1", ADD);
    assertEquals((await voteOn(s, "cccc-1", REMOVE)).reason, "being registered");
    s.registrar.onAbort("bbbb-1");
    s.probe.answer = DEAD;
    assertEquals((await voteOn(s, "dddd-1", REMOVE)).reason, UNREACHABLE);
  });

  await t.step("onCommit()", async () => {
    const s = setup();
    await voteOn(s, "bbbb-1", REMOVE);
    assertEquals((await voteOn(s, "cccc-1", ADD)).reason, "being removed");
    await s.registrar.onCommit({
      kind: "commit",
      proposalId: "bbbb-1",
      record: { ...memberRecord(), state: "removed", reason: "dead" },
    });
    s.probe.answer = ALIVE;
    assertEquals((await voteOn(s, "dddd-1", ADD)).reason, "ok");
  });

  await t.step("twice the vote timeout", async () => {
    const s = setup();
    s.probe.answer = ALIVE;
    await voteOn(s, "bbbb-1", ADD);
    s.clock.advance(2 * VOTE_TIMEOUT - 1);
    assertEquals((await voteOn(s, "cccc-1", REMOVE)).reason, "being registered");
    s.clock.advance(1);
    s.probe.answer = DEAD;
    assertEquals((await voteOn(s, "dddd-1", REMOVE)).reason, UNREACHABLE);
  });

  await t.step("releasing another proposal's promise keeps this one", async () => {
    const s = setup();
    s.probe.answer = ALIVE;
    await voteOn(s, "bbbb-1", ADD);
    s.registrar.onAbort("zzzz-9");
    await s.registrar.onCommit({
      kind: "commit",
      proposalId: "zzzz-8",
      record: memberRecord(OTHER),
    });
    assertEquals((await voteOn(s, "cccc-1", REMOVE)).reason, "being registered");
  });
});

Deno.test("Registrar makes no promise for a removal that ended while its probe ran", async (t) => {
  // A yes vote binds "until the proposal commits or aborts" (docs/protocol.md,
  // section 12). A removal's yes is decided after its probe; if the abort or
  // commit arrived meanwhile, nothing will ever release the promise.
  await t.step("voter: the abort arrives before the probe answers", async () => {
    const s = setup();
    s.probe.answer = "hold";
    const removal = voteOn(s, "bbbb-1", REMOVE);
    await settle();
    s.registrar.onAbort("bbbb-1");
    s.probe.resolve(DEAD);
    await removal;
    s.probe.answer = ALIVE;
    assertEquals((await voteOn(s, "cccc-1", ADD)).reason, "ok");
  });

  await t.step("proposer: the others decide before its own probe answers", async () => {
    const s = setup();
    s.registrar.apply(memberRecord());
    s.probe.answer = "hold";
    const decision = track(s.registrar.propose(REMOVE));
    s.registrar.onVote(S2, vote(ID1, false, "alive: answered ping"));
    s.registrar.onVote(S3, vote(ID1, false, "alive: answered ping"));
    await settle();
    assertEquals(decision.decision?.accepted, false);
    s.probe.resolve(DEAD);
    await settle();
    s.probe.answer = ALIVE;
    assertEquals((await voteOn(s, "cccc-1", ADD)).reason, "already a member");
    s.registrar.apply({
      ...memberRecord(),
      state: "removed",
      reason: "dead",
      version: { stamp: START + 1, origin: "cccc" },
    });
    assertEquals((await voteOn(s, "dddd-1", ADD)).reason, "ok");
  });
});

Deno.test("Registrar.onCommit() applies newer records only", async () => {
  const s = setup();
  const commit = (proposalId: string, record: MemberRecord) =>
    s.registrar.onCommit({ kind: "commit", proposalId, record }, S2);
  s.probe.answer = ALIVE;
  const newer: MemberRecord = memberRecord(PEER, START + 10, "bbbb");
  await commit("bbbb-1", newer);
  assertEquals(s.changes, [[newer, "added"]]);

  // Stale: an older removal of the same peer.
  await commit("cccc-1", {
    ...memberRecord(PEER, START + 5, "cccc"),
    state: "removed",
    reason: "dead",
  });
  // Duplicate: the same commit again.
  await commit("bbbb-1", newer);
  assertEquals(s.changes, [[newer, "added"]]);
  assertEquals(s.membership.get(PEER_KEY), newer);
  assertEquals(s.log.named("peer_registered").length, 1);
  assertEquals(s.log.named("peer_removed"), []);

  // Newer removal: applied and reported, once this seed's own probe fails too.
  s.clock.advance(VOTE_TIMEOUT + 1);
  s.probe.answer = DEAD;
  const removal: MemberRecord = {
    ...memberRecord(PEER, START + 20, "cccc"),
    state: "removed",
    reason: "left",
  };
  await commit("cccc-2", removal);
  assertEquals(s.changes.at(-1), [removal, "removed"]);
  assertEquals(s.log.named("peer_removed"), [
    { event: "peer_removed", peer: PEER_KEY, reason: "left" },
  ]);
  assertEquals(s.changes.length, 2);

  // Newer records that change no membership are applied silently: a removal
  // of a removed peer, a removal of a peer never seen, a member re-stamped.
  const calls = s.probe.calls.length;
  await commit("dddd-1", {
    ...removal,
    reason: "dead",
    version: { stamp: START + 30, origin: "dddd" },
  });
  await commit("dddd-2", {
    ...memberRecord(OTHER, START + 30, "dddd"),
    state: "removed",
    reason: "dead",
  });
  assertEquals(s.probe.calls.length, calls, "nothing to check");
  s.registrar.apply(memberRecord(PEER, START + 40, "dddd"));
  s.registrar.apply(memberRecord(PEER, START + 50, "eeee"));
  assertEquals(s.changes.map(([, outcome]) => outcome), ["added", "removed", "added"]);
  assertEquals(s.membership.get(PEER_KEY)?.version, { stamp: START + 50, origin: "eeee" });
  assertEquals(s.membership.get(formatAddress(OTHER))?.state, "removed");
});

Deno.test("Registrar.onVote() ignores votes for unknown or closed proposals", async () => {
  const s = setup();
  s.probe.answer = ALIVE;
  s.registrar.onVote(S2, vote("nobody-1", true, "ok"));
  s.registrar.onVote(S2, vote(ID1, true, "ok")); // not proposed yet
  await settle();
  assertEquals(s.log.events, []);
  assertEquals(s.sent, []);

  const decision = track(s.registrar.propose(ADD));
  s.registrar.onVote(S2, vote(ID1, false, "max_peers"));
  s.registrar.onVote(S2, vote(ID1, true, "ok")); // a voter's first vote counts
  await settle();
  assertEquals(decision.decision, undefined);
  s.registrar.onVote(S3, vote(ID1, false, "max_peers"));
  await settle();
  assertEquals(decision.decision?.accepted, false);
  assertEquals(decision.decision?.yes, 1);
  const sent = s.sent.length;
  s.registrar.onVote(S3, vote(ID1, true, "ok"));
  s.registrar.onVote(S2, vote(ID1, true, "ok"));
  await settle();
  assertEquals(s.sent.length, sent);
  assertEquals(s.changes, []);
});

Deno.test("Registrar.stop() ends open proposals as not accepted", async () => {
  const s = setup();
  s.registrar.apply(memberRecord(OTHER));
  s.probe.answer = "hold";
  const add = track(s.registrar.propose(ADD));
  const remove = track(s.registrar.propose({ ...REMOVE, peer: OTHER }));
  await settle();
  s.registrar.stop();
  await settle();
  const stopped = { accepted: false, yes: 0, needed: 2, detail: "seed stopping" };
  assertEquals(add.decision, stopped);
  assertEquals(remove.decision, stopped);
  assertEquals(s.clock.pending, 0);

  // Votes and probe answers arriving afterwards change nothing.
  const sent = s.sent.length;
  s.registrar.onVote(S2, vote(ID1, true, "ok"));
  s.probe.resolve(DEAD);
  s.registrar.onVote(S2, vote(ID2, true, UNREACHABLE));
  await settle();
  assertEquals(s.sent.length, sent);
  assertEquals(s.membership.isMember(PEER_KEY), false);
  assertEquals(s.membership.isMember(formatAddress(OTHER)), true);
  assertEquals(s.changes.length, 1);
});

Deno.test("Registrar.propose() with a full own list: own no, rejected alone", async () => {
  const s = setup({ seeds: 1, connected: [], maxPeers: 1 });
  s.registrar.apply(memberRecord(OTHER));
  assertEquals(await s.registrar.propose(ADD), {
    accepted: false,
    yes: 0,
    needed: 1,
    detail: `a majority voted no (${SELF}: max_peers)`,
  });
  assertEquals(s.sent.map((m) => m.kind), ["propose", "abort"]);
});
