/**
 * The seed list (`config.csv`): one seed per row, `host,port`; an optional
 * `host,port` header; blank lines and `#` comments ignored. Also the two
 * facts everything else derives from it: the quorum size and whether a given
 * address is one of the seeds.
 *
 * @module
 */

import { parse as parseCsv } from "@std/csv/parse";
import {
  type Address,
  canonicalHost,
  formatAddress,
  isUnspecifiedHost,
  isValidHost,
  sameAddress,
} from "../util/address.ts";
import { ConfigError, errorText } from "../util/errors.ts";
import { quoteInput } from "../util/quote.ts";

// Bytes no text config holds: C0 controls but whitespace, DEL, and U+FFFD (what
// invalid UTF-8 decodes to). A line with them is from a binary file.
// deno-lint-ignore no-control-regex -- control characters are what it finds.
const NOT_TEXT = /[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/;

/** Options for {@linkcode parseSeedList}. */
export interface ParseSeedListOptions {
  /** File name used in error messages. @default "config.csv" */
  file?: string;
}

/**
 * Parses the text of a seed list. Every problem is a {@linkcode ConfigError}
 * naming the file, the line and what is wrong.
 *
 * @example Usage
 * ```ts
 * import { parseSeedList } from "./seed_list.ts";
 * const seeds = parseSeedList("host,port\n127.0.0.1,5000\n# spare\n127.0.0.1,5001\n");
 * seeds.length; // 2
 * ```
 *
 * @throws {ConfigError} On a malformed row, a duplicate seed or no seeds.
 */
export function parseSeedList(
  text: string,
  options: ParseSeedListOptions = {},
): Address[] {
  const file = options.file ?? "config.csv";
  const seeds: Address[] = [];
  const firstLine = new Map<string, number>();
  let sawRow = false;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fail = (problem: string): never => {
      throw new ConfigError(`Cannot read ${file}: line ${lineNo}: ${problem}`);
    };
    if (NOT_TEXT.test(line)) {
      fail(`not text (control or invalid UTF-8 bytes; a binary file?): ${quoteInput(line)}`);
    }
    const fields = splitRow(line, fail);
    const isFirstRow = !sawRow;
    sawRow = true;
    if (
      isFirstRow && fields.length === 2 &&
      fields[0]?.toLowerCase() === "host" && fields[1]?.toLowerCase() === "port"
    ) continue;
    if (fields.length !== 2) {
      fail(`expected 2 columns "host,port", got ${fields.length}`);
    }
    const [host = "", portText = ""] = fields;
    if (!isValidHost(host)) {
      fail(`host must be an IP address or host name, got ${quoteInput(host)}`);
    }
    if (isUnspecifiedHost(host)) {
      fail(
        `host ${host} is the unspecified address, which peers cannot dial; list the seed's own address`,
      );
    }
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      fail(`port must be 1-65535, got ${quoteInput(portText)}`);
    }
    // Canonical, so two spellings of one address are one seed (and a duplicate).
    const seed = { host: canonicalHost(host), port: Number(portText) };
    const key = formatAddress(seed);
    const earlier = firstLine.get(key);
    if (earlier !== undefined) fail(`duplicate seed ${key} (first on line ${earlier})`);
    firstLine.set(key, lineNo);
    seeds.push(seed);
  }
  if (seeds.length === 0) {
    throw new ConfigError(`Cannot read ${file}: no seeds listed (expected rows "host,port")`);
  }
  return seeds;
}

// @std/csv ships without type declarations in its npm build, so its output is
// checked here rather than trusted.
function splitRow(line: string, fail: (problem: string) => never): string[] {
  let rows: unknown;
  try {
    rows = parseCsv(line);
  } catch (error) {
    fail(`not valid CSV (${errorText(error).replace(/^.*?:\s*/, "")})`);
  }
  if (!Array.isArray(rows) || rows.length !== 1) fail("not a single CSV row");
  const row: unknown = (rows as unknown[])[0];
  if (!Array.isArray(row) || !row.every((f): f is string => typeof f === "string")) {
    return fail("not a single CSV row");
  }
  return row.map((field) => field.trim());
}

/**
 * Reads and parses a seed list file.
 *
 * @throws {ConfigError} When the file is missing, unreadable or malformed.
 */
export async function loadSeedList(path: string): Promise<Address[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ConfigError(`Cannot read ${path}: file not found`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new ConfigError(`Cannot read ${path}: permission denied`);
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw new ConfigError(`Cannot read ${path}: is a directory`);
    }
    throw new ConfigError(`Cannot read ${path}: ${errorText(error)}`, { cause: error });
  }
  return parseSeedList(text, { file: path });
}

/**
 * The number of seeds that make a majority of `seedCount`: ⌊n/2⌋+1.
 *
 * @example Usage
 * ```ts
 * import { quorumSize } from "./seed_list.ts";
 * quorumSize(3); // 2
 * quorumSize(4); // 3
 * ```
 */
export function quorumSize(seedCount: number): number {
  return Math.floor(seedCount / 2) + 1;
}

/** Reports whether `address` is one of `seeds`. */
export function isListedSeed(seeds: readonly Address[], address: Address): boolean {
  return seeds.some((seed) => sameAddress(seed, address));
}
