import { assertEquals } from "@std/assert";
import { selfCommandFor } from "../../../lib/up/self_command.ts";

Deno.test("up restarts itself the way it was started", async (t) => {
  const deno = "/usr/local/bin/deno";
  await t.step("a compiled binary runs itself", () => {
    assertEquals(
      selfCommandFor({
        moduleUrl: "file:///b/lib/up/self_command.ts",
        compiled: true,
        execPath: "/opt/gossipnet",
      }),
      { program: "/opt/gossipnet", prefix: [] },
    );
  });
  await t.step("a checkout runs its main.ts", () => {
    assertEquals(
      selfCommandFor({
        moduleUrl: "file:///src/gossipnet/lib/up/self_command.ts",
        compiled: false,
        execPath: deno,
      }),
      { program: deno, prefix: ["run", "-A", "file:///src/gossipnet/main.ts"] },
    );
  });
  await t.step("a JSR package runs the same version's cli entry", () => {
    assertEquals(
      selfCommandFor({
        moduleUrl: "https://jsr.io/@gossipnet/gossipnet/0.3.1/lib/up/self_command.ts",
        compiled: false,
        execPath: deno,
      }),
      { program: deno, prefix: ["run", "-A", "jsr:@gossipnet/gossipnet@0.3.1/cli"] },
    );
  });
});
