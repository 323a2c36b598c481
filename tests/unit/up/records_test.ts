import { assertEquals } from "@std/assert";
import { numberField, parseRecordLine, textField } from "../../../lib/up/records.ts";

Deno.test("parseRecordLine() reads LogTape's layout with the event under properties", () => {
  const record = parseRecordLine(
    '{"@timestamp":"2025-01-01T00:00:00.000Z","ts":1735689600000.125,"level":"INFO",' +
      '"message":"m","logger":"gossipnet.peer","properties":{"event":"joined","seeds":[]}}',
  );
  assertEquals(record, {
    ts: 1735689600000.125,
    event: "joined",
    fields: { event: "joined", seeds: [] },
    level: "INFO",
    message: "m",
  });
});

Deno.test("parseRecordLine() reads an event at the top level and falls back to @timestamp", () => {
  const record = parseRecordLine(
    '{"@timestamp":"2025-01-01T00:00:00.500Z","event":"listening","address":"127.0.0.1:1"}',
  );
  assertEquals(record?.ts, Date.parse("2025-01-01T00:00:00.500Z"));
  assertEquals(record && textField(record, "address"), "127.0.0.1:1");
});

Deno.test("parseRecordLine() rejects what is not an event line", async (t) => {
  const cases = [
    "",
    "   ",
    '{"ts":1,"properties":{"event":"joi',
    "[]",
    "42",
    '{"ts":1}',
    '{"ts":1,"properties":{"event":7}}',
    '{"ts":"soon","event":"joined"}',
    '{"event":"joined"}',
  ];
  for (const line of cases) {
    await t.step(JSON.stringify(line), () => assertEquals(parseRecordLine(line), undefined));
  }
});

Deno.test("textField() and numberField() ignore values of the wrong type", () => {
  const record = { ts: 1, event: "x", fields: { event: "x", a: "s", n: 2, bad: NaN } };
  assertEquals([textField(record, "a"), textField(record, "n")], ["s", undefined]);
  assertEquals([numberField(record, "n"), numberField(record, "bad")], [2, undefined]);
});
