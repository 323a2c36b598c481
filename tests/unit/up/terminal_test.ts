import { assertEquals } from "@std/assert";
import { Terminal } from "../../../lib/up/terminal.ts";

/** A terminal writing into a string. */
function fakeTerminal(): { terminal: Terminal; out: () => string } {
  let text = "";
  const decoder = new TextDecoder();
  const terminal = new Terminal({
    tty: true,
    color: false,
    columns: () => 80,
    out: {
      writeSync(p: Uint8Array) {
        text += decoder.decode(p);
        return p.length;
      },
    },
  });
  return { terminal, out: () => text };
}

/** What a terminal shows after `text`: ANSI clear-line, cursor-up and clear-below applied. */
function screen(text: string): string[] {
  const lines: string[] = [""];
  let row = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith("\r\x1b[2K", i)) {
      lines[row] = "";
      i += 4;
    } else if (text.startsWith("\x1b[1A", i)) {
      row = Math.max(0, row - 1);
      i += 3;
    } else if (text.startsWith("\x1b[J", i)) {
      lines.length = row + 1;
      lines[row] = "";
      i += 2;
    } else if (text[i] === "\n") {
      row++;
      lines[row] ??= "";
    } else {
      lines[row] = (lines[row] ?? "") + (text[i] ?? "");
    }
  }
  return lines;
}

Deno.test("Terminal keeps the status line and the prompt below every output line", () => {
  const { terminal, out } = fakeTerminal();
  terminal.setStatus("12s/45s  seeds 3/3");
  terminal.setInput("kil");
  terminal.write("  +1.0s p1 joined\n");
  terminal.setInput("kill p3");
  terminal.write("  +2.0s p2 joined\n");
  assertEquals(screen(out()), [
    "  +1.0s p1 joined",
    "  +2.0s p2 joined",
    "12s/45s  seeds 3/3",
    "up> kill p3",
  ]);
  // Enter: the typed line goes above, with what it printed, and the prompt empties.
  terminal.setInput("");
  terminal.echoInput("kill p3");
  terminal.write("p3 killed\n");
  terminal.clearStatus();
  assertEquals(screen(out()), [
    "  +1.0s p1 joined",
    "  +2.0s p2 joined",
    "up> kill p3",
    "p3 killed",
    "",
  ]);
});

Deno.test("Terminal cuts the status line to the width and shows the end of a long input", () => {
  const { terminal, out } = fakeTerminal();
  terminal.setStatus("x".repeat(100));
  terminal.setInput("y".repeat(90) + "END");
  const shown = screen(out());
  assertEquals(shown[0]?.length, 79);
  assertEquals(shown[1]?.startsWith("up> "), true);
  assertEquals(shown[1]?.endsWith("END"), true);
  assertEquals(shown[1]?.length, 79);
});
