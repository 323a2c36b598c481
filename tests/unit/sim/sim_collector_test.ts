import { assertEquals } from "@std/assert";
import { FloodReceipts, SimCollector } from "../../../lib/sim/sim_collector.ts";

Deno.test("SimCollector counts first receipts of published messages, as offsets and hops", () => {
  let now = 100;
  const collector = new SimCollector({ now: () => now, quorum: 2 });
  collector.published("m1");
  const log = collector.logFor(1, "10.1.0.1:6000");
  now = 130;
  log.emit({ event: "message_received", id: "m1", origin: "o", from: "f", bytes: 1, hops: 2 });
  now = 150.5;
  log.emit({ event: "message_received", id: "m1", origin: "o", from: "f", bytes: 1, hops: 3 });
  // A message that was not published through the collector is not counted.
  log.emit({ event: "message_received", id: "m2", origin: "o", from: "f", bytes: 1, hops: 1 });
  const receipts = collector.receipts.get("m1");
  assertEquals(receipts?.length, 2);
  assertEquals(receipts?.afterMs, [30, 50.5]);
  assertEquals(receipts?.hops, [2, 3]);
  assertEquals(collector.receipts.has("m2"), false);
  assertEquals(collector.count("message_received"), 3);
});

Deno.test("FloodReceipts keeps receipts in arrival order", () => {
  const receipts = new FloodReceipts();
  assertEquals(receipts.length, 0);
  receipts.push(5, 1);
  receipts.push(3, 2);
  assertEquals([receipts.length, receipts.afterMs, receipts.hops], [2, [5, 3], [1, 2]]);
});
