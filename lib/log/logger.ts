/**
 * Wires LogTape to the node's two outputs: a JSON Lines file
 * `<log-dir>/<role>-<host>-<port>.jsonl` for machines and the console for
 * people. This is the only file that opens log files.
 *
 * @module
 */

import {
  configure,
  dispose,
  getLogger,
  type LogLevel,
  type LogRecord,
  type Sink,
} from "@logtape/logtape";
import { setColorEnabled } from "@std/fmt/colors";
import { systemClock } from "../util/clock.ts";
import { ConfigError, errorText } from "../util/errors.ts";
import {
  EVENT_FORMATS,
  type EventLevel,
  eventLevel,
  type EventLog,
  type LogEvent,
  renderEvent,
} from "./events.ts";
import { type FileSink, openFileSink } from "./file_sink.ts";
import { formatConsoleLine, formatJsonLine } from "./format.ts";

/** Options for {@linkcode openNodeLog}. */
export interface NodeLogOptions {
  /** `seed` or `peer`: the first part of the file name. */
  role: "seed" | "peer";
  /** The node's host, in the file name. */
  host: string;
  /** The node's port, in the file name. */
  port: number;
  /** Directory for the log file; created if missing. */
  logDir: string;
  /** Lowest level printed on the console. @default {"info"} */
  consoleLevel?: EventLevel;
  /** Whether to print to the console at all. @default {true} */
  console?: boolean;
  /** Text put before every console line (used by `up`). @default {""} */
  consolePrefix?: string;
}

/** An open node log: emit events, then close it to flush. */
export interface NodeLog extends EventLog {
  /** Path of the JSON Lines file. */
  readonly path: string;
  /** Flushes and closes the file. Idempotent. */
  close(): Promise<void>;
}

/** The log file name for a node: `<role>-<host>-<port>.jsonl` (":" made safe). */
export function logFileName(role: string, host: string, port: number): string {
  return `${role}-${host.replaceAll(":", "_")}-${port}.jsonl`;
}

/** True when the console should be coloured: a TTY and no `NO_COLOR`. */
export function consoleUsesColor(): boolean {
  return !Deno.noColor && Deno.stdout.isTerminal();
}

/**
 * Opens the node's log. LogTape is configured process-wide, so a process
 * runs one node.
 *
 * @throws {ConfigError} When the log directory or file cannot be created.
 */
export async function openNodeLog(options: NodeLogOptions): Promise<NodeLog> {
  const path = `${options.logDir.replace(/\/+$/, "") || "."}/${
    logFileName(options.role, options.host, options.port)
  }`;
  const category = ["gossipnet", options.role] as const;
  // The log file's own trouble can only be told on the console. The failure
  // is at error level, so every --log-level shows it.
  const notice = (level: "error" | "warning", text: string) =>
    options.console !== false && consoleSink({
      category,
      level,
      message: [text],
      rawMessage: text,
      timestamp: Date.now(),
      properties: {},
    });
  let fileSink: FileSink;
  try {
    await Deno.mkdir(options.logDir, { recursive: true });
    fileSink = openFileSink(path, (record) => formatJsonLine(record, systemClock.now()), {
      onWriteError: (error) =>
        notice(
          "error",
          `cannot write log file ${path}: ${errorText(error)}; the node keeps running, ` +
            "but its log records are lost until writing works again",
        ),
      onWriteResumed: (lost) =>
        notice("warning", `log file ${path} is written again; ${lost} records were lost`),
    });
  } catch (error) {
    throw new ConfigError(`Cannot write log file ${path}: ${errorText(error)}`, { cause: error });
  }
  const color = consoleUsesColor();
  setColorEnabled(color);
  const encoder = new TextEncoder();
  const prefix = options.consolePrefix ?? "";
  const consoleRank = levelRank(options.consoleLevel ?? "info");
  const consoleSink: Sink = (record) => {
    if (levelRank(record.level) < consoleRank) return;
    const line = prefix + formatConsoleLine(record, { color });
    try {
      const target = record.level === "error" || record.level === "fatal"
        ? Deno.stderr
        : Deno.stdout;
      target.writeSync(encoder.encode(line));
    } catch {
      // A closed console (e.g. the parent went away) must not stop the node.
    }
  };
  // The console sink formats each record synchronously, so LogTape need not
  // snapshot records for it (its registry symbol for "immediate" sinks).
  Object.defineProperty(consoleSink, Symbol.for("LogTape.sinkSnapshotPolicy.immediate"), {
    value: true,
  });
  const sinks = options.console === false ? ["file"] : ["file", "console"];
  await configure({
    reset: true,
    sinks: { file: fileSink, console: consoleSink },
    loggers: [
      { category: ["gossipnet"], sinks, lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  const logger = getLogger(category);
  let closed = false;
  return {
    path,
    emit(event: LogEvent) {
      if (closed) return;
      const format = EVENT_FORMATS[event.event];
      // Passing the category (a full LogRecord) takes LogTape's direct path;
      // without it every record is copied property by property (~5 µs).
      const record: LogRecord = {
        category,
        level: eventLevel(event),
        message: [renderEvent(event)],
        rawMessage: format.template,
        timestamp: Date.now(),
        properties: event as unknown as Record<string, unknown>,
      };
      logger.emit(record);
    },
    async close() {
      if (closed) return;
      closed = true;
      await dispose();
      await fileSink.close();
    },
  };
}

const RANKS: Readonly<Record<string, number>> = {
  trace: 0,
  debug: 1,
  info: 2,
  warning: 3,
  error: 4,
  fatal: 5,
};

function levelRank(level: LogLevel | EventLevel): number {
  return RANKS[level] ?? 2;
}
