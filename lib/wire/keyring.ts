/**
 * Network keys: the shared secrets that decide who is a member.
 *
 * A key is 32 random bytes written in base64, one per line of a key file.
 * The first key of a {@linkcode Keyring} is the one this node proves with
 * and seals with; every key in it is accepted from others, so a network can
 * rotate keys without downtime (install the new key everywhere, make it
 * first everywhere, remove the old one).
 *
 * Key material never leaves this module as text: errors name the source and
 * the line, logs use {@linkcode NetworkKey.id}, a short hash prefix.
 *
 * @module
 */

/** Bytes in a network key. */
export const KEY_BYTES = 32;

/** One network key and its public id. */
export interface NetworkKey {
  /** The first 8 hex digits of SHA-256 of the key: safe to log and show. */
  readonly id: string;
  /** The 32 secret bytes. */
  readonly bytes: Uint8Array;
}

/** A key file or value that cannot be used; the message never holds key material. */
export class KeyringError extends Error {
  /** Creates the error with a one-line `message`. */
  constructor(message: string) {
    super(message);
    this.name = "KeyringError";
  }
}

/** An ordered, non-empty set of keys: the first sends, all are accepted. */
export class Keyring {
  /** Every key, the sending key first. */
  readonly keys: readonly NetworkKey[];

  /** Builds a keyring from keys, the sending key first. */
  constructor(keys: readonly NetworkKey[]) {
    if (keys.length === 0) throw new KeyringError("A keyring needs at least one key");
    this.keys = keys;
  }

  /** The key this node proves and seals with. */
  get sendKey(): NetworkKey {
    return this.keys[0]!;
  }

  /** The key ids, the sending key first (for the `keys` command and logs). */
  get ids(): string[] {
    return this.keys.map((key) => key.id);
  }
}

/**
 * Where a node reads its current keyring. Rotation (SIGHUP rereading the
 * key file) swaps what `current()` returns; connections read it once, at
 * their handshake, so links already up keep their session keys.
 */
export interface KeyringSource {
  /** The keyring new handshakes use. */
  current(): Keyring;
}

/** A {@linkcode KeyringSource} whose keyring can be replaced. */
export class KeyringHolder implements KeyringSource {
  #keyring: Keyring;

  /** Holds `keyring` until {@linkcode KeyringHolder.replace}. */
  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /** The keyring new handshakes use. */
  current(): Keyring {
    return this.#keyring;
  }

  /** Makes `keyring` the one new handshakes use. */
  replace(keyring: Keyring): void {
    this.#keyring = keyring;
  }
}

/** The public id of key bytes: 8 hex digits of their SHA-256. */
export async function keyId(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new random key, base64-encoded (what `gossipnet keygen` prints). */
export function generateKeyText(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  return btoa(String.fromCharCode(...bytes));
}

function decodeKeyLine(line: string, where: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(line);
  } catch {
    throw new KeyringError(`${where}: not base64 (expected a key from \`gossipnet keygen\`)`);
  }
  if (binary.length !== KEY_BYTES) {
    throw new KeyringError(
      `${where}: a key must be ${KEY_BYTES} bytes, this one is ${binary.length}`,
    );
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Parses key text: one base64 key per line; blank lines and lines starting
 * with `#` are skipped; the first key sends. `source` names the text in
 * errors (e.g. the file path, or `GOSSIPNET_KEY`).
 *
 * @example
 * ```ts
 * import { generateKeyText, parseKeyring } from "./keyring.ts";
 * const ring = await parseKeyring(`# ours\n${generateKeyText()}\n`, "example");
 * console.log(ring.sendKey.id.length); // 8
 * ```
 * @throws {KeyringError} On a malformed line, a duplicate or no key at all.
 */
export async function parseKeyring(text: string, source: string): Promise<Keyring> {
  const keys: NetworkKey[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const bytes = decodeKeyLine(line, `${source} line ${i + 1}`);
    const id = await keyId(bytes);
    if (seen.has(id)) continue;
    seen.add(id);
    keys.push({ id, bytes });
  }
  if (keys.length === 0) throw new KeyringError(`${source}: no key found`);
  return new Keyring(keys);
}
