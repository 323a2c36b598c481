/**
 * Duration syntax shared by every timing flag: a whole number of
 * milliseconds (`200`) or a number with a unit (`200ms`, `1.5s`, `2m`, `1h`).
 *
 * @module
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a duration into milliseconds. Returns `undefined` when the text is
 * not a duration (callers turn that into an error naming their flag).
 *
 * @example Usage
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * parseDuration("200"); // 200
 * parseDuration("1.5s"); // 1500
 * parseDuration("2m"); // 120000
 * parseDuration("soon"); // undefined
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const ms = Number(trimmed);
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)$/.exec(trimmed);
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] ?? NaN);
  return Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : undefined;
}
