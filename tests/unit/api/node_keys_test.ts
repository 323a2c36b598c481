import { assert, assertEquals, assertRejects } from "@std/assert";
import { KEY_ENV, logKeys, NodeKeys, reloadKeys } from "../../../lib/api/node_keys.ts";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { ConfigError } from "../../../lib/util/errors.ts";
import { generateKeyText } from "../../../lib/wire/keyring.ts";

/** An in-memory file system for key files (unit tests have no file access). */
const files = new Map<string, string>();
let nextFile = 0;
function read(path: string): Promise<string> {
  const text = files.get(path);
  return text === undefined
    ? Promise.reject(new Deno.errors.NotFound(path))
    : Promise.resolve(text);
}
function keyFile(text: string): string {
  const path = `/keys/${nextFile++}.key`;
  files.set(path, text);
  return path;
}

Deno.test("NodeKeys.load() is undefined without a file, key or env", async () => {
  assertEquals(await NodeKeys.load({}), undefined);
});

Deno.test("NodeKeys.load(): a key file wins over GOSSIPNET_KEY, and names its source", async () => {
  const [a, b] = [generateKeyText(), generateKeyText()];
  const path = keyFile(`# ours\n${a}\n${b}\n`);
  const fromFile = (await NodeKeys.load({ read, keyFile: path, env: generateKeyText() }))!;
  assertEquals(fromFile.source, path);
  assertEquals(fromFile.ids.length, 2);
  assert(fromFile.rereadable);
  const fromEnv = (await NodeKeys.load({ env: a }))!;
  assertEquals(fromEnv.source, KEY_ENV);
  assertEquals(fromEnv.ids, [fromFile.ids[0]!]);
  assert(!fromEnv.rereadable);
  await assertRejects(() => fromEnv.reload(), ConfigError, "only a key file is reread");
});

Deno.test("NodeKeys.load(): keyFile and key together are a clear error", async () => {
  const path = keyFile(generateKeyText());
  await assertRejects(
    () => NodeKeys.load({ read, keyFile: path, key: generateKeyText() }),
    ConfigError,
    "not both",
  );
});

Deno.test("NodeKeys.load(): bad files are one line naming the file and line, never the key", async (t) => {
  const good = generateKeyText();
  const short = btoa("k".repeat(20));
  const cases: [string, string | undefined, RegExp][] = [
    ["missing", undefined, /^Cannot read key file \S+: no such file$/],
    ["empty", "", /^Bad key: \S+: no key found$/],
    ["comments only", "# nothing\n\n", /^Bad key: \S+: no key found$/],
    ["malformed line 2", `${good}\n${short}\n`, /^Bad key: \S+ line 2: a key must be 32 bytes/],
    ["not base64", `${good}\n\n*${good}*\n`, /^Bad key: \S+ line 3: not base64/],
  ];
  for (const [name, text, expected] of cases) {
    await t.step(name, async () => {
      const path = text === undefined ? "/keys/none.key" : keyFile(text);
      const error = await assertRejects(() => NodeKeys.load({ read, keyFile: path }), ConfigError);
      assert(expected.test(error.message), error.message);
      assert(error.message.includes(path), error.message);
      assert(!error.message.includes(good) && !error.message.includes(short), error.message);
      assert(!error.message.includes("\n"));
    });
  }
  await t.step("GOSSIPNET_KEY set but empty", async () => {
    await assertRejects(() => NodeKeys.load({ env: "" }), ConfigError, `${KEY_ENV}: no key found`);
  });
});

Deno.test("reloadKeys() swaps the keyring and logs the ids; a bad file keeps the old one", async () => {
  const [a, b] = [generateKeyText(), generateKeyText()];
  const path = keyFile(`${a}\n`);
  const keys = (await NodeKeys.load({ read, keyFile: path }))!;
  const [idA] = keys.ids;
  const log = new MemoryEventLog();
  // Step 1 of a rotation: install b (a still sends).
  files.set(path, `${a}\n${b}\n`);
  const installed = await reloadKeys(keys, log);
  assertEquals(installed[0], idA);
  assertEquals(installed.length, 2);
  assertEquals(keys.current().sendKey.id, idA);
  // Step 2: b sends.
  files.set(path, `${b}\n${a}\n`);
  assertEquals(await reloadKeys(keys, log), [installed[1]!, idA!]);
  // A broken file: the keys in use stay, and the failure is logged without key material.
  files.set(path, `${b.slice(0, 10)}\n`);
  await assertRejects(() => reloadKeys(keys, log), ConfigError, "line 1");
  assertEquals(keys.ids, [installed[1]!, idA!]);
  const events = log.events;
  assertEquals(events.map((e) => e.event), ["keys_loaded", "keys_loaded", "keys_reload_failed"]);
  assertEquals(log.named("keys_reload_failed")[0]?.ids, [installed[1]!, idA!]);
  assert(!JSON.stringify(events).includes(b.slice(0, 10)));
  const keyless = new MemoryEventLog();
  await assertRejects(() => reloadKeys(undefined, keyless), ConfigError, "without a key");
  assertEquals(keyless.named("keys_reload_failed")[0]?.ids, []);
});

Deno.test("logKeys() warns of a key file others can read, by mode, never the key", async () => {
  const path = keyFile(generateKeyText());
  const log = new MemoryEventLog();
  const open = await NodeKeys.load({ read, keyFile: path, mode: () => Promise.resolve(0o100644) });
  logKeys(open, log);
  assertEquals(log.named("key_file_open"), [{
    event: "key_file_open",
    source: path,
    mode: "0644",
  }]);
  const closed = new MemoryEventLog();
  logKeys(await NodeKeys.load({ read, keyFile: path, mode: () => Promise.resolve(0o600) }), closed);
  logKeys(await NodeKeys.load({ read, keyFile: path, mode: () => Promise.resolve(null) }), closed);
  assertEquals(closed.named("key_file_open"), []);
  assertEquals(closed.named("keys_loaded").length, 2);
});
