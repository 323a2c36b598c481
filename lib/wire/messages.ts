/**
 * The protocol's messages: encoding a message into a frame and decoding a
 * frame into a message. Byte layouts are documented in `docs/protocol.md`;
 * the codecs live in `_overlay_codecs.ts` and `_membership_codecs.ts`.
 *
 * Decoding never throws: {@linkcode decodeMessage} returns a result whose
 * failure reason is a short string fit for a log field.
 *
 * @module
 */

import { ByteReader, ByteWriter, MalformedInput } from "./_bytes.ts";
import type { Codec } from "./_codec.ts";
import * as app from "./_app_codecs.ts";
import * as membership from "./_membership_codecs.ts";
import * as overlay from "./_overlay_codecs.ts";
import * as seedAuth from "./_seed_auth_codecs.ts";
import * as auth from "./_auth_codecs.ts";
import { BadMagic, VersionMismatch } from "./_overlay_codecs.ts";
import { type Frame, FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from "./frame.ts";
import {
  type CatchUpItem,
  type CatchUpMessage,
  type DecodeResult,
  type MemberRecord,
  type MembersMessage,
  type Message,
  type MessageKind,
  type PeerEntry,
  type PeerListMessage,
  PROTOCOL_VERSION,
  type SyncStateMessage,
} from "./message_types.ts";

export * from "./message_types.ts";

type CodecTable = { [K in MessageKind]: Codec<Extract<Message, { kind: K }>> };

const CODECS: CodecTable = {
  hello: overlay.hello,
  error: overlay.error,
  register: overlay.register,
  registered: overlay.registered,
  refused: overlay.refused,
  peer_list_request: overlay.peerListRequest,
  peer_list: overlay.peerList,
  gossip: overlay.gossip,
  ping: overlay.ping,
  pong: overlay.pong,
  dead_node: overlay.deadNode,
  leave: overlay.leave,
  degree_update: overlay.degreeUpdate,
  propose: membership.propose,
  vote: membership.vote,
  commit: membership.commit,
  abort: membership.abort,
  sync_request: membership.syncRequest,
  sync_state: membership.syncState,
  probe_request: membership.probeRequest,
  probe_result: membership.probeResult,
  decision: membership.decision,
  app_message: app.appMessage,
  publish: app.publish,
  published: app.published,
  status_request: app.statusRequest,
  status: app.status,
  members_request: app.membersRequest,
  members: app.members,
  catch_up_request: overlay.catchUpRequest,
  catch_up: overlay.catchUp,
  seed_challenge: seedAuth.seedChallenge,
  seed_proof: seedAuth.seedProof,
  auth_hello: auth.authHello,
  auth_proof: auth.authProof,
};

export { APP_HOPS_OFFSET } from "./_app_codecs.ts";
export { setAddressCacheSlots } from "./_codec.ts";

/** Longest DNS name a host may be, in bytes. */
const MAX_HOST_BYTES = 253;

/**
 * Bytes of an `app_message` payload before the user's data: hop count (2),
 * origin node id (8), sequence number (4), origin address (3 + host bytes).
 */
export function appHeaderBytes(originHost: string): number {
  return 17 + utf8Length(originHost);
}

/**
 * Largest application payload, in bytes: 65,265. It is the frame limit
 * (65,536) less the type byte and the largest `app_message` header (one
 * whose origin host is a 253-byte DNS name), so a payload any one peer may
 * publish, every peer may publish.
 *
 * @example Usage
 * ```ts
 * import { MAX_PAYLOAD_BYTES } from "./messages.ts";
 * MAX_PAYLOAD_BYTES; // 65265
 * ```
 */
export const MAX_PAYLOAD_BYTES: number = MAX_FRAME_BYTES - 1 - 17 - MAX_HOST_BYTES;

const BY_TYPE: ReadonlyArray<Codec<Message> | undefined> = (() => {
  const table: Array<Codec<Message> | undefined> = [];
  for (const codec of Object.values(CODECS)) table[codec.type] = codec as Codec<Message>;
  return table;
})();

/**
 * Encodes a message as a complete frame (length prefix, type, payload).
 *
 * @example Usage
 * ```ts
 * import { decodeMessage, encodeMessage } from "./messages.ts";
 * import { FrameDecoder } from "./frame.ts";
 * const bytes = encodeMessage({ kind: "ping", nonce: 42 });
 * const [frame] = new FrameDecoder().push(bytes).frames;
 * decodeMessage(frame!); // { ok: true, message: { kind: "ping", nonce: 42 } }
 * ```
 *
 * @throws {RangeError} If a field exceeds its size limit or the frame would
 * exceed {@linkcode MAX_FRAME_BYTES}.
 */
export function encodeMessage(message: Message): Uint8Array {
  const capacity = message.kind === "peer_list"
    ? 64 + message.peers.length * 24
    : "data" in message
    ? 300 + message.data.length
    : 64;
  return encodeMessageFrom(message, capacity);
}

/**
 * {@linkcode encodeMessage} with the encoder's buffer starting at
 * `initialCapacity` bytes (it grows as needed). Tests use it to make the
 * buffer grow at every possible field; the bytes are always the same.
 *
 * @example Usage
 * ```ts
 * import { encodeMessage, encodeMessageFrom } from "./messages.ts";
 * const ping = { kind: "ping", nonce: 1 } as const;
 * encodeMessageFrom(ping, 1).join() === encodeMessage(ping).join(); // true
 * ```
 */
export function encodeMessageFrom(message: Message, initialCapacity: number): Uint8Array {
  return encodeWith(new ByteWriter(initialCapacity), message);
}

// The writer encodeTransient() reuses, and the most it keeps between calls.
let scratch = new ByteWriter(1024);
const SCRATCH_KEEP_BYTES = 64 * 1024;

/**
 * {@linkcode encodeMessage} into a buffer shared by every call: the bytes are
 * valid only until the next call, so the caller copies them at once (a
 * connection's send queue does). Saves an allocation per message sent.
 *
 * @example Usage
 * ```ts
 * import { encodeMessage, encodeTransient } from "./messages.ts";
 * const copy = encodeTransient({ kind: "ping", nonce: 7 }).slice();
 * copy.join() === encodeMessage({ kind: "ping", nonce: 7 }).join(); // true
 * ```
 *
 * @throws {RangeError} As {@linkcode encodeMessage}.
 */
export function encodeTransient(message: Message): Uint8Array {
  // A burst's large message does not pin its buffer for good.
  if (scratch.capacity > SCRATCH_KEEP_BYTES) scratch = new ByteWriter(1024);
  return encodeWith(scratch.reset(), message);
}

function encodeWith(w: ByteWriter, message: Message): Uint8Array {
  const codec = CODECS[message.kind] as Codec<Message>;
  w.u32(0).u8(codec.type);
  codec.encode(w, message);
  const length = w.length - 4;
  if (length > MAX_FRAME_BYTES) {
    throw new RangeError(`Frame length (${length}) exceeds limit (${MAX_FRAME_BYTES})`);
  }
  w.patchU32(0, length);
  return w.view();
}

/** Reports whether `type` is a message type this build can decode. */
export function isKnownType(type: number): boolean {
  return BY_TYPE[type] !== undefined;
}

const FRAME_READER = new ByteReader(new Uint8Array(0));

/** Decodes a frame into a message, or says precisely why it cannot. */
export function decodeMessage(frame: Frame): DecodeResult {
  const codec = BY_TYPE[frame.type];
  if (!codec) {
    return {
      ok: false,
      reason: "unknown_type",
      detail: `Unknown message type ${frame.type}`,
      type: frame.type,
    };
  }
  // One reader for every frame: decoding is synchronous and never nested.
  const reader = FRAME_READER.reset(frame.payload);
  try {
    const message = codec.decode(reader);
    reader.end(message.kind);
    return { ok: true, message };
  } catch (error) {
    if (error instanceof VersionMismatch) {
      return {
        ok: false,
        reason: "unsupported_version",
        detail:
          `Protocol version mismatch: remote speaks ${error.version}, this node speaks ${PROTOCOL_VERSION}`,
        type: frame.type,
        remoteVersion: error.version,
      };
    }
    if (error instanceof BadMagic) {
      return {
        ok: false,
        reason: "bad_magic",
        detail: "Hello does not start with GSPN",
        type: frame.type,
      };
    }
    if (error instanceof MalformedInput) {
      const name = Object.keys(CODECS).find((k) => CODECS[k as MessageKind].type === frame.type);
      return {
        ok: false,
        reason: "malformed",
        detail: `Malformed ${name}: ${error.message}`,
        type: frame.type,
      };
    }
    throw error;
  }
}

const ENCODER = new TextEncoder();

// Payload bytes a list message's items may take: the frame limit less the
// type byte and a list header (request id, flags, count) with room to spare.
const FRAME_BUDGET = MAX_FRAME_BYTES - FRAME_HEADER_BYTES - 16;

// Most bytes a str8 host can take on the wire (a longer one fails to encode).
const STR8_MAX_BYTES = 255;

// Splits items into chunks whose encoded size fits one frame. With
// `maxItemSize`, a list that fits even if every item were that big is not
// measured: a seed's sampled peer list (32 entries) is measured by nothing,
// where measuring read every host string, a cache miss each at 100,000 peers.
function splitForFrames<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxItemSize = Infinity,
): T[][] {
  const budget = FRAME_BUDGET;
  // (The count limit, 0xffff, is far above what fits a frame this way.)
  if (items.length * maxItemSize <= budget) return [items.slice()];
  const parts: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (current.length > 0 && (size + itemSize > budget || current.length === 0xffff)) {
      parts.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  parts.push(current);
  return parts;
}

function utf8Length(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return ENCODER.encode(text).length;
  }
  return text.length;
}

/**
 * Splits a peer list into `peer_list` messages that each fit in one frame.
 * Always returns at least one message (an empty list is one empty message).
 */
export function peerListMessages(
  requestId: number,
  peers: readonly PeerEntry[],
): PeerListMessage[] {
  const parts = splitForFrames(peers, (p) => 5 + utf8Length(p.address.host), 5 + STR8_MAX_BYTES);
  return parts.map((part, i) => ({
    kind: "peer_list",
    requestId,
    more: i < parts.length - 1,
    peers: part,
  }));
}

/** Splits a seed's records into `members` messages that each fit in one frame. */
export function membersMessages(
  requestId: number,
  records: readonly MemberRecord[],
): MembersMessage[] {
  const parts = splitForFrames(
    records,
    (r) => 24 + utf8Length(r.address.host),
    24 + STR8_MAX_BYTES,
  );
  return parts.map((part, i) => ({
    kind: "members",
    requestId,
    more: i < parts.length - 1,
    records: part,
  }));
}

/** Splits sync records into `sync_state` messages that each fit in one frame. */
export function syncStateMessages(
  requestId: number,
  records: readonly MemberRecord[],
): SyncStateMessage[] {
  const parts = splitForFrames(
    records,
    (r) => 24 + utf8Length(r.address.host),
    24 + STR8_MAX_BYTES,
  );
  return parts.map((part, i) => ({
    kind: "sync_state",
    requestId,
    more: i < parts.length - 1,
    records: part,
  }));
}

/**
 * Splits catch-up items into `catch_up` messages that each fit in one frame.
 * An item too big to share a frame with the message header (a gossip text
 * within a few bytes of the frame limit) is left out.
 */
export function catchUpMessages(items: readonly CatchUpItem[]): CatchUpMessage[] {
  const size = (item: CatchUpItem) => 5 + utf8Length(item.origin.host) + utf8Length(item.text);
  const fitting = items.filter((item) => size(item) <= FRAME_BUDGET);
  const parts = splitForFrames(fitting, size);
  return parts.map((part, i) => ({ kind: "catch_up", more: i < parts.length - 1, items: part }));
}
