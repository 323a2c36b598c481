/**
 * The library's keys, through `mod.ts` alone: nodes keyed with `key` or
 * `keyFile`, a payload over keyed links, a wrong key refused with
 * `auth_failed`, and `reloadKeys()` for rotation.
 */

import { assertEquals, assertRejects } from "@std/assert";
import { type LogEvent, startPeer, startSeed } from "../../mod.ts";
import { generateKeyText } from "../../lib/wire/keyring.ts";
import { ConfigError } from "../../lib/util/errors.ts";
import { waitFor } from "../support/jsonl_log.ts";
import { freePortBlock } from "../support/ports.ts";

/** `promise`, or a failure naming `what` after 20 s (a test must end, not hang). */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No ${what} within 20s`)), 20_000);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first event of `events` that passes `test`. */
async function first(
  events: AsyncIterableIterator<LogEvent>,
  test: (e: LogEvent) => boolean,
): Promise<LogEvent> {
  for await (const event of events) if (test(event)) return event;
  throw new Error("The events ended first");
}

Deno.test("library: keyed nodes deliver; a wrong key is refused; reloadKeys() rotates", async () => {
  const [a, b] = [generateKeyText(), generateKeyText()];
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-libkeys-" });
  // Removed last, whatever happens, after every node below has stopped.
  using _dir = { [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }) };
  const file = `${dir}/net.key`;
  await Deno.writeTextFile(file, `${a}\n`);
  const port = freePortBlock(1);
  const seeds = [`127.0.0.1:${port}`];
  await using seed = await startSeed({ port, seeds, keyFile: file });
  await seed.ready;
  // One after the other, so bob links to alice with no simultaneous dial to settle.
  await using alice = await startPeer({ port: 0, seeds, key: a, gossipCount: 0 });
  await alice.joined;
  await using bob = await startPeer({ port: 0, seeds, key: a, gossipCount: 0 });
  await bob.joined;
  await waitFor(
    "alice and bob to link",
    () => alice.neighbors().length > 0 && bob.neighbors().length > 0,
  );
  const inbox = bob.messages();
  const id = alice.publish("sealed hello");
  const got = await within(inbox.next(), "message at bob");
  assertEquals(got.value?.id, id);
  assertEquals(new TextDecoder().decode(got.value?.data), "sealed hello");
  assertEquals(seed.keys().length, 1);

  // A peer with another key: refused at the seed, which says so.
  const refused = first(seed.events(), (e) => e.event === "auth_failed");
  await using mallory = await startPeer({ port: 0, seeds, key: b, gossipCount: 0 });
  await within(refused, "auth_failed at the seed");
  assertEquals(mallory.neighbors(), []);
  assertEquals(seed.members().length, 2);

  // Rotation step 1 on the seed: it now accepts b as well, and says so.
  await Deno.writeTextFile(file, `${a}\n${b}\n`);
  assertEquals((await seed.reloadKeys()).length, 2);
  assertEquals(seed.keys(), await seed.reloadKeys());
  await Deno.writeTextFile(file, "garbage\n");
  await assertRejects(() => seed.reloadKeys(), ConfigError, "line 1");
  assertEquals(seed.keys().length, 2);
  await assertRejects(() => alice.reloadKeys(), ConfigError, "only a key file is reread");
});
