import { assertEquals } from "@std/assert";
import { DashboardFeed } from "../../../lib/ui/feed.ts";
import type { StreamEvent } from "../../../lib/ui/stream.ts";
import type { RunRecord } from "../../../lib/up/records.ts";

const NAMES = new Map([["127.0.0.1:5003", "p1"], ["127.0.0.1:5004", "p2"]]);

function received(ts: number): RunRecord {
  return {
    ts,
    event: "gossip_received",
    level: "INFO",
    message: "received m from 127.0.0.1:5004",
    fields: {
      event: "gossip_received",
      message: `m${ts}`,
      origin: "127.0.0.1:5004",
      from: "127.0.0.1:5004",
    },
  };
}

Deno.test("DashboardFeed sends batches on flush and replays the history to late subscribers", () => {
  const feed = new DashboardFeed({ names: NAMES });
  const batches: StreamEvent[][] = [];
  feed.subscribe((events) => batches.push([...events]));
  feed.setNodes([{ name: "p1", role: "peer", address: "127.0.0.1:5003", state: "running" }]);
  feed.ingest("p1", received(1));
  feed.ingest("p1", received(2));
  assertEquals(batches, []);
  feed.flush();
  assertEquals(batches.length, 1);
  assertEquals(batches[0]!.map((e) => e.type), ["nodes", "received", "received"]);
  // Same node states: nothing new to say.
  feed.setNodes([{ name: "p1", role: "peer", address: "127.0.0.1:5003", state: "running" }]);
  feed.flush();
  assertEquals(batches.length, 1);
  // A late subscriber starts from the node list and everything since the start.
  assertEquals(feed.history().map((e) => e.type), ["nodes", "received", "received"]);
});

Deno.test("DashboardFeed keeps each node's last lines, named, and drops bulky history first", () => {
  const feed = new DashboardFeed(
    { names: NAMES, maxHistory: 8, logLines: 3 },
    (t) => t.replace("127.0.0.1:5004", "p2"),
  );
  feed.publish({ type: "joined", ts: 0, node: "p1" });
  for (let ts = 1; ts <= 20; ts++) feed.ingest("p1", received(ts));
  feed.flush();
  const history = feed.history();
  assertEquals(history.length <= 9, true);
  // The membership event survives; the oldest receipts went.
  assertEquals(history[1], { type: "joined", ts: 0, node: "p1" });
  assertEquals(feed.lines("p1").map((l) => l.ts), [18, 19, 20]);
  assertEquals(feed.lines("p1")[0]?.text, "received m from p2");
  assertEquals(feed.lines("p9"), []);
});

Deno.test("DashboardFeed: a subscriber that comes between an event and its flush gets it once", () => {
  const feed = new DashboardFeed({ names: NAMES });
  feed.ingest("p1", received(1));
  feed.flush();
  feed.ingest("p1", received(2));
  // What the server does for a new browser: the history, then the live batches.
  const seen: StreamEvent[] = feed.history().filter((e) => e.type !== "nodes");
  feed.subscribe((events) => seen.push(...events));
  feed.flush();
  assertEquals(seen.map((e) => e.type === "received" ? e.ts : -1), [1, 2]);
});
