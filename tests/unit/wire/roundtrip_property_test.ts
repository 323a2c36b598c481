/**
 * Property tests: every message kind survives encode → frame decode →
 * message decode unchanged, for values drawn over each field's whole range
 * (see `tests/support/wire_arbitraries.ts`), from every starting size of the
 * encoder's buffer. A buffer that grows mid-field must never lose a byte:
 * that bug hid behind loopback-length addresses for a whole release.
 *
 * Runs per kind: `GOSSIPNET_PROPERTY_RUNS` (default 10,000). A failure
 * prints fast-check's seed and path; set `GOSSIPNET_PROPERTY_SEED` to replay.
 */

import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { ByteWriter } from "../../../lib/wire/_bytes.ts";
import { FrameDecoder, MAX_FRAME_BYTES } from "../../../lib/wire/frame.ts";
import {
  catchUpMessages,
  decodeMessage,
  encodeMessage,
  encodeMessageFrom,
  encodeTransient,
  membersMessages,
  type Message,
  type MessageKind,
  peerListMessages,
  syncStateMessages,
} from "../../../lib/wire/messages.ts";
import { dnsName, hostName, MESSAGE_ARBITRARIES } from "../../support/wire_arbitraries.ts";
import { APP_SAMPLES, SAMPLES } from "../../support/wire_samples.ts";
import { isValidHost } from "../../../lib/util/address.ts";

// Unit tests run without permissions: read the knobs only where allowed.
function setting(name: string): string | undefined {
  const granted = Deno.permissions.querySync({ name: "env", variable: name }).state === "granted";
  return granted ? Deno.env.get(name) : undefined;
}

const RUNS = Number(setting("GOSSIPNET_PROPERTY_RUNS") ?? 10_000);
const SEED_TEXT = setting("GOSSIPNET_PROPERTY_SEED");
const PARAMS: fc.Parameters<unknown> = {
  numRuns: RUNS,
  ...(SEED_TEXT === undefined ? {} : { seed: Number(SEED_TEXT) }),
};

/** Encodes with the given starting buffer size and decodes through the framer. */
function roundTrip(message: Message, initialCapacity: number): Message {
  const bytes = encodeMessageFrom(message, initialCapacity);
  const batch = new FrameDecoder().push(bytes);
  assertEquals(batch.error, undefined);
  assertEquals(batch.frames.length, 1);
  const result = decodeMessage(batch.frames[0]!);
  if (!result.ok) throw new Error(`${message.kind} did not decode: ${result.detail}`);
  return result.message;
}

/** Splits list messages the way nodes send them; other kinds are one frame. */
function asSent(message: Message): Message[] {
  if (message.kind === "peer_list") return peerListMessages(message.requestId, message.peers);
  if (message.kind === "sync_state") return syncStateMessages(message.requestId, message.records);
  if (message.kind === "catch_up") return catchUpMessages(message.items);
  if (message.kind === "members") return membersMessages(message.requestId, message.records);
  return [message];
}

/** Puts split parts back together (the receiver's job). */
function reassemble(original: Message, parts: Message[]): Message {
  if (original.kind === "peer_list") {
    const peers = parts.flatMap((p) => p.kind === "peer_list" ? p.peers : []);
    return { ...original, more: false, peers };
  }
  if (original.kind === "catch_up") {
    const items = parts.flatMap((p) => p.kind === "catch_up" ? p.items : []);
    return { ...original, more: false, items };
  }
  if (original.kind === "sync_state") {
    const records = parts.flatMap((p) => p.kind === "sync_state" ? p.records : []);
    return { ...original, more: false, records };
  }
  if (original.kind === "members") {
    const records = parts.flatMap((p) => p.kind === "members" ? p.records : []);
    return { ...original, more: false, records };
  }
  return parts[0]!;
}

function hasNegativeZero(message: Message): boolean {
  const stamps = message.kind === "sync_state" || message.kind === "members"
    ? message.records.map((r) => r.version.stamp)
    : message.kind === "commit"
    ? [message.record.version.stamp]
    : "stamp" in message
    ? [message.stamp]
    : [];
  return stamps.some((s) => Object.is(s, -0));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const capacity = fc.oneof(fc.integer({ min: 1, max: 96 }), fc.integer({ min: 1, max: 70_000 }));

for (const kind of Object.keys(MESSAGE_ARBITRARIES) as MessageKind[]) {
  Deno.test(`decodeMessage(encodeMessage(m)) equals m for every ${kind}`, () => {
    const arbitrary = MESSAGE_ARBITRARIES[kind] as fc.Arbitrary<Message>;
    fc.assert(
      fc.property(arbitrary, capacity, (message, initialCapacity) => {
        const parts = asSent(message);
        const decoded = parts.map((part) => roundTrip(part, initialCapacity));
        for (const [i, part] of decoded.entries()) {
          if (
            part.kind === "peer_list" || part.kind === "sync_state" || part.kind === "catch_up" ||
            part.kind === "members"
          ) {
            // Every part but the last says more follows.
            assertEquals(part.more, i < decoded.length - 1);
          }
        }
        const whole = reassemble(message, decoded);
        const split = message.kind === "peer_list" || message.kind === "sync_state" ||
          message.kind === "catch_up" || message.kind === "members";
        const expected = split ? { ...message, more: false } : message;
        // Payload bytes compared as bytes: JSON of a 64 KiB typed array is slow.
        if ("data" in whole && "data" in expected) {
          assert(sameBytes(whole.data, expected.data), `${kind} data differs`);
          const { data: _a, ...restWhole } = whole;
          const { data: _b, ...restExpected } = expected;
          assertEquals(restWhole, restExpected);
          return;
        }
        // JSON first: native and fast on lists of thousands; the deep
        // comparison (and its diff) only when they differ or hold a -0.
        if (JSON.stringify(whole) !== JSON.stringify(expected) || hasNegativeZero(expected)) {
          assertEquals(whole, expected);
        }
      }),
      PARAMS,
    );
  });
}

Deno.test("peer lists and sync states too long for one frame are refused whole and split to fit", () => {
  fc.assert(
    fc.property(MESSAGE_ARBITRARIES.peer_list, (message) => {
      const parts = peerListMessages(message.requestId, message.peers);
      for (const part of parts) assert(encodeMessage(part).length <= MAX_FRAME_BYTES + 4);
      if (parts.length > 1) assertThrows(() => encodeMessage(message), RangeError);
    }),
    { ...PARAMS, numRuns: Math.max(100, Math.floor(RUNS / 10)) },
  );
});

Deno.test("encodeMessage() gives the same bytes from every starting buffer size", () => {
  for (const message of [...SAMPLES, ...APP_SAMPLES]) {
    const reference = encodeMessage(message);
    for (let size = 1; size <= reference.length + 1; size++) {
      assertEquals(
        encodeMessageFrom(message, size),
        reference,
        `${message.kind} from ${size}`,
      );
    }
  }
});

Deno.test("a sync_state of 10.213.69.1 records decodes (the multi-host corruption case)", () => {
  const records = [0, 1, 2, 3].map((i) => ({
    address: { host: "10.213.69.1", port: 7000 },
    state: "member" as const,
    version: { stamp: 1796165581562.951 + i, origin: "0123456789abcdef" },
    degree: i,
  }));
  const message: Message = { kind: "sync_state", requestId: 7, more: false, records };
  assertEquals(roundTrip(message, 64), message);
});

Deno.test("ByteWriter keeps every byte when it grows at any field", () => {
  // Each operation, preceded by 0..N filler bytes, from every start size.
  const ops: Array<[string, (w: ByteWriter) => void, number]> = [
    ["u8", (w) => w.u8(0xab), 1],
    ["u16", (w) => w.u16(0xabcd), 2],
    ["u32", (w) => w.u32(0xdeadbeef), 4],
    ["f64", (w) => w.f64(Math.PI), 8],
    ["bytes", (w) => w.bytes(Uint8Array.from([1, 2, 3, 4, 5, 6, 7])), 7],
    ["str8", (w) => w.str8("héllo"), 7],
    ["str16", (w) => w.str16("x".repeat(100)), 102],
  ];
  for (const [name, op, size] of ops) {
    const reference = new ByteWriter(1024);
    reference.bytes(new Uint8Array(0));
    op(reference);
    const expected = reference.view().slice();
    for (let filler = 0; filler < 20; filler++) {
      for (let start = 1; start <= filler + size + 1; start++) {
        const w = new ByteWriter(start);
        for (let i = 0; i < filler; i++) w.u8(i);
        op(w);
        const out = w.view();
        assertEquals(out.length, filler + size, `${name} after ${filler} from ${start}`);
        assertEquals(out.slice(filler), expected, `${name} after ${filler} from ${start}`);
        for (let i = 0; i < filler; i++) assertEquals(out[i], i);
      }
    }
  }
});

Deno.test("the host generator makes valid DNS names of every length 1-253", () => {
  for (let length = 1; length <= 253; length++) {
    for (const seed of [0, 1, 7, 99]) {
      const name = hostName(length, seed);
      assertEquals(name.length, length, `length ${length} seed ${seed}: ${name}`);
      assert(isValidHost(name), `not valid: ${name}`);
    }
  }
  fc.assert(fc.property(dnsName, (name) => isValidHost(name)), { numRuns: 1000 });
});

Deno.test("encodeTransient() gives encodeMessage()'s bytes, whatever it encoded before", () => {
  // The shared buffer is reused: a long message then a short one must not
  // leave the long one's tail behind, and a failed encode must not poison it.
  const all = [...SAMPLES, ...APP_SAMPLES];
  assertThrows(
    () =>
      encodeTransient({ kind: "gossip", origin: { host: "x".repeat(300), port: 1 }, text: "t" }),
    RangeError,
  );
  for (const first of all) {
    encodeTransient(first);
    for (const message of all) {
      assert(
        sameBytes(encodeTransient(message), encodeMessage(message)),
        `${first.kind} then ${message.kind}`,
      );
    }
  }
  fc.assert(
    fc.property(
      fc.oneof(...Object.values(MESSAGE_ARBITRARIES) as fc.Arbitrary<Message>[]),
      (message) => {
        let reference: Uint8Array;
        try {
          reference = encodeMessage(message);
        } catch (error) {
          assertThrows(() => encodeTransient(message), RangeError);
          assert(error instanceof RangeError);
          return;
        }
        assert(sameBytes(encodeTransient(message), reference));
      },
    ),
    { ...PARAMS, numRuns: Math.max(100, Math.floor(RUNS / 10)) },
  );
});
