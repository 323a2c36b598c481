import { assertEquals, assertMatch } from "@std/assert";
import {
  MAX_CLOCK_SKEW_MS,
  peerAddressProblem,
  recordProblem,
  stampProblem,
} from "../../../lib/seed/record_check.ts";

const NOW = 1_700_000_000_000;
const SEEDS = [{ host: "127.0.0.1", port: 5000 }, { host: "127.0.0.1", port: 5001 }];
const CONTEXT = { seeds: SEEDS, self: SEEDS[0]!, now: NOW, skewMs: MAX_CLOCK_SKEW_MS };

Deno.test("stampProblem() accepts stamps up to the skew ahead, and any in the past", () => {
  for (const stamp of [0, NOW - 1e9, NOW, NOW + MAX_CLOCK_SKEW_MS]) {
    assertEquals(stampProblem(stamp, NOW, MAX_CLOCK_SKEW_MS), undefined, String(stamp));
  }
});

Deno.test("stampProblem() rejects stamps further ahead, naming by how much", () => {
  assertEquals(
    stampProblem(NOW + MAX_CLOCK_SKEW_MS + 1, NOW, MAX_CLOCK_SKEW_MS),
    "stamp is 60001 ms ahead of this seed's clock (at most 60000)",
  );
  assertMatch(stampProblem(Number.MAX_VALUE, NOW, MAX_CLOCK_SKEW_MS)!, /1\.8e\+308 ms ahead/);
});

Deno.test("peerAddressProblem() refuses seeds' addresses and its own", () => {
  assertEquals(peerAddressProblem(SEEDS[1]!, CONTEXT), "127.0.0.1:5001 is a seed's address");
  assertEquals(
    peerAddressProblem(SEEDS[0]!, { seeds: [], self: SEEDS[0]! }),
    "127.0.0.1:5000 is this seed's address",
  );
  assertEquals(peerAddressProblem({ host: "127.0.0.1", port: 6000 }, CONTEXT), undefined);
});

Deno.test("recordProblem() checks the address, then the stamp", () => {
  const record = (port: number, stamp: number) => ({
    address: { host: "127.0.0.1", port },
    state: "member" as const,
    version: { stamp, origin: "0000000000000001" },
    degree: 0,
  });
  assertEquals(recordProblem(record(6000, NOW), CONTEXT), undefined);
  assertEquals(recordProblem(record(5001, NOW), CONTEXT), "127.0.0.1:5001 is a seed's address");
  assertMatch(recordProblem(record(6000, Number.MAX_VALUE), CONTEXT)!, /ahead of this seed/);
});
