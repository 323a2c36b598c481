import { assert, assertEquals } from "@std/assert";
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from "../../../lib/wire/frame.ts";
import { randomInt, seededRng } from "../../support/rng.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function frames(count: number): Uint8Array[] {
  return Array.from(
    { length: count },
    (_, i) => encodeFrame(1 + (i % 13), new Uint8Array(i * 7 % 50).fill(i & 0xff)),
  );
}

function decodeAll(decoder: FrameDecoder, chunks: Uint8Array[]): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  for (const chunk of chunks) {
    const batch = decoder.push(chunk);
    assertEquals(batch.error, undefined);
    // Copy: payloads may be views valid only until the next push.
    for (const f of batch.frames) out.push([f.type, Array.from(f.payload)]);
  }
  return out;
}

Deno.test("encodeFrame() writes length, type, payload", () => {
  assertEquals(Array.from(encodeFrame(9, new Uint8Array([1, 2]))), [0, 0, 0, 3, 9, 1, 2]);
});

Deno.test("FrameDecoder.push() gives the same frames for any chunking", async (t) => {
  const input = frames(200);
  const stream = concat(input);
  const expected = decodeAll(new FrameDecoder(), [stream]);
  assertEquals(expected.length, 200);

  await t.step("byte by byte", () => {
    const chunks = Array.from(stream, (b) => new Uint8Array([b]));
    assertEquals(decodeAll(new FrameDecoder(), chunks), expected);
  });
  await t.step("random chunk sizes (seeded)", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rng = seededRng(seed);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < stream.length;) {
        const size = randomInt(rng, 1, 97);
        chunks.push(stream.slice(at, at + size));
        at += size;
      }
      assertEquals(decodeAll(new FrameDecoder(), chunks), expected, `seed ${seed}`);
    }
  });
  await t.step("length prefix split across chunks", () => {
    const one = encodeFrame(3, new Uint8Array([7, 7, 7]));
    for (let cut = 1; cut < 4; cut++) {
      const decoder = new FrameDecoder();
      assertEquals(decoder.push(one.subarray(0, cut)).frames.length, 0);
      assertEquals(decoder.buffered, cut);
      const [frame] = decoder.push(one.subarray(cut)).frames;
      assertEquals(frame?.type, 3);
      assertEquals(Array.from(frame?.payload ?? []), [7, 7, 7]);
      assertEquals(decoder.buffered, 0);
    }
  });
});

Deno.test("FrameDecoder.push() rejects a zero length prefix", () => {
  const batch = new FrameDecoder().push(new Uint8Array([0, 0, 0, 0, 1]));
  assertEquals(batch.error?.reason, "empty_frame");
  assertEquals(batch.frames.length, 0);
});

Deno.test("FrameDecoder.push() rejects an oversize prefix before buffering its body", () => {
  const decoder = new FrameDecoder();
  const batch = decoder.push(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
  assertEquals(batch.error?.reason, "frame_too_large");
  assertEquals(
    batch.error?.message,
    `Frame length (2147483647) exceeds limit (${MAX_FRAME_BYTES})`,
  );
  // Nothing of the body was kept.
  assert(decoder.buffered <= 4);
});

Deno.test("FrameDecoder.push() rejects an oversize prefix split across chunks", () => {
  const decoder = new FrameDecoder({ maxFrameBytes: 100 });
  assertEquals(decoder.push(new Uint8Array([0, 0])).error, undefined);
  const batch = decoder.push(new Uint8Array([0, 101, 1]));
  assertEquals(batch.error?.reason, "frame_too_large");
  assertEquals(decoder.push(encodeFrame(1, new Uint8Array())).error?.reason, "frame_too_large");
});

Deno.test("FrameDecoder.push() keeps frames that precede a bad prefix", () => {
  const good = encodeFrame(5, new Uint8Array([1]));
  const batch = new FrameDecoder().push(concat([good, new Uint8Array([0, 0, 0, 0])]));
  assertEquals(batch.frames.length, 1);
  assertEquals(batch.error?.reason, "empty_frame");
});

Deno.test("FrameDecoder.push() accepts a frame of exactly the limit", () => {
  const decoder = new FrameDecoder({ maxFrameBytes: 10 });
  const batch = decoder.push(encodeFrame(1, new Uint8Array(9)));
  assertEquals(batch.error, undefined);
  assertEquals(batch.frames[0]?.payload.length, 9);
});

Deno.test("FrameDecoder.push() allocates for the bytes received, not the declared length", async (t) => {
  await t.step("a maximum-size header alone costs at most 1 KiB", () => {
    const decoder = new FrameDecoder();
    const header = new Uint8Array([0, 1, 0, 0, 8]); // L = 65536, type 8
    assertEquals(decoder.push(header).frames, []);
    assertEquals(decoder.allocated <= 1024, true, `allocated ${decoder.allocated}`);
  });
  await t.step("the buffer doubles as the body arrives, and the frame is intact", () => {
    const decoder = new FrameDecoder();
    const payload = new Uint8Array(40_000).map((_, i) => i % 251);
    const bytes = encodeFrame(8, payload);
    const seen: number[] = [];
    let frames: ReturnType<FrameDecoder["push"]>["frames"] = [];
    for (let at = 0; at < bytes.length; at += 3000) {
      frames = decoder.push(bytes.subarray(at, at + 3000)).frames;
      if (frames.length === 0) {
        seen.push(decoder.allocated);
        assertEquals(decoder.allocated <= Math.max(1024, 2 * decoder.buffered), true);
      }
    }
    assertEquals(frames.length, 1);
    assertEquals(frames[0]?.payload, payload);
    assertEquals(seen.every((n, i) => i === 0 || n >= (seen[i - 1] as number)), true);
  });
});

Deno.test("FrameDecoder: initialBodyBytes gives a spanning frame its declared length at once", () => {
  const frame = encodeFrame(9, new Uint8Array(5000).fill(7));
  const grown = new FrameDecoder();
  grown.push(frame.subarray(0, 10));
  assertEquals(grown.allocated, 1024);
  const once = new FrameDecoder({ initialBodyBytes: 65536 });
  once.push(frame.subarray(0, 10));
  assertEquals(once.allocated, 5001);
  const [whole] = once.push(frame.subarray(10)).frames;
  assertEquals(whole?.payload.length, 5000);
});
