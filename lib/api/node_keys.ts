/**
 * Where a node's network keys come from and how they are reread: a key
 * file (`--key-file`, `keyFile`), or key text (`GOSSIPNET_KEY`, `key`).
 * A file wins over the environment, because a flag is the more explicit of
 * the two and `up` hands its children a file while they inherit its
 * environment. Errors are one line naming the file (and line) and never
 * hold key material.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { ConfigError, errorText } from "../util/errors.ts";
import {
  type Keyring,
  KeyringError,
  KeyringHolder,
  type KeyringSource,
  parseKeyring,
} from "../wire/keyring.ts";

/** The environment variable that holds key text when no key file is given. */
export const KEY_ENV = "GOSSIPNET_KEY";

/** The largest key file read: thousands of keys, far more than rotation needs. */
export const MAX_KEY_FILE_BYTES = 65_536;

/** What may set a node's keys; all absent means no key (plaintext links). */
export interface KeySettings {
  /** A key file: one base64 key per line, the first sends, all are accepted. */
  keyFile?: string;
  /** Key text in the same format (a library's `key` option). */
  key?: string;
  /** The value of {@linkcode KEY_ENV}, used when neither of the above is given. */
  env?: string;
  /** Reads the key file. @default {readKeyText: the file system} */
  read?: (path: string) => Promise<string>;
  /** The key file's permission bits, `null` where unknown. @default {from the file system} */
  mode?: (path: string) => Promise<number | null>;
}

/** A node's current keys, rereadable from their file. */
export class NodeKeys implements KeyringSource {
  readonly #holder: KeyringHolder;
  readonly #file: string | undefined;
  readonly #read: (path: string) => Promise<string>;
  /** Where the keys came from, for logs: the file path, `GOSSIPNET_KEY` or `key option`. */
  readonly source: string;
  /** The key file's mode (e.g. `"0644"`) when others than its owner may read it. */
  openMode: string | undefined;

  private constructor(
    keyring: Keyring,
    source: string,
    file: string | undefined,
    read: (path: string) => Promise<string>,
  ) {
    this.#holder = new KeyringHolder(keyring);
    this.source = source;
    this.openMode = undefined;
    this.#file = file;
    this.#read = read;
  }

  /**
   * Loads the keys `settings` ask for; `undefined` when none is set.
   *
   * @example Usage
   * ```ts
   * import { NodeKeys } from "./node_keys.ts";
   * import { generateKeyText } from "../wire/keyring.ts";
   * const keys = await NodeKeys.load({ key: generateKeyText() });
   * keys?.ids.length; // 1
   * ```
   * @throws {ConfigError} On an unreadable file, no key, or a malformed line.
   */
  static async load(settings: KeySettings): Promise<NodeKeys | undefined> {
    if (settings.keyFile !== undefined && settings.key !== undefined) {
      throw new ConfigError("Give a key file or key text, not both");
    }
    const read = settings.read ?? readKeyText;
    if (settings.keyFile !== undefined) {
      const file = settings.keyFile;
      const keys = new NodeKeys(await loadKeyFile(file, read), file, file, read);
      const mode = await (settings.mode ?? fileMode)(file);
      // Group or world access to a key is worth a warning, not a refusal.
      if (mode !== null && (mode & 0o077) !== 0) {
        keys.openMode = `0${(mode & 0o777).toString(8)}`;
      }
      return keys;
    }
    const [text, source] = settings.key !== undefined
      ? [settings.key, "key option"]
      : [settings.env, KEY_ENV];
    if (text === undefined) return undefined;
    return new NodeKeys(await parseKeys(text, source), source, undefined, read);
  }

  /** The keyring new handshakes use. */
  current(): Keyring {
    return this.#holder.current();
  }

  /** The key ids in use, the sending key first. */
  get ids(): string[] {
    return this.#holder.current().ids;
  }

  /** Whether {@linkcode NodeKeys.reload} can reread anything (keys from a file). */
  get rereadable(): boolean {
    return this.#file !== undefined;
  }

  /**
   * Rereads the key file and makes its keys the ones new handshakes use;
   * links already up keep their session keys. Returns the new ids.
   *
   * @throws {ConfigError} When the keys did not come from a file, or the
   * file is bad: the old keys stay in use.
   */
  async reload(): Promise<string[]> {
    if (this.#file === undefined) {
      throw new ConfigError(`Cannot reread keys from ${this.source}: only a key file is reread`);
    }
    const keyring = await loadKeyFile(this.#file, this.#read);
    this.#holder.replace(keyring);
    return keyring.ids;
  }
}

async function parseKeys(text: string, source: string): Promise<Keyring> {
  try {
    return await parseKeyring(text, source);
  } catch (error) {
    if (error instanceof KeyringError) throw new ConfigError(`Bad key: ${error.message}`);
    throw error;
  }
}

async function loadKeyFile(
  path: string,
  read: (path: string) => Promise<string>,
): Promise<Keyring> {
  return await parseKeys(await keyFileText(path, read), path);
}

/**
 * The text of the key file at `path`, unchecked.
 * @throws {ConfigError} One line naming the file and what is wrong with it.
 */
export async function keyFileText(
  path: string,
  read: (path: string) => Promise<string> = readKeyText,
): Promise<string> {
  try {
    return await read(path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot read key file ${path}: ${readProblem(error)}`);
  }
}

/**
 * Reads a key file from disk.
 * @throws {ConfigError} For a device, a directory or a file too large to hold keys.
 */
export async function readKeyText(path: string): Promise<string> {
  // A key file is small; a device or a huge file is a mistake, not keys.
  const info = await Deno.stat(path);
  if (!info.isFile) throw new ConfigError(`Cannot read key file ${path}: not a regular file`);
  if (info.size > MAX_KEY_FILE_BYTES) {
    throw new ConfigError(
      `Cannot read key file ${path}: ${info.size} bytes, more than ${MAX_KEY_FILE_BYTES}`,
    );
  }
  return await Deno.readTextFile(path);
}

// Only the kind of failure: an OS message could quote the file's content.
function readProblem(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof TypeError || error instanceof Deno.errors.InvalidData) {
    return "not a text file";
  }
  return error instanceof Error ? error.name : "unreadable";
}

/** Logs the keys a node starts with (nothing for a keyless node), and an open key file. */
export function logKeys(keys: NodeKeys | undefined, log: EventLog): void {
  if (!keys) return;
  log.emit({ event: "keys_loaded", ids: keys.ids, source: keys.source });
  if (keys.openMode) {
    log.emit({ event: "key_file_open", source: keys.source, mode: keys.openMode });
  }
}

async function fileMode(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).mode;
  } catch {
    return null;
  }
}

/**
 * Rereads `keys` and logs the outcome: the new ids, or why the old ones
 * stay. Returns the ids in use; a keyless node has none to reread.
 *
 * @throws {ConfigError} When the reread failed (after logging it).
 */
export async function reloadKeys(keys: NodeKeys | undefined, log: EventLog): Promise<string[]> {
  if (!keys) {
    const detail = "this node was started without a key (links are plaintext)";
    log.emit({ event: "keys_reload_failed", source: "none", detail, ids: [] });
    throw new ConfigError(`Cannot reread keys: ${detail}`);
  }
  try {
    const ids = await keys.reload();
    log.emit({ event: "keys_loaded", ids, source: keys.source });
    return ids;
  } catch (error) {
    log.emit({
      event: "keys_reload_failed",
      source: keys.source,
      detail: errorText(error),
      ids: keys.ids,
    });
    throw error;
  }
}
