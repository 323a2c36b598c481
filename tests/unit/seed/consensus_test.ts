import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { PromiseBook, ProposalBook, type Tally, tally } from "../../../lib/seed/consensus.ts";
import type { ProposedChange } from "../../../lib/protocol/membership_types.ts";
import { randomInt, seededRng } from "../../support/rng.ts";

const PEER = { host: "127.0.0.1", port: 6001 };
const PEER_KEY = "127.0.0.1:6001";
const ADD: ProposedChange = { op: "add", peer: PEER };
const REMOVE: ProposedChange = {
  op: "remove",
  peer: PEER,
  reason: "dead",
  raw: "Dead Node:127.0.0.1:6001:1732180000000:127.0.0.1",
};
const YES = { yes: true, reason: "ok" };
const NO = { yes: false, reason: "unreachable" };

function quorum(seeds: number): number {
  return Math.floor(seeds / 2) + 1;
}

Deno.test("tally() decides against the quorum", async (t) => {
  const cases: Array<[yes: number, no: number, seeds: number, expected: Tally]> = [
    [0, 0, 1, "pending"],
    [1, 0, 1, "accepted"],
    [0, 1, 1, "rejected"],
    [0, 0, 3, "pending"],
    [1, 0, 3, "pending"],
    [2, 0, 3, "accepted"],
    [3, 0, 3, "accepted"],
    [1, 1, 3, "pending"],
    [2, 1, 3, "accepted"],
    [0, 2, 3, "rejected"],
    [1, 2, 3, "rejected"],
    [0, 1, 3, "pending"],
    [2, 2, 5, "pending"],
    [3, 2, 5, "accepted"],
    [2, 3, 5, "rejected"],
    [0, 3, 5, "rejected"],
    [0, 2, 5, "pending"],
    [2, 2, 4, "rejected"], // quorum 3 of 4
    [2, 1, 4, "pending"],
    [3, 1, 4, "accepted"],
  ];
  for (const [yes, no, seeds, expected] of cases) {
    await t.step(`${yes} yes, ${no} no of ${seeds} -> ${expected}`, () => {
      assertEquals(tally({ yes, no, seeds, quorum: quorum(seeds) }), expected);
    });
  }
});

Deno.test("ProposalBook.vote() moves a proposal to accepted or rejected", async (t) => {
  // Each vote is [voter, yes?]; the expected standing after each.
  const cases: Array<{ seeds: number; votes: Array<[string, boolean, Tally]> }> = [
    { seeds: 1, votes: [["s1", true, "accepted"]] },
    { seeds: 1, votes: [["s1", false, "rejected"]] },
    { seeds: 3, votes: [["s1", true, "pending"], ["s2", true, "accepted"]] },
    {
      seeds: 3,
      votes: [["s1", true, "pending"], ["s2", false, "pending"], ["s3", true, "accepted"]],
    },
    {
      seeds: 3,
      votes: [["s1", true, "pending"], ["s2", false, "pending"], ["s3", false, "rejected"]],
    },
    {
      seeds: 3,
      votes: [["s1", false, "pending"], ["s2", false, "rejected"], ["s3", true, "rejected"]],
    },
    {
      seeds: 5,
      votes: [
        ["s1", true, "pending"],
        ["s2", true, "pending"],
        ["s3", false, "pending"],
        ["s4", false, "pending"],
        ["s5", true, "accepted"],
      ],
    },
    {
      seeds: 5,
      votes: [
        ["s1", false, "pending"],
        ["s2", false, "pending"],
        ["s3", false, "rejected"],
        ["s4", true, "rejected"],
        ["s5", true, "rejected"],
      ],
    },
    {
      seeds: 5,
      votes: [["s1", true, "pending"], ["s2", true, "pending"], ["s3", true, "accepted"]],
    },
  ];
  for (const c of cases) {
    const name = `n=${c.seeds}: ${c.votes.map(([v, y]) => `${v}:${y ? "yes" : "no"}`).join(" ")}`;
    await t.step(name, () => {
      const book = new ProposalBook({ seeds: c.seeds, quorum: quorum(c.seeds) });
      const proposal = book.open("p1", ADD, PEER_KEY, 1_000);
      assertEquals(book.standing(proposal), "pending");
      for (const [voter, yes, expected] of c.votes) {
        assertEquals(book.vote("p1", voter, yes ? YES : NO), expected, voter);
      }
      assertEquals(proposal.votes.size, c.votes.length);
    });
  }
});

Deno.test("ProposalBook.vote() counts only a voter's first vote", async (t) => {
  await t.step("a repeated no does not reject", () => {
    const book = new ProposalBook({ seeds: 3, quorum: 2 });
    book.open("p1", ADD, PEER_KEY, 1_000);
    assertEquals(book.vote("p1", "s2", NO), "pending");
    assertEquals(book.vote("p1", "s2", NO), "pending");
    assertEquals(book.vote("p1", "s2", NO), "pending");
  });
  await t.step("a changed mind is ignored", () => {
    const book = new ProposalBook({ seeds: 3, quorum: 2 });
    const proposal = book.open("p1", ADD, PEER_KEY, 1_000);
    assertEquals(book.vote("p1", "s1", YES), "pending");
    assertEquals(book.vote("p1", "s2", NO), "pending");
    assertEquals(book.vote("p1", "s2", YES), "pending");
    assertEquals(proposal.votes.get("s2"), NO);
    assertEquals(book.vote("p1", "s3", YES), "accepted");
  });
  await t.step("one voter cannot make a majority alone", () => {
    const book = new ProposalBook({ seeds: 5, quorum: 3 });
    book.open("p1", ADD, PEER_KEY, 1_000);
    for (let i = 0; i < 5; i++) assertEquals(book.vote("p1", "s1", YES), "pending");
  });
  await t.step("a vote for an unknown or closed proposal", () => {
    const book = new ProposalBook({ seeds: 3, quorum: 2 });
    assertEquals(book.vote("nope", "s1", YES), "unknown");
    book.open("p1", ADD, PEER_KEY, 1_000);
    book.close("p1");
    assertEquals(book.vote("p1", "s1", YES), "unknown");
  });
});

Deno.test("ProposalBook open/get/find/close/expired keep the open set", () => {
  const book = new ProposalBook({ seeds: 3, quorum: 2 });
  const add = book.open("p1", ADD, PEER_KEY, 1_000);
  const remove = book.open("p2", REMOVE, PEER_KEY, 2_000);
  const other = book.open(
    "p3",
    { op: "add", peer: { host: "10.0.0.1", port: 1 } },
    "10.0.0.1:1",
    1_500,
  );
  assertEquals(book.size, 3);
  assertStrictEquals(book.get("p2"), remove);
  assertEquals(book.get("p9"), undefined);
  assertStrictEquals(book.find(PEER_KEY, "add"), add);
  assertStrictEquals(book.find(PEER_KEY, "remove"), remove);
  assertStrictEquals(book.find("10.0.0.1:1", "add"), other);
  assertEquals(book.find("10.0.0.1:1", "remove"), undefined);
  assertEquals(book.find("10.0.0.2:1", "add"), undefined);

  assertStrictEquals(book.close("p1"), add);
  assertEquals(book.close("p1"), undefined);
  assertEquals(book.find(PEER_KEY, "add"), undefined);
  assertEquals(book.size, 2);
});

Deno.test("PromiseBook.conflicts() refuses the opposite change while a promise binds", async (t) => {
  await t.step("add blocks remove and remove blocks add", () => {
    const book = new PromiseBook();
    assertEquals(book.conflicts(PEER_KEY, "remove", 0), false);
    book.promise("p1", PEER_KEY, "add", 1_000);
    assertEquals(book.conflicts(PEER_KEY, "remove", 0), true);
    assertEquals(book.conflicts(PEER_KEY, "add", 0), false); // same op: no conflict

    const other = new PromiseBook();
    other.promise("p2", PEER_KEY, "remove", 1_000);
    assertEquals(other.conflicts(PEER_KEY, "add", 0), true);
    assertEquals(other.conflicts(PEER_KEY, "remove", 0), false);
  });
  await t.step("promises are per peer", () => {
    const book = new PromiseBook();
    book.promise("p1", PEER_KEY, "add", 1_000);
    assertEquals(book.conflicts("127.0.0.1:6002", "remove", 0), false);
  });
  await t.step("a promise ends at its deadline", () => {
    const book = new PromiseBook();
    book.promise("p1", PEER_KEY, "add", 1_000);
    assertEquals(book.conflicts(PEER_KEY, "remove", 999), true);
    assertEquals(book.conflicts(PEER_KEY, "remove", 1_000), false);
    // Expired promises are dropped, not revived by an earlier time.
    assertEquals(book.conflicts(PEER_KEY, "remove", 0), false);
  });
  await t.step("release() ends a promise by proposal id", () => {
    const book = new PromiseBook();
    book.promise("p1", PEER_KEY, "add", 1_000);
    book.promise("p2", PEER_KEY, "add", 1_000);
    book.release("p1");
    assertEquals(book.conflicts(PEER_KEY, "remove", 0), true); // p2 still binds
    book.release("p2");
    assertEquals(book.conflicts(PEER_KEY, "remove", 0), false);
    book.release("p2"); // twice: no-op
    book.release("never");
    assertEquals(book.conflicts(PEER_KEY, "remove", 0), false);
  });
  await t.step("a new promise after release binds again", () => {
    const book = new PromiseBook();
    book.promise("p1", PEER_KEY, "add", 1_000);
    book.release("p1");
    book.promise("p2", PEER_KEY, "remove", 2_000);
    assertEquals(book.conflicts(PEER_KEY, "add", 0), true);
    assertEquals(book.conflicts(PEER_KEY, "remove", 0), false);
  });
  await t.step("one expired promise does not hide a live one", () => {
    const book = new PromiseBook();
    book.promise("p1", PEER_KEY, "add", 100);
    book.promise("p2", PEER_KEY, "add", 1_000);
    assertEquals(book.conflicts(PEER_KEY, "remove", 500), true);
    assertEquals(book.conflicts(PEER_KEY, "remove", 1_000), false);
  });
});

/**
 * One run of two conflicting proposals (add X, remove X) among `n` seeds.
 * Every seed gets a vote request for each proposal, in a random global
 * order; a seed votes yes (and promises) unless that conflicts with a
 * promise it already made. Proposers sometimes release the promises of a
 * proposal that has been rejected (an abort), at a random later point.
 * Each request is lost with probability `lossRate` (a seed down or slow).
 */
function conflictingRun(n: number, lossRate: number, rng: () => number): Tally[] {
  const seeds = Array.from({ length: n }, (_, i) => `s${i}`);
  const promises = seeds.map(() => new PromiseBook());
  const proposerOf = [randomInt(rng, 0, n - 1), randomInt(rng, 0, n - 1)];
  const books = proposerOf.map(() => new ProposalBook({ seeds: n, quorum: quorum(n) }));
  const ops: ProposedChange[] = [ADD, REMOVE];
  ops.forEach((op, p) => books[p]?.open(`p${p}`, op, PEER_KEY, 10_000));

  type Event = { kind: "request"; p: number; seed: number } | { kind: "abort"; p: number };
  const events: Event[] = [];
  for (const p of [0, 1]) for (let s = 0; s < n; s++) events.push({ kind: "request", p, seed: s });
  if (rng() < 0.5) events.push({ kind: "abort", p: 0 });
  if (rng() < 0.5) events.push({ kind: "abort", p: 1 });
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [events[i], events[j]] = [events[j] as Event, events[i] as Event];
  }

  const standing: Tally[] = ["pending", "pending"];
  for (const event of events) {
    if (rng() < lossRate) continue;
    const book = books[event.p] as ProposalBook;
    if (event.kind === "abort") {
      // Only a proposal that can no longer pass is aborted.
      if (standing[event.p] !== "rejected") continue;
      for (const voter of promises) voter.release(`p${event.p}`);
      continue;
    }
    const voter = promises[event.seed] as PromiseBook;
    const op = ops[event.p] as ProposedChange;
    const yes = !voter.conflicts(PEER_KEY, op.op, 0);
    if (yes) voter.promise(`p${event.p}`, PEER_KEY, op.op, 10_000);
    const result = book.vote(`p${event.p}`, seeds[event.seed] as string, yes ? YES : NO);
    if (result === "unknown") throw new Error("proposal vanished");
    // A decision never flips.
    const before = standing[event.p];
    assert(before === "pending" || before === result, `${before} became ${result}`);
    standing[event.p] = result;
    assert(
      !(standing[0] === "accepted" && standing[1] === "accepted"),
      "both conflicting proposals accepted",
    );
  }
  return standing;
}

Deno.test("PromiseBook + ProposalBook never accept both add and remove of one peer", async (t) => {
  const cases: Array<{ n: number; lossRate: number; outcomes: string[] }> = [
    // Odd n, every vote delivered: each seed says yes to exactly one, so one side wins.
    { n: 3, lossRate: 0, outcomes: ["accepted/rejected", "rejected/accepted"] },
    { n: 5, lossRate: 0, outcomes: ["accepted/rejected", "rejected/accepted"] },
    // Even n can split evenly: then neither passes.
    {
      n: 4,
      lossRate: 0,
      outcomes: ["accepted/rejected", "rejected/accepted", "rejected/rejected"],
    },
    // Lost votes leave proposals pending (they would expire), never both accepted. With odd n
    // a majority of no votes means a majority promised the other side, so a rejection always
    // comes with the other proposal accepted.
    {
      n: 3,
      lossRate: 0.25,
      outcomes: [
        "accepted/pending",
        "accepted/rejected",
        "pending/accepted",
        "pending/pending",
        "rejected/accepted",
      ],
    },
    {
      n: 5,
      lossRate: 0.25,
      outcomes: [
        "accepted/pending",
        "accepted/rejected",
        "pending/accepted",
        "pending/pending",
        "rejected/accepted",
      ],
    },
  ];
  for (const c of cases) {
    await t.step(`n=${c.n}, loss ${c.lossRate}, 2,000 seeded interleavings`, () => {
      const rng = seededRng(c.n * 7919 + c.lossRate * 100);
      const outcomes = new Set<string>();
      for (let trial = 0; trial < 2_000; trial++) {
        const [a, b] = conflictingRun(c.n, c.lossRate, rng);
        assert(!(a === "accepted" && b === "accepted"), `trial ${trial}`);
        outcomes.add(`${a}/${b}`);
      }
      // Every reachable outcome shows up: the property is not passing vacuously.
      assertEquals([...outcomes].sort(), c.outcomes);
    });
  }
});
