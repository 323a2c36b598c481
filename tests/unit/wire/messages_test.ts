import { assert, assertEquals, assertThrows } from "@std/assert";
import { encodeFrame, type Frame, FrameDecoder, MAX_FRAME_BYTES } from "../../../lib/wire/frame.ts";
import {
  decodeMessage,
  type DecodeResult,
  encodeMessage,
  ERROR_CODES,
  HELLO_MAGIC,
  isKnownType,
  membersMessages,
  type Message,
  MessageType,
  type PeerEntry,
  peerListMessages,
  PROTOCOL_VERSION,
  REFUSAL_REASONS,
} from "../../../lib/wire/messages.ts";
import { randomInt, seededRng } from "../../support/rng.ts";
import { FOUNDATION_TYPES, NODE_ID, SAMPLES } from "../../support/wire_samples.ts";

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds `chunks` to one decoder and decodes each frame at once (payloads are views). */
function decodeChunks(chunks: readonly Uint8Array[]): DecodeResult[] {
  const decoder = new FrameDecoder();
  const results: DecodeResult[] = [];
  for (const chunk of chunks) {
    const batch = decoder.push(chunk);
    assertEquals(batch.error, undefined);
    for (const frame of batch.frames) results.push(decodeMessage(frame));
  }
  assertEquals(decoder.buffered, 0);
  return results;
}

function roundTrip(message: Message): DecodeResult {
  const results = decodeChunks([encodeMessage(message)]);
  assertEquals(results.length, 1);
  return results[0] as DecodeResult;
}

// The smallest type byte this build does not know (types are numbered 1..N).
const NEXT_TYPE = Math.max(...Object.values(MessageType)) + 1;

type DecodeFailure = Extract<DecodeResult, { ok: false }>;

/** Narrows `result` to a failure (the npm build of @std/assert has no types to narrow with). */
function failure(result: DecodeResult): DecodeFailure {
  if (result.ok) throw new Error(`Expected a decode failure, got ${JSON.stringify(result)}`);
  return result;
}

function frame(type: number, payload: readonly number[]): Frame {
  return { type, payload: new Uint8Array(payload) };
}

function ascii(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

/** A hello payload with the given fields, built by hand. */
function helloPayload(
  {
    magic = Array.from(HELLO_MAGIC),
    version = PROTOCOL_VERSION,
    role = 2,
    host = "127.0.0.1",
    port = 5000,
  }: {
    magic?: number[];
    version?: number;
    role?: number;
    host?: string;
    port?: number;
  } = {},
): number[] {
  return [
    ...magic,
    version >> 8,
    version & 0xff,
    role,
    ...[1, 2, 3, 4, 5, 6, 7, 8],
    host.length,
    ...ascii(host),
    port >> 8,
    port & 0xff,
  ];
}

Deno.test("SAMPLES covers every foundation message kind", () => {
  assertEquals(
    [...new Set(SAMPLES.map((m) => m.kind))].sort(),
    [...FOUNDATION_TYPES.keys()].sort(),
  );
});

Deno.test("encodeMessage() writes each kind's fixed type byte", async (t) => {
  for (const message of SAMPLES) {
    await t.step(message.kind, () => {
      assertEquals(encodeMessage(message)[4], FOUNDATION_TYPES.get(message.kind));
    });
  }
  assertEquals(
    [
      MessageType.Hello,
      MessageType.Error,
      MessageType.Register,
      MessageType.Registered,
      MessageType.Refused,
      MessageType.PeerListRequest,
      MessageType.PeerList,
      MessageType.Gossip,
      MessageType.Ping,
      MessageType.Pong,
      MessageType.DeadNode,
      MessageType.Leave,
      MessageType.DegreeUpdate,
    ],
    [...FOUNDATION_TYPES.values()],
  );
});

Deno.test("encodeMessage() and decodeMessage() round-trip every message kind", async (t) => {
  for (const [i, message] of SAMPLES.entries()) {
    await t.step(`${i}: ${message.kind}`, () => {
      assertEquals(roundTrip(message), { ok: true, message });
    });
  }
});

Deno.test("encodeMessage() writes the documented byte layout", async (t) => {
  await t.step("ping", () => {
    assertEquals(
      Array.from(encodeMessage({ kind: "ping", nonce: 0x01020304 })),
      [0, 0, 0, 5, MessageType.Ping, 1, 2, 3, 4],
    );
  });
  await t.step("registered (type byte only)", () => {
    assertEquals(Array.from(encodeMessage({ kind: "registered" })), [0, 0, 0, 1, 4]);
  });
  await t.step("hello", () => {
    const bytes = encodeMessage({
      kind: "hello",
      version: PROTOCOL_VERSION,
      role: "peer",
      nodeId: "0102030405060708",
      address: { host: "127.0.0.1", port: 5000 },
    });
    const payload = helloPayload();
    assertEquals(Array.from(bytes), [0, 0, 0, payload.length + 1, MessageType.Hello, ...payload]);
  });
  await t.step("gossip", () => {
    const bytes = encodeMessage({ kind: "gossip", origin: { host: "a", port: 258 }, text: "é" });
    assertEquals(Array.from(bytes), [0, 0, 0, 9, 8, 1, 0x61, 1, 2, 0, 2, 0xc3, 0xa9]);
  });
});

Deno.test("decodeMessage() preserves a leading U+FEFF in text fields", () => {
  // TextDecoder strips a leading byte order mark unless `ignoreBOM` is set,
  // which would silently change gossip text between two peers.
  const message: Message = {
    kind: "gossip",
    origin: { host: "127.0.0.1", port: 1 },
    text: "\uFEFF1700000000000:127.0.0.1:1",
  };
  assertEquals(roundTrip(message), { ok: true, message });
});

Deno.test("decodeMessage() decodes unknown error and refusal codes as other", async (t) => {
  for (const code of [0, ERROR_CODES.length + 1, 200, 255]) {
    await t.step(`error code ${code}`, () => {
      assertEquals(decodeMessage(frame(MessageType.Error, [code, 0, 2, ...ascii("hi")])), {
        ok: true,
        message: { kind: "error", code: "other", text: "hi" },
      });
    });
  }
  for (const code of [0, REFUSAL_REASONS.length + 1, 99, 255]) {
    await t.step(`refusal code ${code}`, () => {
      assertEquals(decodeMessage(frame(MessageType.Refused, [code, 0, 0])), {
        ok: true,
        message: { kind: "refused", reason: "other", text: "" },
      });
    });
  }
  await t.step("other round-trips as code 255", () => {
    const bytes = encodeMessage({ kind: "error", code: "other", text: "" });
    assertEquals(Array.from(bytes), [0, 0, 0, 4, MessageType.Error, 255, 0, 0]);
    assertEquals(roundTrip({ kind: "refused", reason: "other", text: "x" }), {
      ok: true,
      message: { kind: "refused", reason: "other", text: "x" },
    });
  });
});

Deno.test("decodeMessage() reads the peer_list more flag from bit 0 only", () => {
  const payload = [0, 0, 0, 9, 0xfe, 0, 0];
  assertEquals(decodeMessage(frame(MessageType.PeerList, payload)), {
    ok: true,
    message: { kind: "peer_list", requestId: 9, more: false, peers: [] },
  });
  payload[4] = 0xff;
  assertEquals(decodeMessage(frame(MessageType.PeerList, payload)), {
    ok: true,
    message: { kind: "peer_list", requestId: 9, more: true, peers: [] },
  });
});

Deno.test("FrameDecoder and decodeMessage() give the same messages for any chunking", async (t) => {
  const stream = concat(SAMPLES.map(encodeMessage));
  const expected = SAMPLES.map((message): DecodeResult => ({ ok: true, message }));

  await t.step("all frames in one chunk", () => {
    assertEquals(decodeChunks([stream]), expected);
  });
  await t.step("byte by byte", () => {
    assertEquals(decodeChunks(Array.from(stream, (b) => new Uint8Array([b]))), expected);
  });
  await t.step("seeded random chunk sizes", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = seededRng(seed);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < stream.length;) {
        const size = randomInt(rng, 1, seed % 2 === 0 ? 7 : 700);
        chunks.push(stream.slice(at, at + size));
        at += size;
      }
      assertEquals(decodeChunks(chunks), expected, `seed ${seed}`);
    }
  });
});

Deno.test("peerListMessages() returns one empty message for an empty list", () => {
  const parts = peerListMessages(5, []);
  assertEquals(parts, [{ kind: "peer_list", requestId: 5, more: false, peers: [] }]);
  assertEquals(roundTrip(parts[0] as Message), { ok: true, message: parts[0] as Message });
});

Deno.test("peerListMessages() keeps a short list in one message", () => {
  const peers: PeerEntry[] = [
    { address: { host: "127.0.0.1", port: 6000 }, degree: 2 },
    { address: { host: "::1", port: 6001 }, degree: 0 },
  ];
  assertEquals(peerListMessages(0, peers), [
    { kind: "peer_list", requestId: 0, more: false, peers },
  ]);
});

Deno.test("peerListMessages() and membersMessages() fit their frames around the count below which nothing is measured", () => {
  // Hosts of the longest wire length (str8: 255 bytes): 251 such entries
  // fit one frame unmeasured; from 252 on the list is measured and split.
  const host = "h".repeat(255);
  for (const count of [1, 32, 250, 251, 252, 253, 300]) {
    const peers: PeerEntry[] = Array.from({ length: count }, (_, i) => ({
      address: { host, port: 1 + i },
      degree: i,
    }));
    const parts = peerListMessages(1, peers);
    assertEquals(parts.flatMap((p) => p.peers), peers, `${count}`);
    for (const part of parts) {
      assert(encodeMessage(part).length <= MAX_FRAME_BYTES + 4, `${count}`);
      assert(part.peers !== peers, "a part is a list of its own");
    }
    const records = peers.map((p, i) => ({
      address: p.address,
      state: "member" as const,
      version: { stamp: 1_800_000_000_000 + i, origin: NODE_ID },
      degree: p.degree,
    }));
    for (const part of membersMessages(2, records)) {
      assert(encodeMessage(part).length <= MAX_FRAME_BYTES + 4, `${count} records`);
    }
  }
});

Deno.test("peerListMessages() splits a long list into frames that each fit", async (t) => {
  const peers: PeerEntry[] = Array.from({ length: 12_000 }, (_, i) => ({
    address: i % 3 === 0
      ? { host: `2001:db8::${i.toString(16)}`, port: 1 + (i % 65535) }
      : i % 3 === 1
      ? { host: `10.${(i >> 8) & 255}.${i & 255}.${i % 200}`, port: 1024 + i }
      : { host: `peer-${i}.example.org`, port: 65535 },
    degree: i % 65536,
  }));
  const parts = peerListMessages(42, peers);

  await t.step("more than one part, all with the request id", () => {
    assert(parts.length > 1, `expected several parts, got ${parts.length}`);
    for (const part of parts) assertEquals(part.requestId, 42);
  });
  await t.step("every part but the last says more", () => {
    assertEquals(parts.map((p) => p.more), parts.map((_, i) => i < parts.length - 1));
  });
  await t.step("the parts hold the whole list, in order", () => {
    assertEquals(parts.flatMap((p) => p.peers), peers);
  });
  await t.step("each part encodes within the limit and is nearly full", () => {
    for (const [i, part] of parts.entries()) {
      const bytes = encodeMessage(part);
      assert(bytes.length - 4 <= MAX_FRAME_BYTES, `part ${i}: ${bytes.length} bytes`);
      if (i < parts.length - 1) {
        // A part is only closed when the next entry (at most 260 bytes) would not fit.
        assert(bytes.length - 4 > MAX_FRAME_BYTES - 300, `part ${i} is only ${bytes.length} bytes`);
      }
    }
  });
  await t.step("the parts round-trip through one decoder", () => {
    const stream = concat(parts.map(encodeMessage));
    const results = decodeChunks([stream.subarray(0, 70_000), stream.subarray(70_000)]);
    assertEquals(results, parts.map((message): DecodeResult => ({ ok: true, message })));
  });
});

Deno.test("decodeMessage() reports failures as results", async (t) => {
  const cases: Array<{ name: string; frame: Frame; expected: DecodeResult }> = [
    {
      name: "unknown type 0",
      frame: frame(0, [1, 2]),
      expected: { ok: false, reason: "unknown_type", detail: "Unknown message type 0", type: 0 },
    },
    {
      name: "unknown type one past the last known",
      frame: frame(NEXT_TYPE, []),
      expected: {
        ok: false,
        reason: "unknown_type",
        detail: `Unknown message type ${NEXT_TYPE}`,
        type: NEXT_TYPE,
      },
    },
    {
      name: "unknown type 255",
      frame: frame(255, [0]),
      expected: {
        ok: false,
        reason: "unknown_type",
        detail: "Unknown message type 255",
        type: 255,
      },
    },
    {
      name: "truncated ping",
      frame: frame(MessageType.Ping, [0, 0, 1]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed ping: nonce needs 4 bytes, 3 left",
        type: MessageType.Ping,
      },
    },
    {
      name: "truncated gossip text",
      frame: frame(MessageType.Gossip, [1, 0x61, 0, 1, 0, 5, 0x61, 0x62]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed gossip: text needs 5 bytes, 2 left",
        type: MessageType.Gossip,
      },
    },
    {
      name: "trailing byte after ping",
      frame: frame(MessageType.Ping, [0, 0, 0, 1, 9]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed ping: 1 unexpected trailing bytes after ping",
        type: MessageType.Ping,
      },
    },
    {
      name: "trailing bytes after registered",
      frame: frame(MessageType.Registered, [0, 0]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed registered: 2 unexpected trailing bytes after registered",
        type: MessageType.Registered,
      },
    },
    {
      name: "invalid UTF-8 in dead_node text",
      frame: frame(MessageType.DeadNode, [0, 2, 0xc3, 0x28]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed dead_node: text is not valid UTF-8",
        type: MessageType.DeadNode,
      },
    },
    {
      name: "bad hello magic",
      frame: frame(MessageType.Hello, helloPayload({ magic: ascii("GSPX") })),
      expected: {
        ok: false,
        reason: "bad_magic",
        detail: "Hello does not start with GSPN",
        type: MessageType.Hello,
      },
    },
    {
      name: "hello too short for its magic",
      frame: frame(MessageType.Hello, [0x47, 0x53]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed hello: magic needs 4 bytes, 2 left",
        type: MessageType.Hello,
      },
    },
    {
      name: "hello with an unknown role",
      frame: frame(MessageType.Hello, helloPayload({ role: 4 })),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed hello: role is not seed, peer or client",
        type: MessageType.Hello,
      },
    },
    {
      name: "hello from a peer with port 0",
      frame: frame(MessageType.Hello, helloPayload({ role: 2, port: 0 })),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed hello: address port is 0",
        type: MessageType.Hello,
      },
    },
    {
      name: "hello with an invalid host",
      frame: frame(MessageType.Hello, helloPayload({ host: "999.1.1.1" })),
      expected: {
        ok: false,
        reason: "malformed",
        detail: 'Malformed hello: address host "999.1.1.1" is not valid',
        type: MessageType.Hello,
      },
    },
    {
      name: "gossip origin with an invalid host",
      frame: frame(MessageType.Gossip, [5, ...ascii("a b c"), 0, 1, 0, 0]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: 'Malformed gossip: origin host "a b c" is not valid',
        type: MessageType.Gossip,
      },
    },
    {
      name: "gossip origin with an empty host",
      frame: frame(MessageType.Gossip, [0, 0, 1, 0, 0]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: 'Malformed gossip: origin host "" is not valid',
        type: MessageType.Gossip,
      },
    },
    {
      name: "peer list entry with port 0",
      frame: frame(MessageType.PeerList, [0, 0, 0, 1, 0, 0, 1, 1, 0x61, 0, 0, 0, 3]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed peer_list: peer 0 port is 0",
        type: MessageType.PeerList,
      },
    },
    {
      name: "peer list entry with an invalid host",
      frame: frame(MessageType.PeerList, [
        ...[0, 0, 0, 1, 0, 0, 2],
        ...[1, 0x61, 0, 1, 0, 0],
        ...[4, ...ascii("a..b"), 0, 1, 0, 0],
      ]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: 'Malformed peer_list: peer 1 host "a..b" is not valid',
        type: MessageType.PeerList,
      },
    },
    {
      name: "peer list count larger than its bytes can hold",
      frame: frame(MessageType.PeerList, [0, 0, 0, 1, 0, 0xff, 0xff, ...new Array(10).fill(0)]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed peer_list: peer count (65535) exceeds what 10 bytes can hold",
        type: MessageType.PeerList,
      },
    },
    {
      name: "peer list count one more than present",
      frame: frame(MessageType.PeerList, [0, 0, 0, 1, 0, 0, 2, 1, 0x61, 0, 1, 0, 0]),
      expected: {
        ok: false,
        reason: "malformed",
        detail: "Malformed peer_list: peer count (2) exceeds what 6 bytes can hold",
        type: MessageType.PeerList,
      },
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      assertEquals(decodeMessage(c.frame), c.expected);
    });
  }
});

Deno.test("decodeMessage() keeps the detail one printable line whatever the peer sent", async (t) => {
  // The detail goes into console logs as one line; a hostile host string with
  // a line break must not be able to forge extra log lines.
  for (const host of ["evil\nhost", "evil\r\nfake log line", "\u001b[31mred"]) {
    await t.step(JSON.stringify(host), () => {
      const result = failure(
        decodeMessage(frame(MessageType.Gossip, [host.length, ...ascii(host), 0, 1, 0, 0])),
      );
      assertEquals(result.reason, "malformed");
      assert(result.detail.startsWith("Malformed gossip: origin host "), result.detail);
      const control = [...result.detail].filter((c) => c < " " || c === "\x7f");
      assertEquals(control, [], JSON.stringify(result.detail));
    });
  }
});

Deno.test("decodeMessage() allows port 0 only in a client hello", () => {
  const result = decodeMessage(frame(MessageType.Hello, helloPayload({ role: 3, port: 0 })));
  assertEquals(result, {
    ok: true,
    message: {
      kind: "hello",
      version: PROTOCOL_VERSION,
      role: "client",
      nodeId: "0102030405060708",
      address: { host: "127.0.0.1", port: 0 },
    },
  });
  const seed = decodeMessage(frame(MessageType.Hello, helloPayload({ role: 1, port: 0 })));
  assertEquals(seed.ok ? "ok" : seed.detail, "Malformed hello: address port is 0");
  const origin = decodeMessage(frame(MessageType.Gossip, [1, 0x61, 0, 0, 0, 0]));
  assertEquals(origin.ok ? "ok" : origin.detail, "Malformed gossip: origin port is 0");
});

Deno.test("decodeMessage() rejects a hello of another protocol version", async (t) => {
  for (const version of [0, 2, 0xffff]) {
    await t.step(`version ${version}`, () => {
      // Whatever follows the version is not read: a newer layout may differ.
      const payload = [...HELLO_MAGIC, version >> 8, version & 0xff, 0xee];
      assertEquals(decodeMessage(frame(MessageType.Hello, payload)), {
        ok: false,
        reason: "unsupported_version",
        detail:
          `Protocol version mismatch: remote speaks ${version}, this node speaks ${PROTOCOL_VERSION}`,
        type: MessageType.Hello,
        remoteVersion: version,
      });
    });
  }
  await t.step("encoded by encodeMessage()", () => {
    const result = failure(roundTrip({
      kind: "hello",
      version: 2,
      role: "peer",
      nodeId: NODE_ID,
      address: { host: "127.0.0.1", port: 5000 },
    }));
    assertEquals(result.reason, "unsupported_version");
    assertEquals(result.remoteVersion, 2);
    assertEquals(result.detail, "Protocol version mismatch: remote speaks 2, this node speaks 1");
  });
});

Deno.test("isKnownType() knows exactly the MessageType codes", () => {
  const known = Array.from({ length: 256 }, (_, i) => i).filter(isKnownType);
  assertEquals(known, Object.values(MessageType).sort((a, b) => a - b));
  for (const type of FOUNDATION_TYPES.values()) assert(isKnownType(type), `type ${type}`);
  for (const type of [0, NEXT_TYPE, 255, 256, -1]) assert(!isKnownType(type), `type ${type}`);
});

Deno.test("encodeMessage() accepts a frame of exactly the limit", () => {
  // dead_node: type byte + 2-byte length + text.
  const text = "d".repeat(MAX_FRAME_BYTES - 3);
  const bytes = encodeMessage({ kind: "dead_node", text });
  assertEquals(bytes.length, 4 + MAX_FRAME_BYTES);
  assertEquals(Array.from(bytes.subarray(0, 4)), [0, 1, 0, 0]);
  assertEquals(roundTrip({ kind: "dead_node", text }), {
    ok: true,
    message: { kind: "dead_node", text },
  });
});

Deno.test("encodeMessage() throws RangeError", async (t) => {
  await t.step("for a frame one byte over the limit", () => {
    assertThrows(
      () => encodeMessage({ kind: "dead_node", text: "d".repeat(MAX_FRAME_BYTES - 2) }),
      RangeError,
      `Frame length (${MAX_FRAME_BYTES + 1}) exceeds limit (${MAX_FRAME_BYTES})`,
    );
  });
  await t.step("for gossip text at the 2-byte prefix limit (frame too large)", () => {
    assertThrows(
      () =>
        encodeMessage({ kind: "gossip", origin: { host: "a", port: 1 }, text: "g".repeat(65535) }),
      RangeError,
      "Frame length (65542) exceeds limit (65536)",
    );
  });
  await t.step("for a peer_list too long for one frame", () => {
    const peers = Array.from({ length: 5000 }, (_, i) => ({
      address: { host: `10.0.${i >> 8}.${i & 255}`, port: 1 },
      degree: 0,
    }));
    assertThrows(
      () => encodeMessage({ kind: "peer_list", requestId: 1, more: false, peers }),
      RangeError,
      "exceeds limit (65536)",
    );
  });
  await t.step("for a 256-byte ASCII string in a 1-byte prefix", () => {
    assertThrows(
      () => encodeMessage({ kind: "leave", reason: "x".repeat(256) }),
      RangeError,
      "String of 256 bytes exceeds limit (255)",
    );
  });
  await t.step("for 128 two-byte characters (256 bytes) in a 1-byte prefix", () => {
    assertThrows(
      () => encodeMessage({ kind: "leave", reason: "é".repeat(128) }),
      RangeError,
      "String of 256 bytes exceeds limit (255)",
    );
  });
  await t.step("for a 256-byte host", () => {
    assertThrows(
      () =>
        encodeMessage({
          kind: "gossip",
          origin: { host: "h".repeat(256), port: 1 },
          text: "",
        }),
      RangeError,
      "String of 256 bytes exceeds limit (255)",
    );
  });
  await t.step("for a string over the 2-byte prefix", () => {
    assertThrows(
      () => encodeMessage({ kind: "dead_node", text: "€".repeat(21846) }),
      RangeError,
      "String of 65538 bytes exceeds limit (65535)",
    );
  });
  await t.step("for a node id that is not 16 lowercase hex digits", () => {
    for (const nodeId of ["0123456789ABCDEF", "0123", "0123456789abcdef0", "g123456789abcdef"]) {
      assertThrows(
        () =>
          encodeMessage({
            kind: "hello",
            version: 1,
            role: "peer",
            nodeId,
            address: { host: "127.0.0.1", port: 1 },
          }),
        RangeError,
        `Node id must be 16 hex digits, got "${nodeId}"`,
      );
    }
  });
});

Deno.test("encodeMessage() rejects numbers that do not fit their field", async (t) => {
  // The doc promises a RangeError "if a field exceeds its size limit"; a
  // silent wrap would turn degree 65536 into 0 and port 65537 into 1.
  const cases: Array<[string, Message]> = [
    ["register degree 65536", { kind: "register", degree: 65536 }],
    ["degree_update degree -1", { kind: "degree_update", degree: -1 }],
    ["ping nonce 2^32", { kind: "ping", nonce: 2 ** 32 }],
    ["gossip origin port 65537", {
      kind: "gossip",
      origin: { host: "127.0.0.1", port: 65537 },
      text: "",
    }],
  ];
  for (const [name, message] of cases) {
    await t.step(name, () => {
      assertThrows(() => encodeMessage(message), RangeError);
    });
  }
});

Deno.test("decodeMessage() results do not alias the frame buffer", () => {
  const bytes = encodeMessage(SAMPLES[0] as Message);
  const [f] = new FrameDecoder().push(bytes).frames;
  const result = decodeMessage(f as Frame);
  bytes.fill(0);
  assertEquals(result, { ok: true, message: SAMPLES[0] as Message });
});

Deno.test("encodeFrame() and encodeMessage() agree on framing", () => {
  const bytes = encodeMessage({ kind: "pong", nonce: 7 });
  assertEquals(bytes, encodeFrame(MessageType.Pong, new Uint8Array([0, 0, 0, 7])));
});
