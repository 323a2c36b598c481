/**
 * The protocol's message types as TypeScript types, and the numbered tables
 * that appear on the wire. Layouts: `docs/protocol.md`; codecs: `messages.ts`.
 *
 * @module
 */

import type { MemberRecord, ProposedChange } from "../protocol/membership_types.ts";
import type { Address } from "../util/address.ts";

export {
  type MemberRecord,
  type ProposedChange,
  REMOVAL_REASONS,
  type RemovalReason,
  type Version,
} from "../protocol/membership_types.ts";

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
  // Application data, `gossipnet send` and looking into a running node.
  AppMessage: 23,
  Publish: 24,
  Published: 25,
  StatusRequest: 26,
  Status: 27,
  MembersRequest: 28,
  Members: 29,
  CatchUpRequest: 30,
  CatchUp: 31,
  SeedChallenge: 32,
  SeedProof: 33,
  // Keyed networks: the authenticated handshake (docs/protocol.md, section 16).
  AuthHello: 34,
  AuthProof: 35,
} as const;

/** A message type byte this build knows. */
export type MessageTypeCode = typeof MessageType[keyof typeof MessageType];

/** What a node is, as announced in its hello. */
export type NodeRole = "seed" | "peer" | "client";
/** Role codes on the wire (index + 1). APPEND ONLY. */
export const ROLE_CODES: readonly NodeRole[] = ["seed", "peer", "client"];

/** Error codes carried by an `error` message. APPEND ONLY (wire: index + 1). */
export const ERROR_CODES = [
  "malformed",
  "unsupported_version",
  "unexpected_message",
  "too_many_connections",
  "shutting_down",
  "removed",
  "overloaded",
  "too_large",
  "auth_failed",
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
  "unverified",
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
/** Proposer → seeds: the change won a majority; apply this record. */
export interface CommitMessage {
  readonly kind: "commit";
  readonly proposalId: string;
  readonly record: MemberRecord;
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
  readonly records: readonly MemberRecord[];
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

/**
 * An application message being flooded: a user's payload, identified by
 * its origin's node id and a per-origin sequence number.
 */
export interface AppMessageWire {
  readonly kind: "app_message";
  /** Links this copy has crossed, the one it is on included (the origin sends 1). */
  readonly hops: number;
  /** The origin's node id (16 hex digits). */
  readonly originId: string;
  /** The origin's sequence number for it, from 1. */
  readonly seq: number;
  /** The origin's advertised address. */
  readonly origin: Address;
  /** The user's bytes. A decoded payload is a view into the frame: copy it to keep it. */
  readonly data: Uint8Array;
}
/** Client → peer: publish this payload as an application message. */
export interface PublishMessage {
  readonly kind: "publish";
  readonly requestId: number;
  readonly data: Uint8Array;
}
/** Peer → client: the payload went out with this id. */
export interface PublishedMessage {
  readonly kind: "published";
  readonly requestId: number;
  /** The publishing peer's node id. */
  readonly originId: string;
  readonly seq: number;
  /** Neighbours it was sent to (0: nobody will receive it). */
  readonly neighbors: number;
}
/** Client → node: describe yourself. */
export interface StatusRequestMessage {
  readonly kind: "status_request";
  readonly requestId: number;
}
/** Node → client: a JSON document describing the node (`lib/node/node_status.ts`). */
export interface StatusMessage {
  readonly kind: "status";
  readonly requestId: number;
  readonly json: string;
}
/** Client → seed: send me your Peer List, removed peers included. */
export interface MembersRequestMessage {
  readonly kind: "members_request";
  readonly requestId: number;
}
/** Seed → client: its Peer List, split over several messages like `sync_state`. */
export interface MembersMessage {
  readonly kind: "members";
  readonly requestId: number;
  readonly more: boolean;
  readonly records: readonly MemberRecord[];
}
/** One gossip message handed to a late joiner. */
export interface CatchUpItem {
  /** The peer that generated it. */
  readonly origin: Address;
  /** Its text, `<unix ms>:<host>:<seq>`. */
  readonly text: string;
}
/** Joining peer → its first neighbour: send me what your Message List still holds. */
export interface CatchUpRequestMessage {
  readonly kind: "catch_up_request";
  /** Most messages wanted (the neighbour may send fewer). */
  readonly maxMessages: number;
  /** Only messages first seen within this many ms (the neighbour may use less). */
  readonly maxAgeMs: number;
}
/** Answer to `catch_up_request`, oldest first; split over several messages like `peer_list`. */
export interface CatchUpMessage {
  readonly kind: "catch_up";
  readonly more: boolean;
  readonly items: readonly CatchUpItem[];
}
/**
 * Seed → claimed seed, over the link this seed dialled to the claimed seed's
 * configured address: echo this nonce on your own outbound link to me, to
 * prove that an inbound link claiming your address is yours.
 */
export interface SeedChallengeMessage {
  readonly kind: "seed_challenge";
  /** 32 lowercase hex digits (16 random bytes). */
  readonly nonce: string;
}
/** Seed → challenger, over the seed's own outbound link: the challenge's nonce, echoed. */
export interface SeedProofMessage {
  readonly kind: "seed_proof";
  /** The nonce of the challenge answered. */
  readonly nonce: string;
}

/**
 * Opens the handshake of a keyed connection, before the `hello`: which key
 * this side proves with, and its fresh challenge.
 */
export interface AuthHelloMessage {
  readonly kind: "auth_hello";
  /** The id of the key the sender proves with: 8 lowercase hex digits. */
  readonly keyId: string;
  /** 64 lowercase hex digits: 32 random bytes, fresh per connection. */
  readonly nonce: string;
}
/** Proves the sender holds the key it named: an HMAC over the handshake transcript. */
export interface AuthProofMessage {
  readonly kind: "auth_proof";
  /** 64 lowercase hex digits: the 32-byte HMAC-SHA-256. */
  readonly mac: string;
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
  | DecisionMessage
  | AppMessageWire
  | PublishMessage
  | PublishedMessage
  | StatusRequestMessage
  | StatusMessage
  | MembersRequestMessage
  | MembersMessage
  | CatchUpRequestMessage
  | CatchUpMessage
  | SeedChallengeMessage
  | SeedProofMessage
  | AuthHelloMessage
  | AuthProofMessage;

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
