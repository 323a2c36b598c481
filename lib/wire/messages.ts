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
  Propose: 14,
  Vote: 15,
  Commit: 16,
  Abort: 17,
  SyncRequest: 18,
  SyncState: 19,
  ProbeRequest: 20,
  ProbeResult: 21,
  Decision: 22,
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

/** A change a seed proposes to the others. */
export type ProposedChange =
  | { readonly op: "add"; readonly peer: Address }
  | {
    readonly op: "remove";
    readonly peer: Address;
    readonly reason: "dead" | "left";
    /** The Dead Node text behind it; empty for a leave. */
    readonly raw: string;
  };

/** Seed → seeds: please vote on this change. */
export interface ProposeMessage {
  readonly kind: "propose";
  /** `<proposer node id>-<seq>`. */
  readonly proposalId: string;
  readonly change: ProposedChange;
  /** Proposer's newest version stamp, so voters' clocks move past it. */
  readonly stamp: number;
}
/** Seed → proposer: the answer to a `propose`. */
export interface VoteMessage {
  readonly kind: "vote";
  readonly proposalId: string;
  readonly yes: boolean;
  /** Short reason, e.g. "ok", "alive", "unreachable", "max_peers". */
  readonly reason: string;
  /** Voter's newest version stamp. */
  readonly stamp: number;
}
/** One versioned peer-list record, as seeds exchange them. */
export interface WireRecord {
  readonly address: Address;
  readonly state: "member" | "removed";
  readonly reason?: "dead" | "left";
  readonly version: { readonly stamp: number; readonly origin: string };
  readonly degree: number;
}
/** Proposer → seeds: the change won a majority; apply this record. */
export interface CommitMessage {
  readonly kind: "commit";
  readonly proposalId: string;
  readonly record: WireRecord;
}
/** Proposer → seeds: the change failed; forget your promise. */
export interface AbortMessage {
  readonly kind: "abort";
  readonly proposalId: string;
}
/** Seed → seed: send me your whole peer list, tombstones included. */
export interface SyncRequestMessage {
  readonly kind: "sync_request";
  readonly requestId: number;
}
/** Answer to `sync_request`; split over several messages like `peer_list`. */
export interface SyncStateMessage {
  readonly kind: "sync_state";
  readonly requestId: number;
  readonly more: boolean;
  readonly records: readonly WireRecord[];
}
/** Peer → neighbour: is `target` alive from where you are? (indirect ping) */
export interface ProbeRequestMessage {
  readonly kind: "probe_request";
  readonly nonce: number;
  readonly target: Address;
}
/** Answer to `probe_request`. */
export interface ProbeResultMessage {
  readonly kind: "probe_result";
  readonly nonce: number;
  readonly target: Address;
  readonly alive: boolean;
}
/** What the seeds decided about a Dead Node report. APPEND ONLY (wire: index + 1). */
export const DECISION_OUTCOMES = ["removed", "rejected", "not_member", "invalid"] as const;
/** A decision outcome; unknown codes decode as `"other"`. */
export type DecisionOutcome = typeof DECISION_OUTCOMES[number] | "other";
/** Seed → reporter: the outcome of its Dead Node report. */
export interface DecisionMessage {
  readonly kind: "decision";
  readonly dead: Address;
  readonly outcome: DecisionOutcome;
  readonly text: string;
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
  | DegreeUpdateMessage
  | ProposeMessage
  | VoteMessage
  | CommitMessage
  | AbortMessage
  | SyncRequestMessage
  | SyncStateMessage
  | ProbeRequestMessage
  | ProbeResultMessage
  | DecisionMessage;

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
  // JSON quoting escapes control characters: a hostile host cannot forge log lines.
  if (!isValidHost(host)) {
    throw new MalformedInput(`${what} host ${JSON.stringify(host)} is not valid`);
  }
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

function writeProposalId(w: ByteWriter, id: string): void {
  const match = /^([0-9a-f]{16})-(\d+)$/.exec(id);
  if (!match) throw new RangeError(`Proposal id must be <node id>-<seq>, got "${id}"`);
  writeNodeId(w, match[1] as string);
  w.u32(Number(match[2]));
}

function readProposalId(r: ByteReader): string {
  const node = readNodeId(r);
  return `${node}-${r.u32("proposal seq")}`;
}

const REMOVAL_REASONS = ["dead", "left"] as const; // wire: index + 1

function writeRecord(w: ByteWriter, record: WireRecord): void {
  writeAddress(w, record.address);
  w.u8(record.state === "member" ? 1 : 2);
  w.u8(record.reason ? codeOf(REMOVAL_REASONS, record.reason) : 0);
  w.f64(record.version.stamp);
  writeNodeId(w, record.version.origin);
  w.u16(record.degree);
}

function readRecord(r: ByteReader, what: string): WireRecord {
  const address = readAddress(r, what);
  const stateCode = r.u8(`${what} state`);
  if (stateCode !== 1 && stateCode !== 2) {
    throw new MalformedInput(`${what} state ${stateCode} is not 1 or 2`);
  }
  const reasonCode = r.u8(`${what} reason`);
  const reason = REMOVAL_REASONS[reasonCode - 1];
  if (reasonCode !== 0 && !reason) {
    throw new MalformedInput(`${what} reason ${reasonCode} is unknown`);
  }
  const stamp = r.f64(`${what} stamp`);
  if (!Number.isFinite(stamp) || stamp < 0) throw new MalformedInput(`${what} stamp is not a time`);
  const origin = readNodeId(r);
  const degree = r.u16(`${what} degree`);
  const version = { stamp, origin };
  const state = stateCode === 1 ? "member" : "removed";
  return reason ? { address, state, reason, version, degree } : { address, state, version, degree };
}

function readStamp(r: ByteReader): number {
  const stamp = r.f64("stamp");
  if (!Number.isFinite(stamp) || stamp < 0) throw new MalformedInput("stamp is not a time");
  return stamp;
}

const propose: Codec<ProposeMessage> = {
  type: MessageType.Propose,
  encode(w, m) {
    writeProposalId(w, m.proposalId);
    const c = m.change;
    w.u8(c.op === "add" ? 1 : 2).u8(c.op === "remove" ? codeOf(REMOVAL_REASONS, c.reason) : 0);
    writeAddress(w, c.peer);
    w.str16(c.op === "remove" ? c.raw : "").f64(m.stamp);
  },
  decode(r) {
    const proposalId = readProposalId(r);
    const op = r.u8("op");
    const reason = REMOVAL_REASONS[r.u8("reason") - 1];
    const peer = readAddress(r, "peer");
    const raw = r.str16("raw");
    const stamp = readStamp(r);
    if (op === 1) return { kind: "propose", proposalId, change: { op: "add", peer }, stamp };
    if (op !== 2 || !reason) throw new MalformedInput(`op ${op} with reason is not add or remove`);
    return { kind: "propose", proposalId, change: { op: "remove", peer, reason, raw }, stamp };
  },
};

const vote: Codec<VoteMessage> = {
  type: MessageType.Vote,
  encode(w, m) {
    writeProposalId(w, m.proposalId);
    w.u8(m.yes ? 1 : 0).str8(m.reason).f64(m.stamp);
  },
  decode(r) {
    const proposalId = readProposalId(r);
    const yes = r.u8("yes") === 1;
    return { kind: "vote", proposalId, yes, reason: r.str8("reason"), stamp: readStamp(r) };
  },
};

const commit: Codec<CommitMessage> = {
  type: MessageType.Commit,
  encode(w, m) {
    writeProposalId(w, m.proposalId);
    writeRecord(w, m.record);
  },
  decode(r) {
    return { kind: "commit", proposalId: readProposalId(r), record: readRecord(r, "record") };
  },
};

const abort: Codec<AbortMessage> = {
  type: MessageType.Abort,
  encode(w, m) {
    writeProposalId(w, m.proposalId);
  },
  decode(r) {
    return { kind: "abort", proposalId: readProposalId(r) };
  },
};

const syncRequest: Codec<SyncRequestMessage> = {
  type: MessageType.SyncRequest,
  encode(w, m) {
    w.u32(m.requestId);
  },
  decode(r) {
    return { kind: "sync_request", requestId: r.u32("request id") };
  },
};

const syncState: Codec<SyncStateMessage> = {
  type: MessageType.SyncState,
  encode(w, m) {
    w.u32(m.requestId).u8(m.more ? 1 : 0).u16(m.records.length);
    for (const record of m.records) writeRecord(w, record);
  },
  decode(r) {
    const requestId = r.u32("request id");
    const more = (r.u8("flags") & 1) === 1;
    const count = r.u16("count");
    // A record takes at least 24 bytes; reject an impossible count up front.
    if (count * 24 > r.remaining) {
      throw new MalformedInput(
        `record count (${count}) exceeds what ${r.remaining} bytes can hold`,
      );
    }
    const records: WireRecord[] = [];
    for (let i = 0; i < count; i++) records.push(readRecord(r, `record ${i}`));
    return { kind: "sync_state", requestId, more, records };
  },
};

const probeRequest: Codec<ProbeRequestMessage> = {
  type: MessageType.ProbeRequest,
  encode(w, m) {
    w.u32(m.nonce);
    writeAddress(w, m.target);
  },
  decode(r) {
    return { kind: "probe_request", nonce: r.u32("nonce"), target: readAddress(r, "target") };
  },
};

const probeResult: Codec<ProbeResultMessage> = {
  type: MessageType.ProbeResult,
  encode(w, m) {
    w.u32(m.nonce);
    writeAddress(w, m.target);
    w.u8(m.alive ? 1 : 0);
  },
  decode(r) {
    const nonce = r.u32("nonce");
    const target = readAddress(r, "target");
    return { kind: "probe_result", nonce, target, alive: r.u8("alive") === 1 };
  },
};

const decision: Codec<DecisionMessage> = {
  type: MessageType.Decision,
  encode(w, m) {
    writeAddress(w, m.dead);
    w.u8(codeOf(DECISION_OUTCOMES, m.outcome)).str16(m.text);
  },
  decode(r) {
    const dead = readAddress(r, "dead");
    const outcome = readCode(r, DECISION_OUTCOMES, "outcome");
    return { kind: "decision", dead, outcome, text: r.str16("text") };
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
  propose,
  vote,
  commit,
  abort,
  sync_request: syncRequest,
  sync_state: syncState,
  probe_request: probeRequest,
  probe_result: probeResult,
  decision,
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

const ENCODER = new TextEncoder();

// Splits items into chunks whose encoded size fits one frame.
function splitForFrames<T>(items: readonly T[], sizeOf: (item: T) => number): T[][] {
  const budget = MAX_FRAME_BYTES - FRAME_HEADER_BYTES - 16;
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

function hostBytes(host: string): number {
  for (let i = 0; i < host.length; i++) {
    if (host.charCodeAt(i) > 0x7f) return ENCODER.encode(host).length;
  }
  return host.length;
}

/**
 * Splits a peer list into `peer_list` messages that each fit in one frame.
 * Always returns at least one message (an empty list is one empty message).
 */
export function peerListMessages(
  requestId: number,
  peers: readonly PeerEntry[],
): PeerListMessage[] {
  const parts = splitForFrames(peers, (p) => 5 + hostBytes(p.address.host));
  return parts.map((part, i) => ({
    kind: "peer_list",
    requestId,
    more: i < parts.length - 1,
    peers: part,
  }));
}

/** Splits sync records into `sync_state` messages that each fit in one frame. */
export function syncStateMessages(
  requestId: number,
  records: readonly WireRecord[],
): SyncStateMessage[] {
  const parts = splitForFrames(records, (r) => 24 + hostBytes(r.address.host));
  return parts.map((part, i) => ({
    kind: "sync_state",
    requestId,
    more: i < parts.length - 1,
    records: part,
  }));
}
