/**
 * Application message ids: `<origin node id>-<seq>`, e.g.
 * `3f2a9c0b1d4e5f60-7`. The origin's node id (16 hex digits, fresh each
 * time its process starts) and its sequence number (from 1) identify a
 * message across the whole network; the Message List dedups on them. Ids
 * are plain strings so they can be printed, logged and passed around.
 *
 * @module
 */

/** The parts of a message id. */
export interface MessageIdParts {
  /** The origin's node id, 16 lowercase hex digits. */
  readonly originId: string;
  /** The origin's sequence number, 1 to 4294967295. */
  readonly seq: number;
}

/**
 * Formats a message id.
 *
 * @example Usage
 * ```ts
 * import { formatMessageId } from "./message_id.ts";
 * formatMessageId("0123456789abcdef", 7); // "0123456789abcdef-7"
 * ```
 */
export function formatMessageId(originId: string, seq: number): string {
  return `${originId}-${seq}`;
}

/**
 * Parses a message id; `undefined` if it is not one.
 *
 * @example Usage
 * ```ts
 * import { parseMessageId } from "./message_id.ts";
 * parseMessageId("0123456789abcdef-7"); // { originId: "0123456789abcdef", seq: 7 }
 * parseMessageId("nope"); // undefined
 * ```
 */
export function parseMessageId(id: string): MessageIdParts | undefined {
  const match = /^([0-9a-f]{16})-([1-9]\d{0,9})$/.exec(id);
  if (!match) return undefined;
  const seq = Number(match[2]);
  return seq <= 0xffff_ffff ? { originId: match[1] as string, seq } : undefined;
}
