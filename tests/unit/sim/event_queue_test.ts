import { assertEquals } from "@std/assert";
import type { SimEvent } from "../../../lib/sim/event_heap.ts";
import { EventQueue } from "../../../lib/sim/event_queue.ts";
import { seededRng } from "../../../lib/util/random.ts";

// Schedules like a clock does (time never goes back), mixing a few recurring
// delays (lanes) with random ones (the heap), and pops as it goes.
Deno.test("EventQueue pops in (time, scheduling order), lanes and heap alike", () => {
  const rng = seededRng(7);
  const queue = new EventQueue();
  const fixed = [0, 20, 5000, 13_000];
  let now = 0;
  let seq = 0;
  const popped: SimEvent[] = [];
  const pushed: SimEvent[] = [];
  for (let step = 0; step < 20_000; step++) {
    if (rng() < 0.55) {
      const delay = rng() < 0.8 ? fixed[Math.floor(rng() * fixed.length)]! : rng() * 3000;
      const event: SimEvent = { at: now + delay, seq: seq++, run: null, owner: 0 };
      queue.push(event, delay);
      pushed.push(event);
    } else {
      const next = queue.pop();
      if (next) {
        popped.push(next);
        now = next.at;
      }
    }
  }
  for (let next = queue.pop(); next; next = queue.pop()) popped.push(next);
  const expected = [...pushed].sort((a, b) => a.at - b.at || a.seq - b.seq);
  // Each pop was the earliest pending event at its moment, so the whole
  // sequence is sorted, and nothing is lost or repeated.
  const sorted = [...popped].sort((a, b) => a.at - b.at || a.seq - b.seq);
  assertEquals(popped.length, pushed.length);
  assertEquals(popped.map((e) => e.seq), sorted.map((e) => e.seq));
  assertEquals(sorted.map((e) => e.seq), expected.map((e) => e.seq));
  assertEquals(queue.size, 0);
});

Deno.test("EventQueue.popDue() leaves an event due after the bound", () => {
  const queue = new EventQueue();
  for (let i = 0; i < 40; i++) queue.push({ at: 20, seq: i, run: null, owner: 0 }, 20);
  queue.push({ at: 7, seq: 40, run: null, owner: 0 }, 7);
  assertEquals(queue.popDue(5), undefined);
  assertEquals(queue.popDue(7)?.seq, 40);
  assertEquals(queue.popDue(19), undefined);
  assertEquals(queue.popDue(20)?.seq, 0);
  assertEquals(queue.size, 39);
});
