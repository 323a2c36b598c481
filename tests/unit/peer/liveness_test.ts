import { assertEquals, assertNotEquals } from "@std/assert";
import { LivenessTracker } from "../../../lib/peer/liveness.ts";
import { ManualClock } from "../../support/manual_clock.ts";
import { seededRng } from "../../support/rng.ts";

const B = "127.0.0.1:6002";
const C = "127.0.0.1:6003";
const D = "127.0.0.1:6004";

/** One step of a timeline; rounds and pongs state what they must return. */
type Step =
  | { readonly round: { ping: string[]; missed?: Array<[string, number]>; suspected?: string[] } }
  | { readonly advance: number }
  | {
    readonly pong: string;
    /** `current`: the latest ping's nonce; `stale`: the one before; `wrong`: neither. */
    readonly nonce: "current" | "stale" | "wrong";
    readonly rtt: number | undefined;
  }
  | { readonly watch: string }
  | { readonly unwatch: string }
  | { readonly clear: string }
  | { readonly expect: string; readonly misses: number; readonly suspected: boolean };

interface Timeline {
  readonly name: string;
  readonly misses: number;
  readonly watch: readonly string[];
  readonly steps: readonly Step[];
}

function run(timeline: Timeline): void {
  const clock = new ManualClock();
  const tracker = new LivenessTracker({ misses: timeline.misses, clock, rng: seededRng(11) });
  const nonces = new Map<string, number[]>();
  for (const target of timeline.watch) tracker.watch(target);
  timeline.steps.forEach((step, i) => {
    const at = `step ${i}: ${JSON.stringify(step)}`;
    if ("round" in step) {
      const result = tracker.round();
      assertEquals(result.ping.map((p) => p.target), step.round.ping, at);
      assertEquals(
        result.missed.map((m) => [m.target, m.misses]),
        step.round.missed ?? [],
        at,
      );
      assertEquals(result.suspected, step.round.suspected ?? [], at);
      for (const { target, nonce } of result.ping) {
        nonces.set(target, [...(nonces.get(target) ?? []), nonce]);
      }
    } else if ("advance" in step) {
      clock.advance(step.advance);
    } else if ("pong" in step) {
      const sent = nonces.get(step.pong) ?? [];
      const nonce = step.nonce === "current"
        ? sent.at(-1)
        : step.nonce === "stale"
        ? sent.at(-2)
        : ((sent.at(-1) ?? 0) + 1) >>> 0;
      assertEquals(tracker.pong(step.pong, nonce ?? -1), step.rtt, at);
    } else if ("watch" in step) {
      tracker.watch(step.watch);
    } else if ("unwatch" in step) {
      tracker.unwatch(step.unwatch);
    } else if ("clear" in step) {
      tracker.clearSuspicion(step.clear);
    } else {
      assertEquals(
        [tracker.misses(step.expect), tracker.isSuspected(step.expect)],
        [step.misses, step.suspected],
        at,
      );
    }
  });
}

const TIMELINES: Timeline[] = [
  {
    name: "the first round pings every target, in watch order",
    misses: 3,
    watch: [B, C, D],
    steps: [
      { round: { ping: [B, C, D] } },
      { expect: B, misses: 0, suspected: false },
    ],
  },
  {
    name: "a pong with the right nonce resets misses and records the RTT",
    misses: 3,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
      { expect: B, misses: 1, suspected: false },
      { advance: 37 },
      { pong: B, nonce: "current", rtt: 37 },
      { expect: B, misses: 0, suspected: false },
      // Answered: the next round is not a miss.
      { round: { ping: [B] } },
      { advance: 5 },
      { pong: B, nonce: "current", rtt: 5 },
    ],
  },
  {
    name: "a pong only answers once",
    misses: 3,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { advance: 10 },
      { pong: B, nonce: "current", rtt: 10 },
      { pong: B, nonce: "current", rtt: undefined },
    ],
  },
  {
    name: "a wrong nonce is ignored and the ping stays outstanding",
    misses: 3,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { pong: B, nonce: "wrong", rtt: undefined },
      { round: { ping: [B], missed: [[B, 1]] } },
      { advance: 8 },
      { pong: B, nonce: "current", rtt: 8 },
    ],
  },
  {
    name: "a late pong for the previous round's ping is ignored",
    misses: 3,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
      { pong: B, nonce: "stale", rtt: undefined },
      { expect: B, misses: 1, suspected: false },
      { round: { ping: [B], missed: [[B, 2]] } },
    ],
  },
  {
    name: "a pong from an unwatched target is ignored",
    misses: 3,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { pong: C, nonce: "wrong", rtt: undefined },
      { expect: C, misses: 0, suspected: false },
    ],
  },
  {
    name: "misses accumulate; suspected exactly at the threshold, then no more pings",
    misses: 3,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
      { round: { ping: [B], missed: [[B, 2]] } },
      { expect: B, misses: 2, suspected: false },
      { round: { ping: [], missed: [[B, 3]], suspected: [B] } },
      { expect: B, misses: 3, suspected: true },
      { round: { ping: [] } },
      { round: { ping: [] } },
      { expect: B, misses: 3, suspected: true },
    ],
  },
  {
    name: "threshold 1: the first unanswered ping makes a suspect",
    misses: 1,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [], missed: [[B, 1]], suspected: [B] } },
    ],
  },
  {
    name: "a pong before the threshold starts the streak again",
    misses: 2,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
      { pong: B, nonce: "current", rtt: 0 },
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
      { round: { ping: [], missed: [[B, 2]], suspected: [B] } },
    ],
  },
  {
    name: "a pong to a suspect is ignored (its ping was retired)",
    misses: 1,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [], missed: [[B, 1]], suspected: [B] } },
      { pong: B, nonce: "current", rtt: undefined },
      { expect: B, misses: 1, suspected: true },
    ],
  },
  {
    name: "clearSuspicion() resets the target and pings resume",
    misses: 2,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
      { round: { ping: [], missed: [[B, 2]], suspected: [B] } },
      { clear: B },
      { expect: B, misses: 0, suspected: false },
      { round: { ping: [B] } },
      { advance: 3 },
      { pong: B, nonce: "current", rtt: 3 },
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
    ],
  },
  {
    name: "clearSuspicion() of an unknown target is a no-op",
    misses: 2,
    watch: [B],
    steps: [
      { clear: C },
      { expect: C, misses: 0, suspected: false },
      { round: { ping: [B] } },
    ],
  },
  {
    name: "unwatch() stops tracking, and a pong for it is ignored",
    misses: 2,
    watch: [B, C],
    steps: [
      { round: { ping: [B, C] } },
      { unwatch: B },
      { pong: B, nonce: "current", rtt: undefined },
      { round: { ping: [C], missed: [[C, 1]] } },
      { round: { ping: [], missed: [[C, 2]], suspected: [C] } },
      { expect: B, misses: 0, suspected: false },
    ],
  },
  {
    name: "watching again starts from a clean slate",
    misses: 2,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
      { unwatch: B },
      { watch: B },
      { expect: B, misses: 0, suspected: false },
      { round: { ping: [B] } },
    ],
  },
  {
    name: "watch() of a watched target keeps its state",
    misses: 3,
    watch: [B],
    steps: [
      { round: { ping: [B] } },
      { round: { ping: [B], missed: [[B, 1]] } },
      { watch: B },
      { expect: B, misses: 1, suspected: false },
      { round: { ping: [B], missed: [[B, 2]] } },
    ],
  },
  {
    name: "targets are independent",
    misses: 2,
    watch: [B, C, D],
    steps: [
      { round: { ping: [B, C, D] } },
      { advance: 4 },
      { pong: C, nonce: "current", rtt: 4 },
      { round: { ping: [B, C, D], missed: [[B, 1], [D, 1]] } },
      { advance: 6 },
      { pong: D, nonce: "current", rtt: 6 },
      { round: { ping: [C, D], missed: [[B, 2], [C, 1]], suspected: [B] } },
      { expect: B, misses: 2, suspected: true },
      { expect: C, misses: 1, suspected: false },
      { expect: D, misses: 0, suspected: false },
      { advance: 2 },
      { pong: C, nonce: "current", rtt: 2 },
      { round: { ping: [C, D], missed: [[D, 1]] } },
    ],
  },
];

Deno.test("LivenessTracker follows ping/pong timelines", async (t) => {
  for (const timeline of TIMELINES) {
    await t.step(timeline.name, () => run(timeline));
  }
});

Deno.test("LivenessTracker.lastRtt() keeps the latest answered round trip", () => {
  const clock = new ManualClock();
  const tracker = new LivenessTracker({ misses: 3, clock, rng: seededRng(1) });
  tracker.watch(B);
  assertEquals(tracker.lastRtt(B), undefined);
  const [first] = tracker.round().ping;
  clock.advance(12);
  assertEquals(tracker.pong(B, first?.nonce ?? -1), 12);
  assertEquals(tracker.lastRtt(B), 12);
  tracker.round(); // unanswered: the last RTT stays
  tracker.round();
  assertEquals(tracker.lastRtt(B), 12);
  assertEquals(tracker.lastRtt(C), undefined);
  tracker.unwatch(B);
  assertEquals(tracker.lastRtt(B), undefined);
});

Deno.test("LivenessTracker.isWatched() follows watch() and unwatch()", () => {
  const tracker = new LivenessTracker({ misses: 1, clock: new ManualClock(), rng: seededRng(1) });
  assertEquals(tracker.isWatched(B), false);
  tracker.watch(B);
  assertEquals(tracker.isWatched(B), true);
  tracker.round();
  tracker.round(); // suspected: still watched
  assertEquals([tracker.isWatched(B), tracker.isSuspected(B)], [true, true]);
  tracker.unwatch(B);
  assertEquals([tracker.isWatched(B), tracker.isSuspected(B)], [false, false]);
});

Deno.test("LivenessTracker.round() draws a fresh nonce per ping from the rng", () => {
  const rng = seededRng(5);
  const tracker = new LivenessTracker({ misses: 100, clock: new ManualClock(), rng });
  const replay = seededRng(5);
  tracker.watch(B);
  tracker.watch(C);
  const seen: number[] = [];
  for (let i = 0; i < 10; i++) {
    for (const { nonce } of tracker.round().ping) {
      // randomUint32 scales one draw to 32 bits.
      assertEquals(nonce, Math.floor(replay() * 2 ** 32));
      seen.push(nonce);
    }
  }
  assertEquals(seen.length, 20);
  assertEquals(new Set(seen).size, 20);
  assertNotEquals(seen[0], seen[1]);
});

Deno.test("LivenessTracker.excuse() withdraws a ping without a verdict", () => {
  const clock = new ManualClock();
  const tracker = new LivenessTracker({ misses: 2, clock, rng: seededRng(3) });
  tracker.watch(B);
  const [first] = tracker.round().ping;
  tracker.excuse(B, first!.nonce);
  assertEquals(tracker.round().missed, [], "the excused round is no miss");
  assertEquals(tracker.misses(B), 0);
  tracker.excuse(B, 12345); // another nonce: nothing
  assertEquals(tracker.round().missed, [{ target: B, misses: 1 }]);
});

Deno.test("LivenessTracker.round() with excuse counts no misses that round", () => {
  const clock = new ManualClock();
  const tracker = new LivenessTracker({ misses: 1, clock, rng: seededRng(4) });
  tracker.watch(B);
  tracker.round();
  const late = tracker.round({ excuse: true });
  assertEquals([late.missed, late.suspected, late.ping.length], [[], [], 1]);
  assertEquals(tracker.round().suspected, [B]);
});
