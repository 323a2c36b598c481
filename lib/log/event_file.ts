/**
 * A node's JSON Lines log file without LogTape's process-wide
 * configuration, for processes that run many nodes (the library): each
 * node gets its own file and its own flush timer, and the lines are the
 * same bytes `openNodeLog` writes.
 *
 * @module
 */

import type { LogRecord } from "@logtape/logtape";
import { systemClock } from "../util/clock.ts";
import { ConfigError, errorText } from "../util/errors.ts";
import { EVENT_FORMATS, eventLevel, type LogEvent, renderEvent } from "./events.ts";
import { type FileSink, openFileSink } from "./file_sink.ts";
import { formatJsonLine } from "./format.ts";
import { logFileName, type NodeLog } from "./logger.ts";

/** Options for {@linkcode openEventFile}. */
export interface EventFileOptions {
  role: "seed" | "peer";
  /** The node's host and port, in the file name. */
  host: string;
  port: number;
  /** Directory for the file; created if missing. */
  logDir: string;
  /** Longest a line waits in memory before it is written, in ms. @default {FLUSH_INTERVAL_MS} */
  flushIntervalMs?: number;
}

/** The LogTape record `openNodeLog` would make of an event. */
export function eventRecord(event: LogEvent, category: readonly string[]): LogRecord {
  const format = EVENT_FORMATS[event.event];
  return {
    category,
    // As openNodeLog: some events are routine for some reasons (a peer that left).
    level: eventLevel(event),
    message: [renderEvent(event)],
    rawMessage: format.template,
    timestamp: Date.now(),
    properties: event as unknown as Record<string, unknown>,
  };
}

/**
 * Opens `<logDir>/<role>-<host>-<port>.jsonl` for appending.
 *
 * @throws {ConfigError} When the directory or file cannot be created.
 */
export async function openEventFile(options: EventFileOptions): Promise<NodeLog> {
  const path = `${options.logDir.replace(/\/+$/, "") || "."}/${
    logFileName(options.role, options.host, options.port)
  }`;
  let sink: FileSink;
  try {
    await Deno.mkdir(options.logDir, { recursive: true });
    sink = openFileSink(
      path,
      (record) => formatJsonLine(record, systemClock.now()),
      options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs },
    );
  } catch (error) {
    throw new ConfigError(`Cannot write log file ${path}: ${errorText(error)}`, { cause: error });
  }
  const category = ["gossipnet", options.role] as const;
  let closed = false;
  return {
    path,
    emit(event) {
      if (!closed) sink(eventRecord(event, category));
    },
    async close() {
      if (closed) return;
      closed = true;
      await sink.close();
    },
  };
}
