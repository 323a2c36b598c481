/**
 * The text of a gossip message: `<unix ms>:<host>:<seq>`, seq from 1.
 *
 * @module
 */

import { formatHost } from "../util/address.ts";

/**
 * Formats a gossip message's text.
 *
 * @example Usage
 * ```ts
 * import { formatGossipText } from "./gossip_text.ts";
 * formatGossipText(1732180000000, "127.0.0.1", 1); // "1732180000000:127.0.0.1:1"
 * ```
 */
export function formatGossipText(timestampMs: number, host: string, seq: number): string {
  return `${Math.floor(timestampMs)}:${formatHost(host)}:${seq}`;
}

/** The parts of a gossip text. */
export interface GossipTextParts {
  readonly timestampMs: number;
  readonly host: string;
  readonly seq: number;
}

/**
 * Parses a gossip text; `undefined` if it is not `<unix ms>:<host>:<seq>`.
 *
 * @example Usage
 * ```ts
 * import { parseGossipText } from "./gossip_text.ts";
 * parseGossipText("1732180000000:127.0.0.1:3")?.seq; // 3
 * ```
 */
export function parseGossipText(text: string): GossipTextParts | undefined {
  const match = /^(\d+):(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (!match) return undefined;
  const host = (match[2] as string).replace(/^\[(.*)\]$/, "$1");
  return { timestampMs: Number(match[1]), host, seq: Number(match[3]) };
}
