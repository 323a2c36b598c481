/**
 * Rate-limited warnings: a broken link or a misbehaving remote repeats the
 * same warning as fast as it can reconnect, and a log that grows by
 * thousands of identical lines hides everything else in it. Each kind of
 * warning about one remote is written at most once per window; the next one
 * that gets through says how many were held back.
 *
 * @module
 */

import type { Clock } from "../util/clock.ts";
import type { EventLog, LogEvent } from "./events.ts";

/** Default window: one line per warning kind and remote every 10 s. */
export const THROTTLE_WINDOW_MS = 10_000;

/** Most keys remembered; the oldest are forgotten first (a flood of remotes). */
const MAX_KEYS = 4096;

/**
 * The throttle key of an event, or `undefined` for events always written.
 * Contract events are never throttled: each one is a fact a reader counts;
 * except `auth_failed`, which a flood of strangers would make one line per
 * connection.
 */
export function throttleKey(event: LogEvent): string | undefined {
  switch (event.event) {
    case "connection_dropped":
    case "connection_refused":
      return `${event.event} ${event.remote} ${event.reason}`;
    // Keyed per IP (a flood of wrong-key connections comes from fresh
    // ports) and kind of failure (key ids and the remote's words left out).
    case "auth_failed":
      return `${event.event} ${event.remote.replace(/:\d+$/, "")} ${
        event.reason.replace(/^remote says: .*/, "remote says").replace(/[0-9a-f]{8}/g, "#")
      }`;
    case "banned":
    case "stamp_rejected":
      return `${event.event} ${event.remote}`;
    case "request_refused":
      return `${event.event} ${event.remote} ${event.kind}`;
    case "change_refused":
    case "removal_stalled":
      return `${event.event} ${event.peer}`;
    case "link_refused":
      return `${event.event} ${event.neighbor}`;
    case "gossip_dropped":
      return `${event.event} ${event.from}`;
    case "seed_link_down":
    case "seed_unreachable":
      return `${event.event} ${event.seed}`;
    case "neighbor_dial_failed":
      return `${event.event} ${event.neighbor}`;
    case "dead_node_invalid":
      return `${event.event} ${event.reporter}`;
    // A handler that fails on every message, or a queue that stays full,
    // would otherwise write one line per message.
    case "handler_failed":
    case "handler_dropped":
      return event.event;
    default:
      return undefined;
  }
}

interface Slot {
  /** When the last line for this key was written. */
  writtenAt: number;
  /** Lines held back since then. */
  held: number;
}

/**
 * Decides, per key, whether a line is written now; pure apart from the
 * injected clock.
 *
 * @example Usage
 * ```ts
 * import { Throttle } from "./throttle.ts";
 * let now = 0;
 * const throttle = new Throttle({ now: () => now, setTimeout: () => 0, clearTimeout() {} }, 1000);
 * throttle.check("a"); // { write: true, held: 0 }
 * throttle.check("a"); // { write: false, held: 1 }
 * now = 1000;
 * throttle.check("a"); // { write: true, held: 1 }
 * ```
 */
export class Throttle {
  #clock: Clock;
  #windowMs: number;
  // Made at the first throttled line: a simulation holds 100,000 nodes, most never warn.
  #slots: Map<string, Slot> | undefined;

  /** One line per key per `windowMs`. */
  constructor(clock: Clock, windowMs: number = THROTTLE_WINDOW_MS) {
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  /** Whether a line for `key` is written now, and how many were held back before it. */
  check(key: string): { write: boolean; held: number } {
    const now = this.#clock.now();
    const slots = this.#slots ??= new Map();
    const slot = slots.get(key);
    if (slot && now - slot.writtenAt < this.#windowMs) {
      slot.held++;
      return { write: false, held: slot.held };
    }
    const held = slot?.held ?? 0;
    slots.delete(key); // re-insert: Map order is then least recently written first
    slots.set(key, { writtenAt: now, held: 0 });
    if (slots.size > MAX_KEYS) {
      const oldest = slots.keys().next().value;
      if (oldest !== undefined) slots.delete(oldest);
    }
    return { write: true, held };
  }
}

/**
 * Wraps `log` so repeated warnings (see {@linkcode throttleKey}) are written
 * at most once per window per remote; a line written after others were held
 * back carries their number in `suppressed`.
 */
export function throttledLog(log: EventLog, clock: Clock, windowMs?: number): EventLog {
  const throttle = new Throttle(clock, windowMs);
  return {
    emit(event: LogEvent): void {
      const key = throttleKey(event);
      if (key === undefined) return log.emit(event);
      const { write, held } = throttle.check(key);
      if (!write) return;
      log.emit(held > 0 ? { ...event, suppressed: held } as LogEvent : event);
    },
  };
}
