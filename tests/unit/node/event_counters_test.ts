import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { EventCounters } from "../../../lib/node/event_counters.ts";

Deno.test("EventCounters counts events by name and votes and removals by field", () => {
  const inner = new MemoryEventLog();
  const counters = new EventCounters(inner);
  const vote = (answer: "yes" | "no") =>
    counters.emit({ event: "vote", proposal: "p", peer: "x", voter: "v", answer, reason: "" });
  vote("yes");
  vote("yes");
  vote("no");
  counters.emit({ event: "peer_removed", peer: "x", reason: "left" });
  assertEquals(counters.count("vote"), 3);
  assertEquals(counters.count("vote.yes"), 2);
  assertEquals(counters.count("vote.no"), 1);
  assertEquals(counters.count("peer_removed.left"), 1);
  assertEquals(counters.count("peer_removed.dead"), 0);
  assertEquals(inner.events.length, 4); // and every event went on
});
