import { assert, assertEquals } from "@std/assert";
import { statusJson } from "../../../lib/node/client_requests.ts";
import type { PeerStatus } from "../../../lib/node/node_status.ts";
import { MAX_FRAME_BYTES } from "../../../lib/wire/frame.ts";
import { PEER_STATUS, SEED_STATUS } from "../../support/status_samples.ts";

Deno.test("statusJson() fits a hub's status into one frame, keeping the exact count", () => {
  const host = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
  const neighbors = Array.from({ length: 512 }, (_, i) => ({
    address: `[${host}]:${10_000 + i}`,
    direction: "in" as const,
    rttMs: 0.123456789,
    since: 1_700_000_000_000.123,
  }));
  const hub: PeerStatus = { ...PEER_STATUS, neighbors, neighborCount: 512 };
  assert(JSON.stringify(hub).length > MAX_FRAME_BYTES, "the sample must be too big to start with");
  const json = statusJson(hub);
  assert(new TextEncoder().encode(json).length <= MAX_FRAME_BYTES - 5);
  const sent = JSON.parse(json) as PeerStatus;
  assertEquals(sent.neighborCount, 512);
  assert(sent.neighbors.length >= 128 && sent.neighbors.length < 512);
  assertEquals(statusJson(SEED_STATUS), JSON.stringify(SEED_STATUS));
  assertEquals(statusJson(PEER_STATUS), JSON.stringify(PEER_STATUS));
});
