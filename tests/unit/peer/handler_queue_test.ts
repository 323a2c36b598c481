import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import type { ReceivedMessage } from "../../../lib/peer/app_messages.ts";
import { type HandlerOutcome, HandlerQueue } from "../../../lib/peer/handler_queue.ts";
import { throttledLog } from "../../../lib/log/throttle.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const message = (seq: number): ReceivedMessage => ({
  id: `0123456789abcdef-${seq}`,
  origin: "127.0.0.1:6001",
  data: new Uint8Array([seq]),
  hops: 1,
  receivedAt: 0,
  from: "127.0.0.1:6001",
});

/** A handler whose runs the test finishes by hand. */
function gatedHandler() {
  const started: string[] = [];
  const finish: Array<(outcome: HandlerOutcome) => void> = [];
  const run = (m: ReceivedMessage) => {
    started.push(m.id);
    return new Promise<HandlerOutcome>((resolve) => finish.push(resolve));
  };
  return { run, started, finish };
}

Deno.test("HandlerQueue runs one handler at a time, in arrival order, without blocking push", async () => {
  const handler = gatedHandler();
  const queue = new HandlerQueue({ run: handler.run, log: new MemoryEventLog() });
  for (let seq = 1; seq <= 3; seq++) assertEquals(queue.push(message(seq)), true);
  assertEquals(handler.started, ["0123456789abcdef-1"]);
  assertEquals(queue.waiting, 2);
  handler.finish.shift()!({ ok: true });
  await Promise.resolve();
  await Promise.resolve();
  assertEquals(handler.started.length, 2);
  handler.finish.shift()!({ ok: true });
  await new Promise((resolve) => setTimeout(resolve, 0));
  handler.finish.shift()!({ ok: true });
  await queue.idle();
  assertEquals(handler.started.map((id) => id.split("-")[1]), ["1", "2", "3"]);
});

Deno.test("HandlerQueue drops messages beyond its capacity and logs a running count", async () => {
  const handler = gatedHandler();
  const log = new MemoryEventLog();
  const queue = new HandlerQueue({ run: handler.run, log, capacity: 2 });
  // One runs, two wait, two more are dropped.
  const accepted = [1, 2, 3, 4, 5].map((seq) => queue.push(message(seq)));
  assertEquals(accepted, [true, true, true, false, false]);
  assertEquals(queue.dropped, 2);
  assertEquals(log.named("handler_dropped").map((e) => e.dropped), [1, 2]);
  const stopping = queue.stop();
  handler.finish.shift()!({ ok: true });
  await stopping;
});

Deno.test("HandlerQueue logs a failing handler and carries on with the next message", async () => {
  const log = new MemoryEventLog();
  let runs = 0;
  const queue = new HandlerQueue({
    run: () => {
      runs++;
      return runs === 1
        ? Promise.resolve({ ok: false, detail: "exited with code 3" })
        : Promise.reject(new Error("spawn failed"));
    },
    log,
  });
  queue.push(message(1));
  queue.push(message(2));
  await queue.idle();
  assertEquals(log.named("handler_failed").map((e) => e.detail), [
    "exited with code 3",
    "spawn failed",
  ]);
});

Deno.test("HandlerQueue.stop() aborts the running handler and forgets the rest", async () => {
  let aborted = false;
  const queue = new HandlerQueue({
    run: (_m, signal) =>
      new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          aborted = true;
          resolve({ ok: false, detail: "stopped with the node" });
        })
      ),
    log: new MemoryEventLog(),
  });
  queue.push(message(1));
  queue.push(message(2));
  await queue.stop();
  assertEquals(aborted, true);
  assertEquals(queue.waiting, 0);
  assertEquals(queue.push(message(3)), false);
});

Deno.test("repeated handler warnings are throttled, the count kept in the line", () => {
  const clock = new ManualClock();
  const log = new MemoryEventLog();
  const queue = new HandlerQueue({
    run: () => new Promise(() => {}), // never finishes: everything after waits
    log: throttledLog(log, clock),
    capacity: 1,
  });
  queue.push(message(1)); // runs
  queue.push(message(2)); // waits
  for (let seq = 3; seq <= 6; seq++) queue.push(message(seq)); // dropped: 1 line, 3 held back
  clock.advance(10_000);
  queue.push(message(7));
  assertEquals(log.named("handler_dropped").map((e) => [e.dropped, e.suppressed]), [
    [1, undefined],
    [5, 3],
  ]);
});
