import { assertEquals } from "@std/assert";
import { LineSplitter, MAX_LINE_CHARS } from "../../../lib/util/line_splitter.ts";

Deno.test("LineSplitter.push() returns whole lines and keeps the rest", async (t) => {
  const cases: Array<[string, string[], string[][], string[]]> = [
    ["one chunk, two lines", ["a\nb\n"], [["a", "b"]], []],
    ["a line split across chunks", ["ab", "c\nd"], [[], ["abc"]], ["d"]],
    ["CRLF line ends", ["a\r\nb\r", "\n"], [["a"], ["b"]], []],
    ["empty lines kept", ["\n\n"], [["", ""]], []],
  ];
  for (const [name, chunks, expected, rest] of cases) {
    await t.step(name, () => {
      const lines = new LineSplitter();
      assertEquals(chunks.map((c) => lines.push(c)), expected);
      assertEquals(lines.flush(), rest);
      assertEquals(lines.flush(), []);
    });
  }
});

Deno.test("LineSplitter.push() cuts a runaway line instead of growing forever", () => {
  const lines = new LineSplitter();
  const out = lines.push("x".repeat(MAX_LINE_CHARS + 1));
  assertEquals(out.length, 1);
  assertEquals(lines.flush(), []);
});
