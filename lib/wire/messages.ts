/**
 * The protocol's messages and their binary codecs. Byte layouts are
 * documented in `docs/protocol.md`; this file is their single source of
 * truth in code.
 *
 * Decoding never throws: {@linkcode decodeMessage} returns a result whose
 * failure reason is a short string fit for a log field.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import { isValidHost } from "../util/address.ts";
import { ByteReader, ByteWriter, MalformedInput } from "./_bytes.ts";
import { type Frame, FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from "./frame.ts";

/** Protocol version spoken by this build; sent in every hello. */
export const PROTOCOL_VERSION = 1;

/** The four bytes that open every hello: ASCII "GSPN". */
export const HELLO_MAGIC = new Uint8Array([0x47, 0x53, 0x50, 0x4e]);

/**
 * Message type bytes. APPEND ONLY: these numbers are the wire protocol, so an
 * entry is never renumbered, reused or removed.
 */
export const MessageType = {
  Hello: 1,
  Error: 2,
  Register: 3,
  Registered: 4,
  Refused: 5,
  PeerListRequest: 6,
  PeerList: 7,
  Gossip: 8,
  Ping: 9,
  Pong: 10,
  DeadNode: 11,
  Leave: 12,
  DegreeUpdate: 13,
} as const;

/** A message type byte this build knows. */
export type MessageTypeCode = typeof MessageType[keyof typeof MessageType];

/** What a node is, as announced in its hello. */
export type NodeRole = "seed" | "peer" | "client";
const ROLE_CODES: readonly NodeRole[] = ["seed", "peer", "client"]; // wire: index + 1

/** Error codes carried by an `error` message. APPEND ONLY (wire: index + 1). */
export const ERROR_CODES = [
  "malformed",
  "unsupported_version",
  "unexpected_message",
  "too_many_connections",
  "shutting_down",
  "removed",
  "overloaded",
] as const;
/** An error code; unknown codes from newer peers decode as `"other"`. */
export type ErrorCode = typeof ERROR_CODES[number] | "other";

/** Why a seed refused a registration. APPEND ONLY (wire: index + 1). */
export const REFUSAL_REASONS = [
  "max_peers",
  "no_quorum",
  "shutting_down",
  "not_ready",
  "removing",
] as const;
/** A refusal reason; unknown codes from newer seeds decode as `"other"`. */
export type RefusalReason = typeof REFUSAL_REASONS[number] | "other";

/** One peer in a peer list, with its current neighbour count. */
export interface PeerEntry {
  /** The peer's advertised listen address. */
  readonly address: Address;
  /** Its number of neighbour links, as it last reported (0-65535). */
  readonly degree: number;
}

/** Opens every connection, in both directions. */
export interface HelloMessage {
  readonly kind: "hello";
  /** Always {@linkcode PROTOCOL_VERSION} when decoded (others are rejected). */
  readonly version: number;
  readonly role: NodeRole;
  /** 16 hex digits, random per process start. */
  readonly nodeId: string;
  /** The sender's listen address; port 0 for a client that does not listen. */
  readonly address: Address;
}
/** Tells the other side why the connection is about to close. */
export interface ErrorMessage {
  readonly kind: "error";
  readonly code: ErrorCode;
  readonly text: string;
}
/** Peer asks a seed to put it in the peer list. */
export interface RegisterMessage {
  readonly kind: "register";
  readonly degree: number;
}
/** Seed confirms the registration; a `peer_list` follows. */
export interface RegisteredMessage {
  readonly kind: "registered";
}
/** Seed declines a registration. */
export interface RefusedMessage {
  readonly kind: "refused";
  readonly reason: RefusalReason;
  readonly text: string;
}
/** Peer asks a seed for its current peer list. */
export interface PeerListRequestMessage {
  readonly kind: "peer_list_request";
  readonly requestId: number;
}
/**
 * A seed's peer list, or one part of it: long lists are split into several
 * messages with the same `requestId`, all but the last marked `more`.
 */
export interface PeerListMessage {
  readonly kind: "peer_list";
  /** Echoes the request, or 0 for the list that follows `registered`. */
  readonly requestId: number;
  readonly more: boolean;
  readonly peers: readonly PeerEntry[];
}
/** A gossip message being flooded. */
export interface GossipMessage {
  readonly kind: "gossip";
  /** The peer that generated it. */
  readonly origin: Address;
  /** `<unix ms>:<host>:<seq>`. */
  readonly text: string;
}
/** Liveness probe; answered by a `pong` with the same nonce. */
export interface PingMessage {
  readonly kind: "ping";
  readonly nonce: number;
}
/** Answer to a `ping`. */
export interface PongMessage {
  readonly kind: "pong";
  readonly nonce: number;
}
/** `Dead Node:<ip>:<port>:<unix ms>:<reporter ip>`, sent to seeds. */
export interface DeadNodeMessage {
  readonly kind: "dead_node";
  readonly text: string;
}
/** The sender is shutting down cleanly; it is not dead. */
export interface LeaveMessage {
  readonly kind: "leave";
  readonly reason: string;
}
/** Peer tells its seeds its neighbour count changed. */
export interface DegreeUpdateMessage {
  readonly kind: "degree_update";
  readonly degree: number;
}

/** Every message of the protocol. */
export type Message =
  | HelloMessage
  | ErrorMessage
  | RegisterMessage
  | RegisteredMessage
  | RefusedMessage
  | PeerListRequestMessage
  | PeerListMessage
  | GossipMessage
  | PingMessage
  | PongMessage
  | DeadNodeMessage
  | LeaveMessage
  | DegreeUpdateMessage;

/** A message's kind string, e.g. `"gossip"`. */
export type MessageKind = Message["kind"];

/** Why a frame did not decode into a message. */
export type DecodeFailureReason =
  | "unknown_type"
  | "malformed"
  | "bad_magic"
  | "unsupported_version";

/** Result of {@linkcode decodeMessage}. */
export type DecodeResult =
  | { readonly ok: true; readonly message: Message }
  | {
    readonly ok: false;
    readonly reason: DecodeFailureReason;
    /** One line for the log: what was wrong, with the numbers. */
    readonly detail: string;
    /** The type byte of the offending frame. */
    readonly type: number;
    /** For `unsupported_version`: the version the other side speaks. */
    readonly remoteVersion?: number;
  };

type Codec<M extends Message> = {
  readonly type: MessageTypeCode;
  readonly encode: (w: ByteWriter, m: M) => void;
  readonly decode: (r: ByteReader) => M;
};

function writeAddress(w: ByteWriter, a: Address): void {
  w.str8(a.host).u16(a.port);
}

function readAddress(r: ByteReader, what: string, allowPortZero = false): Address {
  const host = r.str8(`${what} host`);
  const port = r.u16(`${what} port`);
  if (!isValidHost(host)) throw new MalformedInput(`${what} host "${host}" is not valid`);
  if (port === 0 && !allowPortZero) throw new MalformedInput(`${what} port is 0`);
  return { host, port };
}

function readCode<T extends string>(
  r: ByteReader,
  table: readonly T[],
  what: string,
): T | "other" {
  return table[r.u8(what) - 1] ?? "other";
}

function codeOf(table: readonly string[], value: string): number {
  const index = table.indexOf(value);
  return index < 0 ? 255 : index + 1;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function writeNodeId(w: ByteWriter, id: string): void {
  if (!/^[0-9a-f]{16}$/.test(id)) {
    throw new RangeError(`Node id must be 16 hex digits, got "${id}"`);
  }
  for (let i = 0; i < 16; i += 2) w.u8(parseInt(id.slice(i, i + 2), 16));
}

function readNodeId(r: ByteReader): string {
  let id = "";
  for (const byte of r.bytes(8, "node id")) id += HEX[byte];
  return id;
}

const hello: Codec<HelloMessage> = {
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

const error: Codec<ErrorMessage> = {
  type: MessageType.Error,
  encode(w, m) {
    w.u8(codeOf(ERROR_CODES, m.code)).str16(m.text);
  },
  decode(r) {
    return { kind: "error", code: readCode(r, ERROR_CODES, "error code"), text: r.str16("text") };
  },
};

const register: Codec<RegisterMessage> = {
  type: MessageType.Register,
  encode(w, m) {
    w.u16(m.degree);
  },
  decode(r) {
    return { kind: "register", degree: r.u16("degree") };
  },
};

const registered: Codec<RegisteredMessage> = {
  type: MessageType.Registered,
  encode() {},
  decode() {
    return { kind: "registered" };
  },
};

const refused: Codec<RefusedMessage> = {
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

const peerListRequest: Codec<PeerListRequestMessage> = {
  type: MessageType.PeerListRequest,
  encode(w, m) {
    w.u32(m.requestId);
  },
  decode(r) {
    return { kind: "peer_list_request", requestId: r.u32("request id") };
  },
};

const peerList: Codec<PeerListMessage> = {
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

const gossip: Codec<GossipMessage> = {
  type: MessageType.Gossip,
  encode(w, m) {
    writeAddress(w, m.origin);
    w.str16(m.text);
  },
  decode(r) {
    return { kind: "gossip", origin: readAddress(r, "origin"), text: r.str16("text") };
  },
};

const ping: Codec<PingMessage> = {
  type: MessageType.Ping,
  encode(w, m) {
    w.u32(m.nonce);
  },
  decode(r) {
    return { kind: "ping", nonce: r.u32("nonce") };
  },
};

const pong: Codec<PongMessage> = {
  type: MessageType.Pong,
  encode(w, m) {
    w.u32(m.nonce);
  },
  decode(r) {
    return { kind: "pong", nonce: r.u32("nonce") };
  },
};

const deadNode: Codec<DeadNodeMessage> = {
  type: MessageType.DeadNode,
  encode(w, m) {
    w.str16(m.text);
  },
  decode(r) {
    return { kind: "dead_node", text: r.str16("text") };
  },
};

const leave: Codec<LeaveMessage> = {
  type: MessageType.Leave,
  encode(w, m) {
    w.str8(m.reason);
  },
  decode(r) {
    return { kind: "leave", reason: r.str8("reason") };
  },
};

const degreeUpdate: Codec<DegreeUpdateMessage> = {
  type: MessageType.DegreeUpdate,
  encode(w, m) {
    w.u16(m.degree);
  },
  decode(r) {
    return { kind: "degree_update", degree: r.u16("degree") };
  },
};

type CodecTable = { [K in MessageKind]: Codec<Extract<Message, { kind: K }>> };

const CODECS: CodecTable = {
  hello,
  error,
  register,
  registered,
  refused,
  peer_list_request: peerListRequest,
  peer_list: peerList,
  gossip,
  ping,
  pong,
  dead_node: deadNode,
  leave,
  degree_update: degreeUpdate,
};

const BY_TYPE: ReadonlyArray<Codec<Message> | undefined> = (() => {
  const table: Array<Codec<Message> | undefined> = [];
  for (const codec of Object.values(CODECS)) table[codec.type] = codec as Codec<Message>;
  return table;
})();

class BadMagic extends Error {}
class VersionMismatch extends Error {
  constructor(readonly version: number) {
    super();
  }
}

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
  const codec = CODECS[message.kind] as Codec<Message>;
  const w = new ByteWriter(message.kind === "peer_list" ? 64 + message.peers.length * 24 : 64);
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
  const reader = new ByteReader(frame.payload);
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

/**
 * Splits a peer list into `peer_list` messages that each fit in one frame.
 * Always returns at least one message (an empty list is one empty message).
 */
export function peerListMessages(
  requestId: number,
  peers: readonly PeerEntry[],
): PeerListMessage[] {
  // Worst case per entry: 1 + 255 host bytes + 2 port + 2 degree.
  const budget = MAX_FRAME_BYTES - FRAME_HEADER_BYTES - 7;
  const parts: PeerListMessage[] = [];
  let current: PeerEntry[] = [];
  let size = 0;
  for (const entry of peers) {
    const entrySize = 5 + new TextEncoder().encode(entry.address.host).length;
    if (size + entrySize > budget || current.length === 0xffff) {
      parts.push({ kind: "peer_list", requestId, more: true, peers: current });
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entrySize;
  }
  parts.push({ kind: "peer_list", requestId, more: false, peers: current });
  return parts;
}
