import { assertEquals } from "@std/assert";
import { encodeFrame, FrameDecoder } from "../../../lib/wire/frame.ts";
import { decodeMessage, encodeMessage, type Message } from "../../../lib/wire/messages.ts";
import { APPENDED_SAMPLES } from "../../support/wire_samples.ts";

function decode(bytes: Uint8Array) {
  const [frame] = new FrameDecoder().push(bytes).frames;
  if (!frame) throw new Error("no frame");
  return decodeMessage(frame);
}

Deno.test("seed_challenge and seed_proof: type byte, 16 nonce bytes, round trip", async (t) => {
  for (const [message, type] of APPENDED_SAMPLES) {
    await t.step(message.kind, () => {
      const bytes = encodeMessage(message);
      assertEquals(bytes.length, 4 + 1 + 16);
      assertEquals(bytes[4], type);
      const nonce = (message as Extract<Message, { kind: "seed_proof" }>).nonce;
      assertEquals(
        Array.from(bytes.subarray(5), (b) => b.toString(16).padStart(2, "0")).join(""),
        nonce,
      );
      assertEquals(decode(bytes), { ok: true, message });
    });
  }
});

Deno.test("seed_challenge and seed_proof reject short and long nonces", async (t) => {
  for (const type of [32, 33]) {
    await t.step(`type ${type}: 15 bytes`, () => {
      const result = decode(encodeFrame(type, new Uint8Array(15)));
      assertEquals(result.ok, false);
      if (!result.ok) assertEquals(result.reason, "malformed");
    });
    await t.step(`type ${type}: 17 bytes`, () => {
      const result = decode(encodeFrame(type, new Uint8Array(17)));
      assertEquals(result.ok, false);
      if (!result.ok) assertEquals(result.detail.includes("trailing"), true);
    });
  }
});

Deno.test("encodeMessage() refuses a nonce that is not 32 hex digits", () => {
  let threw = false;
  try {
    encodeMessage({ kind: "seed_proof", nonce: "abc" });
  } catch (error) {
    threw = error instanceof RangeError;
  }
  assertEquals(threw, true);
});
