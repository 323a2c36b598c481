import { assertEquals, assertThrows } from "@std/assert";
import { parseNodeStatus, StatusFormatError } from "../../../lib/node/node_status.ts";
import { PEER_STATUS, SEED_STATUS } from "../../support/status_samples.ts";

Deno.test("parseNodeStatus() reads back what a node writes, for both roles", () => {
  assertEquals(parseNodeStatus(JSON.stringify(PEER_STATUS)), PEER_STATUS);
  assertEquals(parseNodeStatus(JSON.stringify(SEED_STATUS)), SEED_STATUS);
});

Deno.test("parseNodeStatus() ignores fields it does not know (they are only ever added)", () => {
  const newer = { ...PEER_STATUS, futureField: { x: 1 } };
  assertEquals(parseNodeStatus(JSON.stringify(newer)).role, "peer");
});

Deno.test("parseNodeStatus() names what is wrong", () => {
  const cases: Array<[unknown, string]> = [
    ["not json", "Status is not JSON"],
    [[], "status is not an object"],
    [{ ...SEED_STATUS, format: 2 }, "Unknown status format 2"],
    [{ ...SEED_STATUS, role: "relay" }, 'Unknown role "relay"'],
    [{ ...SEED_STATUS, uptimeMs: "long" }, "uptimeMs is not a number"],
    [{ ...SEED_STATUS, traffic: { ...SEED_STATUS.traffic, bytesSent: null } }, "traffic.bytesSent"],
    [{ ...SEED_STATUS, counters: { vote: "x" } }, "counters.vote is not a number"],
    [{ ...PEER_STATUS, neighbors: [{ address: 1 }] }, "neighbors[0].address is not a string"],
    [{ ...PEER_STATUS, messageList: {} }, "messageList.entries is not a number"],
  ];
  for (const [doc, message] of cases) {
    const text = typeof doc === "string" ? doc : JSON.stringify(doc);
    assertThrows(() => parseNodeStatus(text), StatusFormatError, message);
  }
});

Deno.test("parseNodeStatus() reads key ids, and refuses keys that are not a list of ids", () => {
  const keyed = { ...SEED_STATUS, keys: ["aaaaaaaa"] };
  assertEquals(parseNodeStatus(JSON.stringify(keyed)), keyed);
  assertThrows(
    () => parseNodeStatus(JSON.stringify({ ...SEED_STATUS, keys: "aaaaaaaa" })),
    StatusFormatError,
    "keys is not a list",
  );
  assertThrows(
    () => parseNodeStatus(JSON.stringify({ ...SEED_STATUS, keys: [1] })),
    StatusFormatError,
    "keys[0]",
  );
});
