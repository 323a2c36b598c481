/**
 * The decoded-address table: whatever it finds is the address the bytes
 * spell (collisions included), and decoding through it changes nothing but
 * which object comes back.
 */

import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import fc from "fast-check";
import { AddressCache } from "../../../lib/wire/_address_cache.ts";
import { decodeMessage, encodeMessage, type Message } from "../../../lib/wire/messages.ts";
import { FrameDecoder } from "../../../lib/wire/frame.ts";
import { host } from "../../support/wire_arbitraries.ts";

// Two ports only, so colliding slots often share a port too: only the host's bytes tell them apart.
const anyAddress = fc.record({ host, port: fc.constantFrom(6000, 6001) });

const UTF8 = new TextEncoder();

function wire(host: string): Uint8Array {
  // Padded on both sides: find() must read only the bytes it is pointed at.
  const bytes = UTF8.encode(host);
  const padded = new Uint8Array(bytes.length + 6).fill(0x41);
  padded.set(bytes, 3);
  return padded;
}

function decodeOne(message: Message): Message {
  const batch = new FrameDecoder().push(encodeMessage(message));
  const result = decodeMessage(batch.frames[0]!);
  if (!result.ok) throw new Error(result.detail);
  return result.message;
}

// Keeps some addresses in a 16-slot table (most of them collide) and looks
// them and others up: whatever is found is what the bytes spell, and the
// last one kept is always found.
function assertFindsOnlyWhatBytesSpell(addresses: fc.Arbitrary<{ host: string; port: number }>) {
  fc.assert(
    fc.property(
      fc.array(addresses, { minLength: 1, maxLength: 60 }),
      fc.array(addresses, { maxLength: 60 }),
      (kept, others) => {
        const cache = new AddressCache(16);
        for (const a of kept) cache.remember(a);
        for (const query of [...kept, ...others]) {
          const bytes = wire(query.host);
          const found = cache.find(bytes, 3, bytes.length - 6, query.port);
          if (found !== undefined) assertEquals({ ...found }, { ...query });
        }
        const last = kept[kept.length - 1]!;
        const bytes = wire(last.host);
        assertEquals({ ...cache.find(bytes, 3, bytes.length - 6, last.port)! }, { ...last });
      },
    ),
    { numRuns: 2000 },
  );
}

Deno.test("AddressCache.find() returns only the address the bytes spell, even when slots collide", () => {
  assertFindsOnlyWhatBytesSpell(anyAddress);
});

Deno.test("AddressCache.find() tells hosts apart on both sides of the 28 bytes a row holds", () => {
  // Hosts of 1 to 40 characters from a small alphabet share prefixes and
  // lengths often; short ones live in the table's rows, long ones beside it.
  const nearHost = fc.stringMatching(/^[ab.:]{1,40}$/);
  assertFindsOnlyWhatBytesSpell(fc.record({ host: nearHost, port: fc.constantFrom(6000, 6001) }));
});

Deno.test("AddressCache.find() tells apart hosts that differ in one byte, at every position and length", () => {
  // Bytes that differ from "a" only above their low four bits hash to the
  // same slot of a 16-slot table (FNV's steps keep the low bits apart
  // otherwise), so each pair below shares a slot: the later host replaces
  // the earlier, which must then not be found as the later one.
  let shared = 0;
  for (let length = 1; length <= 40; length++) {
    const base = "a".repeat(length);
    for (let at = 0; at < length; at++) {
      for (const c of "qAQ!1") {
        const other = base.slice(0, at) + c + base.slice(at + 1);
        const cache = new AddressCache(16);
        cache.remember({ host: base, port: 6000 });
        cache.remember({ host: other, port: 6000 });
        const bytes = wire(base);
        const found = cache.find(bytes, 3, bytes.length - 6, 6000);
        if (found === undefined) shared++;
        else assertEquals(found.host, base);
      }
    }
  }
  assert(shared > 1000, `only ${shared} pairs shared a slot`);
});

Deno.test("AddressCache keeps frozen copies, and no host that is not ASCII", () => {
  const cache = new AddressCache(64);
  const given = { host: "10.0.0.7", port: 6000 };
  const kept = cache.remember(given);
  assert(kept !== given && Object.isFrozen(kept));
  const bytes = UTF8.encode("10.0.0.7");
  assertStrictEquals(cache.find(bytes, 0, bytes.length, 6000), kept);
  assertEquals(cache.find(bytes, 0, bytes.length, 6001), undefined);
  // "Ã©" as chars 0xC3 0xA9 would match the UTF-8 bytes of "é": such hosts are never kept.
  const latin = { host: "\u00c3\u00a9", port: 1 };
  assertStrictEquals(cache.remember(latin), latin);
  const e = UTF8.encode("\u00e9");
  assertEquals(cache.find(e, 0, e.length, 1), undefined);
  assertEquals(new AddressCache(1000).slots, 1024);
});

Deno.test("decoding the same address twice gives one shared, frozen object; bad hosts still fail every time", () => {
  const gossip: Message = { kind: "gossip", origin: { host: "192.0.2.44", port: 7001 }, text: "x" };
  const first = decodeOne(gossip);
  const second = decodeOne(gossip);
  if (first.kind !== "gossip" || second.kind !== "gossip") throw new Error("not gossip");
  assertEquals(first, gossip);
  assertStrictEquals(first.origin, second.origin);
  assert(Object.isFrozen(first.origin));
  // A client's hello may carry port 0; it is never kept, so a peer's port 0 is still refused.
  const bad = new FrameDecoder().push(
    encodeMessage({ ...gossip, origin: { host: "192.0.2.44", port: 0 } }),
  );
  for (let i = 0; i < 2; i++) {
    const result = decodeMessage(bad.frames[0]!);
    assert(!result.ok && /port is 0/.test(result.detail), JSON.stringify(result));
  }
});
