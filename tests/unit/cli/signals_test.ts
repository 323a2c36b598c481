import { assertEquals } from "@std/assert";
import { StopSignals } from "../../../lib/cli/signals.ts";

Deno.test("StopSignals counts one Ctrl+C delivered twice as one stop request", () => {
  const signals = new StopSignals({ echoMs: 1000 });
  // The terminal's SIGINT, then deno task's forwarded copy 3 ms later.
  assertEquals(signals.meaning(10_000), "stop");
  assertEquals(signals.meaning(10_003), "echo");
  assertEquals(signals.meaning(10_999), "echo");
  // A person pressing Ctrl+C again, later, means it.
  assertEquals(signals.meaning(11_000), "force");
  assertEquals(signals.meaning(11_001), "force");
});
