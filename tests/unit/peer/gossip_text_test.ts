import { assertEquals } from "@std/assert";
import {
  formatGossipText,
  type GossipTextParts,
  parseGossipText,
} from "../../../lib/peer/gossip_text.ts";

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

Deno.test("parseGossipText() inverts formatGossipText()", async (t) => {
  const cases: GossipTextParts[] = [
    { timestampMs: TS, host: "127.0.0.1", seq: 1 },
    { timestampMs: TS, host: "::1", seq: 10 },
    { timestampMs: TS, host: "fe80::1:2", seq: 999 },
    { timestampMs: TS, host: "::ffff:192.0.2.1", seq: 5 },
    { timestampMs: 0, host: "localhost", seq: 123456 },
  ];
  for (const parts of cases) {
    const text = formatGossipText(parts.timestampMs, parts.host, parts.seq);
    await t.step(text, () => {
      assertEquals(parseGossipText(text), parts);
    });
  }
});

Deno.test("parseGossipText() rejects text of the wrong shape", async (t) => {
  const garbage = [
    "",
    "hello",
    "1732180000000",
    "1732180000000:127.0.0.1",
    "1732180000000:127.0.0.1:",
    ":127.0.0.1:1",
    "1732180000000::1",
    "now:127.0.0.1:1",
    "1732180000000:127.0.0.1:one",
    "-1:127.0.0.1:1",
    "1.5:127.0.0.1:1",
    "1732180000000:127.0.0.1:1.5",
    "1732180000000:127.0.0.1:-1",
    "1732180000000:127.0.0.1:1:extra",
    "1732180000000:::1:1",
    "1732180000000:[::1:1",
    " 1732180000000:127.0.0.1:1",
    "1732180000000:127.0.0.1:1 ",
    "1732180000000:127.0.0.1:1\n",
  ];
  for (const text of garbage) {
    await t.step(JSON.stringify(text), () => {
      assertEquals(parseGossipText(text), undefined);
    });
  }
});

// The host alternative `[^:]+` also matches bracket text that the bracketed
// alternative refused, so these come back with a host that is not a host.
Deno.test("parseGossipText() rejects malformed brackets", async (t) => {
  for (const text of ["1732180000000:[]:1", "1732180000000:[x:1"]) {
    await t.step(JSON.stringify(text), () => {
      assertEquals(parseGossipText(text), undefined);
    });
  }
});
