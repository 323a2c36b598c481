/**
 * "Did you mean --port?": the closest known name to a mistyped flag or
 * command, found with std's `closestString`, offered only when it is close
 * enough to be a typo rather than a different word.
 *
 * @module
 */

import { closestString } from "@std/text/closest-string";

/**
 * Edit distance counting a swap of two neighbouring letters as one edit
 * (optimal string alignment), so `prot` is one edit from `port` (plain
 * Levenshtein says two, as far as `host`).
 *
 * @example Usage
 * ```ts
 * import { typoDistance } from "./did_you_mean.ts";
 * typoDistance("prot", "port"); // 1
 * typoDistance("port", "host"); // 2
 * ```
 */
export function typoDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

const bare = (name: string) => name.replace(/^-+/, "").toLowerCase();

/**
 * The closest of `known` to `given`, or `undefined` when none is near
 * enough: one edit for words of up to 4 letters, two (or a third of the
 * word) for longer ones, or `given` being a whole part of a longer name
 * (`--port` for `--base-port`). Leading dashes and case do not count.
 *
 * @example Usage
 * ```ts
 * import { closestName } from "./did_you_mean.ts";
 * closestName("--prot", ["--port", "--host", "--config"]); // "--port"
 * closestName("--port", ["--base-port", "--host"]); // "--base-port"
 * closestName("zzzz", ["port", "host"]); // undefined
 * ```
 */
export function closestName(given: string, known: readonly string[]): string | undefined {
  const word = bare(given);
  if (known.length === 0 || word === "") return undefined;
  const part = known.find((name) => bare(name).split("-").includes(word));
  if (part !== undefined && bare(part) !== word) return part;
  // The std build is untyped JavaScript: check what comes back.
  const nearest: unknown = closestString(word, known.map(bare), { compareFn: typoDistance });
  if (typeof nearest !== "string") return undefined;
  const distance = typoDistance(word, nearest);
  const allowed = word.length <= 4 ? 1 : Math.max(2, Math.floor(word.length / 3));
  if (distance > allowed) return undefined;
  return known.find((name) => bare(name) === nearest);
}

/** `"; did you mean X?"` for the closest of `known`, or `""`. */
export function didYouMean(given: string, known: readonly string[]): string {
  const nearest = closestName(given, known);
  return nearest === undefined ? "" : `; did you mean ${nearest}?`;
}
