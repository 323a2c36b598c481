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

/**
 * Longest gossip text accepted, in bytes: a 16-digit timestamp, the longest
 * host (253) and a 10-digit sequence number fit with room to spare.
 */
export const MAX_GOSSIP_TEXT_BYTES = 300;

const GOSSIP_TEXT = /^(\d{1,16}):(\[[0-9a-fA-F:.]+\]|[^:\[\]]+):(\d{1,10})$/;

/**
 * Reports whether `text` is a gossip text `<unix ms>:<host>:<seq>` whose
 * host is its origin's, and no longer than {@linkcode MAX_GOSSIP_TEXT_BYTES}.
 * Anything else is not gossip: relaying and logging it would let one sender
 * fill every peer's log with whatever it likes.
 *
 * @example Usage
 * ```ts
 * import { isGossipText } from "./gossip_text.ts";
 * isGossipText("1732180000000:127.0.0.1:1", "127.0.0.1"); // true
 * isGossipText("1732180000000:127.0.0.1:1", "10.0.0.1"); // false
 * isGossipText("x".repeat(40000), "127.0.0.1"); // false
 * ```
 */
export function isGossipText(text: string, originHost: string): boolean {
  if (text.length > MAX_GOSSIP_TEXT_BYTES) return false;
  const match = GOSSIP_TEXT.exec(text);
  return match !== null && match[2] === formatHost(originHost);
}
