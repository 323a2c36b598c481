import { assert, assertEquals } from "@std/assert";
import { SIM_EPOCH_MS, VirtualClock } from "../../../lib/sim/virtual_clock.ts";

Deno.test("VirtualClock.run() fires timers in time order, ties in scheduling order", async () => {
  const clock = new VirtualClock();
  const fired: string[] = [];
  clock.setTimeout(() => fired.push("c30"), 30);
  clock.setTimeout(() => fired.push("a10"), 10);
  clock.setTimeout(() => fired.push("b10"), 10);
  clock.setTimeout(() => fired.push("zero"), 0);
  await clock.run({ untilMs: 100 });
  assertEquals(fired, ["zero", "a10", "b10", "c30"]);
  assertEquals(clock.elapsed, 100);
  assertEquals(clock.now(), SIM_EPOCH_MS + 100);
  assertEquals(clock.events, 4);
});

Deno.test("VirtualClock.run() jumps to the next event and stops at untilMs", async () => {
  const clock = new VirtualClock();
  const seen: number[] = [];
  clock.setTimeout(() => seen.push(clock.elapsed), 5_000_000);
  clock.setTimeout(() => seen.push(clock.elapsed), 7);
  await clock.run({ untilMs: 1000 });
  assertEquals(seen, [7]);
  assertEquals(clock.pending, 1);
  await clock.run({ untilMs: 10_000_000 });
  assertEquals(seen, [7, 5_000_000]);
});

Deno.test("VirtualClock.clearTimeout() cancels; unknown handles are ignored", async () => {
  const clock = new VirtualClock();
  let fired = 0;
  const handle = clock.setTimeout(() => fired++, 10);
  clock.clearTimeout(handle);
  clock.clearTimeout(undefined);
  clock.clearTimeout(42);
  await clock.run({ untilMs: 100 });
  assertEquals(fired, 0);
});

Deno.test("VirtualClock.silence() drops a node's timers, present and future", async () => {
  const clock = new VirtualClock();
  const a = clock.forNode(1);
  const b = clock.forNode(2);
  const fired: string[] = [];
  a.setTimeout(() => fired.push("a"), 10);
  b.setTimeout(() => fired.push("b"), 10);
  clock.silence(1);
  a.setTimeout(() => fired.push("a-late"), 20);
  await clock.run({ untilMs: 100 });
  assertEquals(fired, ["b"]);
  assert(clock.isSilenced(1));
});

Deno.test("VirtualClock: async continuations of an event read the event's instant", async () => {
  const clock = new VirtualClock();
  const seen: number[] = [];
  let wake: (() => void) | undefined;
  const waiting = new Promise<void>((resolve) => wake = resolve);
  (async () => {
    await waiting;
    await Promise.resolve();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    seen.push(clock.elapsed);
    clock.setTimeout(() => seen.push(clock.elapsed), 5);
  })();
  clock.setTimeout(() => wake?.(), 40);
  clock.setTimeout(() => seen.push(-clock.elapsed), 41);
  await clock.run({ untilMs: 100 });
  // The chain ran at 40, before the event at 41, and its timer fired at 45.
  assertEquals(seen, [40, -41, 45]);
});

Deno.test("VirtualClock.run() calls onProgress every progressEvery events", async () => {
  const clock = new VirtualClock();
  for (let i = 0; i < 10; i++) clock.setTimeout(() => {}, i);
  const calls: number[] = [];
  await clock.run({ untilMs: 100, progressEvery: 4, onProgress: (p) => calls.push(p.events) });
  assertEquals(calls, [4, 8]);
});

Deno.test("VirtualClock.run() plays one instant's events back to back, then settles their continuations before time moves", async () => {
  const clock = new VirtualClock();
  const seen: string[] = [];
  const at = (name: string) => seen.push(`${name}@${clock.elapsed}`);
  clock.setTimeout(() => {
    at("a");
    Promise.resolve().then(() => Promise.resolve()).then(() => at("a-continued"));
  }, 10);
  clock.setTimeout(() => at("b"), 10);
  clock.setTimeout(() => at("c"), 20);
  await clock.run({ untilMs: 100 });
  assertEquals(seen, ["a@10", "b@10", "a-continued@10", "c@20"]);
});
