/**
 * Codecs of the messages seeds exchange to decide membership (proposals,
 * votes, commits, sync) and of the probe and decision messages around it.
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
  readProposalId,
  readRecord,
  readStamp,
  writeAddress,
  writeProposalId,
  writeRecord,
} from "./_codec.ts";
import {
  type AbortMessage,
  type CommitMessage,
  DECISION_OUTCOMES,
  type DecisionMessage,
  type MemberRecord,
  MessageType,
  type ProbeRequestMessage,
  type ProbeResultMessage,
  type ProposeMessage,
  REMOVAL_REASONS,
  type SyncRequestMessage,
  type SyncStateMessage,
  type VoteMessage,
} from "./message_types.ts";

/** Encodes and decodes Propose messages (type `MessageType.Propose`; layout in docs/protocol.md). */
export const propose: Codec<ProposeMessage> = {
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

/** Encodes and decodes Vote messages (type `MessageType.Vote`; layout in docs/protocol.md). */
export const vote: Codec<VoteMessage> = {
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

/** Encodes and decodes Commit messages (type `MessageType.Commit`; layout in docs/protocol.md). */
export const commit: Codec<CommitMessage> = {
  type: MessageType.Commit,
  encode(w, m) {
    writeProposalId(w, m.proposalId);
    writeRecord(w, m.record);
  },
  decode(r) {
    return { kind: "commit", proposalId: readProposalId(r), record: readRecord(r, "record") };
  },
};

/** Encodes and decodes Abort messages (type `MessageType.Abort`; layout in docs/protocol.md). */
export const abort: Codec<AbortMessage> = {
  type: MessageType.Abort,
  encode(w, m) {
    writeProposalId(w, m.proposalId);
  },
  decode(r) {
    return { kind: "abort", proposalId: readProposalId(r) };
  },
};

/** Encodes and decodes SyncRequest messages (type `MessageType.SyncRequest`; layout in docs/protocol.md). */
export const syncRequest: Codec<SyncRequestMessage> = {
  type: MessageType.SyncRequest,
  encode(w, m) {
    w.u32(m.requestId);
  },
  decode(r) {
    return { kind: "sync_request", requestId: r.u32("request id") };
  },
};

/** Encodes and decodes SyncState messages (type `MessageType.SyncState`; layout in docs/protocol.md). */
export const syncState: Codec<SyncStateMessage> = {
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
    const records: MemberRecord[] = [];
    for (let i = 0; i < count; i++) records.push(readRecord(r, `record ${i}`));
    return { kind: "sync_state", requestId, more, records };
  },
};

/** Encodes and decodes ProbeRequest messages (type `MessageType.ProbeRequest`; layout in docs/protocol.md). */
export const probeRequest: Codec<ProbeRequestMessage> = {
  type: MessageType.ProbeRequest,
  encode(w, m) {
    w.u32(m.nonce);
    writeAddress(w, m.target);
  },
  decode(r) {
    return { kind: "probe_request", nonce: r.u32("nonce"), target: readAddress(r, "target") };
  },
};

/** Encodes and decodes ProbeResult messages (type `MessageType.ProbeResult`; layout in docs/protocol.md). */
export const probeResult: Codec<ProbeResultMessage> = {
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

/** Encodes and decodes Decision messages (type `MessageType.Decision`; layout in docs/protocol.md). */
export const decision: Codec<DecisionMessage> = {
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
