/**
 * Where a library or command-line node's events go besides its handle's
 * `events()`: the command line's log (console and file), a library user's
 * own sink, and a log file when `logDir` is given.
 *
 * @module
 */

import { openEventFile } from "../log/event_file.ts";
import type { EventLog } from "../log/events.ts";
import type { NodeLog } from "../log/logger.ts";
import type { Address } from "../util/address.ts";
import type { NodeOptions } from "./options.ts";

/** A node's open sinks. */
export interface NodeLogs {
  readonly sinks: readonly EventLog[];
  /** Flushes and closes the logs this module opened. */
  close(): Promise<void>;
}

/** Opens the sinks `options` and `launch` ask for, for a node bound at `listen`. */
export async function openLogs(
  role: "seed" | "peer",
  options: Pick<NodeOptions, "log" | "logDir">,
  launch: { openLog?: (listen: Address) => Promise<NodeLog> },
  listen: Address,
): Promise<NodeLogs> {
  const opened: NodeLog[] = [];
  try {
    if (launch.openLog) opened.push(await launch.openLog(listen));
    if (options.logDir !== undefined) {
      opened.push(await openEventFile({ role, ...listen, logDir: options.logDir }));
    }
  } catch (error) {
    await Promise.all(opened.map((log) => log.close()));
    throw error;
  }
  return {
    sinks: [...opened, ...(options.log ? [options.log] : [])],
    close: async () => {
      await Promise.all(opened.map((log) => log.close()));
    },
  };
}
