/**
 * Length-prefixed framing, and nothing about what frames mean.
 *
 * A frame on the wire is a 4-byte big-endian length `L`, then `L` bytes: a
 * 1-byte message type and `L - 1` bytes of payload. `L` is checked against
 * the limit before a single payload byte is buffered, so a hostile length
 * prefix costs nothing.
 *
 * @module
 */

/** Bytes in the length prefix. */
export const LENGTH_PREFIX_BYTES = 4;

/** Bytes before the payload: length prefix plus type byte. */
export const FRAME_HEADER_BYTES = 5;

/**
 * Largest accepted frame body (type byte plus payload), in bytes: 64 KiB.
 * A peer list of about 4,000 IPv4 entries fits in one frame; longer lists
 * are split over several frames.
 */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * First allocation for a frame that spans reads, in bytes; it doubles as
 * bytes arrive, up to the frame's declared length.
 */
const INITIAL_BODY_BYTES = 1024;

/** One decoded frame. `payload` excludes the type byte. */
export interface Frame {
  /** The message type byte. */
  readonly type: number;
  /**
   * The payload. It may be a view into the decoder's input or its internal
   * buffer: valid until the next {@linkcode FrameDecoder.push}, so consume
   * or copy it before then.
   */
  readonly payload: Uint8Array;
}

/** Why a byte stream stopped being decodable. */
export type FrameError =
  | { readonly reason: "empty_frame"; readonly message: string }
  | {
    readonly reason: "frame_too_large";
    readonly message: string;
    readonly length: number;
    readonly limit: number;
  };

/** What one {@linkcode FrameDecoder.push} produced. */
export interface FrameBatch {
  /** Complete frames, in arrival order. */
  readonly frames: Frame[];
  /** Set when the stream is broken; no frame will ever follow it. */
  readonly error?: FrameError;
}

/**
 * Encodes one frame: length prefix, type byte, payload.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame } from "./frame.ts";
 * encodeFrame(9, new Uint8Array([1, 2])); // Uint8Array [0, 0, 0, 3, 9, 1, 2]
 * ```
 *
 * @throws {RangeError} If the frame body would exceed {@linkcode MAX_FRAME_BYTES}.
 */
export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  const length = payload.length + 1;
  if (length > MAX_FRAME_BYTES) {
    throw new RangeError(`Frame length (${length}) exceeds limit (${MAX_FRAME_BYTES})`);
  }
  const frame = new Uint8Array(LENGTH_PREFIX_BYTES + length);
  frame[0] = length >>> 24;
  frame[1] = length >>> 16;
  frame[2] = length >>> 8;
  frame[3] = length;
  frame[4] = type;
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Options for {@linkcode FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest accepted frame body in bytes. @default {MAX_FRAME_BYTES} */
  maxFrameBytes?: number;
  /**
   * First allocation for a frame that spans chunks; it doubles up to the
   * declared length as bytes arrive. A stream from an authenticated remote
   * may start at the limit, to copy each frame once. @default {1024}
   */
  initialBodyBytes?: number;
}

/**
 * Incremental frame decoder: feed it chunks as they arrive, in any sizes,
 * and it returns the frames they complete. Once it reports an error it stays
 * failed, because a byte stream cannot be resynchronised after a bad length.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FrameDecoder } from "./frame.ts";
 * const decoder = new FrameDecoder();
 * const bytes = encodeFrame(9, new Uint8Array([7]));
 * decoder.push(bytes.subarray(0, 3)).frames.length; // 0
 * decoder.push(bytes.subarray(3)).frames.length; // 1
 * ```
 */
export class FrameDecoder {
  #limit: number;
  #initialBody: number;
  // A frame that spans chunks is assembled here: first its 4-byte length,
  // then (once the length is known and accepted) its body.
  // The length prefix so far, big-endian, as a number: no buffer per
  // decoder (a simulated network holds over a million of them).
  #header = 0;
  #headerFill = 0;
  #body: Uint8Array | undefined;
  #bodyLength = 0;
  #bodyFill = 0;
  #error: FrameError | undefined;

  /** Creates a decoder with the given limit. */
  constructor(options: FrameDecoderOptions = {}) {
    this.#limit = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#initialBody = options.initialBodyBytes ?? INITIAL_BODY_BYTES;
  }

  /**
   * Changes the first allocation for frames that span chunks (see
   * {@linkcode FrameDecoderOptions.initialBodyBytes}): raised once a
   * remote is authenticated.
   */
  set initialBodyBytes(bytes: number) {
    this.#initialBody = bytes;
  }

  /** Bytes held back while waiting for the rest of a frame. */
  get buffered(): number {
    return this.#headerFill + this.#bodyFill;
  }

  /** Bytes allocated for a partial frame: grows with bytes received, not with a declared length. */
  get allocated(): number {
    return this.#body?.length ?? 0;
  }

  /** The error that broke the stream, if any. */
  get error(): FrameError | undefined {
    return this.#error;
  }

  /** Decodes whatever frames `chunk` completes. */
  push(chunk: Uint8Array): FrameBatch {
    const frames: Frame[] = [];
    if (this.#error) return { frames, error: this.#error };
    let offset = 0;
    if (this.#headerFill > 0 || this.#body) {
      offset = this.#continuePartial(chunk, frames);
      if (this.#error) return { frames, error: this.#error };
    }
    const end = chunk.length;
    while (end - offset >= LENGTH_PREFIX_BYTES) {
      const length = ((chunk[offset] as number) * 0x1000000) +
        (((chunk[offset + 1] as number) << 16) | ((chunk[offset + 2] as number) << 8) |
          (chunk[offset + 3] as number));
      const failure = this.#check(length);
      if (failure) return { frames, error: failure };
      const frameEnd = offset + LENGTH_PREFIX_BYTES + length;
      if (frameEnd > end) break;
      frames.push({
        type: chunk[offset + LENGTH_PREFIX_BYTES] as number,
        payload: chunk.subarray(offset + FRAME_HEADER_BYTES, frameEnd),
      });
      offset = frameEnd;
    }
    if (offset < end) this.#continuePartial(chunk.subarray(offset), frames);
    return this.#error ? { frames, error: this.#error } : { frames };
  }

  // Feeds the start of `chunk` into the partial frame; returns bytes consumed.
  #continuePartial(chunk: Uint8Array, frames: Frame[]): number {
    let offset = 0;
    if (!this.#body) {
      const take = Math.min(LENGTH_PREFIX_BYTES - this.#headerFill, chunk.length);
      for (let i = 0; i < take; i++) this.#header = this.#header * 256 + (chunk[i] as number);
      this.#headerFill += take;
      offset = take;
      if (this.#headerFill < LENGTH_PREFIX_BYTES) return offset;
      const length = this.#header;
      this.#header = 0;
      if (this.#check(length)) return offset;
      // The declared length is a claim: memory follows the bytes that
      // actually arrive, so a header without its body costs little.
      this.#body = new Uint8Array(Math.min(length, this.#initialBody));
      this.#bodyLength = length;
      this.#bodyFill = 0;
    }
    const take = Math.min(this.#bodyLength - this.#bodyFill, chunk.length - offset);
    const body = this.#room(this.#bodyFill + take);
    body.set(chunk.subarray(offset, offset + take), this.#bodyFill);
    this.#bodyFill += take;
    offset += take;
    if (this.#bodyFill === this.#bodyLength) {
      frames.push({ type: body[0] as number, payload: body.subarray(1, this.#bodyLength) });
      this.#body = undefined;
      this.#bodyFill = 0;
      this.#headerFill = 0;
    }
    return offset;
  }

  // The partial body with room for `needed` bytes, grown by doubling.
  #room(needed: number): Uint8Array {
    const body = this.#body as Uint8Array;
    if (needed <= body.length) return body;
    const grown = new Uint8Array(Math.min(this.#bodyLength, Math.max(needed, body.length * 2)));
    grown.set(body.subarray(0, this.#bodyFill));
    this.#body = grown;
    return grown;
  }

  #check(length: number): FrameError | undefined {
    if (length === 0) {
      this.#error = {
        reason: "empty_frame",
        message: "Frame length is 0 (a frame holds at least its type byte)",
      };
    } else if (length > this.#limit) {
      this.#error = {
        reason: "frame_too_large",
        message: `Frame length (${length}) exceeds limit (${this.#limit})`,
        length,
        limit: this.#limit,
      };
    }
    return this.#error;
  }
}
