/**
 * fast-check generators for every wire message, with every field drawn over
 * its whole legal range: hosts of every length (IPv4, IPv6, DNS names of 1
 * to 253 characters), ports 0-65535 where allowed, counts from 0 up to what
 * a frame can hold, and text of every byte length from empty to the frame
 * limit, in any Unicode.
 *
 * {@linkcode MESSAGE_ARBITRARIES} is typed by message kind, so a message kind
 * added to the protocol without a generator here is a type error.
 *
 * @module
 */

import fc from "fast-check";
import type { Address } from "../../lib/util/address.ts";
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from "../../lib/wire/frame.ts";
import {
  type CatchUpItem,
  DECISION_OUTCOMES,
  ERROR_CODES,
  type MemberRecord,
  type Message,
  type MessageKind,
  type PeerEntry,
  PROTOCOL_VERSION,
  REFUSAL_REASONS,
  REMOVAL_REASONS,
  ROLE_CODES,
} from "../../lib/wire/messages.ts";

/** Largest payload of any frame. */
export const MAX_PAYLOAD = MAX_FRAME_BYTES - 1;

const LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-";

// A tiny deterministic generator, for building long values from one drawn
// seed (far cheaper than drawing every character through fast-check).
function mulberry(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A DNS name of exactly `length` characters (1-253), labels of 1-63. */
export function hostName(length: number, seed: number): string {
  const rng = mulberry(seed);
  const labels: string[] = [];
  let left = length;
  while (left > 0) {
    if (labels.length > 0) left -= 1; // the dot before this label
    let size = Math.min(63, left, 1 + Math.floor(rng() * 63));
    // One character left over could not hold a dot and a label.
    if (left - size === 1) size += size < 63 ? 1 : -1;
    let label = "";
    for (let i = 0; i < size; i++) {
      const edge = i === 0 || i === size - 1;
      label += LABEL_CHARS[Math.floor(rng() * (edge ? 36 : 37))]; // no hyphen at either end
    }
    labels.push(label);
    left -= size;
  }
  const name = labels.join(".");
  // A name of digits and dots is a broken IPv4 literal, not a name.
  return /^[\d.]+$/.test(name) ? "a" + name.slice(1) : name;
}

/** DNS names of every length from 1 to 253. */
export const dnsName: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 253 }), fc.integer())
  .map(([length, seed]) => hostName(length, seed));

/** Any host the protocol accepts: IPv4, IPv6 (every text form) or a DNS name. */
export const host: fc.Arbitrary<string> = fc.oneof(fc.ipV4(), fc.ipV6(), dnsName);

/** An address with a port of 1-65535. */
export const address: fc.Arbitrary<Address> = fc.record({
  host,
  port: fc.integer({ min: 1, max: 65535 }),
});

/** A 16-hex-digit node id. */
export const nodeId: fc.Arbitrary<string> = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));

/** A seed challenge nonce: 32 hex digits. */
export const seedNonce: fc.Arbitrary<string> = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));

/** `n` random bytes as lowercase hex (key ids, auth nonces, MACs). */
export function hexBytes(n: number): fc.Arbitrary<string> {
  return fc
    .uint8Array({ minLength: n, maxLength: n })
    .map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
}

/** A proposal id, `<node id>-<u32>`. */
export const proposalId: fc.Arbitrary<string> = fc
  .tuple(nodeId, fc.nat({ max: 0xffff_ffff }))
  .map(([id, seq]) => `${id}-${seq}`);

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.nat({ max: 0xffff_ffff });

/** A version stamp: any finite, non-negative double. */
export const stamp: fc.Arbitrary<number> = fc.double({
  min: 0,
  noNaN: true,
  noDefaultInfinity: true,
});

const ENCODER = new TextEncoder();

/** The longest prefix of `text` whose UTF-8 form fits `maxBytes` (whole code points). */
export function fitBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const unit = text.charCodeAt(i);
    // A surrogate pair is one code point of 4 bytes; lone surrogates become U+FFFD (3).
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length &&
      text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
    const size = pair ? 4 : unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return text.slice(0, i);
}

/**
 * Text of any UTF-8 byte length from 0 to `maxBytes`. Short text is drawn
 * character by character (any code point); long text repeats a drawn piece
 * up to a drawn length, so every size up to the limit is reached cheaply.
 */
export function text(maxBytes: number): fc.Arbitrary<string> {
  const unicode = fc.string({ unit: "binary", maxLength: Math.min(40, maxBytes) });
  const short = unicode.map((t) => fitBytes(t, maxBytes));
  const long = fc
    .tuple(
      fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 6 }), fc.constant("x")),
      fc.integer({ min: 0, max: maxBytes }),
    )
    .map(([piece, size]) => fitBytes(piece.repeat(Math.ceil(size / piece.length)), size));
  const exact = fc.constant("x".repeat(maxBytes));
  return fc.oneof(
    { weight: 6, arbitrary: short },
    { weight: 3, arbitrary: long },
    { weight: 1, arbitrary: exact },
  );
}

/**
 * Lists of 0 up to `max` items: usually short lists of distinct draws, often
 * long ones that cycle a few draws, so counts near the frame limit are common
 * without generating thousands of values each time.
 */
export function list<T>(item: fc.Arbitrary<T>, max: number): fc.Arbitrary<T[]> {
  const short = fc.array(item, { maxLength: Math.min(12, max) });
  const long = fc
    .tuple(fc.array(item, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max }))
    .map(([items, count]) => Array.from({ length: count }, (_, i) => items[i % items.length] as T));
  return fc.oneof({ weight: 19, arbitrary: short }, { weight: 1, arbitrary: long });
}

/** A peer-list entry. */
export const peerEntry: fc.Arbitrary<PeerEntry> = fc.record({ address, degree: u16 });

/** A membership record, with or without a removal reason. */
export const wireRecord: fc.Arbitrary<MemberRecord> = fc
  .tuple(
    address,
    fc.constantFrom("member" as const, "removed" as const),
    fc.option(fc.constantFrom(...REMOVAL_REASONS), { nil: undefined }),
    stamp,
    nodeId,
    u16,
  )
  .map(([address, state, reason, stamp, origin, degree]) =>
    reason === undefined
      ? { address, state, version: { stamp, origin }, degree }
      : { address, state, reason, version: { stamp, origin }, degree }
  );

// Payload bytes left for a message's variable part, given its fixed part.
function room(fixed: number, host = 0): number {
  return MAX_PAYLOAD - fixed - host;
}

/** Fewest payload bytes a peer-list entry takes (the shortest host, "::"). */
const MIN_ENTRY_BYTES = 5 + 2;
/** Fewest payload bytes a sync record takes. */
const MIN_RECORD_BYTES = 24 + 2;

/** Lists long enough to need splitting over several frames. */
export const PEER_LIST_MAX = Math.ceil((MAX_FRAME_BYTES * 1.5) / MIN_ENTRY_BYTES);
/** Records long enough to need splitting over several frames. */
export const SYNC_RECORDS_MAX = Math.ceil((MAX_FRAME_BYTES * 1.5) / MIN_RECORD_BYTES);

/**
 * A catch-up item: a gossip message's origin and text, of any size that
 * fits a catch-up frame (`catchUpMessages` leaves out the few gossip texts
 * within bytes of the frame limit; a unit test covers that).
 */
export const catchUpItem: fc.Arbitrary<CatchUpItem> = address.chain((origin) =>
  text(MAX_FRAME_BYTES - FRAME_HEADER_BYTES - 16 - 5 - ENCODER.encode(origin.host).length)
    .map((t) => ({ origin, text: t }))
);
/** Items enough to need several frames. */
export const CATCH_UP_ITEMS_MAX = Math.ceil((MAX_FRAME_BYTES * 1.5) / MIN_ENTRY_BYTES);

/**
 * Bytes of any length from 0 to `maxBytes`: short arrays drawn byte by
 * byte, long ones filled from one drawn seed (cheap at 64 KiB), and the
 * exact maximum.
 */
export function bytes(maxBytes: number): fc.Arbitrary<Uint8Array> {
  const short = fc.uint8Array({ maxLength: Math.min(40, maxBytes) });
  const long = fc
    .tuple(fc.integer({ min: 0, max: maxBytes }), fc.integer())
    .map(([size, seed]) => {
      const rng = mulberry(seed);
      const out = new Uint8Array(size);
      // One draw gives four bytes.
      for (let i = 0; i < size; i += 4) {
        const word = Math.floor(rng() * 0x1_0000_0000);
        out[i] = word;
        out[i + 1] = word >>> 8;
        out[i + 2] = word >>> 16;
        out[i + 3] = word >>> 24;
      }
      return out;
    });
  const exact = fc.integer().map((seed) => new Uint8Array(maxBytes).fill(seed & 0xff));
  return fc.oneof(
    { weight: 6, arbitrary: short },
    { weight: 3, arbitrary: long },
    { weight: 1, arbitrary: exact },
  );
}

/** Fewest payload bytes a members record takes. */
const MIN_MEMBER_BYTES = MIN_RECORD_BYTES;

type ArbitraryTable = { [K in MessageKind]: fc.Arbitrary<Extract<Message, { kind: K }>> };

const addressedText = (
  kind: "gossip",
): fc.Arbitrary<Extract<Message, { kind: "gossip" }>> =>
  address.chain((origin) =>
    text(room(5, ENCODER.encode(origin.host).length)).map((t) => ({ kind, origin, text: t }))
  );

/**
 * A generator for every message kind. Peer lists and sync states may exceed
 * one frame: tests split them with `peerListMessages` / `syncStateMessages`.
 */
export const MESSAGE_ARBITRARIES: ArbitraryTable = {
  hello: fc
    .tuple(fc.constantFrom(...ROLE_CODES), nodeId, host, fc.integer({ min: 0, max: 65535 }))
    .filter(([role, , , port]) => port > 0 || role === "client")
    .map(([role, id, h, port]) => ({
      kind: "hello" as const,
      version: PROTOCOL_VERSION,
      role,
      nodeId: id,
      address: { host: h, port },
    })),
  error: fc.record({
    kind: fc.constant("error" as const),
    code: fc.constantFrom(...ERROR_CODES, "other" as const),
    text: text(room(3)),
  }),
  register: fc.record({ kind: fc.constant("register" as const), degree: u16 }),
  registered: fc.constant({ kind: "registered" as const }),
  refused: fc.record({
    kind: fc.constant("refused" as const),
    reason: fc.constantFrom(...REFUSAL_REASONS, "other" as const),
    text: text(room(3)),
  }),
  peer_list_request: fc.record({ kind: fc.constant("peer_list_request" as const), requestId: u32 }),
  peer_list: fc.record({
    kind: fc.constant("peer_list" as const),
    requestId: u32,
    more: fc.boolean(),
    peers: list(peerEntry, PEER_LIST_MAX),
  }),
  gossip: addressedText("gossip"),
  ping: fc.record({ kind: fc.constant("ping" as const), nonce: u32 }),
  pong: fc.record({ kind: fc.constant("pong" as const), nonce: u32 }),
  dead_node: fc.record({ kind: fc.constant("dead_node" as const), text: text(room(2)) }),
  leave: fc.record({ kind: fc.constant("leave" as const), reason: text(255) }),
  degree_update: fc.record({ kind: fc.constant("degree_update" as const), degree: u16 }),
  propose: fc
    .tuple(
      proposalId,
      address,
      fc.oneof(
        fc.constant({ op: "add" as const }),
        fc.constantFrom(...REMOVAL_REASONS).map((reason) => ({ op: "remove" as const, reason })),
      ),
      stamp,
    )
    .chain(([id, peer, op, s]): fc.Arbitrary<Extract<Message, { kind: "propose" }>> => {
      if (op.op === "add") {
        return fc.constant({
          kind: "propose" as const,
          proposalId: id,
          change: { op: "add" as const, peer },
          stamp: s,
        });
      }
      return text(room(27, ENCODER.encode(peer.host).length)).map((raw) => ({
        kind: "propose" as const,
        proposalId: id,
        change: { op: "remove" as const, peer, reason: op.reason, raw },
        stamp: s,
      }));
    }),
  vote: fc.record({
    kind: fc.constant("vote" as const),
    proposalId,
    yes: fc.boolean(),
    reason: text(255),
    stamp,
  }),
  commit: fc.record({ kind: fc.constant("commit" as const), proposalId, record: wireRecord }),
  abort: fc.record({ kind: fc.constant("abort" as const), proposalId }),
  sync_request: fc.record({ kind: fc.constant("sync_request" as const), requestId: u32 }),
  sync_state: fc.record({
    kind: fc.constant("sync_state" as const),
    requestId: u32,
    more: fc.boolean(),
    records: list(wireRecord, SYNC_RECORDS_MAX),
  }),
  probe_request: fc.record({
    kind: fc.constant("probe_request" as const),
    nonce: u32,
    target: address,
  }),
  probe_result: fc.record({
    kind: fc.constant("probe_result" as const),
    nonce: u32,
    target: address,
    alive: fc.boolean(),
  }),
  catch_up_request: fc.record({
    kind: fc.constant("catch_up_request" as const),
    maxMessages: u16,
    maxAgeMs: u32,
  }),
  catch_up: fc.record({
    kind: fc.constant("catch_up" as const),
    more: fc.boolean(),
    // Many short items (counts up to several frames), or a few of any size.
    items: fc.oneof(
      list(
        catchUpItem.map((item) => ({ ...item, text: fitBytes(item.text, 40) })),
        CATCH_UP_ITEMS_MAX,
      ),
      fc.array(catchUpItem, { maxLength: 3 }),
    ),
  }),
  seed_challenge: fc.record({ kind: fc.constant("seed_challenge" as const), nonce: seedNonce }),
  seed_proof: fc.record({ kind: fc.constant("seed_proof" as const), nonce: seedNonce }),
  auth_hello: fc.record({
    kind: fc.constant("auth_hello" as const),
    keyId: hexBytes(4),
    nonce: hexBytes(32),
  }),
  auth_proof: fc.record({ kind: fc.constant("auth_proof" as const), mac: hexBytes(32) }),
  decision: address.chain((dead) =>
    fc.record({
      kind: fc.constant("decision" as const),
      dead: fc.constant(dead),
      outcome: fc.constantFrom(...DECISION_OUTCOMES, "other" as const),
      text: text(room(6, ENCODER.encode(dead.host).length)),
    })
  ),
  app_message: fc
    .tuple(u16, nodeId, fc.integer({ min: 1, max: 0xffff_ffff }), address)
    .chain(([hops, originId, seq, origin]) =>
      bytes(room(17, ENCODER.encode(origin.host).length)).map((data) => ({
        kind: "app_message" as const,
        hops,
        originId,
        seq,
        origin,
        data,
      }))
    ),
  publish: fc.record({
    kind: fc.constant("publish" as const),
    requestId: u32,
    data: bytes(room(4)),
  }),
  published: fc.record({
    kind: fc.constant("published" as const),
    requestId: u32,
    originId: nodeId,
    seq: u32,
    neighbors: u16,
  }),
  status_request: fc.record({ kind: fc.constant("status_request" as const), requestId: u32 }),
  status: fc.record({ kind: fc.constant("status" as const), requestId: u32, json: text(room(4)) }),
  members_request: fc.record({ kind: fc.constant("members_request" as const), requestId: u32 }),
  members: fc.record({
    kind: fc.constant("members" as const),
    requestId: u32,
    more: fc.boolean(),
    records: list(wireRecord, Math.ceil((MAX_FRAME_BYTES * 1.5) / MIN_MEMBER_BYTES)),
  }),
};

/** Bytes of a frame's payload for a message, given its encoded frame. */
export function payloadBytes(frame: Uint8Array): number {
  return frame.length - FRAME_HEADER_BYTES;
}
