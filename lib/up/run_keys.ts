/**
 * The network keys of an `up` run: one key file in the run's log directory
 * (mode 0600) that every node is started with, and the three rotation steps
 * as edits of it: install a new key (accepted, not yet sent), use a key
 * (it sends), remove a key. The file is replaced whole (write, then
 * rename), so a node rereading it on SIGHUP never sees half of it. Key
 * material is never returned as text, only ids.
 *
 * @module
 */

import { ConfigError } from "../util/errors.ts";
import { generateKeyText, keyId, parseKeyring } from "../wire/keyring.ts";

/** One key of the run, its id and its base64 line. */
interface RunKey {
  readonly id: string;
  readonly line: string;
}

/** Where a run's keys came from, for the banner. */
export type RunKeyOrigin =
  | { readonly from: "secure" }
  | { readonly from: "file"; readonly path: string }
  | { readonly from: "env" };

/** Replaces the file at `path` with `text`, readable by its owner only. */
export type KeyFileWriter = (path: string, text: string) => Promise<void>;

/** The key file of a run and the rotation steps on it. */
export class RunKeys {
  readonly #path: string;
  readonly #writeFile: KeyFileWriter;
  #keys: RunKey[];
  /** Where the first keys came from. */
  readonly origin: RunKeyOrigin;

  private constructor(path: string, keys: RunKey[], origin: RunKeyOrigin, write: KeyFileWriter) {
    this.#path = path;
    this.#keys = keys;
    this.origin = origin;
    this.#writeFile = write;
  }

  /**
   * Writes the run's key file at `path`: a new random key (`--secure`), or
   * `lines` (checked by {@linkcode keyLines}), and returns the run's keys.
   */
  static async create(
    path: string,
    origin: RunKeyOrigin,
    lines: readonly string[] = [generateKeyText()],
    write: KeyFileWriter = writeKeyFile,
  ): Promise<RunKeys> {
    const keys = await Promise.all(lines.map(runKey));
    const run = new RunKeys(path, keys, origin, write);
    await run.#write();
    return run;
  }

  /** The key file every node is started with. */
  get path(): string {
    return this.#path;
  }

  /** The key ids, the sending key first. */
  get ids(): string[] {
    return this.#keys.map((k) => k.id);
  }

  /** Step 1: adds a new random key at the end (accepted by all, sent by none). Returns its id. */
  async install(): Promise<string> {
    const key = await runKey(generateKeyText());
    this.#keys = [...this.#keys, key];
    await this.#write();
    return key.id;
  }

  /**
   * Step 2: makes the key `id` (or a unique prefix of it) the sending key.
   * @throws {ConfigError} When no key or several match.
   */
  async use(id: string): Promise<string> {
    const key = this.#find(id);
    this.#keys = [key, ...this.#keys.filter((k) => k !== key)];
    await this.#write();
    return key.id;
  }

  /**
   * Step 3: removes the key `id` (or a unique prefix of it).
   * @throws {ConfigError} When no key or several match, or it is the sending key.
   */
  async remove(id: string): Promise<string> {
    const key = this.#find(id);
    if (key === this.#keys[0]) {
      throw new ConfigError(
        `Key ${key.id} is the sending key: make another one send first (keys use <id>)`,
      );
    }
    this.#keys = this.#keys.filter((k) => k !== key);
    await this.#write();
    return key.id;
  }

  #find(query: string): RunKey {
    const q = query.trim().toLowerCase();
    const matches = q === "" ? [] : this.#keys.filter((k) => k.id.startsWith(q));
    if (matches.length === 1) return matches[0]!;
    throw new ConfigError(
      matches.length === 0
        ? `No key ${JSON.stringify(query)}: the keys are ${this.ids.join(", ")}`
        : `Key prefix ${JSON.stringify(query)} matches ${matches.length} keys; give more digits`,
    );
  }

  async #write(): Promise<void> {
    const text = "# gossipnet up: this run's network keys (the first sends)\n" +
      this.#keys.map((k) => `${k.line}\n`).join("");
    await this.#writeFile(this.#path, text);
  }
}

/** Writes a key file whole: a 0600 temporary file renamed over the old one. */
export async function writeKeyFile(path: string, text: string): Promise<void> {
  const temp = `${path}.new`;
  await Deno.writeTextFile(temp, text, { mode: 0o600 });
  // The mode of an existing file is not changed by the write.
  await Deno.chmod(temp, 0o600).catch(() => {});
  await Deno.rename(temp, path);
}

async function runKey(line: string): Promise<RunKey> {
  return { id: (await parseKeyring(line, "key")).sendKey.id, line };
}

/**
 * The key lines of `text`, checked, duplicates dropped.
 * @throws {ConfigError} At a bad line (naming `source` and the line) or no key.
 */
export async function keyLines(text: string, source: string): Promise<string[]> {
  try {
    const ring = await parseKeyring(text, source);
    const ids = new Set(ring.ids);
    const lines: string[] = [];
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      const id = await keyId(Uint8Array.from(atob(line), (c) => c.charCodeAt(0)));
      if (ids.delete(id)) lines.push(line);
    }
    return lines;
  } catch (error) {
    throw new ConfigError(`Bad key: ${error instanceof Error ? error.message : String(error)}`);
  }
}
