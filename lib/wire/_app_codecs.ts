/**
 * Codecs of application messages and of the client requests around them:
 * publishing through a peer (`gossipnet send`), and asking a node about
 * itself (`gossipnet status`, `gossipnet members`). Private to `lib/wire`.
 *
 * @module
 */

import { MalformedInput } from "./_bytes.ts";
import {
  type Codec,
  readAddress,
  readNodeId,
  readRecord,
  writeAddress,
  writeNodeId,
  writeRecord,
} from "./_codec.ts";
import {
  type AppMessageWire,
  type MemberRecord,
  type MembersMessage,
  type MembersRequestMessage,
  MessageType,
  type PublishedMessage,
  type PublishMessage,
  type StatusMessage,
  type StatusRequestMessage,
} from "./message_types.ts";

/** Offset of the u16 hop count in an `app_message` payload: relays rewrite it in place. */
export const APP_HOPS_OFFSET = 0;

/** Encodes and decodes application messages (type `MessageType.AppMessage`; layout in docs/protocol.md). */
export const appMessage: Codec<AppMessageWire> = {
  type: MessageType.AppMessage,
  encode(w, m) {
    // The hop count comes first, at a fixed offset, so a relay can bump it
    // without decoding the rest.
    w.u16(m.hops);
    writeNodeId(w, m.originId);
    w.u32(m.seq);
    writeAddress(w, m.origin);
    w.bytes(m.data);
  },
  decode(r) {
    const hops = r.u16("hops");
    const originId = readNodeId(r);
    const seq = r.u32("seq");
    if (seq === 0) throw new MalformedInput("seq is 0 (sequence numbers start at 1)");
    const origin = readAddress(r, "origin");
    const data = r.bytes(r.remaining, "data");
    return { kind: "app_message", hops, originId, seq, origin, data };
  },
};

/** Encodes and decodes Publish messages (type `MessageType.Publish`; layout in docs/protocol.md). */
export const publish: Codec<PublishMessage> = {
  type: MessageType.Publish,
  encode(w, m) {
    w.u32(m.requestId).bytes(m.data);
  },
  decode(r) {
    const requestId = r.u32("request id");
    return { kind: "publish", requestId, data: r.bytes(r.remaining, "data") };
  },
};

/** Encodes and decodes Published messages (type `MessageType.Published`; layout in docs/protocol.md). */
export const published: Codec<PublishedMessage> = {
  type: MessageType.Published,
  encode(w, m) {
    w.u32(m.requestId);
    writeNodeId(w, m.originId);
    w.u32(m.seq).u16(m.neighbors);
  },
  decode(r) {
    const requestId = r.u32("request id");
    const originId = readNodeId(r);
    const seq = r.u32("seq");
    return { kind: "published", requestId, originId, seq, neighbors: r.u16("neighbors") };
  },
};

/** Encodes and decodes StatusRequest messages (type `MessageType.StatusRequest`; layout in docs/protocol.md). */
export const statusRequest: Codec<StatusRequestMessage> = {
  type: MessageType.StatusRequest,
  encode(w, m) {
    w.u32(m.requestId);
  },
  decode(r) {
    return { kind: "status_request", requestId: r.u32("request id") };
  },
};

/** Encodes and decodes Status messages (type `MessageType.Status`; layout in docs/protocol.md). */
export const status: Codec<StatusMessage> = {
  type: MessageType.Status,
  encode(w, m) {
    w.u32(m.requestId).bytes(new TextEncoder().encode(m.json));
  },
  decode(r) {
    const requestId = r.u32("request id");
    return { kind: "status", requestId, json: r.restText("json") };
  },
};

/** Encodes and decodes MembersRequest messages (type `MessageType.MembersRequest`; layout in docs/protocol.md). */
export const membersRequest: Codec<MembersRequestMessage> = {
  type: MessageType.MembersRequest,
  encode(w, m) {
    w.u32(m.requestId);
  },
  decode(r) {
    return { kind: "members_request", requestId: r.u32("request id") };
  },
};

/** Encodes and decodes Members messages (type `MessageType.Members`; layout in docs/protocol.md). */
export const members: Codec<MembersMessage> = {
  type: MessageType.Members,
  encode(w, m) {
    w.u32(m.requestId).u8(m.more ? 1 : 0).u16(m.records.length);
    for (const record of m.records) writeRecord(w, record);
  },
  decode(r) {
    const requestId = r.u32("request id");
    const flags = r.u8("flags");
    const count = r.u16("count");
    // Each record takes at least 24 bytes; reject an impossible count first.
    if (count * 24 > r.remaining) {
      throw new MalformedInput(
        `record count (${count}) exceeds what ${r.remaining} bytes can hold`,
      );
    }
    const records: MemberRecord[] = [];
    for (let i = 0; i < count; i++) records.push(readRecord(r, `record ${i}`));
    return { kind: "members", requestId, more: (flags & 1) === 1, records };
  },
};
