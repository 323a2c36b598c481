import { assertEquals } from "@std/assert";
import { formatGossipText } from "../../../lib/protocol/gossip_text.ts";

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
