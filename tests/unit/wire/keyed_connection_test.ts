import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { type CloseInfo, FramedConnection } from "../../../lib/wire/connection.ts";
import { FrameDecoder } from "../../../lib/wire/frame.ts";
import {
  generateKeyText,
  type Keyring,
  KeyringHolder,
  parseKeyring,
} from "../../../lib/wire/keyring.ts";
import {
  decodeMessage,
  encodeMessage,
  type HelloMessage,
  type Message,
  PROTOCOL_VERSION,
} from "../../../lib/wire/messages.ts";
import { concatBytes, FakeStream, streamPair } from "../../support/fake_stream.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const HELLO_A: HelloMessage = {
  kind: "hello",
  version: PROTOCOL_VERSION,
  role: "peer",
  nodeId: "0123456789abcdef",
  address: { host: "127.0.0.1", port: 7001 },
};
const HELLO_B: HelloMessage = {
  ...HELLO_A,
  nodeId: "fedcba9876543210",
  address: { ...HELLO_A.address, port: 7002 },
};
const GOSSIP: Message = {
  kind: "gossip",
  origin: { host: "127.0.0.1", port: 7001 },
  text: "1732180000000:127.0.0.1:1",
};

const ring = (...texts: string[]) => parseKeyring(texts.join("\n"), "test");

interface Side {
  connection: FramedConnection;
  hellos: HelloMessage[];
  messages: Message[];
  /** Resolves with the remote hello once the handler hears it. */
  opened: Promise<HelloMessage>;
  closed: Promise<CloseInfo>;
}

function side(
  stream: FakeStream,
  hello: HelloMessage,
  direction: "in" | "out",
  keyring: Keyring | undefined,
  onMessage?: (message: Message) => void,
): Side {
  const hellos: HelloMessage[] = [];
  const messages: Message[] = [];
  let open!: (hello: HelloMessage) => void;
  const opened = new Promise<HelloMessage>((resolve) => open = resolve);
  const connection = new FramedConnection(stream, {
    handler: {
      onHello(_c, remote) {
        hellos.push(remote);
        open(remote);
        return undefined;
      },
      onMessage(_c, message) {
        messages.push(message);
        onMessage?.(message);
      },
      onClose() {},
    },
    localHello: hello,
    direction,
    remoteLabel: direction === "out" ? "127.0.0.1:7002" : "127.0.0.1:40000",
    options: {
      clock: new ManualClock(),
      ...(keyring ? { keyring: new KeyringHolder(keyring) } : {}),
    },
  });
  return { connection, hellos, messages, opened, closed: connection.closed };
}

function pair(ringA: Keyring | undefined, ringB: Keyring | undefined) {
  const [sa, sb] = streamPair();
  const a = side(sa, HELLO_A, "out", ringA);
  const b = side(sb, HELLO_B, "in", ringB);
  a.connection.start();
  b.connection.start();
  return { a, b, sa, sb };
}

/** Resolves once `message` arrived at `s`. */
function received(s: Side, kind: Message["kind"]): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (s.messages.some((m) => m.kind === kind)) resolve();
      else if (s.connection.isClosed) reject(new Error("closed before the message arrived"));
      else setTimeout(check, 1);
    };
    check();
  });
}

Deno.test("keyed handshake: same key, both sides open and gossip travels sealed", async () => {
  const key = generateKeyText();
  const { a, b, sa } = pair(await ring(key), await ring(key));
  assertEquals(await a.opened, HELLO_B);
  assertEquals(await b.opened, HELLO_A);
  assert(a.connection.isKeyed && b.connection.isKeyed);
  a.connection.send(GOSSIP);
  await received(b, "gossip");
  assertEquals(b.messages, [GOSSIP]);
  // The gossip text never crossed the wire in clear.
  const wire = new TextDecoder("latin1").decode(sa.written());
  assert(!wire.includes("1732180000000"), "gossip text visible on the wire");
  a.connection.close("local", "done");
  b.connection.close("local", "done");
});

Deno.test("keyed handshake: a frame batch of one turn leaves as one sealed record", async () => {
  const key = generateKeyText();
  const { a, b, sa } = pair(await ring(key), await ring(key));
  await a.opened;
  await b.opened;
  const before = sa.writes.length;
  for (let i = 0; i < 50; i++) a.connection.send(GOSSIP);
  await received(b, "gossip");
  while (b.messages.length < 50) await new Promise((r) => setTimeout(r, 1));
  assertEquals(sa.writes.length - before, 1);
  // One record: its length prefix covers the whole write.
  const write = sa.writes.at(-1)!;
  assertEquals(new DataView(write.buffer, write.byteOffset).getUint32(0), write.length - 4);
  a.connection.close("local", "done");
  b.connection.close("local", "done");
});

Deno.test("keyed handshake: rings that share the keys each side sends with open (rotation)", async () => {
  const old = generateKeyText();
  const next = generateKeyText();
  // Step 2 of a rotation: one node already sends with the new key, the other not yet.
  const { a, b } = pair(await ring(next, old), await ring(old, next));
  assertEquals(await a.opened, HELLO_B);
  assertEquals(await b.opened, HELLO_A);
  a.connection.close("local", "done");
  b.connection.close("local", "done");
});

Deno.test("keyed handshake: a wrong key closes both sides, neither handler hears a hello", async () => {
  const { a, b } = pair(await ring(generateKeyText()), await ring(generateKeyText()));
  const [ia, ib] = await Promise.all([a.closed, b.closed]);
  assertEquals([ia.reason, ib.reason], ["auth_failed", "auth_failed"]);
  assertStringIncludes(ia.detail, "not in this node's keyring");
  assertStringIncludes(ib.detail, "not in this node's keyring");
  assertEquals([a.hellos, b.hellos], [[], []]);
  assertEquals([a.messages, b.messages], [[], []]);
});

Deno.test("keyed handshake: a forged key id with other bytes fails on the proof", async () => {
  const real = await ring(generateKeyText());
  const forged = await ring(generateKeyText());
  const liar: Keyring = {
    ...forged,
    keys: [{ id: real.sendKey.id, bytes: forged.sendKey.bytes }],
    sendKey: { id: real.sendKey.id, bytes: forged.sendKey.bytes },
    ids: [real.sendKey.id],
  } as Keyring;
  const { a, b } = pair(liar, real);
  const [ia, ib] = await Promise.all([a.closed, b.closed]);
  assertEquals(ib.reason, "auth_failed");
  assertStringIncludes(ib.detail, "proof does not verify");
  assert(ia.reason === "auth_failed" || ia.reason === "remote_error", ia.reason);
  assertEquals([a.hellos, b.hellos], [[], []]);
});

Deno.test("keyless meets keyed: clear reasons on both sides, no hello delivered", async () => {
  for (const keyedFirst of [true, false]) {
    const keyed = await ring(generateKeyText());
    const { a, b } = keyedFirst ? pair(keyed, undefined) : pair(undefined, keyed);
    const [keyedSide, keylessSide] = keyedFirst ? [a, b] : [b, a];
    const [k, l] = await Promise.all([keyedSide.closed, keylessSide.closed]);
    assertEquals(k, { reason: "auth_failed", detail: "remote has no key" });
    assertEquals(l.reason, "auth_failed");
    assertEquals(l.detail, "this network requires a key");
    assertEquals([a.hellos, b.hellos], [[], []]);
  }
});

/** Frames written by a stream so far, decoded (handshake frames only). */
function framesOf(bytes: Uint8Array): Message[] {
  const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20 });
  const out: Message[] = [];
  for (const frame of decoder.push(bytes).frames) {
    const result = decodeMessage(frame);
    if (result.ok) out.push(result.message);
  }
  return out;
}

Deno.test("keyed handshake: a reflected proof does not verify", async () => {
  const keyed = await ring(generateKeyText());
  const stream = new FakeStream();
  const node = side(stream, HELLO_B, "in", keyed);
  node.connection.start();
  // A keyless attacker that knows the key id (ids are public) opens as the
  // initiator, then sends the node's own responder proof back.
  stream.feed(concatBytes([
    encodeMessage({ kind: "auth_hello", keyId: keyed.sendKey.id, nonce: "11".repeat(32) }),
    encodeMessage(HELLO_A),
  ]));
  let proof: Message | undefined;
  while (!proof) {
    await new Promise((r) => setTimeout(r, 1));
    proof = framesOf(stream.written()).find((m) => m.kind === "auth_proof");
  }
  stream.feed(encodeMessage(proof));
  const info = await node.closed;
  assertEquals(info.reason, "auth_failed");
  assertStringIncludes(info.detail, "proof does not verify");
  assertEquals(node.hellos, []);
});

/** Two keyed sides whose wire from A to B passes through `tamper` once the handshake is done. */
async function tampered(tamper: (records: Uint8Array[]) => Uint8Array[]) {
  const key = generateKeyText();
  const sa = new FakeStream();
  const sb = new FakeStream();
  let open = false;
  const held: Uint8Array[] = [];
  sa.onWrite = (bytes) => {
    if (!open) return sb.feed(bytes);
    held.push(bytes);
  };
  sb.onWrite = (bytes) => sa.feed(bytes);
  sa.onClose = () => sb.end();
  sb.onClose = () => sa.end();
  const a = side(sa, HELLO_A, "out", await ring(key));
  const b = side(sb, HELLO_B, "in", await ring(key));
  a.connection.start();
  b.connection.start();
  await Promise.all([a.opened, b.opened]);
  open = true;
  return {
    a,
    b,
    /** Sends `count` writes of gossip from A, then delivers them to B through `tamper`. */
    async deliver(count: number) {
      for (let i = 0; i < count; i++) {
        a.connection.send(GOSSIP);
        while (held.length <= i) await new Promise((r) => setTimeout(r, 1));
      }
      for (const bytes of tamper(held.splice(0))) sb.feed(bytes);
    },
  };
}

Deno.test("sealed records: a flipped byte, a replay and a reorder each close the link", async () => {
  const cases: [string, (r: Uint8Array[]) => Uint8Array[], string][] = [
    ["flip", (r) => {
      const copy = r[0]!.slice();
      copy[copy.length - 3]! ^= 0x40;
      return [copy];
    }, "does not open"],
    ["replay", (r) => [r[0]!, r[0]!], "Replayed sealed record 0 (expected 1)"],
    ["reorder", (r) => [r[1]!, r[0]!], "Sealed record 1 out of order (expected 0)"],
  ];
  for (const [name, tamper, expected] of cases) {
    const t = await tampered(tamper);
    await t.deliver(2);
    const info = await t.b.closed;
    assertEquals(info.reason, "protocol_error", name);
    assertStringIncludes(info.detail, expected, name);
    // Nothing of a tampered record reached the handler.
    assert(t.b.messages.length <= 1, name);
    t.a.connection.close("local", "done");
  }
});

Deno.test("sealed records: an oversize length prefix closes the link before buffering", async () => {
  const t = await tampered(() => [new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])]);
  await t.deliver(1);
  const info = await t.b.closed;
  assertEquals(info.reason, "protocol_error");
  assertStringIncludes(info.detail, "Sealed record length (2147483647) exceeds limit");
  t.a.connection.close("local", "done");
});

Deno.test("keyed handshake: no auth_hello within the handshake timeout closes the link", async () => {
  const clock = new ManualClock();
  const stream = new FakeStream();
  const keyed = await ring(generateKeyText());
  const connection = new FramedConnection(stream, {
    handler: { onHello: () => undefined, onMessage() {}, onClose() {} },
    localHello: HELLO_B,
    direction: "in",
    remoteLabel: "127.0.0.1:40000",
    options: { clock, keyring: new KeyringHolder(keyed), handshakeTimeoutMs: 5000 },
  });
  connection.start();
  clock.advance(5000);
  assertEquals((await connection.closed).reason, "handshake_timeout");
});

Deno.test("keyed handshake and records survive any split of the byte stream", async () => {
  const key = generateKeyText();
  const [sa, sb] = streamPair();
  // Every write lands in pieces of 7 and 3 bytes: frames and records span reads.
  sa.maxWriteBytes = 7;
  sb.maxWriteBytes = 3;
  const a = side(sa, HELLO_A, "out", await ring(key));
  const b = side(sb, HELLO_B, "in", await ring(key));
  a.connection.start();
  b.connection.start();
  assertEquals(await a.opened, HELLO_B);
  assertEquals(await b.opened, HELLO_A);
  const big: Message = { ...GOSSIP, text: "x".repeat(40_000) };
  a.connection.send(GOSSIP);
  a.connection.send(big);
  b.connection.send(GOSSIP);
  while (b.messages.length < 2 || a.messages.length < 1) {
    assert(!a.connection.isClosed && !b.connection.isClosed, "a link closed");
    await new Promise((r) => setTimeout(r, 1));
  }
  assertEquals(b.messages, [GOSSIP, big]);
  assertEquals(a.messages, [GOSSIP]);
  a.connection.close("local", "done");
  b.connection.close("local", "done");
});
