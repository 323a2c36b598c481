import { assertEquals } from "@std/assert";
import { EventHub } from "../../../lib/log/event_hub.ts";
import { type LogEvent, MemoryEventLog } from "../../../lib/log/events.ts";

const EVENT: LogEvent = { event: "seed_connected", seed: "127.0.0.1:5000" };

Deno.test("EventHub passes every event to its sinks and to each subscriber", async () => {
  const file = new MemoryEventLog();
  const hub = new EventHub([file]);
  hub.emit({ event: "stopping", reason: "before anyone listened" });
  const a = hub.subscribe();
  const b = hub.subscribe();
  hub.emit(EVENT);
  hub.close();
  assertEquals(file.events.length, 2);
  for (const stream of [a, b]) {
    const got: LogEvent[] = [];
    for await (const e of stream) got.push(e);
    assertEquals(got, [EVENT]);
  }
});

Deno.test("EventHub: a subscriber that stops reading is forgotten", async () => {
  const hub = new EventHub();
  const stream = hub.subscribe();
  hub.emit(EVENT);
  for await (const _ of stream) break;
  hub.emit(EVENT); // must not queue for a reader that left
  assertEquals((await stream.next()).done, true);
});

Deno.test("EventHub: a slow subscriber loses the newest events, not the node", async () => {
  const hub = new EventHub();
  const stream = hub.subscribe({ capacity: 2 });
  for (let i = 0; i < 5; i++) hub.emit({ event: "stopping", reason: String(i) });
  hub.close();
  const reasons: string[] = [];
  for await (const e of stream) if (e.event === "stopping") reasons.push(e.reason);
  assertEquals(reasons, ["0", "1"]);
});

Deno.test("EventHub.subscribe() after close() gives an ended stream", async () => {
  const hub = new EventHub();
  hub.close();
  assertEquals((await hub.subscribe().next()).done, true);
});
