/**
 * Sealed records: what a keyed connection sends after its handshake.
 *
 * A record is `u32 length` (bytes that follow), `u64 counter`, then the
 * AES-256-GCM ciphertext of a slice of the plaintext frame stream and its
 * 16-byte tag. The counter is the GCM nonce (4 zero bytes, then the counter)
 * and counts records from 0 in each direction, so a nonce is never reused
 * under a key; the receiver expects exactly the next counter, so a
 * replayed, dropped or reordered record is named before anything is
 * decrypted. One write of coalesced frames becomes one record (or a few, when
 * it exceeds {@linkcode RECORD_PLAINTEXT_BYTES}): the cost is per write, not
 * per frame.
 *
 * @module
 */

import { createCipheriv, createDecipheriv } from "node:crypto";
import type { Frame } from "./frame.ts";

/** Bytes of a record before its ciphertext: length prefix and counter. */
export const RECORD_HEADER_BYTES = 12;
/** Bytes of the GCM tag that ends a record. */
export const RECORD_TAG_BYTES = 16;

/** Largest record body (counter, ciphertext, tag) for a plaintext limit of `maxPlain` bytes. */
export function recordLimit(maxPlain: number): number {
  return 8 + maxPlain + RECORD_TAG_BYTES;
}

/**
 * Most plaintext bytes in one record: 16,356, so that a full record is
 * 16 KiB on the wire, what a connection reads at once. A larger frame spans
 * records. Records much larger than a read would be assembled from pieces
 * before they can be opened (copies, and memory held per link); much
 * smaller ones would cost a seal per few frames under load.
 */
export const RECORD_PLAINTEXT_BYTES = 16 * 1024 - RECORD_HEADER_BYTES - RECORD_TAG_BYTES;

const TWO_32 = 0x1_0000_0000;

/**
 * Which AES-256-GCM implementation seals and opens records: WebCrypto (the
 * default, and what the protocol specifies), or, EXPERIMENTAL and only for
 * measurement, Node's synchronous `createCipheriv` built into Deno for
 * records of at most {@linkcode SYNC_CIPHER_BYTES} (WebCrypto for larger
 * ones, which it seals faster). The bytes on the wire are the same either
 * way; `bench:keys --node-cipher` compares them.
 */
export type RecordCipher = "webcrypto" | "node";
let recordCipher: RecordCipher = "webcrypto";

/** Chooses the record cipher of connections whose handshake finishes from now on. */
export function useRecordCipher(cipher: RecordCipher): void {
  recordCipher = cipher;
}

/** Largest plaintext the experimental node cipher seals (larger records go to WebCrypto). */
export const SYNC_CIPHER_BYTES = 4096;

/** The key bytes a new sealer or opener should get for the node cipher, if it is on. */
export function syncKey(bytes: Uint8Array): Uint8Array | undefined {
  return recordCipher === "node" ? bytes : undefined;
}

function nonceFor(counter: number, into: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const view = new DataView(into.buffer, into.byteOffset, into.byteLength);
  view.setUint32(4, Math.floor(counter / TWO_32));
  view.setUint32(8, counter >>> 0);
  return into;
}

/** Seals one direction's output. */
export class RecordSealer {
  readonly #key: CryptoKey;
  readonly #sync: Uint8Array | undefined;
  readonly #maxPlain: number;
  #counter = 0;
  #out = new Uint8Array(0);

  /**
   * Seals with `key`, at most `maxPlain` plaintext bytes per record; with
   * `syncBytes` (its bytes), small records by the experimental node cipher.
   */
  constructor(key: CryptoKey, maxPlain: number, syncBytes?: Uint8Array) {
    this.#key = key;
    this.#sync = syncBytes;
    this.#maxPlain = maxPlain;
  }

  /** Records sealed so far (the next record's counter). */
  get counter(): number {
    return this.#counter;
  }

  /**
   * Seals `plain` into one record, or several if it exceeds the record
   * limit. The result is a view into a buffer this sealer reuses: write it
   * before the next call.
   */
  async seal(plain: Uint8Array): Promise<Uint8Array> {
    const count = Math.max(1, Math.ceil(plain.length / this.#maxPlain));
    const total = plain.length + count * (RECORD_HEADER_BYTES + RECORD_TAG_BYTES);
    // Grown for a burst, and given back once the burst is over.
    if (this.#out.length < total || (this.#out.length > 256 * 1024 && total < 64 * 1024)) {
      this.#out = new Uint8Array(Math.max(total, 4096));
    }
    const out = this.#out;
    const sealed: Promise<ArrayBuffer>[] = [];
    const first = this.#counter;
    const key = this.#key;
    if (this.#sync && plain.length <= SYNC_CIPHER_BYTES) {
      return this.#sealNode(this.#sync, plain, count, first);
    }
    for (let i = 0; i < count; i++) {
      const slice = plain.subarray(i * this.#maxPlain, (i + 1) * this.#maxPlain);
      const iv = nonceFor(first + i, new Uint8Array(12));
      sealed.push(
        crypto.subtle.encrypt({ name: "AES-GCM", iv, tagLength: 128 }, key, slice as BufferSource),
      );
    }
    // The counters are spent whether or not the caller writes the records.
    this.#counter += count;
    if (this.#counter >= Number.MAX_SAFE_INTEGER) throw new RangeError("Record counter exhausted");
    const parts = await Promise.all(sealed);
    const view = new DataView(out.buffer);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const body = new Uint8Array(parts[i]!);
      view.setUint32(at, 8 + body.length);
      view.setUint32(at + 4, Math.floor((first + i) / TWO_32));
      view.setUint32(at + 8, (first + i) >>> 0);
      out.set(body, at + RECORD_HEADER_BYTES);
      at += RECORD_HEADER_BYTES + body.length;
    }
    return out.subarray(0, at);
  }

  // The experimental synchronous cipher: the same records.
  #sealNode(key: Uint8Array, plain: Uint8Array, count: number, first: number): Uint8Array {
    this.#counter += count;
    if (this.#counter >= Number.MAX_SAFE_INTEGER) throw new RangeError("Record counter exhausted");
    const out = this.#out;
    const view = new DataView(out.buffer);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const slice = plain.subarray(i * this.#maxPlain, (i + 1) * this.#maxPlain);
      const cipher = createCipheriv("aes-256-gcm", key, nonceFor(first + i, new Uint8Array(12)));
      const ct = cipher.update(slice);
      cipher.final();
      const tag = cipher.getAuthTag();
      view.setUint32(at, 8 + ct.length + tag.length);
      view.setUint32(at + 4, Math.floor((first + i) / TWO_32));
      view.setUint32(at + 8, (first + i) >>> 0);
      out.set(ct, at + RECORD_HEADER_BYTES);
      out.set(tag, at + RECORD_HEADER_BYTES + ct.length);
      at += RECORD_HEADER_BYTES + ct.length + tag.length;
    }
    return out.subarray(0, at);
  }
}

/** What opening one record gave. */
export type OpenResult =
  | { readonly ok: true; readonly plain: Uint8Array }
  | { readonly ok: false; readonly detail: string };

/**
 * Opens the other direction's records, in order. Records arrive as frames of
 * the outer length-prefixed stream (the length already checked against the
 * record limit by the frame decoder, before any byte was buffered): the
 * "type" byte is the counter's first byte.
 */
export class RecordOpener {
  readonly #key: CryptoKey;
  readonly #sync: Uint8Array | undefined;
  #expected = 0;

  /** Opens with `key`; with `syncBytes` (its bytes), small records by the experimental node cipher. */
  constructor(key: CryptoKey, syncBytes?: Uint8Array) {
    this.#key = key;
    this.#sync = syncBytes;
  }

  /** The counter the next record must carry. */
  get expected(): number {
    return this.#expected;
  }

  /**
   * Checks the counter of `record` and reserves it: synchronous, so records
   * may then be decrypted concurrently and still be checked in order.
   * Returns the failure, or the ciphertext to {@linkcode open}.
   */
  claim(record: Frame): { ct: Uint8Array; counter: number } | { detail: string } {
    const p = record.payload;
    if (p.length < 7 + RECORD_TAG_BYTES + 1) {
      return {
        detail: `Sealed record of ${p.length + 1} bytes is shorter than its header and tag`,
      };
    }
    const high = ((record.type << 24) | (p[0]! << 16) | (p[1]! << 8) | p[2]!) >>> 0;
    const low = ((p[3]! << 24) | (p[4]! << 16) | (p[5]! << 8) | p[6]!) >>> 0;
    const counter = high * TWO_32 + low;
    const expected = this.#expected;
    if (counter !== expected) {
      return {
        detail: counter < expected
          ? `Replayed sealed record ${counter} (expected ${expected})`
          : `Sealed record ${counter} out of order (expected ${expected})`,
      };
    }
    this.#expected++;
    return { ct: p.subarray(7), counter };
  }

  /** Decrypts a claimed record: its plaintext, or why it does not open. */
  async open(claimed: { ct: Uint8Array; counter: number }): Promise<OpenResult> {
    const key = this.#key;
    if (this.#sync && claimed.ct.length <= SYNC_CIPHER_BYTES + RECORD_TAG_BYTES) {
      return this.#openNode(this.#sync, claimed);
    }
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: nonceFor(claimed.counter, new Uint8Array(12)), tagLength: 128 },
        key,
        claimed.ct as BufferSource,
      );
      return { ok: true, plain: new Uint8Array(plain) };
    } catch {
      return unopened(claimed.counter);
    }
  }

  #openNode(key: Uint8Array, claimed: { ct: Uint8Array; counter: number }): OpenResult {
    const ct = claimed.ct;
    try {
      const iv = nonceFor(claimed.counter, new Uint8Array(12));
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAuthTag(ct.subarray(ct.length - RECORD_TAG_BYTES));
      const plain = decipher.update(ct.subarray(0, ct.length - RECORD_TAG_BYTES));
      decipher.final();
      return { ok: true, plain };
    } catch {
      return unopened(claimed.counter);
    }
  }
}

function unopened(counter: number): OpenResult {
  return {
    ok: false,
    detail: `Sealed record ${counter} does not open (tampered, or sealed with another key)`,
  };
}
