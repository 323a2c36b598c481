/**
 * Codecs of the two messages by which a seed proves that an inbound link
 * claiming its address is its own (a nonce callback; docs/protocol.md,
 * section 13). Private to `lib/wire`.
 *
 * @module
 */

import type { ByteReader, ByteWriter } from "./_bytes.ts";
import type { Codec } from "./_codec.ts";
import { MessageType, type SeedChallengeMessage, type SeedProofMessage } from "./message_types.ts";

/** Bytes in a challenge nonce. */
export const SEED_NONCE_BYTES = 16;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Writes a nonce of 32 lowercase hex digits as its 16 raw bytes. */
function writeNonce(w: ByteWriter, nonce: string): void {
  if (!/^[0-9a-f]{32}$/.test(nonce)) {
    throw new RangeError(`Nonce must be 32 lowercase hex digits, got "${nonce}"`);
  }
  for (let i = 0; i < 32; i += 2) w.u8(parseInt(nonce.slice(i, i + 2), 16));
}

/** Reads 16 raw bytes as a nonce of 32 lowercase hex digits. */
function readNonce(r: ByteReader): string {
  let nonce = "";
  for (const byte of r.bytes(SEED_NONCE_BYTES, "nonce")) nonce += HEX[byte];
  return nonce;
}

/** Encodes and decodes SeedChallenge messages (type 32): a 16-byte nonce. */
export const seedChallenge: Codec<SeedChallengeMessage> = {
  type: MessageType.SeedChallenge,
  encode(w, m) {
    writeNonce(w, m.nonce);
  },
  decode(r) {
    return { kind: "seed_challenge", nonce: readNonce(r) };
  },
};

/** Encodes and decodes SeedProof messages (type 33): the challenge's nonce, echoed. */
export const seedProof: Codec<SeedProofMessage> = {
  type: MessageType.SeedProof,
  encode(w, m) {
    writeNonce(w, m.nonce);
  },
  decode(r) {
    return { kind: "seed_proof", nonce: readNonce(r) };
  },
};
