/**
 * The two renderings of a log record: one JSON object per line for
 * machines, one short line for people.
 *
 * @module
 */

import type { LogRecord } from "@logtape/logtape";
import * as colors from "@std/fmt/colors";

const LEVEL_NAMES: Readonly<Record<string, string>> = {
  trace: "TRACE",
  debug: "DEBUG",
  info: "INFO",
  warning: "WARN",
  error: "ERROR",
  fatal: "FATAL",
};

/** The level as log lines spell it: `INFO`, `WARN`, ... */
export function levelName(level: string): string {
  return LEVEL_NAMES[level] ?? level.toUpperCase();
}

function messageText(record: LogRecord): string {
  let text = "";
  for (const part of record.message) text += typeof part === "string" ? part : String(part);
  return text;
}

/**
 * Formats a record as one JSON Lines object, in LogTape's JSON Lines layout
 * (`@timestamp`, `level`, `message`, `logger`, `properties`) plus `ts`: the
 * same instant as Unix milliseconds with a sub-millisecond fraction, for
 * latency measurements.
 */
export function formatJsonLine(record: LogRecord, now: number): string {
  return JSON.stringify({
    "@timestamp": new Date(record.timestamp).toISOString(),
    ts: Math.round(now * 1000) / 1000,
    level: levelName(record.level),
    message: messageText(record),
    logger: record.category.join("."),
    properties: record.properties,
  }) + "\n";
}

const LEVEL_COLORS: Readonly<Record<string, (text: string) => string>> = {
  debug: colors.dim,
  info: colors.green,
  warning: colors.yellow,
  error: colors.red,
  fatal: colors.red,
};

/** Options for {@linkcode formatConsoleLine}. */
export interface ConsoleLineOptions {
  /** Use ANSI colours. */
  color: boolean;
}

/** Formats a record as one line for a person: `12:00:01.234 INFO  message`. */
export function formatConsoleLine(record: LogRecord, options: ConsoleLineOptions): string {
  const time = new Date(record.timestamp).toISOString().slice(11, 23);
  const level = (LEVEL_NAMES[record.level] ?? record.level).padEnd(5);
  const text = messageText(record);
  if (!options.color) return `${time} ${level} ${text}\n`;
  const paint = LEVEL_COLORS[record.level] ?? ((s: string) => s);
  return `${colors.dim(time)} ${paint(level)} ${text}\n`;
}
