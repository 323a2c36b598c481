/**
 * Building blocks shared by the message codecs: the codec shape and the
 * encodings of addresses, node ids, proposal ids and peer-list records.
 * Private to `lib/wire`.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import { isIPv4, isValidHost } from "../util/address.ts";
import { AddressCache } from "./_address_cache.ts";
import { type ByteReader, type ByteWriter, MalformedInput } from "./_bytes.ts";
import {
  type MemberRecord,
  type Message,
  type MessageTypeCode,
  REMOVAL_REASONS,
} from "./message_types.ts";

/** Encoder and decoder of one message kind. */
export type Codec<M extends Message> = {
  readonly type: MessageTypeCode;
  readonly encode: (w: ByteWriter, m: M) => void;
  readonly decode: (r: ByteReader) => M;
};

/** Writes an address: str8 host, u16 port. */
export function writeAddress(w: ByteWriter, a: Address): void {
  w.str8(a.host).u16(a.port);
}

// Names and IPv6 hosts already found valid: a node decodes the same few
// hosts over and over (every hello, peer list and gossip names them), and
// their check is regular expressions. IPv4 literals, the common case, are
// checked directly. Bounded: cleared when full.
const validHosts = new Set<string>();
const VALID_HOSTS_KEPT = 8192;

/**
 * Addresses decoded before, by their bytes (`setAddressCacheSlots` resizes
 * it). A process holding many nodes (the simulator) needs a larger table.
 */
let decoded = new AddressCache(8192);

/**
 * Resizes the table of decoded addresses that {@linkcode readAddress} looks
 * up before decoding (8192 entries by default; it only saves work). A
 * simulation of 100,000 nodes in one process sees that many addresses.
 */
export function setAddressCacheSlots(slots: number): void {
  if (slots !== decoded.slots) decoded = new AddressCache(slots);
}

/** Reads an address and validates it; port 0 only where `allowPortZero` (a client's hello). */
export function readAddress(r: ByteReader, what: string, allowPortZero = false): Address {
  // An address decoded before is found by its bytes, with no string made:
  // str8 host (length byte, bytes), then u16 port.
  const bytes = r.source;
  const at = r.offset;
  if (at < bytes.length) {
    const length = bytes[at] as number;
    const end = at + 1 + length;
    if (end + 2 <= bytes.length) {
      const port = ((bytes[end] as number) << 8) | (bytes[end + 1] as number);
      const hit = decoded.find(bytes, at + 1, length, port);
      if (hit !== undefined) {
        r.skip(length + 3, what);
        return hit;
      }
    }
  }
  const host = r.str8(`${what} host`);
  const port = r.u16(`${what} port`);
  if (!isIPv4(host) && !validHosts.has(host)) {
    // JSON quoting escapes control characters: a hostile host cannot forge log lines.
    if (!isValidHost(host)) {
      throw new MalformedInput(`${what} host ${JSON.stringify(host)} is not valid`);
    }
    if (validHosts.size >= VALID_HOSTS_KEPT) validHosts.clear();
    validHosts.add(host);
  }
  if (port === 0) {
    if (!allowPortZero) throw new MalformedInput(`${what} port is 0`);
    // Not kept: a hit skips the port check.
    return { host, port };
  }
  return decoded.remember({ host, port });
}

/** Reads a u8 table code (index + 1); an unknown code is `"other"`, so newer peers' codes do not break older ones. */
export function readCode<T extends string>(
  r: ByteReader,
  table: readonly T[],
  what: string,
): T | "other" {
  return table[r.u8(what) - 1] ?? "other";
}

/** The u8 code of `value` in `table` (index + 1), or 255 for a value this build has no code for. */
export function codeOf(table: readonly string[], value: string): number {
  const index = table.indexOf(value);
  return index < 0 ? 255 : index + 1;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Writes a node id (16 hex digits) as its 8 raw bytes. */
export function writeNodeId(w: ByteWriter, id: string): void {
  // Checked whole before a byte is written: a bad id leaves the writer as it was.
  let valid = id.length === 16;
  for (let i = 0; valid && i < 16; i++) valid = hexDigit(id.charCodeAt(i)) >= 0;
  if (!valid) throw new RangeError(`Node id must be 16 hex digits, got "${id}"`);
  for (let i = 0; i < 16; i += 2) {
    w.u8((hexDigit(id.charCodeAt(i)) << 4) | hexDigit(id.charCodeAt(i + 1)));
  }
}

// The value of a lowercase hex digit's char code, or -1.
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Reads 8 raw bytes as a node id of 16 lowercase hex digits. */
export function readNodeId(r: ByteReader): string {
  const bytes = r.bytes(8, "node id");
  let id = "";
  for (let i = 0; i < 8; i++) id += HEX[bytes[i]!];
  return id;
}

/** Writes a proposal id `<node id>-<seq>`: the node id's 8 bytes, then u32 seq. */
export function writeProposalId(w: ByteWriter, id: string): void {
  const match = /^([0-9a-f]{16})-(\d+)$/.exec(id);
  if (!match) throw new RangeError(`Proposal id must be <node id>-<seq>, got "${id}"`);
  writeNodeId(w, match[1] as string);
  w.u32(Number(match[2]));
}

/** Reads a proposal id written by {@linkcode writeProposalId}. */
export function readProposalId(r: ByteReader): string {
  const node = readNodeId(r);
  return `${node}-${r.u32("proposal seq")}`;
}

/** Writes a member record: address, u8 state, u8 reason, f64 stamp, origin node id, u16 degree. */
export function writeRecord(w: ByteWriter, record: MemberRecord): void {
  writeAddress(w, record.address);
  w.u8(record.state === "member" ? 1 : 2);
  w.u8(record.reason ? codeOf(REMOVAL_REASONS, record.reason) : 0);
  w.f64(record.version.stamp);
  writeNodeId(w, record.version.origin);
  w.u16(record.degree);
}

/** Reads and validates a member record written by {@linkcode writeRecord}. */
export function readRecord(r: ByteReader, what: string): MemberRecord {
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

/** Reads a version stamp: a finite, non-negative f64. */
export function readStamp(r: ByteReader): number {
  const stamp = r.f64("stamp");
  if (!Number.isFinite(stamp) || stamp < 0) throw new MalformedInput("stamp is not a time");
  return stamp;
}
