/**
 * The dashboard's bundle checked in as lib/ui/_app_bundle.ts is exactly what
 * `deno task bundle:ui` makes from the sources now: a stale bundle would ship
 * a dashboard that does not match its code.
 */

import { assertEquals } from "@std/assert";

const TOOL = new URL("../../tools/bundle_ui.ts", import.meta.url).pathname;

Deno.test("the checked-in dashboard bundle matches its sources", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-run", "--allow-env", TOOL, "--check"],
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertEquals(code, 0, text);
});
