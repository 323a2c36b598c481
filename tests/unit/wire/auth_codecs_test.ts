import { assertEquals, assertThrows } from "@std/assert";
import { encodeFrame, FrameDecoder } from "../../../lib/wire/frame.ts";
import { decodeMessage, encodeMessage, ERROR_CODES } from "../../../lib/wire/messages.ts";
import { AUTH_SAMPLES } from "../../support/wire_samples.ts";

function decode(bytes: Uint8Array) {
  const [frame] = new FrameDecoder().push(bytes).frames;
  if (!frame) throw new Error("no frame");
  return decodeMessage(frame);
}

Deno.test("auth_hello and auth_proof: type bytes, sizes, round trip", () => {
  const sizes = new Map([["auth_hello", 1 + 4 + 32], ["auth_proof", 32]]);
  for (const [message, type] of AUTH_SAMPLES) {
    const bytes = encodeMessage(message);
    assertEquals(bytes[4], type);
    assertEquals(bytes.length, 5 + sizes.get(message.kind)!);
    assertEquals(decode(bytes), { ok: true, message });
  }
  // auth_hello opens with its scheme byte, then the key id's 4 raw bytes.
  const hello = encodeMessage(AUTH_SAMPLES[0]![0]);
  assertEquals([...hello.subarray(5, 10)], [1, 0x0a, 0x1b, 0x2c, 0x3d]);
});

Deno.test("auth_hello: an unknown scheme or a short nonce is malformed", () => {
  const good = encodeMessage(AUTH_SAMPLES[0]![0]);
  const scheme = good.slice();
  scheme[5] = 2;
  const result = decode(scheme);
  assertEquals(result.ok ? "" : result.detail, "Malformed auth_hello: auth scheme 2 is not 1");
  const short = decode(encodeFrame(34, good.subarray(5, good.length - 1)));
  assertEquals(short.ok, false);
});

Deno.test("auth codecs refuse bad hex, and error code 9 is auth_failed", () => {
  assertThrows(() => encodeMessage({ kind: "auth_proof", mac: "xyz" }), RangeError);
  assertThrows(
    () => encodeMessage({ kind: "auth_hello", keyId: "ABCDEF01", nonce: "00".repeat(32) }),
    RangeError,
  );
  assertEquals(ERROR_CODES.indexOf("auth_failed") + 1, 9);
});
