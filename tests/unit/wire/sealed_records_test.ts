import { assert, assertEquals } from "@std/assert";
import { FrameDecoder } from "../../../lib/wire/frame.ts";
import {
  RECORD_PLAINTEXT_BYTES,
  recordLimit,
  RecordOpener,
  RecordSealer,
} from "../../../lib/wire/sealed_records.ts";

async function aesKey(): Promise<CryptoKey> {
  return await crypto.subtle.importKey(
    "raw",
    crypto.getRandomValues(new Uint8Array(32)),
    "AES-GCM",
    false,
    ["encrypt", "decrypt"],
  );
}

const decoder = () => new FrameDecoder({ maxFrameBytes: recordLimit(RECORD_PLAINTEXT_BYTES) });

/** Seals each of `plains`, splits the output into records and opens them in order. */
async function roundTrip(plains: Uint8Array[]) {
  const key = await aesKey();
  const sealer = new RecordSealer(key, RECORD_PLAINTEXT_BYTES);
  const opener = new RecordOpener(key);
  const records = decoder();
  for (const plain of plains) {
    const wire = (await sealer.seal(plain)).slice();
    const batch = records.push(wire);
    assertEquals(batch.error, undefined);
    const pieces: Uint8Array[] = [];
    for (const record of batch.frames) {
      const claimed = opener.claim(record);
      if ("detail" in claimed) throw new Error(claimed.detail);
      const opened = await opener.open(claimed);
      if (!opened.ok) throw new Error(opened.detail);
      pieces.push(opened.plain);
    }
    const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const piece of pieces) (joined.set(piece, at), at += piece.length);
    assertEquals(joined, plain);
  }
  return { sealer, opener };
}

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

Deno.test("sealed records: round trip at any size, a burst then small batches", async () => {
  const sizes = [1, 50, 16_356, 16_357, 70_000, 300_000, 40_000, 100, 5000];
  const { sealer, opener } = await roundTrip(sizes.map((n, i) => bytes(n, i)));
  // Counters: one per record, the same on both sides.
  const records = sizes.reduce((n, s) => n + Math.ceil(s / RECORD_PLAINTEXT_BYTES), 0);
  assertEquals([sealer.counter, opener.expected], [records, records]);
});

Deno.test("sealed records: the ciphertext hides the plaintext and differs per counter", async () => {
  const key = await aesKey();
  const sealer = new RecordSealer(key, RECORD_PLAINTEXT_BYTES);
  const plain = new TextEncoder().encode("1732180000000:127.0.0.1:1");
  const first = (await sealer.seal(plain)).slice();
  const second = (await sealer.seal(plain)).slice();
  assertEquals(first.length, 12 + plain.length + 16);
  assert(!new TextDecoder("latin1").decode(first).includes("1732180000000"));
  assert(first.subarray(12).some((b, i) => b !== second[12 + i]), "same ciphertext twice");
});

Deno.test("sealed records: a replayed or skipped counter is refused before decrypting", async () => {
  const key = await aesKey();
  const sealer = new RecordSealer(key, RECORD_PLAINTEXT_BYTES);
  const opener = new RecordOpener(key);
  const r0 = (await sealer.seal(bytes(10, 0))).slice();
  const r1 = (await sealer.seal(bytes(10, 1))).slice();
  const [f0] = decoder().push(r0).frames;
  const [f1] = decoder().push(r1).frames;
  const skipped = opener.claim(f1!);
  assertEquals(skipped, { detail: "Sealed record 1 out of order (expected 0)" });
  assert(!("detail" in opener.claim(f0!)));
  const replayed = opener.claim(f0!);
  assertEquals(replayed, { detail: "Replayed sealed record 0 (expected 1)" });
});

Deno.test("sealed records: a flipped bit anywhere in ciphertext or tag does not open", async () => {
  const key = await aesKey();
  const sealer = new RecordSealer(key, RECORD_PLAINTEXT_BYTES);
  const wire = (await sealer.seal(bytes(40, 3))).slice();
  for (const at of [12, 30, wire.length - 16, wire.length - 1]) {
    const copy = wire.slice();
    copy[at]! ^= 0x01;
    const opener = new RecordOpener(key);
    const claimed = opener.claim(decoder().push(copy).frames[0]!);
    if ("detail" in claimed) throw new Error(claimed.detail);
    const opened = await opener.open(claimed);
    assertEquals(opened.ok, false, `byte ${at}`);
  }
});

Deno.test("sealed records: an oversize length prefix fails before anything is buffered", () => {
  const records = decoder();
  const limit = recordLimit(RECORD_PLAINTEXT_BYTES);
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, limit + 1);
  const batch = records.push(prefix);
  assertEquals(batch.error?.reason, "frame_too_large");
  assertEquals(records.allocated, 0);
  assertEquals(limit + 4, 16 * 1024);
});

Deno.test("sealed records: the experimental node cipher makes and opens the same records", async () => {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const web = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  for (const [sealSync, openSync] of [[raw, undefined], [undefined, raw], [raw, raw]]) {
    const sealer = new RecordSealer(web, RECORD_PLAINTEXT_BYTES, sealSync);
    const opener = new RecordOpener(web, openSync);
    for (const size of [1, 100, 40_000]) {
      const plain = bytes(size, size);
      const out: Uint8Array[] = [];
      for (const record of decoder().push((await sealer.seal(plain)).slice()).frames) {
        const claimed = opener.claim(record);
        if ("detail" in claimed) throw new Error(claimed.detail);
        const opened = await opener.open(claimed);
        if (!opened.ok) throw new Error(opened.detail);
        out.push(opened.plain);
      }
      assertEquals(out.reduce((n, p) => n + p.length, 0), size);
      assertEquals(out[0]!.subarray(0, 1)[0], plain[0]);
    }
  }
  // A flipped bit does not open under the node cipher either.
  const sealer = new RecordSealer(web, RECORD_PLAINTEXT_BYTES, raw);
  const wire = (await sealer.seal(bytes(30, 1))).slice();
  wire[20]! ^= 1;
  const opener = new RecordOpener(web, raw);
  const claimed = opener.claim(decoder().push(wire).frames[0]!);
  if ("detail" in claimed) throw new Error(claimed.detail);
  assertEquals((await opener.open(claimed)).ok, false);
});
