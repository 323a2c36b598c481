/**
 * Node log lines as the run analysis sees them: a timestamp, an event name
 * and the event's fields. Log files are written by other processes (and may
 * come from another version), so every line is checked here rather than
 * trusted.
 *
 * @module
 */

import { eventLevel, type LogEvent, renderEvent } from "../log/events.ts";
import { levelName } from "../log/format.ts";

/** One event from a node's JSON Lines log. */
export interface RunRecord {
  /** Unix milliseconds with a sub-millisecond fraction (the line's `ts`). */
  readonly ts: number;
  /** The event name, e.g. `gossip_received`. */
  readonly event: string;
  /** The event's fields, `event` included. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The line's level (`INFO`, `WARN`, ...), when it has one. */
  readonly level?: string;
  /** The line's human-readable message, when it has one. */
  readonly message?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses one log line. The event and its fields may sit under `properties`
 * (LogTape's layout, what gossipnet writes) or at the top level (both are
 * allowed by the contract). `ts` is preferred; `@timestamp` is the fallback.
 * Returns `undefined` for a blank, malformed or half-written line.
 *
 * @example Usage
 * ```ts
 * import { parseRecordLine } from "./records.ts";
 * const line = '{"ts":1.5,"properties":{"event":"listening","address":"127.0.0.1:5000"}}';
 * parseRecordLine(line)?.event; // "listening"
 * ```
 */
export function parseRecordLine(line: string): RunRecord | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const fields = isObject(value.properties) && typeof value.properties.event === "string"
    ? value.properties
    : value;
  if (typeof fields.event !== "string") return undefined;
  let ts = typeof value.ts === "number" ? value.ts : NaN;
  if (!Number.isFinite(ts) && typeof value["@timestamp"] === "string") {
    ts = Date.parse(value["@timestamp"]);
  }
  if (!Number.isFinite(ts)) return undefined;
  const record: {
    ts: number;
    event: string;
    fields: Record<string, unknown>;
    level?: string;
    message?: string;
  } = { ts, event: fields.event, fields };
  if (typeof value.level === "string") record.level = value.level;
  if (typeof value.message === "string") record.message = value.message;
  return record;
}

/**
 * The record a log line for `event` written at `ts` would parse to, for
 * nodes whose events `up` gets directly (in-process) instead of from their
 * files.
 *
 * @example Usage
 * ```ts
 * import { recordOfEvent } from "./records.ts";
 * const event = { event: "stopping", reason: "exit" } as const;
 * recordOfEvent(event, 1.5).level; // "INFO"
 * ```
 */
export function recordOfEvent(event: LogEvent, ts: number): RunRecord {
  let message: string | undefined;
  return {
    ts,
    event: event.event,
    fields: event as unknown as Record<string, unknown>,
    level: levelName(eventLevel(event)),
    // Most records are never shown: render the text only for those that are.
    get message() {
      return message ??= renderEvent(event);
    },
  };
}

/** A string field of a record, or `undefined` if absent or not a string. */
export function textField(record: RunRecord, name: string): string | undefined {
  const value = record.fields[name];
  return typeof value === "string" ? value : undefined;
}

/** A number field of a record, or `undefined` if absent or not a finite number. */
export function numberField(record: RunRecord, name: string): number | undefined {
  const value = record.fields[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
