/**
 * Sample messages of every kind, with awkward field values (IPv6 hosts,
 * longest names, non-ASCII text, boundary numbers), shared by the codec and
 * fuzz tests.
 *
 * @module
 */

import {
  ERROR_CODES,
  type Message,
  type MessageKind,
  PROTOCOL_VERSION,
  REFUSAL_REASONS,
} from "../../lib/wire/messages.ts";

/** A valid node id. */
export const NODE_ID = "0123456789abcdef";

/** A host name of exactly 253 characters, the longest a DNS name may be. */
export const LONGEST_NAME: string = ["a", "b", "c"].map((c) => c.repeat(63)).join(".") + "." +
  "d".repeat(61);
/** The longest IPv6 literal text (45 characters). */
export const LONGEST_V6 = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";

/** One or more samples of every message kind. */
export const SAMPLES: readonly Message[] = [
  {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role: "seed",
    nodeId: NODE_ID,
    address: { host: "127.0.0.1", port: 5000 },
  },
  {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role: "peer",
    nodeId: "ffffffffffffffff",
    address: { host: "2001:db8::1", port: 65535 },
  },
  {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role: "client",
    nodeId: "0000000000000000",
    address: { host: "::1", port: 0 },
  },
  ...ERROR_CODES.map((code, i): Message => ({ kind: "error", code, text: `error ${i}` })),
  { kind: "error", code: "malformed", text: "" },
  { kind: "register", degree: 0 },
  { kind: "register", degree: 65535 },
  { kind: "registered" },
  ...REFUSAL_REASONS.map((reason): Message => ({ kind: "refused", reason, text: reason })),
  { kind: "peer_list_request", requestId: 0 },
  { kind: "peer_list_request", requestId: 0xffffffff },
  { kind: "peer_list", requestId: 0, more: false, peers: [] },
  {
    kind: "peer_list",
    requestId: 77,
    more: true,
    peers: [
      { address: { host: "10.0.0.1", port: 1 }, degree: 0 },
      { address: { host: LONGEST_V6, port: 65535 }, degree: 65535 },
      { address: { host: LONGEST_NAME, port: 4242 }, degree: 3 },
    ],
  },
  { kind: "gossip", origin: { host: "127.0.0.1", port: 6001 }, text: "1700000000000:127.0.0.1:1" },
  { kind: "gossip", origin: { host: "fe80::1", port: 6002 }, text: "héllo, wörld: 你好 🌍" },
  // Non-ASCII text longer than 64 UTF-16 units takes the TextDecoder path.
  { kind: "gossip", origin: { host: LONGEST_NAME, port: 1 }, text: "ünïcødé ".repeat(40) },
  { kind: "ping", nonce: 0 },
  { kind: "ping", nonce: 0xffffffff },
  { kind: "pong", nonce: 123456789 },
  { kind: "dead_node", text: "Dead Node:127.0.0.1:6001:1700000000000:127.0.0.1" },
  { kind: "dead_node", text: "Dead Node:[::1]:6001:1700000000000:[::1]" },
  { kind: "leave", reason: "" },
  { kind: "leave", reason: "x".repeat(255) },
  // 85 three-byte characters: exactly the 255-byte limit of a 1-byte prefix.
  { kind: "leave", reason: "€".repeat(85) },
  { kind: "degree_update", degree: 12 },
];

/** Samples of the application and inspection messages (types 23-29). */
export const APP_SAMPLES: readonly Message[] = [
  {
    kind: "app_message",
    hops: 1,
    originId: NODE_ID,
    seq: 1,
    origin: { host: "127.0.0.1", port: 6001 },
    data: new Uint8Array(0),
  },
  {
    kind: "app_message",
    hops: 65535,
    originId: "ffffffffffffffff",
    seq: 0xffffffff,
    origin: { host: LONGEST_NAME, port: 65535 },
    data: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
  },
  { kind: "publish", requestId: 0, data: new Uint8Array(0) },
  { kind: "publish", requestId: 0xffffffff, data: new TextEncoder().encode("héllo") },
  { kind: "published", requestId: 7, originId: NODE_ID, seq: 42, neighbors: 3 },
  { kind: "status_request", requestId: 1 },
  { kind: "status", requestId: 1, json: '{"role":"peer","note":"ünï"}' },
  { kind: "members_request", requestId: 2 },
  { kind: "members", requestId: 2, more: false, records: [] },
  {
    kind: "members",
    requestId: 3,
    more: true,
    records: [{
      address: { host: LONGEST_V6, port: 1 },
      state: "removed",
      reason: "left",
      version: { stamp: 1700000000000.5, origin: NODE_ID },
      degree: 65535,
    }],
  },
];

/**
 * The foundation's message kinds and their type bytes, written by hand (not
 * derived from the code under test): these numbers are the wire protocol and
 * may never change. Kinds appended later are not listed here.
 */
export const FOUNDATION_TYPES: ReadonlyMap<MessageKind, number> = new Map<MessageKind, number>([
  ["hello", 1],
  ["error", 2],
  ["register", 3],
  ["registered", 4],
  ["refused", 5],
  ["peer_list_request", 6],
  ["peer_list", 7],
  ["gossip", 8],
  ["ping", 9],
  ["pong", 10],
  ["dead_node", 11],
  ["leave", 12],
  ["degree_update", 13],
]);

/**
 * The application and inspection message kinds and their type bytes, by
 * hand. Provisional numbers: the integrator may renumber them densely when
 * merging, then updates this table and docs/protocol.md together.
 */
export const APP_TYPES: ReadonlyMap<MessageKind, number> = new Map<MessageKind, number>([
  ["app_message", 23],
  ["publish", 24],
  ["published", 25],
  ["status_request", 26],
  ["status", 27],
  ["members_request", 28],
  ["members", 29],
]);

/**
 * Samples of kinds appended after the foundation, each with its type byte
 * written by hand (the wire numbers are the protocol).
 */
export const APPENDED_SAMPLES: ReadonlyArray<readonly [Message, number]> = [
  [{ kind: "seed_challenge", nonce: "00112233445566778899aabbccddeeff" }, 32],
  [{ kind: "seed_proof", nonce: "ffffffffffffffffffffffffffffffff" }, 33],
];

/** Samples of the keyed handshake's two kinds, with their type bytes written by hand. */
export const AUTH_SAMPLES: ReadonlyArray<readonly [Message, number]> = [
  [{ kind: "auth_hello", keyId: "0a1b2c3d", nonce: "ab".repeat(32) }, 34],
  [{ kind: "auth_proof", mac: "cd".repeat(32) }, 35],
];
