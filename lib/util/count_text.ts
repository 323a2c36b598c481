/**
 * A count and its noun for people to read: "1 peer", "3 peers".
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { countText } from "./count_text.ts";
 * assertEquals(countText(1, "peer"), "1 peer");
 * assertEquals(countText(0, "peer"), "0 peers");
 * ```
 *
 * @module
 */

/** `n` and `noun`, with an "s" unless `n` is 1. */
export function countText(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
