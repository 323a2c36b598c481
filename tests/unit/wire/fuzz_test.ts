/**
 * Seeded fuzzing of FrameDecoder + decodeMessage. Every case derives from
 * `FUZZ_SEED + case index`, so a failure message names the one seed that
 * reproduces it: `seededRng(seed)` regenerates the same buffer and chunking.
 */

import { assert, assertEquals } from "@std/assert";
import { FrameDecoder, type FrameError, MAX_FRAME_BYTES } from "../../../lib/wire/frame.ts";
import {
  decodeMessage,
  type DecodeResult,
  encodeMessage,
  HELLO_MAGIC,
  isKnownType,
  MessageType,
  PROTOCOL_VERSION,
} from "../../../lib/wire/messages.ts";
import type { Rng } from "../../../lib/util/random.ts";
import { randomInt, seededRng } from "../../support/rng.ts";
import { FOUNDATION_TYPES, SAMPLES } from "../../support/wire_samples.ts";

const FUZZ_SEED = 0x6055_1900;
const CASES = 12_000;

const VALID_FRAMES: readonly Uint8Array[] = SAMPLES.map(encodeMessage);
const FRAME_REASONS = ["empty_frame", "frame_too_large"];
const DECODE_REASONS = ["unknown_type", "malformed", "bad_magic", "unsupported_version"];
// Type byte -> kind, for the foundation kinds; later kinds are checked generically.
const KIND_NAMES = new Map([...FOUNDATION_TYPES].map(([kind, type]) => [type, kind]));
const FOUNDATION_KINDS: ReadonlySet<string> = new Set(FOUNDATION_TYPES.keys());

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[randomInt(rng, 0, items.length - 1)] as T;
}

function randomBytes(rng: Rng, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => randomInt(rng, 0, 255));
}

function validStream(rng: Rng): Uint8Array {
  return concat(Array.from({ length: randomInt(rng, 1, 4) }, () => pick(rng, VALID_FRAMES)));
}

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

/** The generators; each returns one buffer. Named for failure messages. */
const GENERATORS: ReadonlyArray<readonly [string, (rng: Rng) => Uint8Array]> = [
  ["pure random bytes", (rng) => randomBytes(rng, randomInt(rng, 0, 300))],
  ["bit flips", (rng) => {
    const bytes = validStream(rng).slice();
    for (let n = randomInt(rng, 1, 8); n > 0; n--) {
      const at = randomInt(rng, 0, bytes.length - 1);
      bytes[at] = (bytes[at] as number) ^ (1 << randomInt(rng, 0, 7));
    }
    return bytes;
  }],
  ["truncation", (rng) => {
    const bytes = validStream(rng);
    return bytes.slice(0, randomInt(rng, 0, bytes.length - 1));
  }],
  ["splice", (rng) => {
    const a = validStream(rng);
    const b = validStream(rng);
    const cutA = randomInt(rng, 0, a.length);
    const cutB = randomInt(rng, 0, b.length);
    return concat([a.subarray(0, cutA), b.subarray(cutB)]);
  }],
  ["random length prefix", (rng) => {
    const bytes = pick(rng, VALID_FRAMES).slice();
    const length = pick(rng, [
      () => randomInt(rng, 0, 0xffffffff),
      () => randomInt(rng, MAX_FRAME_BYTES + 1, MAX_FRAME_BYTES + 1000),
      () => randomInt(rng, 0, bytes.length + 8),
      () => 0,
    ])();
    writeU32(bytes, 0, length);
    return bytes;
  }],
  ["random type byte", (rng) => {
    const bytes = pick(rng, VALID_FRAMES).slice();
    bytes[4] = randomInt(rng, 0, 255);
    return bytes;
  }],
  ["known type, random payload", (rng) => {
    const payload = randomBytes(rng, randomInt(rng, 0, 80));
    const bytes = new Uint8Array(5 + payload.length);
    writeU32(bytes, 0, payload.length + 1);
    bytes[4] = randomInt(rng, 1, 13);
    bytes.set(payload, 5);
    return bytes;
  }],
  ["hello with random fields", (rng) => {
    const tail = randomBytes(rng, randomInt(rng, 0, 40));
    const payload = concat([
      rng() < 0.8 ? HELLO_MAGIC : randomBytes(rng, 4),
      new Uint8Array(rng() < 0.7 ? [0, PROTOCOL_VERSION] : [randomInt(rng, 0, 255), 2]),
      new Uint8Array([randomInt(rng, 0, 4)]),
      tail,
    ]);
    const bytes = new Uint8Array(5 + payload.length);
    writeU32(bytes, 0, payload.length + 1);
    bytes[4] = MessageType.Hello;
    bytes.set(payload, 5);
    return bytes;
  }],
  ["insertions and deletions", (rng) => {
    const bytes = Array.from(validStream(rng));
    for (let n = randomInt(rng, 1, 4); n > 0; n--) {
      const at = randomInt(rng, 0, bytes.length);
      if (rng() < 0.5) bytes.splice(at, randomInt(rng, 1, 3));
      else bytes.splice(at, 0, ...randomBytes(rng, randomInt(rng, 1, 3)));
    }
    return Uint8Array.from(bytes);
  }],
  [
    "valid frames then garbage",
    (rng) => concat([validStream(rng), randomBytes(rng, randomInt(rng, 1, 20))]),
  ],
];

/** What a decoder made of a byte stream, with payloads copied out. */
interface Outcome {
  frames: Array<{ type: number; payload: number[] }>;
  error: FrameError | undefined;
  results: DecodeResult[];
}

function chunkings(rng: Rng, length: number): number[] {
  const sizes: number[] = [];
  const max = pick(rng, [1, 3, 8, 64, 1000]);
  for (let at = 0; at < length;) {
    const size = randomInt(rng, 1, max);
    sizes.push(size);
    at += size;
  }
  return sizes;
}

/** Feeds `bytes` in chunks of `sizes`, checking invariants after every push. */
function feed(bytes: Uint8Array, sizes: readonly number[], where: string): Outcome {
  const decoder = new FrameDecoder();
  const outcome: Outcome = { frames: [], error: undefined, results: [] };
  let fed = 0;
  let framed = 0;
  let at = 0;
  for (const size of sizes) {
    // Sometimes a view into a larger buffer, as a socket read would give.
    const chunk = bytes.subarray(at, at + size);
    at += size;
    fed += chunk.length;
    const batch = decoder.push(chunk);
    for (const frame of batch.frames) {
      framed += 5 + frame.payload.length;
      outcome.frames.push({ type: frame.type, payload: Array.from(frame.payload) });
      let result: DecodeResult;
      try {
        result = decodeMessage(frame);
      } catch (error) {
        throw new Error(`${where}: decodeMessage() threw on type ${frame.type}: ${error}`);
      }
      checkResult(result, frame.type, frame.payload.length, where);
      outcome.results.push(result);
    }
    if (batch.error) {
      outcome.error = batch.error;
      assertEquals(decoder.error, batch.error, where);
      assert(FRAME_REASONS.includes(batch.error.reason), `${where}: ${batch.error.reason}`);
      if (batch.error.reason === "frame_too_large") {
        assert(batch.error.length > MAX_FRAME_BYTES, `${where}: length ${batch.error.length}`);
        assertEquals(batch.error.limit, MAX_FRAME_BYTES, where);
        // The body of an oversize frame is never buffered.
        assert(decoder.buffered <= 4, `${where}: buffered ${decoder.buffered} after oversize`);
      }
      break;
    }
    // Every byte fed is either in a frame or held back: nothing lost, nothing invented.
    assertEquals(fed, framed + decoder.buffered, `${where}: byte accounting`);
  }
  if (outcome.error) {
    // A failed decoder stays failed and yields nothing more.
    const again = decoder.push(VALID_FRAMES[0] as Uint8Array);
    assertEquals(again.frames.length, 0, where);
    assertEquals(again.error, outcome.error, where);
  }
  return outcome;
}

function checkResult(
  result: DecodeResult,
  type: number,
  payloadLength: number,
  where: string,
): void {
  if (result.ok) {
    const kind = result.message.kind;
    const expected = KIND_NAMES.get(type);
    if (expected) assertEquals(kind, expected, `${where}: type ${type} decoded as ${kind}`);
    else assert(!FOUNDATION_KINDS.has(kind), `${where}: type ${type} decoded as ${kind}`);
    assert(isKnownType(type), `${where}: unknown type ${type} decoded as ${kind}`);
    // What decodes re-encodes to something that decodes the same.
    const bytes = encodeMessage(result.message);
    // Every payload byte was part of the message: none skipped, none left over.
    assertEquals(bytes.length - 5, payloadLength, `${where}: ${kind} re-encodes to another size`);
    const [frame] = new FrameDecoder().push(bytes).frames;
    if (!frame) throw new Error(`${where}: re-encoded ${kind} did not frame`);
    assertEquals(decodeMessage(frame), result, `${where}: re-encoding changed the message`);
    return;
  }
  assert(DECODE_REASONS.includes(result.reason), `${where}: unknown reason ${result.reason}`);
  assertEquals(result.type, type, where);
  // (That the detail is one printable line is tested in messages_test.ts.)
  assert(result.detail.length > 0, `${where}: empty detail`);
  assertEquals(result.reason === "unknown_type", !isKnownType(type), `${where}: ${result.detail}`);
  switch (result.reason) {
    case "unknown_type":
      assertEquals(result.detail, `Unknown message type ${type}`, where);
      break;
    case "malformed":
      assert(
        result.detail.startsWith(`Malformed ${KIND_NAMES.get(type) ?? ""}`),
        `${where}: ${result.detail}`,
      );
      break;
    case "bad_magic":
      assertEquals(type, MessageType.Hello, where);
      break;
    case "unsupported_version":
      assertEquals(type, MessageType.Hello, where);
      assert(
        typeof result.remoteVersion === "number" && result.remoteVersion !== PROTOCOL_VERSION,
        `${where}: remoteVersion ${result.remoteVersion}`,
      );
      break;
  }
  if (result.reason !== "unsupported_version") {
    assertEquals(result.remoteVersion, undefined, where);
  }
}

Deno.test("FrameDecoder and decodeMessage() survive seeded random and mutated input", () => {
  const started = performance.now();
  const tally = new Map<string, number>();
  const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);

  for (let i = 0; i < CASES; i++) {
    const seed = FUZZ_SEED + i;
    const rng = seededRng(seed);
    const [name, generate] = GENERATORS[i % GENERATORS.length] as (typeof GENERATORS)[number];
    const bytes = generate(rng);
    const where = `seed ${seed} (${name}, ${bytes.length} bytes)`;

    const whole = feed(bytes, [bytes.length], `${where}, one chunk`);
    const split = feed(bytes, chunkings(rng, bytes.length), `${where}, random chunks`);
    // Chunking never changes what a stream means.
    assertEquals(split, whole, `${where}: chunked decoding differs from whole`);

    if (whole.error) count(whole.error.reason);
    for (const result of whole.results) count(result.ok ? "ok" : result.reason);
  }

  // Every outcome was reached, so the generators exercise every branch.
  for (const key of [...FRAME_REASONS, ...DECODE_REASONS, "ok"]) {
    assert((tally.get(key) ?? 0) >= 20, `seed ${FUZZ_SEED}: only ${tally.get(key)} ${key}`);
  }
  const elapsed = performance.now() - started;
  assert(elapsed < 30_000, `seed ${FUZZ_SEED}: ${CASES} cases took ${Math.round(elapsed)} ms`);
});

Deno.test("FrameDecoder.push() buffers at most the prefix of any oversize frame", () => {
  for (let i = 0; i < 2_000; i++) {
    const seed = FUZZ_SEED + 1_000_000 + i;
    const rng = seededRng(seed);
    const length = randomInt(rng, MAX_FRAME_BYTES + 1, 0xffffffff);
    const prefix = new Uint8Array(4);
    writeU32(prefix, 0, length);
    // Some valid frames first, then the prefix, then a body's worth of bytes.
    const lead = rng() < 0.5 ? validStream(rng) : new Uint8Array();
    const bytes = concat([lead, prefix, randomBytes(rng, randomInt(rng, 0, 2000))]);
    const decoder = new FrameDecoder();
    let error: FrameError | undefined;
    let frames = 0;
    for (let at = 0; at < bytes.length && !error;) {
      const size = randomInt(rng, 1, 50);
      const batch = decoder.push(bytes.subarray(at, at + size));
      at += size;
      frames += batch.frames.length;
      error = batch.error;
      assert(decoder.buffered <= Math.max(4, lead.length), `seed ${seed}: ${decoder.buffered}`);
    }
    const where = `seed ${seed}, length ${length}`;
    assertEquals(error?.reason, "frame_too_large", where);
    assertEquals(error?.message, `Frame length (${length}) exceeds limit (${MAX_FRAME_BYTES})`);
    assert(decoder.buffered <= 4, `${where}: buffered ${decoder.buffered}`);
    assertEquals(frames, new FrameDecoder().push(lead).frames.length, where);
  }
});
