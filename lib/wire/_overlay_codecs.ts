/**
 * Codecs of the messages between peers and seeds and between neighbours:
 * handshake, registration, peer lists, gossip, liveness, reports, leaving.
 * Private to `lib/wire`.
 *
 * @module
 */

import { MalformedInput } from "./_bytes.ts";
import {
  type Codec,
  codeOf,
  readAddress,
  readCode,
  readNodeId,
  writeAddress,
  writeNodeId,
} from "./_codec.ts";
import {
  type CatchUpItem,
  type CatchUpMessage,
  type CatchUpRequestMessage,
  type DeadNodeMessage,
  type DegreeUpdateMessage,
  ERROR_CODES,
  type ErrorMessage,
  type GossipMessage,
  HELLO_MAGIC,
  type HelloMessage,
  type LeaveMessage,
  MessageType,
  type PeerEntry,
  type PeerListMessage,
  type PeerListRequestMessage,
  type PingMessage,
  type PongMessage,
  PROTOCOL_VERSION,
  REFUSAL_REASONS,
  type RefusedMessage,
  type RegisteredMessage,
  type RegisterMessage,
  ROLE_CODES,
} from "./message_types.ts";

/** Thrown by the hello decoder: the first bytes are not "GSPN". */
export class BadMagic extends Error {}

/** Thrown by the hello decoder: the remote speaks another protocol version. */
export class VersionMismatch extends Error {
  /** Records the remote's version. */
  constructor(readonly version: number) {
    super();
  }
}

/** Encodes and decodes Hello messages (type `MessageType.Hello`; layout in docs/protocol.md). */
export const hello: Codec<HelloMessage> = {
  type: MessageType.Hello,
  encode(w, m) {
    w.bytes(HELLO_MAGIC).u16(m.version).u8(codeOf(ROLE_CODES, m.role));
    writeNodeId(w, m.nodeId);
    writeAddress(w, m.address);
  },
  decode(r) {
    const magic = r.bytes(4, "magic");
    if (!magic.every((b, i) => b === HELLO_MAGIC[i])) throw new BadMagic();
    const version = r.u16("version");
    if (version !== PROTOCOL_VERSION) throw new VersionMismatch(version);
    const role = ROLE_CODES[r.u8("role") - 1];
    if (!role) throw new MalformedInput("role is not seed, peer or client");
    const nodeId = readNodeId(r);
    const address = readAddress(r, "address", role === "client");
    return { kind: "hello", version, role, nodeId, address };
  },
};

/** Encodes and decodes Error messages (type `MessageType.Error`; layout in docs/protocol.md). */
export const error: Codec<ErrorMessage> = {
  type: MessageType.Error,
  encode(w, m) {
    w.u8(codeOf(ERROR_CODES, m.code)).str16(m.text);
  },
  decode(r) {
    return { kind: "error", code: readCode(r, ERROR_CODES, "error code"), text: r.str16("text") };
  },
};

/** Encodes and decodes Register messages (type `MessageType.Register`; layout in docs/protocol.md). */
export const register: Codec<RegisterMessage> = {
  type: MessageType.Register,
  encode(w, m) {
    w.u16(m.degree);
  },
  decode(r) {
    return { kind: "register", degree: r.u16("degree") };
  },
};

/** Encodes and decodes Registered messages (type `MessageType.Registered`; layout in docs/protocol.md). */
export const registered: Codec<RegisteredMessage> = {
  type: MessageType.Registered,
  encode() {},
  decode() {
    return { kind: "registered" };
  },
};

/** Encodes and decodes Refused messages (type `MessageType.Refused`; layout in docs/protocol.md). */
export const refused: Codec<RefusedMessage> = {
  type: MessageType.Refused,
  encode(w, m) {
    w.u8(codeOf(REFUSAL_REASONS, m.reason)).str16(m.text);
  },
  decode(r) {
    return {
      kind: "refused",
      reason: readCode(r, REFUSAL_REASONS, "reason"),
      text: r.str16("text"),
    };
  },
};

/** Encodes and decodes PeerListRequest messages (type `MessageType.PeerListRequest`; layout in docs/protocol.md). */
export const peerListRequest: Codec<PeerListRequestMessage> = {
  type: MessageType.PeerListRequest,
  encode(w, m) {
    w.u32(m.requestId);
  },
  decode(r) {
    return { kind: "peer_list_request", requestId: r.u32("request id") };
  },
};

/** Encodes and decodes PeerList messages (type `MessageType.PeerList`; layout in docs/protocol.md). */
export const peerList: Codec<PeerListMessage> = {
  type: MessageType.PeerList,
  encode(w, m) {
    w.u32(m.requestId).u8(m.more ? 1 : 0).u16(m.peers.length);
    for (const entry of m.peers) {
      writeAddress(w, entry.address);
      w.u16(entry.degree);
    }
  },
  decode(r) {
    const requestId = r.u32("request id");
    const flags = r.u8("flags");
    const count = r.u16("count");
    // Each entry takes at least 5 bytes; reject an impossible count before
    // building anything.
    if (count * 5 > r.remaining) {
      throw new MalformedInput(`peer count (${count}) exceeds what ${r.remaining} bytes can hold`);
    }
    const peers: PeerEntry[] = [];
    for (let i = 0; i < count; i++) {
      const address = readAddress(r, `peer ${i}`);
      peers.push({ address, degree: r.u16(`peer ${i} degree`) });
    }
    return { kind: "peer_list", requestId, more: (flags & 1) === 1, peers };
  },
};

/** Encodes and decodes Gossip messages (type `MessageType.Gossip`; layout in docs/protocol.md). */
export const gossip: Codec<GossipMessage> = {
  type: MessageType.Gossip,
  encode(w, m) {
    writeAddress(w, m.origin);
    w.str16(m.text);
  },
  decode(r) {
    return { kind: "gossip", origin: readAddress(r, "origin"), text: r.str16("text") };
  },
};

/** Encodes and decodes Ping messages (type `MessageType.Ping`; layout in docs/protocol.md). */
export const ping: Codec<PingMessage> = {
  type: MessageType.Ping,
  encode(w, m) {
    w.u32(m.nonce);
  },
  decode(r) {
    return { kind: "ping", nonce: r.u32("nonce") };
  },
};

/** Encodes and decodes Pong messages (type `MessageType.Pong`; layout in docs/protocol.md). */
export const pong: Codec<PongMessage> = {
  type: MessageType.Pong,
  encode(w, m) {
    w.u32(m.nonce);
  },
  decode(r) {
    return { kind: "pong", nonce: r.u32("nonce") };
  },
};

/** Encodes and decodes DeadNode messages (type `MessageType.DeadNode`; layout in docs/protocol.md). */
export const deadNode: Codec<DeadNodeMessage> = {
  type: MessageType.DeadNode,
  encode(w, m) {
    w.str16(m.text);
  },
  decode(r) {
    return { kind: "dead_node", text: r.str16("text") };
  },
};

/** Encodes and decodes Leave messages (type `MessageType.Leave`; layout in docs/protocol.md). */
export const leave: Codec<LeaveMessage> = {
  type: MessageType.Leave,
  encode(w, m) {
    w.str8(m.reason);
  },
  decode(r) {
    return { kind: "leave", reason: r.str8("reason") };
  },
};

/** Encodes and decodes DegreeUpdate messages (type `MessageType.DegreeUpdate`; layout in docs/protocol.md). */
export const degreeUpdate: Codec<DegreeUpdateMessage> = {
  type: MessageType.DegreeUpdate,
  encode(w, m) {
    w.u16(m.degree);
  },
  decode(r) {
    return { kind: "degree_update", degree: r.u16("degree") };
  },
};

/** Encodes and decodes CatchUpRequest messages (type `MessageType.CatchUpRequest`; layout in docs/protocol.md). */
export const catchUpRequest: Codec<CatchUpRequestMessage> = {
  type: MessageType.CatchUpRequest,
  encode(w, m) {
    w.u16(m.maxMessages).u32(m.maxAgeMs);
  },
  decode(r) {
    return {
      kind: "catch_up_request",
      maxMessages: r.u16("max messages"),
      maxAgeMs: r.u32("max age"),
    };
  },
};

/** Encodes and decodes CatchUp messages (type `MessageType.CatchUp`; layout in docs/protocol.md). */
export const catchUp: Codec<CatchUpMessage> = {
  type: MessageType.CatchUp,
  encode(w, m) {
    w.u8(m.more ? 1 : 0).u16(m.items.length);
    for (const item of m.items) {
      writeAddress(w, item.origin);
      w.str16(item.text);
    }
  },
  decode(r) {
    const more = (r.u8("flags") & 1) === 1;
    const count = r.u16("count");
    // An item takes at least 6 bytes (a 1-byte host, its length, port, empty text).
    if (count * 6 > r.remaining) {
      throw new MalformedInput(`item count (${count}) exceeds what ${r.remaining} bytes can hold`);
    }
    const items: CatchUpItem[] = [];
    for (let i = 0; i < count; i++) {
      items.push({ origin: readAddress(r, `item ${i} origin`), text: r.str16(`item ${i} text`) });
    }
    return { kind: "catch_up", more, items };
  },
};
