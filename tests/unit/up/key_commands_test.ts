import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { upKeysCommand } from "../../../lib/up/key_commands.ts";
import { KeyState } from "../../../lib/up/key_state.ts";
import { RunKeys } from "../../../lib/up/run_keys.ts";
import type { Supervisor } from "../../../lib/up/supervisor.ts";
import { parseKeyring } from "../../../lib/wire/keyring.ts";

/** A stand-in run: files in memory, nodes that reread the file when told (SIGHUP, or reloadKeys() in-process) unless deaf. */
async function fakeRun(options: { deaf?: string[]; paused?: string[] } = {}) {
  const files = new Map<string, string>();
  const keys = await RunKeys.create("/run/network.key", { from: "secure" }, undefined, (p, t) => {
    files.set(p, t);
    return Promise.resolve();
  });
  const state = new KeyState();
  const hangups: string[] = [];
  const node = (name: string, index: number) => {
    // One address per node: a shared one would let a stale reread answer for another node.
    const address = `127.0.0.1:${5000 + index}`;
    const paused = options.paused?.includes(name) ?? false;
    return {
      name,
      spec: { address },
      state: paused ? "paused" : "running",
      alive: true,
      reloadKeys: () => {
        hangups.push(`${name} reload`);
        if (options.deaf?.includes(name) || paused) return true;
        // The node rereads the file and logs its keys, as a real one does.
        parseKeyring(files.get("/run/network.key")!, "file").then((ring) =>
          state.ingest(address, {
            ts: 1,
            event: "keys_loaded",
            fields: { event: "keys_loaded", ids: ring.ids, source: "file" },
          })
        );
        return true;
      },
    };
  };
  const supervisor = { nodes: ["s1", "p1", "p2"].map(node) } as unknown as Supervisor;
  return { keys, state, files, hangups, supervisor };
}

Deno.test("up keys rotate: three steps, each reread by every node; the file ends with the new key", async () => {
  const run = await fakeRun();
  const [old] = run.keys.ids;
  const command = upKeysCommand({ keys: run.keys, state: run.state, supervisor: run.supervisor });
  const out = await command.run(["rotate"], "rotate");
  const [fresh] = run.keys.ids;
  assert(fresh !== old);
  assertEquals(run.keys.ids, [fresh!]);
  assertMatch(
    out,
    new RegExp(`1/3 installed ${fresh}: sending ${old}, also accepting ${fresh}; 3 of 3`),
  );
  assertMatch(
    out,
    new RegExp(`2/3 sending with ${fresh}: sending ${fresh}, also accepting ${old}`),
  );
  assertMatch(out, new RegExp(`3/3 removed ${old}: sending ${fresh}; 3 of 3`));
  assertEquals(run.hangups.length, 9);
  const text = run.files.get("/run/network.key")!;
  assertEquals((await parseKeyring(text, "file")).ids, [fresh!]);
  const listing = await command.run([], "");
  assertStringIncludes(listing, `run keys (/run/network.key): sending ${fresh}\n`);
  assertMatch(listing, new RegExp(`p2\\s+running\\s+${fresh}\\n`));
});

Deno.test("up keys rotate stops at a step a node did not confirm, naming it", async () => {
  const run = await fakeRun({ deaf: ["p2"] });
  const command = upKeysCommand({
    keys: run.keys,
    state: run.state,
    supervisor: run.supervisor,
    timeoutMs: 1,
  });
  const out = await command.run(["rotate"], "rotate");
  assertStringIncludes(out, "2 of 3 running nodes reread the key file");
  assertStringIncludes(out, "not confirmed by p2");
  assertStringIncludes(out, "rotation stopped after step 1");
  // The new key was installed, and still does not send.
  assertEquals(run.keys.ids.length, 2);
});

Deno.test("up keys: a paused node is named, the sending key cannot go, usage is shown", async () => {
  const run = await fakeRun({ paused: ["p1"] });
  const command = upKeysCommand({ keys: run.keys, state: run.state, supervisor: run.supervisor });
  const [first] = run.keys.ids;
  assertStringIncludes(await command.run(["install"], "install"), "p1 paused: they reread it");
  assertStringIncludes(
    await command.run(["remove", first!], ""),
    `Key ${first} is the sending key`,
  );
  assertStringIncludes(await command.run(["use"], "use"), "Usage: keys [install");
  assertStringIncludes(await command.run(["bogus"], "bogus"), "Usage: keys [install");
  const keyless = upKeysCommand({ keys: undefined, state: run.state, supervisor: run.supervisor });
  assertStringIncludes(await keyless.run([], ""), "This run has no network key");
});
