import { assertEquals } from "@std/assert";
import {
  formatGossipText,
  isGossipText,
  MAX_GOSSIP_TEXT_BYTES,
} from "../../../lib/protocol/gossip_text.ts";

const TS = 1_732_180_000_000;

Deno.test("formatGossipText() writes <unix ms>:<host>:<seq>", async (t) => {
  const cases: Array<[timestampMs: number, host: string, seq: number, text: string]> = [
    [TS, "127.0.0.1", 1, "1732180000000:127.0.0.1:1"],
    [TS, "::1", 42, "1732180000000:[::1]:42"],
    [TS, "2001:db8::1", 7, "1732180000000:[2001:db8::1]:7"],
    [0, "peer.example", 1, "0:peer.example:1"],
    // Sub-millisecond clocks are truncated.
    [TS + 0.75, "10.0.0.1", 3, "1732180000000:10.0.0.1:3"],
  ];
  for (const [ts, host, seq, text] of cases) {
    await t.step(text, () => {
      assertEquals(formatGossipText(ts, host, seq), text);
    });
  }
});

Deno.test("isGossipText() accepts <unix ms>:<origin host>:<seq>", () => {
  assertEquals(isGossipText("1732180000000:127.0.0.1:1", "127.0.0.1"), true);
  assertEquals(isGossipText("1732180000000:[::1]:10", "::1"), true);
  assertEquals(isGossipText("1:node-7.example:4294967295", "node-7.example"), true);
});

Deno.test("isGossipText() refuses anything else", () => {
  const cases: Array<[string, string]> = [
    ["1732180000000:10.0.0.2:1", "10.0.0.1"], // another host than the origin's
    ["1732180000000:::1:1", "::1"], // IPv6 without brackets
    ["hello", "127.0.0.1"],
    ["1732180000000:127.0.0.1:", "127.0.0.1"],
    ["x1732180000000:127.0.0.1:1", "127.0.0.1"],
    ["12345678901234567:127.0.0.1:1", "127.0.0.1"], // 17-digit time
    [`1:${"a".repeat(MAX_GOSSIP_TEXT_BYTES)}:1`, "a".repeat(MAX_GOSSIP_TEXT_BYTES)],
  ];
  for (const [text, host] of cases) {
    assertEquals(isGossipText(text, host), false, text.slice(0, 60));
  }
});
