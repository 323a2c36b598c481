import { assertEquals } from "@std/assert";
import { LineEditor } from "../../../lib/shell/line_editor.ts";

Deno.test("LineEditor.feed() builds lines key by key", () => {
  const editor = new LineEditor();
  assertEquals(editor.feed("sta"), { lines: [], end: false });
  assertEquals(editor.buffer, "sta");
  assertEquals(editor.feed("tus\rkill p3\n"), { lines: ["status", "kill p3"], end: false });
  assertEquals(editor.buffer, "");
});

Deno.test("LineEditor.feed() edits: backspace, Ctrl+U, and ignores escape sequences", () => {
  const editor = new LineEditor();
  editor.feed("pausx\x7fe p33\x08");
  assertEquals(editor.buffer, "pause p3");
  editor.feed("\x15");
  assertEquals(editor.buffer, "");
  // Arrow keys and a function key leave nothing behind.
  editor.feed("\x1b[A\x1b[1;5Cok\x1bOP!");
  assertEquals(editor.buffer, "ok!");
  // Other control characters are dropped.
  editor.feed("\x01\x07");
  assertEquals(editor.buffer, "ok!");
});

Deno.test("LineEditor.feed() reports Ctrl+D only on an empty line", () => {
  const editor = new LineEditor();
  assertEquals(editor.feed("ab\x04").end, false);
  assertEquals(editor.feed("\x15\x04").end, true);
});
