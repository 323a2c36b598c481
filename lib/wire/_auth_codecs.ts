/**
 * Codecs of the two messages of a keyed handshake: `auth_hello` (key id and
 * challenge) and `auth_proof` (the HMAC over the transcript);
 * docs/protocol.md, section 16. Private to `lib/wire`.
 *
 * @module
 */

import { type ByteReader, type ByteWriter, MalformedInput } from "./_bytes.ts";
import type { Codec } from "./_codec.ts";
import { type AuthHelloMessage, type AuthProofMessage, MessageType } from "./message_types.ts";

/** Bytes in a key id on the wire. */
export const AUTH_KEY_ID_BYTES = 4;
/** Bytes in a handshake nonce. */
export const AUTH_NONCE_BYTES = 32;
/** Bytes in a proof (HMAC-SHA-256). */
export const AUTH_MAC_BYTES = 32;
/** The handshake scheme spoken by this build: the first byte of `auth_hello`. */
export const AUTH_SCHEME = 1;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function writeHex(w: ByteWriter, hex: string, bytes: number, what: string): void {
  if (hex.length !== bytes * 2 || !/^[0-9a-f]*$/.test(hex)) {
    throw new RangeError(`${what} must be ${bytes * 2} lowercase hex digits`);
  }
  for (let i = 0; i < hex.length; i += 2) w.u8(parseInt(hex.slice(i, i + 2), 16));
}

function readHex(r: ByteReader, bytes: number, what: string): string {
  let hex = "";
  for (const byte of r.bytes(bytes, what)) hex += HEX[byte];
  return hex;
}

/** Encodes and decodes AuthHello messages (type 34): scheme, key id, nonce. */
export const authHello: Codec<AuthHelloMessage> = {
  type: MessageType.AuthHello,
  encode(w, m) {
    w.u8(AUTH_SCHEME);
    writeHex(w, m.keyId, AUTH_KEY_ID_BYTES, "Key id");
    writeHex(w, m.nonce, AUTH_NONCE_BYTES, "Nonce");
  },
  decode(r) {
    const scheme = r.u8("scheme");
    if (scheme !== AUTH_SCHEME) {
      throw new MalformedInput(`auth scheme ${scheme} is not ${AUTH_SCHEME}`);
    }
    const keyId = readHex(r, AUTH_KEY_ID_BYTES, "key id");
    return { kind: "auth_hello", keyId, nonce: readHex(r, AUTH_NONCE_BYTES, "nonce") };
  },
};

/** Encodes and decodes AuthProof messages (type 35): the 32-byte MAC. */
export const authProof: Codec<AuthProofMessage> = {
  type: MessageType.AuthProof,
  encode(w, m) {
    writeHex(w, m.mac, AUTH_MAC_BYTES, "MAC");
  },
  decode(r) {
    return { kind: "auth_proof", mac: readHex(r, AUTH_MAC_BYTES, "mac") };
  },
};
