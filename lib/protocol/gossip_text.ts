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
