/**
 * Bounds-checked byte reading and growable byte writing for the message
 * codecs. Private to `lib/wire`: nothing else builds bytes by hand.
 *
 * @module
 */

/** Thrown by {@linkcode ByteReader} on input that breaks the layout. */
export class MalformedInput extends Error {
  /** Creates the error; `message` says which field broke. */
  constructor(message: string) {
    super(message);
    this.name = "MalformedInput";
  }
}

// ignoreBOM: a leading U+FEFF is content, not a byte-order mark, on this wire.
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const UTF8 = new TextEncoder();

/** Sequential, bounds-checked reads over a byte view. */
export class ByteReader {
  #bytes: Uint8Array;
  #offset = 0;
  #view: DataView | undefined;

  /** Reads `bytes` from its start. */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Starts over on `bytes`, as a new reader would: one reader can serve many frames. */
  reset(bytes: Uint8Array): this {
    this.#bytes = bytes;
    this.#offset = 0;
    this.#view = undefined;
    return this;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** The bytes being read (a caller matching bytes ahead of decoding reads them in place). */
  get source(): Uint8Array {
    return this.#bytes;
  }

  /** Where the next read starts in {@linkcode source}. */
  get offset(): number {
    return this.#offset;
  }

  /** Moves past `n` bytes without reading them. */
  skip(n: number, what: string): void {
    this.#need(n, what);
  }

  #need(n: number, what: string): number {
    const at = this.#offset;
    if (at + n > this.#bytes.length) {
      throw new MalformedInput(`${what} needs ${n} bytes, ${this.#bytes.length - at} left`);
    }
    this.#offset = at + n;
    return at;
  }

  /** Reads an unsigned byte. */
  u8(what: string): number {
    return this.#bytes[this.#need(1, what)] as number;
  }

  /** Reads a big-endian unsigned 16-bit integer. */
  u16(what: string): number {
    const at = this.#need(2, what);
    const b = this.#bytes;
    return ((b[at] as number) << 8) | (b[at + 1] as number);
  }

  /** Reads a big-endian unsigned 32-bit integer. */
  u32(what: string): number {
    const at = this.#need(4, what);
    const b = this.#bytes;
    return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) |
      ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
  }

  /** Reads a big-endian IEEE-754 double. */
  f64(what: string): number {
    const at = this.#need(8, what);
    this.#view ??= new DataView(
      this.#bytes.buffer,
      this.#bytes.byteOffset,
      this.#bytes.byteLength,
    );
    return this.#view.getFloat64(at);
  }

  /** Reads `n` raw bytes as a view (not a copy). */
  bytes(n: number, what: string): Uint8Array {
    const at = this.#need(n, what);
    return this.#bytes.subarray(at, at + n);
  }

  /** Reads a string with a 1-byte length prefix. */
  str8(what: string): string {
    return this.#utf8(this.u8(what), what);
  }

  /** Reads a string with a 2-byte length prefix. */
  str16(what: string): string {
    return this.#utf8(this.u16(what), what);
  }

  /** Reads every remaining byte as UTF-8 text (a message's last field). */
  restText(what: string): string {
    return this.#utf8(this.remaining, what);
  }

  #utf8(length: number, what: string): string {
    const at = this.#need(length, what);
    const b = this.#bytes;
    // Almost every string on the wire is short ASCII (addresses, gossip
    // text); building it directly is several times faster than TextDecoder.
    if (length <= 64) {
      let ascii = true;
      for (let i = at; i < at + length; i++) {
        if ((b[i] as number) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        return String.fromCharCode.apply(null, b.subarray(at, at + length) as unknown as number[]);
      }
    }
    try {
      return UTF8_STRICT.decode(b.subarray(at, at + length));
    } catch {
      throw new MalformedInput(`${what} is not valid UTF-8`);
    }
  }

  /** Fails unless every byte has been read. */
  end(what: string): void {
    if (this.remaining !== 0) {
      throw new MalformedInput(`${this.remaining} unexpected trailing bytes after ${what}`);
    }
  }
}

function checkRange(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`Value ${value} does not fit ${what} (0-${max})`);
  }
}

/** Appends bytes into a buffer that grows by doubling. */
export class ByteWriter {
  #bytes: Uint8Array;
  #length = 0;
  #view: DataView | undefined;

  /** Starts with room for `capacity` bytes. */
  constructor(capacity = 64) {
    this.#bytes = new Uint8Array(capacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Bytes the buffer holds before it must grow. */
  get capacity(): number {
    return this.#bytes.length;
  }

  /** Forgets what was written, keeping the buffer (views taken before now see it overwritten). */
  reset(): this {
    this.#length = 0;
    return this;
  }

  #reserve(n: number): number {
    const at = this.#length;
    if (at + n > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, at + n));
      grown.set(this.#bytes.subarray(0, at));
      this.#bytes = grown;
      this.#view = undefined;
    }
    this.#length = at + n;
    return at;
  }

  /** Appends an unsigned byte. @throws {RangeError} Outside 0-255. */
  u8(value: number): this {
    checkRange(value, 0xff, "u8");
    // Reserve before reading #bytes: reserving may replace the buffer, and
    // `this.#bytes[this.#reserve(1)]` would evaluate the old one first.
    const at = this.#reserve(1);
    this.#bytes[at] = value;
    return this;
  }

  /** Appends a big-endian unsigned 16-bit integer. @throws {RangeError} Outside 0-65535. */
  u16(value: number): this {
    checkRange(value, 0xffff, "u16");
    const at = this.#reserve(2);
    this.#bytes[at] = value >>> 8;
    this.#bytes[at + 1] = value;
    return this;
  }

  /** Appends a big-endian unsigned 32-bit integer. @throws {RangeError} Outside 0-4294967295. */
  u32(value: number): this {
    checkRange(value, 0xffff_ffff, "u32");
    const at = this.#reserve(4);
    this.#bytes[at] = value >>> 24;
    this.#bytes[at + 1] = value >>> 16;
    this.#bytes[at + 2] = value >>> 8;
    this.#bytes[at + 3] = value;
    return this;
  }

  /** Appends a big-endian IEEE-754 double. */
  f64(value: number): this {
    const at = this.#reserve(8);
    this.#view ??= new DataView(this.#bytes.buffer);
    this.#view.setFloat64(at, value);
    return this;
  }

  /** Appends raw bytes. */
  bytes(value: Uint8Array): this {
    const at = this.#reserve(value.length); // before reading #bytes (see u8)
    this.#bytes.set(value, at);
    return this;
  }

  /**
   * Appends a string with a 1-byte length prefix.
   * @throws {RangeError} If its UTF-8 form exceeds 255 bytes.
   */
  str8(value: string): this {
    return this.#prefixed(value, 1);
  }

  /**
   * Appends a string with a 2-byte length prefix.
   * @throws {RangeError} If its UTF-8 form exceeds 65535 bytes.
   */
  str16(value: string): this {
    return this.#prefixed(value, 2);
  }

  #prefixed(value: string, prefixBytes: 1 | 2): this {
    const limit = prefixBytes === 1 ? 0xff : 0xffff;
    if (value.length <= 64 && value.length <= limit) {
      // Short ASCII (addresses, gossip text) is copied char by char: several
      // times faster than TextEncoder for strings this size.
      const at = this.#reserve(prefixBytes + value.length);
      const b = this.#bytes;
      let ascii = true;
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) {
          ascii = false;
          break;
        }
        b[at + prefixBytes + i] = c;
      }
      if (ascii) {
        if (prefixBytes === 1) b[at] = value.length;
        else {
          b[at] = 0;
          b[at + 1] = value.length;
        }
        return this;
      }
      this.#length = at;
    }
    // Reserve the worst case (3 bytes per UTF-16 unit), then encode in place.
    const at = this.#reserve(prefixBytes + value.length * 3);
    const { written } = UTF8.encodeInto(
      value,
      this.#bytes.subarray(at + prefixBytes, at + prefixBytes + value.length * 3),
    );
    if (written > limit) {
      this.#length = at;
      throw new RangeError(`String of ${written} bytes exceeds limit (${limit})`);
    }
    if (prefixBytes === 1) this.#bytes[at] = written;
    else {
      this.#bytes[at] = written >>> 8;
      this.#bytes[at + 1] = written;
    }
    this.#length = at + prefixBytes + written;
    return this;
  }

  /** Overwrites a big-endian u32 at `offset` (for length prefixes). */
  patchU32(offset: number, value: number): void {
    this.#bytes[offset] = value >>> 24;
    this.#bytes[offset + 1] = value >>> 16;
    this.#bytes[offset + 2] = value >>> 8;
    this.#bytes[offset + 3] = value;
  }

  /** The bytes written, as a view over the internal buffer. */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }
}
