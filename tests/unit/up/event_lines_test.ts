import { assertEquals } from "@std/assert";
import { EventLines, nameAddresses } from "../../../lib/up/event_lines.ts";
import type { RunRecord } from "../../../lib/up/records.ts";

const NAMES = new Map([
  ["127.0.0.1:5000", "s1"],
  ["127.0.0.1:5001", "s2"],
  ["127.0.0.1:5003", "p1"],
  ["127.0.0.1:5004", "p2"],
  ["127.0.0.1:50041", "p3"],
]);

function rec(
  event: string,
  fields: Record<string, unknown>,
  level = "INFO",
  message = "",
): RunRecord {
  return { ts: 1, event, fields: { event, ...fields }, level, message };
}

Deno.test("nameAddresses() names known addresses and leaves gossip text alone", () => {
  assertEquals(
    nameAddresses("received 1700:127.0.0.1:5003 from 127.0.0.1:5004 and 127.0.0.1:50041", NAMES),
    "received 1700:127.0.0.1:5003 from p2 and p3",
  );
  assertEquals(nameAddresses("127.0.0.1:5009 is unknown", NAMES), "127.0.0.1:5009 is unknown");
});

Deno.test("EventLines prints membership events once each, named", () => {
  const lines = new EventLines({ names: NAMES, verbose: false });
  const text = (node: string, record: RunRecord) => lines.line(node, record)?.text;
  assertEquals(
    text("p1", rec("joined", { seeds: ["127.0.0.1:5000", "127.0.0.1:5001"], candidates: 3 })),
    "joined via s1, s2 (3 peers known)",
  );
  // Gossip and links coming up are not membership news.
  assertEquals(text("p1", rec("gossip_received", { from: "127.0.0.1:5004" })), undefined);
  assertEquals(text("p1", rec("neighbor_connected", { neighbor: "127.0.0.1:5004" })), undefined);
  assertEquals(
    text("p1", rec("suspect", { neighbor: "127.0.0.1:5004", misses: 3, helpers: [] }, "WARN")),
    "suspects p2 (3 missed pings); asking none to probe it",
  );
  assertEquals(
    lines.line(
      "p1",
      rec("dead_node_reported", { dead: "127.0.0.1:5004", seeds: ["127.0.0.1:5000"] }, "WARN"),
    ),
    { node: "p1", level: "warning", text: "reports p2 dead to s1" },
  );
  const removed = rec("peer_removed", { peer: "127.0.0.1:5004", reason: "dead" }, "WARN");
  assertEquals(
    text("s1", removed),
    "vote: p2 removed as dead (a majority of seeds agreed)",
  );
  // Every seed logs the removal; it is printed once, until the peer registers again.
  assertEquals(text("s2", removed), undefined);
  assertEquals(text("s1", rec("peer_registered", { peer: "127.0.0.1:5004" })), undefined);
  assertEquals(text("s2", removed)?.startsWith("vote: p2 removed"), true);
  // Other warnings are shown, named.
  assertEquals(
    text("s1", rec("seed_link_down", {}, "WARN", "link to seed 127.0.0.1:5001 down: reset")),
    "link to seed s2 down: reset",
  );
});

Deno.test("EventLines prints no goodbyes while the run stops", () => {
  const lines = new EventLines({ names: NAMES, verbose: false });
  const left = rec("peer_removed", { peer: "127.0.0.1:5003", reason: "left" });
  const bye = rec("neighbor_lost", { neighbor: "127.0.0.1:5003", reason: "neighbour left" });
  assertEquals(lines.line("s1", left)?.text, "p1 left: removed from the peer list");
  assertEquals(lines.line("p2", bye)?.text, "lost its link to p1: it left");
  lines.stopping();
  assertEquals(
    lines.line("s2", rec("peer_removed", { peer: "127.0.0.1:5004", reason: "left" })),
    undefined,
  );
  assertEquals(lines.line("p2", bye), undefined);
  // Peers still running redial, and the peers they pick may have stopped already.
  const refused = rec(
    "neighbor_dial_failed",
    {
      neighbor: "127.0.0.1:5004",
      detail: "Cannot connect to 127.0.0.1:5004: connection refused",
    },
    "WARN",
    "could not reach 127.0.0.1:5004: Cannot connect to 127.0.0.1:5004: connection refused",
  );
  assertEquals(
    new EventLines({ names: NAMES, verbose: false }).line("p2", refused)?.text,
    "could not reach p2: Cannot connect to p2: connection refused",
  );
  assertEquals(lines.line("p2", refused), undefined);
  // Nor the stop's other consequences: a vote busy seeds could not decide, a link cut short.
  const undecided = rec(
    "removal_rejected",
    { peer: "127.0.0.1:5004", yes: 1, needed: 2, alive: false },
    "WARN",
  );
  assertEquals(
    new EventLines({ names: NAMES, verbose: false }).line("s1", undecided)?.text,
    "vote: removal of p2 rejected (1 of 2 needed yes votes)",
  );
  assertEquals(lines.line("s1", undecided), undefined);
  const cut = rec("neighbor_lost", { neighbor: "127.0.0.1:5003", reason: "remote_closed: x" });
  assertEquals(lines.line("p2", cut), undefined);
  // Errors still are.
  const error = rec("node_error", {}, "ERROR", "it broke");
  assertEquals(lines.line("p2", error)?.text, "it broke");
});

Deno.test("EventLines in verbose mode prints every node line but debug, named", () => {
  const lines = new EventLines({ names: NAMES, verbose: true });
  assertEquals(
    lines.line(
      "p1",
      rec("gossip_received", {}, "INFO", "received 1:127.0.0.1:9 from 127.0.0.1:5004"),
    ),
    { node: "p1", level: "info", text: "received 1:127.0.0.1:9 from p2" },
  );
  assertEquals(lines.line("p1", rec("stats", {}, "DEBUG", "3 messages")), undefined);
  assertEquals(lines.line("p1", rec("internal_error", {}, "ERROR", "boom"))?.level, "error");
});
