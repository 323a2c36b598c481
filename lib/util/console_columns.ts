/**
 * The width of the terminal a command draws on.
 *
 * @module
 */

/** What a terminal that does not say its width is taken to have. */
export const FALLBACK_COLUMNS = 120;

/**
 * Columns of the console (`Deno.consoleSize`: whichever of the standard
 * streams is a terminal), or {@linkcode FALLBACK_COLUMNS} when none is or
 * it reports 0 (as some pseudo-terminals do).
 *
 * @example Usage
 * ```ts
 * import { consoleColumns } from "./console_columns.ts";
 * consoleColumns() > 0; // true
 * ```
 */
export function consoleColumns(): number {
  try {
    return Deno.consoleSize().columns || FALLBACK_COLUMNS;
  } catch {
    return FALLBACK_COLUMNS;
  }
}
