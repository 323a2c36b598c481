import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  generateKeyText,
  keyId,
  KeyringError,
  KeyringHolder,
  parseKeyring,
} from "../../../lib/wire/keyring.ts";

Deno.test("keyring: the first key sends, all are kept, comments and blanks skipped", async () => {
  const a = generateKeyText();
  const b = generateKeyText();
  const ring = await parseKeyring(`# rotation\n\n${a}\r\n  ${b}  \n${a}\n`, "keys.txt");
  assertEquals(ring.keys.length, 2);
  assertEquals(ring.sendKey.bytes, Uint8Array.from(atob(a), (c) => c.charCodeAt(0)));
  assertEquals(ring.ids, [await keyId(ring.keys[0]!.bytes), await keyId(ring.keys[1]!.bytes)]);
  assert(/^[0-9a-f]{8}$/.test(ring.sendKey.id));
});

Deno.test("keyring: errors name the source and line, never the key", async () => {
  const short = btoa("x".repeat(31));
  const error = await assertRejects(
    () => parseKeyring(`${generateKeyText()}\n${short}\n`, "k.txt"),
    KeyringError,
  );
  assertEquals(error.message, "k.txt line 2: a key must be 32 bytes, this one is 31");
  assert(!error.message.includes(short));
  await assertRejects(() => parseKeyring("not*base64!", "GOSSIPNET_KEY"), KeyringError, "line 1");
  await assertRejects(() => parseKeyring("# only a comment\n", "k.txt"), KeyringError, "no key");
});

Deno.test("keyring: a holder swaps what new handshakes see", async () => {
  const first = await parseKeyring(generateKeyText(), "a");
  const second = await parseKeyring(generateKeyText(), "b");
  const holder = new KeyringHolder(first);
  assertEquals(holder.current(), first);
  holder.replace(second);
  assertEquals(holder.current(), second);
});
