/**
 * The text of a gossip message: `<unix ms>:<host>:<seq>`, seq from 1.
 *
 * @module
 */

import { formatHost, isValidHost } from "../util/address.ts";

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
  const match = /^(\d{1,15}):(\[[0-9a-fA-F:.]+\]|[^:\[\]]+):(\d{1,15})$/.exec(text);
  if (!match) return undefined;
  const bracketed = (match[2] as string).startsWith("[");
  const host = bracketed ? (match[2] as string).slice(1, -1) : match[2] as string;
  const seq = Number(match[3]);
  if (!isValidHost(host) || bracketed !== host.includes(":") || seq < 1) return undefined;
  return { timestampMs: Number(match[1]), host, seq };
}
