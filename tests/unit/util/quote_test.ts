import { assertEquals } from "@std/assert";
import { MAX_QUOTED_CHARS, quoteInput } from "../../../lib/util/quote.ts";

Deno.test("quoteInput() makes any input one short printable line", async (t) => {
  const cases: Array<[string, string]> = [
    ["70000", '"70000"'],
    ["", '""'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ["a\nb\r\tc", '"a\\nb\\r\\tc"'],
    ["\u0000\u001b[2J\u007f", '"\\u0000\\u001b[2J\\u007f"'],
    ["\u0085\u009b", '"\\u0085\\u009b"'],
    ["\u2028\u202e\u2066\ufeff", '"\\u2028\\u202e\\u2066\\ufeff"'],
    ["café ☕ \ufffd", '"café ☕ \ufffd"'],
  ];
  for (const [text, quoted] of cases) {
    await t.step(JSON.stringify(text), () => assertEquals(quoteInput(text), quoted));
  }
  await t.step("long input is cut, by characters not UTF-16 units", () => {
    assertEquals(
      quoteInput("x".repeat(MAX_QUOTED_CHARS + 1)),
      `"${"x".repeat(MAX_QUOTED_CHARS)}…"`,
    );
    assertEquals(quoteInput("😀".repeat(5), 3), '"😀😀😀…"');
    assertEquals(quoteInput("abc", 3), '"abc"');
  });
});
