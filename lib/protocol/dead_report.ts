/**
 * The Dead Node report: `Dead Node:<ip>:<port>:<unix ms>:<reporter ip>`.
 * IPv6 addresses appear in brackets so the colons stay unambiguous.
 *
 * @module
 */

import { type Address, formatHost, isValidHost, isValidPort } from "../util/address.ts";

/** The parts of a Dead Node report. */
export interface DeadReport {
  readonly dead: Address;
  readonly timestampMs: number;
  readonly reporterHost: string;
}

const PREFIX = "Dead Node:";

/**
 * Formats a Dead Node report.
 *
 * @example Usage
 * ```ts
 * import { formatDeadReport } from "./dead_report.ts";
 * formatDeadReport({
 *   dead: { host: "127.0.0.1", port: 6001 },
 *   timestampMs: 1732180000000,
 *   reporterHost: "127.0.0.1",
 * }); // "Dead Node:127.0.0.1:6001:1732180000000:127.0.0.1"
 * ```
 */
export function formatDeadReport(report: DeadReport): string {
  return `${PREFIX}${formatHost(report.dead.host)}:${report.dead.port}:${
    Math.floor(report.timestampMs)
  }:${formatHost(report.reporterHost)}`;
}

/** Result of {@linkcode parseDeadReport}. */
export type DeadReportParse =
  | { readonly ok: true; readonly report: DeadReport }
  | { readonly ok: false; readonly detail: string };

const HOST = String.raw`(\[[0-9a-fA-F:.]+\]|[^:\[\]]+)`;
const PATTERN = new RegExp(`^Dead Node:${HOST}:(\\d{1,5}):(\\d{1,15}):${HOST}$`);

/**
 * Parses and validates a Dead Node report.
 *
 * @example Usage
 * ```ts
 * import { parseDeadReport } from "./dead_report.ts";
 * parseDeadReport("Dead Node:127.0.0.1:6001:1732180000000:127.0.0.1").ok; // true
 * parseDeadReport("Dead Node:nonsense").ok; // false
 * ```
 */
export function parseDeadReport(text: string): DeadReportParse {
  if (!text.startsWith(PREFIX)) {
    return { ok: false, detail: `does not start with "${PREFIX}"` };
  }
  const match = PATTERN.exec(text);
  if (!match) {
    return { ok: false, detail: "expected Dead Node:<ip>:<port>:<unix ms>:<reporter ip>" };
  }
  const unbracket = (h: string) => h.replace(/^\[(.*)\]$/, "$1");
  // Brackets are for IPv6 only, as in host:port addresses.
  const bracketsFit = (h: string) => h.startsWith("[") === h.includes(":");
  const deadHost = unbracket(match[1] as string);
  const port = Number(match[2]);
  const reporterHost = unbracket(match[4] as string);
  if (!bracketsFit(match[1] as string) || !bracketsFit(match[4] as string)) {
    return { ok: false, detail: "brackets are only for IPv6 addresses" };
  }
  if (!isValidHost(deadHost)) return { ok: false, detail: `dead host "${deadHost}" is not valid` };
  if (!isValidPort(port)) return { ok: false, detail: `dead port ${port} is not 1-65535` };
  if (!isValidHost(reporterHost)) {
    return { ok: false, detail: `reporter host "${reporterHost}" is not valid` };
  }
  return {
    ok: true,
    report: { dead: { host: deadHost, port }, timestampMs: Number(match[3]), reporterHost },
  };
}
