import { assertEquals, assertStrictEquals } from "@std/assert";
import { boundedLog, MAX_FIELD_CHARS, truncateText } from "../../../lib/log/bounded_log.ts";
import { type LogEvent, MemoryEventLog } from "../../../lib/log/events.ts";

Deno.test("truncateText() cuts long text and says how much is left out", () => {
  assertEquals(truncateText("x".repeat(10), 4), "xxxx…(6 more)");
  assertEquals(truncateText("xxxx", 4), "xxxx");
  assertEquals(truncateText("x".repeat(MAX_FIELD_CHARS + 1)).length < MAX_FIELD_CHARS + 20, true);
});

Deno.test("boundedLog() cuts every long string field, in arrays too", () => {
  const memory = new MemoryEventLog();
  const log = boundedLog(memory, 10);
  log.emit({
    event: "dead_node_invalid",
    reporter: "10.0.0.1:9",
    raw: "J".repeat(65_000),
    detail: "short",
  });
  log.emit({ event: "peer_list", seed: "s", peers: ["a", "b".repeat(20)] });
  assertEquals(memory.events, [
    {
      event: "dead_node_invalid",
      reporter: "10.0.0.1:9",
      raw: "JJJJJJJJJJ…(64990 more)",
      detail: "short",
    },
    { event: "peer_list", seed: "s", peers: ["a", "bbbbbbbbbb…(10 more)"] },
  ]);
});

Deno.test("boundedLog() passes short events through untouched", () => {
  const memory = new MemoryEventLog();
  const event: LogEvent = { event: "seed_connected", seed: "127.0.0.1:5000" };
  boundedLog(memory).emit(event);
  assertStrictEquals(memory.events[0], event);
});

Deno.test("MAX_FIELD_CHARS leaves the longest valid Dead Node text whole", () => {
  const name = ["a", "b", "c"].map((c) => c.repeat(63)).join(".") + "." + "d".repeat(61);
  const raw = `Dead Node:${name}:65535:999999999999999:${name}`;
  assertEquals(truncateText(raw), raw);
});
