/**
 * The keyed handshake's cryptography, as one object per connection: the
 * local challenge, the transcript of both sides' opening frames, this
 * side's proof, the check of the remote's, and the per-direction session
 * keys. The connection feeds it frames and sends what it returns; it never
 * touches a socket (docs/protocol.md, section 16).
 *
 * Everything is WebCrypto: HMAC-SHA-256 for proofs, HKDF-SHA-256 for
 * session keys, AES-256-GCM for the records sealed with them.
 *
 * @module
 */

import { concatBytes } from "../util/bytes.ts";
import type { Keyring, NetworkKey } from "./keyring.ts";
import { AUTH_NONCE_BYTES } from "./_auth_codecs.ts";
import type { AuthHelloMessage } from "./message_types.ts";

/** Which end of the connection a proof speaks for: stops a proof being reflected. */
export type AuthRole = "initiator" | "responder";

/** The session keys of one established connection. */
export interface SessionKeys {
  /** Seals what this side sends. */
  readonly seal: CryptoKey;
  /** Opens what the remote sends. */
  readonly open: CryptoKey;
  /** The bytes of `seal`, for the experimental synchronous record cipher. */
  readonly sealBytes: Uint8Array;
  /** The bytes of `open`, likewise. */
  readonly openBytes: Uint8Array;
}

const ENCODER = new TextEncoder();
const TRANSCRIPT_LABEL = ENCODER.encode("gossipnet auth v1");
const ROLE_LABEL: Record<AuthRole, number> = { initiator: 1, responder: 2 };
const INFO: Record<AuthRole, Uint8Array> = {
  initiator: ENCODER.encode("gossipnet v1 initiator to responder"),
  responder: ENCODER.encode("gossipnet v1 responder to initiator"),
};
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

// One imported HMAC key per network key: importing on every handshake
// would cost more than the MAC.
const HMAC_KEYS = new WeakMap<NetworkKey, Promise<CryptoKey>>();

function hmacKey(key: NetworkKey): Promise<CryptoKey> {
  let imported = HMAC_KEYS.get(key);
  if (!imported) {
    imported = crypto.subtle.importKey(
      "raw",
      key.bytes as BufferSource,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    HMAC_KEYS.set(key, imported);
  }
  return imported;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += HEX[byte];
  return hex;
}

/** The bytes of lowercase hex `hex` (even length, already validated by a codec). */
export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** A fresh `auth_hello` naming `keyring`'s sending key. */
export function newAuthHello(keyring: Keyring): AuthHelloMessage {
  const nonce = crypto.getRandomValues(new Uint8Array(AUTH_NONCE_BYTES));
  return { kind: "auth_hello", keyId: keyring.sendKey.id, nonce: toHex(nonce) };
}

/** The opening frames of one side: its `auth_hello` then its `hello`, exactly as sent. */
export interface OpeningFrames {
  readonly authHello: Uint8Array;
  readonly hello: Uint8Array;
}

/**
 * What both proofs cover: a label, then the initiator's and the
 * responder's opening frames (so both nonces, both key ids and both hellos,
 * with every byte as it went over the wire).
 */
export function transcript(initiator: OpeningFrames, responder: OpeningFrames): Uint8Array {
  const parts = [
    TRANSCRIPT_LABEL,
    initiator.authHello,
    initiator.hello,
    responder.authHello,
    responder.hello,
  ];
  return concatBytes(parts);
}

function labelled(role: AuthRole, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = ROLE_LABEL[role];
  out.set(bytes, 1);
  return out;
}

/** The proof that the side playing `role` holds `key`: HMAC-SHA-256(key, role byte ‖ transcript). */
export async function proveKey(
  key: NetworkKey,
  role: AuthRole,
  transcriptBytes: Uint8Array,
): Promise<Uint8Array> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(key),
    labelled(role, transcriptBytes) as BufferSource,
  );
  return new Uint8Array(mac);
}

/** Checks a proof made by {@linkcode proveKey} (in constant time, by WebCrypto). */
export async function checkProof(
  key: NetworkKey,
  role: AuthRole,
  transcriptBytes: Uint8Array,
  mac: Uint8Array,
): Promise<boolean> {
  return await crypto.subtle.verify(
    "HMAC",
    await hmacKey(key),
    mac as BufferSource,
    labelled(role, transcriptBytes) as BufferSource,
  );
}

/**
 * The two session keys, from HKDF-SHA-256 over both sides' network keys,
 * salted with the transcript's SHA-256: fresh nonces make them fresh per
 * connection, and each direction has its own key.
 */
export async function deriveSession(
  role: AuthRole,
  initiatorKey: NetworkKey,
  responderKey: NetworkKey,
  transcriptBytes: Uint8Array,
): Promise<SessionKeys> {
  const ikm = new Uint8Array(initiatorKey.bytes.length + responderKey.bytes.length);
  ikm.set(initiatorKey.bytes);
  ikm.set(responderKey.bytes, initiatorKey.bytes.length);
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  ikm.fill(0);
  const salt = await crypto.subtle.digest("SHA-256", transcriptBytes as BufferSource);
  const derive = async (direction: AuthRole) => {
    const bytes = new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: "HKDF", hash: "SHA-256", salt, info: INFO[direction] as BufferSource },
        base,
        256,
      ),
    );
    const key = await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    return { key, bytes };
  };
  const [fromInitiator, fromResponder] = await Promise.all([
    derive("initiator"),
    derive("responder"),
  ]);
  const [seal, open] = role === "initiator"
    ? [fromInitiator, fromResponder]
    : [fromResponder, fromInitiator];
  return { seal: seal.key, open: open.key, sealBytes: seal.bytes, openBytes: open.bytes };
}

/** Finds the key of `keyring` with id `id`. */
export function keyById(keyring: Keyring, id: string): NetworkKey | undefined {
  return keyring.keys.find((key) => key.id === id);
}
