/**
 * What `up` prints about its nodes: one line per membership event by
 * default (joins, lost links, suspicions, reports, vote outcomes and
 * removals, plus any other warning or error), or every node line with
 * `--verbose`; in both, nodes are named (`p3`), not addressed
 * (`127.0.0.1:5005`). Pure: records in, lines out.
 *
 * A removal is logged by every seed; it is printed once. While the run
 * stops, the goodbyes of a clean leave are not printed at all: the summary
 * follows.
 *
 * @module
 */

import { NEIGHBOR_LEFT_REASON } from "../log/events.ts";
import { numberField, type RunRecord, textField } from "./records.ts";
import { countText } from "../util/count_text.ts";

/** How serious a line is, for colouring. */
export type LineLevel = "info" | "warning" | "error";

/** One line to print about a node. */
export interface EventLine {
  /** The node it is about (its name). */
  readonly node: string;
  readonly level: LineLevel;
  /** The text, after the node's name. */
  readonly text: string;
}

/** Options for {@linkcode EventLines}. */
export interface EventLinesOptions {
  /** `host:port` → name, for every node of the run. */
  names: ReadonlyMap<string, string>;
  /** Print every node line (info and above), not only membership events. */
  verbose: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces every known address in `text` by its name. An address inside a
 * gossip message (`<ts>:<ip>:<seq>`) is left alone: it follows a `:`.
 *
 * @example Usage
 * ```ts
 * import { nameAddresses } from "./event_lines.ts";
 * const names = new Map([["127.0.0.1:5003", "p1"]]);
 * nameAddresses("received 17:127.0.0.1:5003 from 127.0.0.1:5003", names);
 * // "received 17:127.0.0.1:5003 from p1"
 * ```
 */
export function nameAddresses(text: string, names: ReadonlyMap<string, string>): string {
  return namer(names)(text);
}

function namer(names: ReadonlyMap<string, string>): (text: string) => string {
  if (names.size === 0) return (text) => text;
  const alternatives = [...names.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`(?<![\\w:.\\]])(?:${alternatives.join("|")})(?![\\w])`, "g");
  return (text) => text.replace(pattern, (address) => names.get(address) ?? address);
}

function levelOf(record: RunRecord): LineLevel {
  switch (record.level) {
    case "WARN":
    case "WARNING":
      return "warning";
    case "ERROR":
    case "FATAL":
      return "error";
    default:
      return "info";
  }
}

function list(value: unknown, name: (text: string) => string): string {
  if (!Array.isArray(value) || value.length === 0) return "none";
  return value.map((v) => name(String(v))).join(", ");
}

/** Turns node log records into the lines `up` prints. */
export class EventLines {
  readonly #options: EventLinesOptions;
  readonly #name: (text: string) => string;
  /** Peers whose removal was printed (until they register again). */
  readonly #removed = new Set<string>();
  #stopping = false;

  /** Lines for the nodes in `options.names`. */
  constructor(options: EventLinesOptions) {
    this.#options = options;
    this.#name = namer(options.names);
  }

  /**
   * From now on the run is stopping: only errors are news (verbose mode
   * still prints all but the goodbyes).
   */
  stopping(): void {
    this.#stopping = true;
  }

  /** The line for `record` from the node `node` (its name), if it gets one. */
  line(node: string, record: RunRecord): EventLine | undefined {
    // A network told to stop unsettles itself: links drop, leaves race the
    // seeds' own stop, busy seeds cannot vote. That is not news (it is all
    // in the logs); only errors are.
    if (this.#stopping && !this.#options.verbose && levelOf(record) !== "error") return undefined;
    const text = this.#options.verbose ? this.#verbose(record) : this.#membership(record);
    if (text === undefined) return undefined;
    return { node, level: levelOf(record), text };
  }

  #verbose(record: RunRecord): string | undefined {
    if (record.level === "DEBUG" || record.level === "TRACE") return undefined;
    if (this.#stopping && this.#isGoodbye(record)) return undefined;
    return this.#name(record.message ?? record.event);
  }

  // What a stopping network says of itself: leaves, and dials that fail
  // because the peer dialled has already stopped.
  #isGoodbye(record: RunRecord): boolean {
    const reason = textField(record, "reason");
    return (record.event === "peer_removed" && reason === "left") ||
      (record.event === "neighbor_lost" && reason === NEIGHBOR_LEFT_REASON) ||
      record.event === "neighbor_dial_failed";
  }

  #membership(record: RunRecord): string | undefined {
    const n = this.#name;
    const field = (name: string) => n(textField(record, name) ?? "?");
    switch (record.event) {
      case "synced":
        return `ready (${countText(numberField(record, "members") ?? 0, "peer")} in its list)`;
      case "joined":
        return `joined via ${list(record.fields.seeds, n)} ` +
          `(${countText(numberField(record, "candidates") ?? 0, "peer")} known)`;
      case "peer_registered": {
        this.#removed.delete(textField(record, "peer") ?? "");
        return undefined;
      }
      case "neighbor_lost": {
        if (textField(record, "reason") === NEIGHBOR_LEFT_REASON) {
          return `lost its link to ${field("neighbor")}: it left`;
        }
        return `lost its link to ${field("neighbor")}: ${field("reason")}`;
      }
      case "suspect":
        return `suspects ${field("neighbor")} (${numberField(record, "misses") ?? "?"} missed ` +
          `pings); asking ${list(record.fields.helpers, n)} to probe it`;
      case "suspicion_cleared":
        return `${field("neighbor")} is alive after all (it answered ${field("by")})`;
      case "dead_node_reported":
        return `reports ${field("dead")} dead to ${list(record.fields.seeds, n)}`;
      case "dead_node_report":
        // The reporting peer's line says it; each seed's receipt would repeat it.
        return undefined;
      case "removal_rejected":
      case "registration_rejected": {
        const what = record.event === "removal_rejected" ? "removal" : "registration";
        return `vote: ${what} of ${field("peer")} rejected (${numberField(record, "yes") ?? 0} ` +
          `of ${numberField(record, "needed") ?? "?"} needed yes votes)`;
      }
      case "peer_removed": {
        const peer = textField(record, "peer") ?? "?";
        const reason = textField(record, "reason");
        if (this.#removed.has(peer)) return undefined;
        this.#removed.add(peer);
        return reason === "left"
          ? `${n(peer)} left: removed from the peer list`
          : `vote: ${n(peer)} removed as dead (a majority of seeds agreed)`;
      }
      default: {
        // Anything else that is worth a warning is shown too, named.
        const level = levelOf(record);
        if (level === "info") return undefined;
        return n(record.message ?? record.event);
      }
    }
  }
}
