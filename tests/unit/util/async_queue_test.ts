import { assertEquals } from "@std/assert";
import { AsyncQueue } from "../../../lib/util/async_queue.ts";

Deno.test("AsyncQueue hands a waiting reader the next push at once", async () => {
  const queue = new AsyncQueue<string>();
  const next = queue.next();
  queue.push("a");
  assertEquals(await next, { done: false, value: "a" });
});

Deno.test("AsyncQueue drops pushes beyond its capacity and counts them", async () => {
  const queue = new AsyncQueue<number>({ capacity: 3 });
  const accepted = [1, 2, 3, 4, 5].map((n) => queue.push(n));
  assertEquals(accepted, [true, true, true, false, false]);
  assertEquals(queue.dropped, 2);
  queue.close();
  const seen: number[] = [];
  for await (const n of queue) seen.push(n);
  assertEquals(seen, [1, 2, 3]);
});

Deno.test("AsyncQueue: a reader that breaks out closes the queue and calls onClose once", async () => {
  let closes = 0;
  const queue = new AsyncQueue<number>({ onClose: () => closes++ });
  queue.push(1);
  queue.push(2);
  for await (const _ of queue) break;
  assertEquals(queue.closed, true);
  assertEquals(queue.push(3), false);
  queue.close();
  assertEquals(closes, 1);
});

Deno.test("AsyncQueue keeps order across many reads (compaction)", async () => {
  const queue = new AsyncQueue<number>({ capacity: 100_000 });
  for (let i = 0; i < 5000; i++) queue.push(i);
  let expected = 0;
  for (let i = 0; i < 5000; i++) {
    const { value } = await queue.next();
    assertEquals(value, expected++);
    if (i % 7 === 0) queue.push(5000 + i);
  }
  assertEquals(queue.size, Math.ceil(5000 / 7));
});

Deno.test("AsyncQueue.close() ends a waiting reader", async () => {
  const queue = new AsyncQueue<number>();
  const next = queue.next();
  queue.close();
  assertEquals(await next, { done: true, value: undefined });
});
