/**
 * Joining byte arrays, through std's `concat` (its npm build is untyped, so
 * this is its typed face).
 *
 * @module
 */

// The npm build of the std has no types: the import is `any`.
import { concat } from "@std/bytes/concat";

/**
 * The bytes of `parts`, one after another, in a new array.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts";
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out: unknown = concat(parts as Uint8Array[]);
  if (!(out instanceof Uint8Array)) throw new TypeError("std concat returned a non-Uint8Array");
  return out;
}
