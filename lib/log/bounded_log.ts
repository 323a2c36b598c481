/**
 * Log lines that quote a remote's text stay short: any string field longer
 * than a limit is cut, with a note of how much was left out. A remote that
 * sends 64 KiB of junk in a Dead Node report or an error frame then costs
 * the log a line of a few hundred bytes, not 64 KiB.
 *
 * @module
 */

import type { EventLog, LogEvent } from "./events.ts";

/**
 * Longest string field written, in UTF-16 units: 600, above the longest
 * valid Dead Node text (two 253-character names, about 540), so a contract
 * field is never cut; only junk is.
 */
export const MAX_FIELD_CHARS = 600;

/**
 * `text` cut to `max` characters, with how many were left out.
 *
 * @example Usage
 * ```ts
 * import { truncateText } from "./bounded_log.ts";
 * truncateText("abcdef", 3); // "abc…(3 more)"
 * truncateText("abc", 3); // "abc"
 * ```
 */
export function truncateText(text: string, max: number = MAX_FIELD_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more)`;
}

// Copies the event only when a field needs cutting: the common case is free.
function bounded(event: LogEvent, max: number): LogEvent {
  const fields = event as unknown as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (key === "event") continue;
    const value = fields[key];
    if (typeof value === "string" && value.length > max) {
      copy ??= { ...fields };
      copy[key] = truncateText(value, max);
    } else if (Array.isArray(value) && value.some((v) => typeof v === "string" && v.length > max)) {
      copy ??= { ...fields };
      copy[key] = value.map((v) => typeof v === "string" ? truncateText(v, max) : v);
    }
  }
  return (copy ?? fields) as unknown as LogEvent;
}

/** Wraps `log` so no string field it writes exceeds `max` characters. */
export function boundedLog(log: EventLog, max: number = MAX_FIELD_CHARS): EventLog {
  return { emit: (event) => log.emit(bounded(event, max)) };
}
