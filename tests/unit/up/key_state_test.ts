import { assertEquals } from "@std/assert";
import { KeyState } from "../../../lib/up/key_state.ts";
import type { RunRecord } from "../../../lib/up/records.ts";

function record(event: string, fields: Record<string, unknown>): RunRecord {
  return { ts: 1, event, fields: { event, ...fields } };
}

Deno.test("KeyState keeps each node's last keys and a failed reread's reason", () => {
  const state = new KeyState();
  state.ingest("a", record("keys_loaded", { ids: ["11111111"], source: "k" }));
  state.ingest("a", record("listening", { address: "a" }));
  assertEquals(state.report("a")?.ids, ["11111111"]);
  state.ingest("a", record("keys_reload_failed", { detail: "k line 1: not base64", ids: [] }));
  assertEquals(state.report("a")?.ids, ["11111111"]);
  assertEquals(state.report("a")?.failed, "k line 1: not base64");
  // A malformed line from another version is ignored.
  state.ingest("b", record("keys_loaded", { ids: "11111111" }));
  assertEquals(state.report("b"), undefined);
});

Deno.test("KeyState.waitFor() resolves once every node reported, else with the late ones", async () => {
  const state = new KeyState();
  const done = (r: { ids: readonly string[] } | undefined) => r?.ids[0] === "22222222";
  const waiting = state.waitFor(() => ["a", "b"], done, 60_000);
  state.ingest("a", record("keys_loaded", { ids: ["22222222"] }));
  state.ingest("b", record("keys_loaded", { ids: ["22222222", "11111111"] }));
  assertEquals(await waiting, []);
  assertEquals(await state.waitFor(() => ["a", "c"], done, 1), ["c"]);
});
