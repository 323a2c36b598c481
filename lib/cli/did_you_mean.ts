/**
 * "Did you mean --port?": the closest known name to a mistyped flag or
 * command, found with std's `closestString`, offered only when it is close
 * enough to be a typo rather than a different word.
 *
 * @module
 */

import { closestString } from "@std/text/closest-string";
import { levenshteinDistance } from "@std/text/levenshtein-distance";

/**
 * The closest of `known` to `given`, or `undefined` when none is within a
 * typo's distance (2 edits, or a third of the word for long ones).
 *
 * @example Usage
 * ```ts
 * import { closestName } from "./did_you_mean.ts";
 * closestName("prot", ["port", "host", "config"]); // "port"
 * closestName("zzzz", ["port", "host"]); // undefined
 * ```
 */
export function closestName(given: string, known: readonly string[]): string | undefined {
  if (known.length === 0 || given === "") return undefined;
  // The std build is untyped JavaScript: check what comes back.
  const nearest: unknown = closestString(given, [...known], { caseSensitive: false });
  if (typeof nearest !== "string") return undefined;
  const distance: unknown = levenshteinDistance(given.toLowerCase(), nearest.toLowerCase());
  if (typeof distance !== "number") return undefined;
  const allowed = Math.max(2, Math.floor(given.length / 3));
  return distance <= allowed && distance < given.length ? nearest : undefined;
}

/** `"; did you mean X?"` for the closest of `known`, or `""`. */
export function didYouMean(
  given: string,
  known: readonly string[],
  show: (name: string) => string = (name) => name,
): string {
  const nearest = closestName(given, known);
  return nearest === undefined ? "" : `; did you mean ${show(nearest)}?`;
}
