import { assertEquals } from "@std/assert";
import { eventLevel, NEIGHBOR_LEFT_REASON } from "../../../lib/log/events.ts";

Deno.test("eventLevel() logs the goodbyes of a clean stop as info, failures as warnings", () => {
  const peer = "127.0.0.1:6001";
  const seed = "127.0.0.1:5000";
  assertEquals(eventLevel({ event: "peer_removed", peer, reason: "left" }), "info");
  assertEquals(eventLevel({ event: "peer_removed", peer, reason: "dead" }), "warning");
  assertEquals(
    eventLevel({ event: "neighbor_lost", neighbor: peer, reason: NEIGHBOR_LEFT_REASON }),
    "info",
  );
  assertEquals(
    eventLevel({ event: "neighbor_lost", neighbor: peer, reason: "remote_closed: reset" }),
    "warning",
  );
  assertEquals(
    eventLevel({ event: "seed_link_down", seed, reason: "shutting_down: Seed shutting down" }),
    "info",
  );
  assertEquals(eventLevel({ event: "seed_link_down", seed, reason: "timeout" }), "warning");
  assertEquals(
    eventLevel({ event: "seed_unreachable", seed, detail: "link lost: shutting_down: bye" }),
    "info",
  );
  assertEquals(eventLevel({ event: "seed_unreachable", seed, detail: "refused" }), "warning");
  assertEquals(eventLevel({ event: "joined", seeds: [], candidates: 0, cpuMs: 1 }), "info");
});
