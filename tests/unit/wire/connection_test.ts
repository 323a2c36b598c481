import { assertEquals, assertStrictEquals } from "@std/assert";
import {
  type CloseInfo,
  type ConnectionOptions,
  FramedConnection,
} from "../../../lib/wire/connection.ts";
import { encodeFrame, type Frame, FrameDecoder } from "../../../lib/wire/frame.ts";
import {
  decodeMessage,
  encodeMessage,
  type ErrorCode,
  type HelloMessage,
  type Message,
  PROTOCOL_VERSION,
} from "../../../lib/wire/messages.ts";
import { concatBytes, FakeStream, settle, streamPair } from "../../support/fake_stream.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const LOCAL_HELLO: HelloMessage = {
  kind: "hello",
  version: PROTOCOL_VERSION,
  role: "peer",
  nodeId: "0123456789abcdef",
  address: { host: "127.0.0.1", port: 7001 },
};
const REMOTE_HELLO: HelloMessage = {
  kind: "hello",
  version: PROTOCOL_VERSION,
  role: "peer",
  nodeId: "fedcba9876543210",
  address: { host: "127.0.0.1", port: 7002 },
};
const GOSSIP: Message = {
  kind: "gossip",
  origin: { host: "127.0.0.1", port: 7002 },
  text: "1732180000000:127.0.0.1:1",
};
const PING: Message = { kind: "ping", nonce: 42 };
const PONG: Message = { kind: "pong", nonce: 42 };

/** Bytes of every message, back to back. */
function bytesOf(...messages: Message[]): Uint8Array {
  return concatBytes(messages.map((m) => encodeMessage(m)));
}

/** The single frame `encodeMessage(message)` makes. */
function frameOf(message: Message): Frame {
  const [frame] = new FrameDecoder().push(encodeMessage(message)).frames;
  if (!frame) throw new Error("encodeMessage() produced no frame");
  return frame;
}

/** Decodes a byte stream into messages; fails on anything that is not clean. */
function decodeAll(bytes: Uint8Array): Message[] {
  const decoder = new FrameDecoder();
  const batch = decoder.push(bytes);
  assertEquals(batch.error, undefined);
  assertEquals(decoder.buffered, 0);
  return batch.frames.map((frame) => {
    const result = decodeMessage(frame);
    if (!result.ok) throw new Error(`Undecodable frame written: ${result.detail}`);
    return result.message;
  });
}

interface Harness {
  stream: FakeStream;
  connection: FramedConnection;
  clock: ManualClock;
  hellos: HelloMessage[];
  messages: Message[];
  closes: CloseInfo[];
}

interface HarnessInit {
  options?: ConnectionOptions;
  reject?: { code: ErrorCode; text: string };
  stream?: FakeStream;
  localHello?: HelloMessage;
  clock?: ManualClock;
}

/** A connection over a fake stream with a recording handler; not started. */
function harness(init: HarnessInit = {}): Harness {
  const stream = init.stream ?? new FakeStream();
  const clock = init.clock ?? new ManualClock();
  const hellos: HelloMessage[] = [];
  const messages: Message[] = [];
  const closes: CloseInfo[] = [];
  const connection = new FramedConnection(stream, {
    handler: {
      onHello(_connection, hello) {
        hellos.push(hello);
        return init.reject;
      },
      onMessage(_connection, message) {
        messages.push(message);
      },
      onClose(_connection, info) {
        closes.push(info);
      },
    },
    localHello: init.localHello ?? LOCAL_HELLO,
    direction: "out",
    remoteLabel: "127.0.0.1:7002",
    options: { clock, ...init.options },
  });
  return { stream, connection, clock, hellos, messages, closes };
}

/** A started connection whose remote hello has been read. */
async function handshaken(init: HarnessInit = {}): Promise<Harness> {
  const h = harness(init);
  h.connection.start();
  h.stream.feed(encodeMessage(REMOTE_HELLO));
  await settle();
  assertEquals(h.connection.isOpen, true);
  return h;
}

Deno.test("FramedConnection.start() exchanges hellos between two connections", async () => {
  const [streamA, streamB] = streamPair();
  const clock = new ManualClock();
  const a = harness({ stream: streamA, clock });
  const b = harness({ stream: streamB, clock, localHello: REMOTE_HELLO });
  assertEquals([a.connection.isOpen, b.connection.isOpen], [false, false]);

  a.connection.start();
  b.connection.start();
  await settle();

  assertEquals(a.hellos, [REMOTE_HELLO]);
  assertEquals(b.hellos, [LOCAL_HELLO]);
  assertEquals(a.connection.remoteHello, REMOTE_HELLO);
  assertEquals(b.connection.remoteHello, LOCAL_HELLO);
  assertEquals([a.connection.isOpen, b.connection.isOpen], [true, true]);
  assertEquals(decodeAll(streamA.written()), [LOCAL_HELLO]);
  assertEquals(decodeAll(streamB.written()), [REMOTE_HELLO]);

  assertEquals(a.connection.send(GOSSIP), true);
  assertEquals(b.connection.send(PING), true);
  await settle();
  assertEquals(b.messages, [GOSSIP]);
  assertEquals(a.messages, [PING]);

  // The handshake timer was replaced by nothing (idle timeout off): no timers left.
  assertEquals(clock.pending, 0);

  a.connection.close("local", "done");
  await settle();
  assertEquals(a.closes, [{ reason: "local", detail: "done" }]);
  assertEquals(b.closes, [{ reason: "remote_closed", detail: "Connection closed by remote" }]);
  assertEquals([streamA.closeCalls, streamB.closeCalls], [1, 1]);
});

Deno.test("FramedConnection onHello() decides whether the connection opens", async (t) => {
  await t.step("accepting keeps the connection open and delivers later frames", async () => {
    const h = harness();
    h.connection.start();
    h.stream.feed(bytesOf(REMOTE_HELLO, PING));
    await settle();
    assertEquals(h.hellos, [REMOTE_HELLO]);
    assertEquals(h.messages, [PING]);
    assertEquals(h.closes, []);
    assertEquals(h.connection.isOpen, true);
    assertEquals(h.stream.closed, false);
  });

  await t.step("rejecting sends the error frame, then closes with reason local", async () => {
    const text = "Too many inbound links (8)";
    const h = harness({ reject: { code: "too_many_connections", text } });
    h.connection.start();
    // A ping right behind the rejected hello must be ignored.
    h.stream.feed(bytesOf(REMOTE_HELLO, PING));
    await settle();
    assertEquals(h.hellos, [REMOTE_HELLO]);
    assertEquals(h.messages, []);
    assertEquals(decodeAll(h.stream.written()), [
      LOCAL_HELLO,
      { kind: "error", code: "too_many_connections", text },
    ]);
    assertEquals(h.closes, [{ reason: "local", detail: text }]);
    assertEquals(h.stream.closeCalls, 1);
    assertEquals(h.connection.isOpen, false);
    assertEquals(h.connection.isClosed, true);
    assertEquals(await h.connection.closed, { reason: "local", detail: text });
  });
});

Deno.test("FramedConnection.send() coalesces frames sent in one tick into one write", async (t) => {
  await t.step("the hello and frames queued right behind it", async () => {
    const h = harness();
    h.connection.start();
    assertEquals(h.connection.send(PING), true);
    assertEquals(h.connection.send(GOSSIP), true);
    assertEquals(h.stream.calls.length, 0); // nothing is written synchronously
    assertEquals(h.connection.queuedBytes, bytesOf(LOCAL_HELLO, PING, GOSSIP).length);
    await settle();
    assertEquals(h.stream.calls.length, 1);
    assertEquals(h.stream.writes, [bytesOf(LOCAL_HELLO, PING, GOSSIP)]);
    assertEquals(h.connection.queuedBytes, 0);
  });

  await t.step("frames sent after the handshake", async () => {
    const h = await handshaken();
    const before = h.stream.calls.length;
    for (let nonce = 1; nonce <= 5; nonce++) h.connection.send({ kind: "ping", nonce });
    h.connection.send(GOSSIP);
    await settle();
    assertEquals(h.stream.calls.length, before + 1);
    assertEquals(
      h.stream.writes.at(-1),
      bytesOf(
        { kind: "ping", nonce: 1 },
        { kind: "ping", nonce: 2 },
        { kind: "ping", nonce: 3 },
        { kind: "ping", nonce: 4 },
        { kind: "ping", nonce: 5 },
        GOSSIP,
      ),
    );
  });
});

Deno.test("FramedConnection.send() queues frames sent during a write for the next write", async () => {
  const h = harness();
  h.stream.holdWrites = true;
  h.connection.start();
  await settle();
  assertEquals(h.stream.calls, [encodeMessage(LOCAL_HELLO)]);
  assertEquals(h.stream.heldWrites, 1);

  h.connection.send(PING);
  await settle();
  h.connection.send(GOSSIP);
  await settle();
  // Still one write in flight; the two frames wait behind it.
  assertEquals(h.stream.calls.length, 1);
  assertEquals(h.connection.queuedBytes, bytesOf(PING, GOSSIP).length);

  h.stream.releaseWrites();
  await settle();
  assertEquals(h.stream.calls.length, 2);
  assertEquals(h.stream.calls[1], bytesOf(PING, GOSSIP));

  h.stream.releaseWrites();
  await settle();
  assertEquals(h.stream.writes, [encodeMessage(LOCAL_HELLO), bytesOf(PING, GOSSIP)]);
  assertEquals(h.connection.queuedBytes, 0);
  assertEquals(h.connection.stats.bytesOut, bytesOf(LOCAL_HELLO, PING, GOSSIP).length);
});

Deno.test("FramedConnection.send() grows the queue without mixing up buffers", async () => {
  const h = harness();
  h.stream.holdWrites = true;
  h.connection.start();
  await settle();
  const burst = (from: number): Message[] =>
    Array.from(
      { length: 400 },
      (_, i) => ({ ...GOSSIP, text: `1732180000000:127.0.0.1:${from + i}` }),
    );
  const first = burst(1);
  for (const message of first) h.connection.send(message);
  h.stream.releaseWrites(); // the hello completes; the first burst (> 4 KiB) goes out next
  await settle();
  assertEquals(h.stream.heldWrites, 1);
  const second = burst(401);
  for (const message of second) h.connection.send(message); // fills the other buffer meanwhile
  h.stream.releaseWrites();
  await settle();
  h.stream.releaseWrites();
  await settle();
  assertEquals(h.stream.writes.length, 3);
  assertEquals(h.stream.writes[1], bytesOf(...first));
  assertEquals(h.stream.writes[2], bytesOf(...second));
  assertEquals(decodeAll(h.stream.written()), [LOCAL_HELLO, ...first, ...second]);
  assertEquals(h.connection.stats.framesOut, 801);
});

Deno.test("FramedConnection completes partial writes", async (t) => {
  for (const maxWriteBytes of [1, 3, 7, 32]) {
    await t.step(`${maxWriteBytes} bytes per write`, async () => {
      const h = harness();
      h.stream.maxWriteBytes = maxWriteBytes;
      h.connection.start();
      h.connection.send(GOSSIP);
      h.connection.send(PING);
      await settle(2000);
      const expected = bytesOf(LOCAL_HELLO, GOSSIP, PING);
      assertEquals(h.stream.written(), expected);
      assertEquals(h.stream.calls.length, Math.ceil(expected.length / maxWriteBytes));
      // Each call offers exactly what is still unwritten.
      h.stream.calls.forEach((call, i) => {
        assertEquals(call, expected.subarray(i * maxWriteBytes));
      });
      assertEquals(h.connection.stats.bytesOut, expected.length);
      assertEquals(h.closes, []);
    });
  }
});

Deno.test("FramedConnection.sendFrame() writes the same bytes as send()", async (t) => {
  const messages: Message[] = [
    GOSSIP,
    PING,
    { kind: "leave", reason: "shutting down" },
    { kind: "registered" },
    { kind: "gossip", origin: { host: "::1", port: 65535 }, text: "é".repeat(300) },
  ];
  for (const message of messages) {
    await t.step(message.kind, async () => {
      const frame = frameOf(message);
      const h = await handshaken();
      const before = h.stream.written().length;
      assertEquals(h.connection.sendFrame(frame.type, frame.payload), true);
      assertEquals(h.connection.send(message), true);
      await settle();
      assertEquals(
        h.stream.written().subarray(before),
        concatBytes([encodeMessage(message), encodeMessage(message)]),
      );
      assertEquals(h.connection.stats.framesOut, 3);
    });
  }
});

Deno.test("FramedConnection.send() closes with send_overflow past maxQueuedBytes", async (t) => {
  const pingBytes = encodeMessage(PING).length;

  await t.step("send()", async () => {
    const h = harness({ options: { maxQueuedBytes: 100 } });
    h.stream.holdWrites = true;
    h.connection.start();
    await settle(); // the hello is in flight: it no longer counts against the bound
    assertEquals(h.connection.queuedBytes, 0);
    const fits = Math.floor(100 / pingBytes);
    for (let i = 0; i < fits; i++) assertEquals(h.connection.send(PING), true);
    assertEquals(h.connection.queuedBytes, fits * pingBytes);
    assertEquals(h.closes, []);

    assertEquals(h.connection.send(PING), false);
    assertEquals(h.closes, [{
      reason: "send_overflow",
      detail: "Send queue would exceed 100 bytes",
    }]);
    assertEquals(h.stream.closeCalls, 1);
    assertEquals(h.connection.isClosed, true);
    assertEquals(h.connection.send(PING), false);
    assertEquals(h.connection.sendFrame(9, new Uint8Array(4)), false);
    await settle();
    assertEquals(h.closes.length, 1);
    assertEquals(h.stream.writes, []); // the hanging hello write was cut off by the close
  });

  await t.step("sendFrame()", async () => {
    const h = harness({ options: { maxQueuedBytes: 64 } });
    h.stream.holdWrites = true;
    h.connection.start();
    await settle();
    assertEquals(h.connection.sendFrame(9, new Uint8Array(54)), true); // 5 + 54 = 59 bytes
    assertEquals(h.connection.sendFrame(8, new Uint8Array(0)), true); // 64: exactly the bound
    assertEquals(h.connection.queuedBytes, 64);
    assertEquals(h.closes, []);
    assertEquals(h.connection.sendFrame(8, new Uint8Array(0)), false); // 69 > 64
    assertEquals(h.closes, [{
      reason: "send_overflow",
      detail: "Send queue would exceed 64 bytes",
    }]);
  });
});

Deno.test("FramedConnection closes with handshake_timeout when no hello arrives", async () => {
  const h = harness({ options: { handshakeTimeoutMs: 5000 } });
  h.connection.start();
  await settle();
  h.clock.advance(4999);
  await settle();
  assertEquals(h.closes, []);
  assertEquals(h.stream.closed, false);

  h.clock.advance(1);
  await settle();
  assertEquals(h.closes, [{ reason: "handshake_timeout", detail: "No hello within 5000ms" }]);
  assertEquals(h.stream.closeCalls, 1);
  // No error frame: only the local hello was ever written.
  assertEquals(decodeAll(h.stream.written()), [LOCAL_HELLO]);
  assertEquals(h.clock.pending, 0);
});

Deno.test("FramedConnection does not time out the handshake once the hello arrived", async () => {
  const h = await handshaken({ options: { handshakeTimeoutMs: 100 } });
  h.clock.advance(1_000_000);
  await settle();
  assertEquals(h.closes, []);
  assertEquals(h.clock.pending, 0);
});

Deno.test("FramedConnection closes with idle_timeout when nothing arrives", async (t) => {
  await t.step("nothing after the hello", async () => {
    const h = await handshaken({ options: { idleTimeoutMs: 1000 } });
    h.clock.advance(999);
    await settle();
    assertEquals(h.closes, []);
    h.clock.advance(1);
    await settle();
    assertEquals(h.closes, [{ reason: "idle_timeout", detail: "Nothing received for 1000ms" }]);
    assertEquals(h.stream.closeCalls, 1);
    assertEquals(h.clock.pending, 0);
  });

  await t.step("every read restarts the idle period", async () => {
    const h = await handshaken({ options: { idleTimeoutMs: 1000 } });
    h.clock.advance(600);
    h.stream.feed(encodeMessage(PING));
    await settle();
    h.clock.advance(400); // 1000 ms after the hello, 400 after the ping
    await settle();
    assertEquals(h.closes, []);
    h.clock.advance(599);
    await settle();
    assertEquals(h.closes, []);
    h.clock.advance(1);
    await settle();
    assertEquals(h.closes, [{ reason: "idle_timeout", detail: "Nothing received for 1000ms" }]);
    assertEquals(h.messages, [PING]);
  });

  await t.step("0 disables it", async () => {
    const h = await handshaken({ options: { idleTimeoutMs: 0 } });
    h.clock.advance(10_000_000);
    await settle();
    assertEquals(h.closes, []);
    assertEquals(h.clock.pending, 0);
  });
});

Deno.test("FramedConnection answers protocol errors with an error frame", async (t) => {
  const versionTwo = encodeMessage(REMOTE_HELLO).slice();
  versionTwo[10] = 2; // the low byte of the u16 version after "GSPN"
  const badMagic = encodeMessage(REMOTE_HELLO).slice();
  badMagic[5] = 0x58; // "XSPN"

  const cases: Array<{
    name: string;
    afterHello: boolean;
    bytes: Uint8Array;
    code: ErrorCode;
    detail: string;
    options?: ConnectionOptions;
  }> = [
    {
      name: "garbage (an HTTP request) instead of a hello",
      afterHello: false,
      bytes: new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"),
      code: "malformed",
      detail: "Frame length (1195725856) exceeds limit (65536)",
    },
    {
      name: "oversize length prefix",
      afterHello: true,
      bytes: new Uint8Array([0x00, 0x01, 0x00, 0x01]),
      code: "malformed",
      detail: "Frame length (65537) exceeds limit (65536)",
    },
    {
      name: "length prefix over a custom maxFrameBytes",
      afterHello: true,
      bytes: encodeFrame(8, new Uint8Array(40)), // the 32-byte hello still fits
      code: "malformed",
      detail: "Frame length (41) exceeds limit (40)",
      options: { maxFrameBytes: 40 },
    },
    {
      name: "zero length prefix",
      afterHello: true,
      bytes: new Uint8Array([0, 0, 0, 0]),
      code: "malformed",
      detail: "Frame length is 0 (a frame holds at least its type byte)",
    },
    {
      name: "unknown message type",
      afterHello: true,
      bytes: encodeFrame(99, new Uint8Array([1, 2, 3])),
      code: "malformed",
      detail: "Unknown message type 99",
    },
    {
      name: "malformed payload",
      afterHello: true,
      bytes: encodeFrame(9, new Uint8Array([1, 2])),
      code: "malformed",
      detail: "Malformed ping: nonce needs 4 bytes, 2 left",
    },
    {
      name: "hello with bad magic",
      afterHello: false,
      bytes: badMagic,
      code: "malformed",
      detail: "Hello does not start with GSPN",
    },
    {
      name: "hello with another protocol version",
      afterHello: false,
      bytes: versionTwo,
      code: "unsupported_version",
      detail: "Protocol version mismatch: remote speaks 2, this node speaks 1",
    },
    {
      name: "a frame before the hello",
      afterHello: false,
      bytes: encodeMessage(PING),
      code: "unexpected_message",
      detail: "Expected hello, got ping",
    },
    {
      name: "a second hello",
      afterHello: true,
      bytes: encodeMessage(REMOTE_HELLO),
      code: "unexpected_message",
      detail: "Second hello on one connection",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const init = c.options ? { options: c.options } : {};
      const h = c.afterHello ? await handshaken(init) : harness(init);
      if (!c.afterHello) h.connection.start();
      // A valid frame behind the bad bytes must never be delivered.
      h.stream.feed(concatBytes([c.bytes, encodeMessage(PONG)]));
      await settle();
      assertEquals(decodeAll(h.stream.written()), [
        LOCAL_HELLO,
        { kind: "error", code: c.code, text: c.detail },
      ]);
      assertEquals(h.closes, [{ reason: "protocol_error", detail: c.detail }]);
      assertEquals(h.stream.closeCalls, 1);
      assertEquals(h.messages, []);
      assertEquals(h.hellos, c.afterHello ? [REMOTE_HELLO] : []);
      assertEquals(h.clock.pending, 0);
    });
  }
});

Deno.test("FramedConnection closes with remote_error on an error frame, without replying", async (t) => {
  const error: Message = { kind: "error", code: "too_many_connections", text: "full" };

  await t.step("before the hello", async () => {
    const h = harness();
    h.connection.start();
    h.stream.feed(bytesOf(error, REMOTE_HELLO));
    await settle();
    assertEquals(h.closes, [{ reason: "remote_error", detail: "too_many_connections: full" }]);
    assertEquals(decodeAll(h.stream.written()), [LOCAL_HELLO]);
    assertEquals(h.hellos, []);
    assertEquals(h.stream.closeCalls, 1);
  });

  await t.step("after the hello", async () => {
    const h = await handshaken();
    h.stream.feed(bytesOf({ kind: "error", code: "shutting_down", text: "bye" }, PING));
    await settle();
    assertEquals(h.closes, [{ reason: "remote_error", detail: "shutting_down: bye" }]);
    assertEquals(decodeAll(h.stream.written()), [LOCAL_HELLO]);
    assertEquals(h.messages, []);
  });
});

Deno.test("FramedConnection.close() is idempotent and calls onClose once", async () => {
  const h = await handshaken();
  h.connection.send(PING); // queued, then dropped by the immediate close
  h.connection.close("local", "first");
  assertEquals(h.closes, [{ reason: "local", detail: "first" }]);
  assertEquals(h.connection.isClosed, true);
  assertEquals(h.connection.isOpen, false);

  h.connection.close("io_error", "second");
  h.connection.close("local", "third", { flush: true });
  h.connection.fail("protocol_error", "malformed", "fourth");
  h.stream.feed(encodeMessage(PING));
  h.stream.end();
  h.clock.advance(10_000);
  await settle();

  assertEquals(h.closes, [{ reason: "local", detail: "first" }]);
  assertEquals(await h.connection.closed, { reason: "local", detail: "first" });
  assertEquals(h.stream.closeCalls, 1);
  assertEquals(decodeAll(h.stream.written()), [LOCAL_HELLO]);
  assertEquals(h.connection.send(PING), false);
  assertEquals(h.messages, []);
});

Deno.test("FramedConnection.close() with flush writes queued frames first", async (t) => {
  const leave: Message = { kind: "leave", reason: "shutting down" };

  await t.step("the queue drains: closes right after the write", async () => {
    const h = await handshaken();
    h.connection.send(leave);
    h.connection.close("local", "stopping", { flush: true });
    assertEquals(h.connection.isClosed, true);
    assertEquals(h.closes, []); // not yet: the leave is still queued
    assertEquals(h.connection.send(PING), false);
    await settle();
    assertEquals(decodeAll(h.stream.written()), [LOCAL_HELLO, leave]);
    assertEquals(h.closes, [{ reason: "local", detail: "stopping" }]);
    assertEquals(h.stream.closeCalls, 1);
    assertEquals(h.clock.pending, 0);
  });

  await t.step("a write in flight is waited for too", async () => {
    const h = await handshaken();
    h.stream.holdWrites = true;
    h.connection.send(leave);
    await settle();
    assertEquals(h.stream.heldWrites, 1);
    assertEquals(h.connection.queuedBytes, 0);
    h.connection.close("local", "stopping", { flush: true });
    await settle();
    assertEquals(h.closes, []);
    h.stream.releaseWrites();
    await settle();
    assertEquals(h.closes, [{ reason: "local", detail: "stopping" }]);
    assertEquals(decodeAll(h.stream.written()), [LOCAL_HELLO, leave]);
    assertEquals(h.clock.pending, 0);
  });

  await t.step("a hanging write is given up after 1 s", async () => {
    const h = await handshaken();
    h.stream.holdWrites = true;
    h.connection.send(leave);
    h.connection.close("local", "stopping", { flush: true });
    await settle();
    assertEquals(h.stream.heldWrites, 1);
    h.clock.advance(999);
    await settle();
    assertEquals(h.closes, []);
    assertEquals(h.stream.closed, false);
    h.clock.advance(1);
    await settle();
    assertEquals(h.closes, [{ reason: "local", detail: "stopping" }]);
    assertEquals(h.stream.closeCalls, 1);
    assertEquals(h.clock.pending, 0);
  });

  await t.step("with nothing queued it closes at once", async () => {
    const h = await handshaken();
    h.connection.close("local", "stopping", { flush: true });
    assertEquals(h.closes, [{ reason: "local", detail: "stopping" }]);
  });
});

/** A fake stream that can half-close, as a `Deno.TcpConn` can. */
class HalfClosingStream extends FakeStream {
  closeWriteCalls = 0;
  closeWrite(): Promise<void> {
    this.closeWriteCalls++;
    return Promise.resolve();
  }
}

Deno.test("FramedConnection on a half-closing stream waits for the remote's end after a last frame", async (t) => {
  const leave: Message = { kind: "leave", reason: "shutting down" };

  await t.step("FIN after the frame, then reads dropped until the remote ends", async () => {
    const stream = new HalfClosingStream();
    const h = await handshaken({ stream });
    h.connection.send(leave);
    h.connection.close("local", "stopping", { flush: true });
    await settle();
    assertEquals(decodeAll(h.stream.written()), [LOCAL_HELLO, leave]);
    assertEquals(stream.closeWriteCalls, 1);
    // The remote still sends: read and dropped, not left to reset it at close.
    h.stream.feed(bytesOf(PING, GOSSIP));
    await settle();
    assertEquals(h.messages, []);
    assertEquals(h.stream.written().length, bytesOf(LOCAL_HELLO, leave).length);
    assertEquals([h.closes, h.stream.closeCalls], [[], 0]);
    h.stream.end();
    await settle();
    assertEquals(h.closes, [{ reason: "local", detail: "stopping" }]);
    assertEquals(await h.connection.closed, { reason: "local", detail: "stopping" });
    assertEquals(h.stream.closeCalls, 1);
    assertEquals(h.clock.pending, 0);
  });

  await t.step("an error frame goes the same way", async () => {
    const stream = new HalfClosingStream();
    const h = await handshaken({ stream });
    h.connection.fail("local", "shutting_down", "Seed shutting down");
    await settle();
    assertEquals(stream.closeWriteCalls, 1);
    assertEquals(h.closes, []);
    h.stream.failRead(new Deno.errors.ConnectionReset("reset"));
    await settle();
    assertEquals(h.closes, [{ reason: "local", detail: "Seed shutting down" }]);
  });

  await t.step("a remote that never ends is cut after 1 s", async () => {
    const stream = new HalfClosingStream();
    const h = await handshaken({ stream });
    h.connection.close("local", "stopping", { flush: true });
    await settle();
    assertEquals(stream.closeWriteCalls, 1);
    h.clock.advance(999);
    await settle();
    assertEquals(h.stream.closeCalls, 0);
    h.clock.advance(1);
    await settle();
    assertEquals(h.closes, [{ reason: "local", detail: "stopping" }]);
    assertEquals(h.stream.closeCalls, 1);
    assertEquals(h.clock.pending, 0);
  });

  await t.step("a remote that ended first: closed once the frame is out", async () => {
    const stream = new HalfClosingStream();
    const h = await handshaken({ stream });
    h.stream.holdWrites = true;
    h.connection.send(leave);
    await settle();
    h.connection.close("local", "stopping", { flush: true });
    h.stream.end();
    await settle();
    assertEquals(h.closes, []);
    h.stream.releaseWrites();
    await settle();
    assertEquals(h.closes, [{ reason: "local", detail: "stopping" }]);
    assertEquals(stream.closeWriteCalls, 0);
    assertEquals(h.clock.pending, 0);
  });

  await t.step("a close without a last frame closes at once", async () => {
    const stream = new HalfClosingStream();
    const h = await handshaken({ stream });
    h.connection.close("local", "replaced");
    assertEquals(h.closes, [{ reason: "local", detail: "replaced" }]);
    assertEquals([stream.closeWriteCalls, stream.closeCalls], [0, 1]);
  });
});

Deno.test("FramedConnection read side: EOF and read errors close the connection", async (t) => {
  await t.step("EOF -> remote_closed", async () => {
    const h = await handshaken();
    h.stream.end();
    await settle();
    assertEquals(h.closes, [{ reason: "remote_closed", detail: "Connection closed by remote" }]);
    assertEquals(h.stream.closeCalls, 1);
  });

  await t.step("EOF before the hello -> remote_closed", async () => {
    const h = harness();
    h.connection.start();
    h.stream.end();
    await settle();
    assertEquals(h.closes, [{ reason: "remote_closed", detail: "Connection closed by remote" }]);
    assertEquals(h.clock.pending, 0);
  });

  await t.step("read error -> io_error", async () => {
    const h = await handshaken();
    h.stream.failRead(new Error("Connection reset by peer (os error 104)\nmore"));
    await settle();
    assertEquals(h.closes, [{
      reason: "io_error",
      detail: "Connection reset by peer (os error 104)",
    }]);
    assertEquals(h.stream.closeCalls, 1);
  });

  await t.step("write error -> io_error", async () => {
    const h = await handshaken();
    h.stream.writeError = new Error("Broken pipe (os error 32)");
    h.connection.send(PING);
    await settle();
    assertEquals(h.closes, [{ reason: "io_error", detail: "Broken pipe (os error 32)" }]);
  });
});

Deno.test("FramedConnection reassembles frames split across reads", async () => {
  const h = harness();
  h.connection.start();
  const bytes = bytesOf(REMOTE_HELLO, PING, GOSSIP, PONG);
  for (let at = 0; at < bytes.length; at += 3) {
    h.stream.feed(bytes.subarray(at, at + 3));
    await settle(10);
  }
  await settle();
  assertEquals(h.hellos, [REMOTE_HELLO]);
  assertEquals(h.messages, [PING, GOSSIP, PONG]);
  assertEquals(h.closes, []);
});

Deno.test("FramedConnection.stats counts frames and bytes in both directions", async () => {
  const h = harness();
  assertEquals(h.connection.stats, { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 });
  h.connection.start();
  const incoming = bytesOf(REMOTE_HELLO, PING, PONG);
  h.stream.feed(incoming.subarray(0, 10));
  h.stream.feed(incoming.subarray(10));
  await settle();
  h.connection.send(GOSSIP);
  const frame = frameOf(PONG);
  h.connection.sendFrame(frame.type, frame.payload);
  await settle();

  assertEquals(h.connection.stats, {
    framesIn: 3,
    bytesIn: incoming.length,
    framesOut: 3,
    bytesOut: bytesOf(LOCAL_HELLO, GOSSIP, PONG).length,
  });
  assertEquals(h.stream.written(), bytesOf(LOCAL_HELLO, GOSSIP, PONG));
});

Deno.test("FramedConnection.closed resolves with the close info", async () => {
  const h = await handshaken();
  let resolved: CloseInfo | undefined;
  h.connection.closed.then((info) => resolved = info);
  await settle();
  assertStrictEquals(resolved, undefined);
  h.stream.end();
  await settle();
  assertEquals(resolved, { reason: "remote_closed", detail: "Connection closed by remote" });
});

Deno.test("FramedConnection.closed asked after the close resolves with the close info", async () => {
  const h = await handshaken();
  h.connection.close("local", "done");
  assertEquals(await h.connection.closed, { reason: "local", detail: "done" });
  assertEquals(await h.connection.closed, { reason: "local", detail: "done" });
});

Deno.test("FramedConnection.replaceHandler() sends later callbacks to the new handler", async () => {
  const h = await handshaken();
  const messages: Message[] = [];
  const closes: CloseInfo[] = [];
  h.connection.replaceHandler({
    onHello: () => undefined,
    onMessage: (_connection, message) => messages.push(message),
    onClose: (_connection, info) => closes.push(info),
  });
  h.stream.feed(encodeMessage(PING));
  await settle();
  h.stream.end();
  await settle();
  assertEquals(messages, [PING]);
  assertEquals(closes, [{ reason: "remote_closed", detail: "Connection closed by remote" }]);
  assertEquals([h.messages, h.closes], [[], []]);
});

/** A stream that takes buffers, as the simulator's does: it keeps each one handed over, and a copy. */
class TakingStream extends FakeStream {
  readonly taken: Array<{ chunk: Uint8Array; copy: Uint8Array }> = [];
  transfer(data: Uint8Array): void {
    this.taken.push({ chunk: data, copy: data.slice() });
  }
}

Deno.test("FramedConnection hands a taking stream queues that no later send overwrites", async () => {
  const streams = [new TakingStream(), new TakingStream(), new TakingStream()];
  const links = streams.map((stream) => harness({ stream }).connection);
  for (const link of links) link.start();
  await settle();
  const sent: Message[][] = streams.map(() => [LOCAL_HELLO]);
  const send = (i: number, message: Message) => {
    links[i]!.send(message);
    sent[i]!.push(message);
  };
  const gossip = (n: number): Message => ({ ...GOSSIP, text: `1732180000000:127.0.0.1:${n}` });
  for (let turn = 0; turn < 3; turn++) {
    // Interleaved within a turn, so a queue is sometimes the latest cut of the
    // shared memory (grown in place) and sometimes not (copied), and one
    // burst is larger than a cut.
    send(0, PING);
    send(1, gossip(turn));
    send(0, gossip(100 + turn));
    send(0, PONG);
    for (let n = 0; n < 300; n++) send(2, gossip(1000 * turn + n));
    send(1, PING);
    await settle();
  }
  streams.forEach((stream, i) => {
    for (const { chunk, copy } of stream.taken) assertEquals(chunk, copy);
    assertEquals(decodeAll(concatBytes(stream.taken.map((t) => t.chunk))), sent[i]);
    // One chunk per turn (and the hello's).
    assertEquals(stream.taken.length, 4);
    assertEquals(stream.writes.length, 0);
  });
});
