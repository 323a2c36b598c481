import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import type { Address } from "../../../lib/util/address.ts";
import type { ByteStream } from "../../../lib/wire/connection.ts";
import { PausableTransport } from "../../../lib/wire/pausable_transport.ts";
import type { Link, LinkListener, Transport } from "../../../lib/wire/transport.ts";
import { FakeStream, settle } from "../../support/fake_stream.ts";

/** A transport whose dials return fresh fake streams and whose listener yields queued links. */
function fakeTransport() {
  const dialled: FakeStream[] = [];
  const incoming: Link[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const listener = (address: Address): LinkListener => ({
    address,
    close() {
      closed = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      while (!closed) {
        const link = incoming.shift();
        if (link) yield link;
        else await new Promise<void>((resolve) => wake = resolve);
      }
    },
  });
  const transport: Transport = {
    listen: listener,
    dial: () => {
      const stream = new FakeStream();
      dialled.push(stream);
      return Promise.resolve({ stream, remote: "127.0.0.1:1", localHost: "127.0.0.1" });
    },
  };
  const accept = (stream: FakeStream) => {
    incoming.push({ stream, remote: "127.0.0.1:2", localHost: "127.0.0.1" });
    wake?.();
  };
  return { transport, dialled, accept, listenerClosed: () => closed };
}

const ADDRESS = { host: "127.0.0.1", port: 1 };

Deno.test("PausableTransport passes reads and writes through while running", async () => {
  const fake = fakeTransport();
  const transport = new PausableTransport(fake.transport);
  const link = await transport.dial(ADDRESS, { timeoutMs: 100 });
  await link.stream.write(new Uint8Array([1, 2]));
  assertEquals(fake.dialled[0]?.written(), new Uint8Array([1, 2]));
  fake.dialled[0]?.feed(new Uint8Array([7]));
  const buffer = new Uint8Array(4);
  assertEquals(await link.stream.read(buffer), 1);
  assertEquals(buffer[0], 7);
});

Deno.test("PausableTransport.pause() holds reads, writes and dials until resume()", async () => {
  const fake = fakeTransport();
  const transport = new PausableTransport(fake.transport);
  const link = await transport.dial(ADDRESS, { timeoutMs: 100 });
  const inner = fake.dialled[0] as FakeStream;
  transport.pause();
  let read: number | null | undefined;
  link.stream.read(new Uint8Array(4)).then((n) => read = n);
  let wrote = false;
  link.stream.write(new Uint8Array([9])).then(() => wrote = true);
  let dialled = false;
  transport.dial(ADDRESS, { timeoutMs: 100 }).then(() => dialled = true);
  inner.feed(new Uint8Array([5]));
  await settle();
  assertEquals(read, undefined, "bytes that arrive during a pause are not seen");
  assertEquals(wrote, false);
  assertEquals(inner.writes.length, 0, "nothing leaves during a pause");
  assertEquals(dialled, false);
  transport.resume();
  await settle();
  assertEquals(read, 1);
  assertEquals(wrote, true);
  assertEquals(inner.written(), new Uint8Array([9]));
  assertEquals(dialled, true);
});

Deno.test("PausableTransport.pause() holds accepted links until resume()", async () => {
  const fake = fakeTransport();
  const transport = new PausableTransport(fake.transport);
  const listener = transport.listen(ADDRESS);
  const accepted: Link[] = [];
  const loop = (async () => {
    for await (const link of listener) accepted.push(link);
  })();
  transport.pause();
  fake.accept(new FakeStream());
  await settle();
  assertEquals(accepted.length, 0);
  transport.resume();
  await settle();
  assertEquals(accepted.length, 1);
  listener.close();
  await loop;
});

Deno.test("PausableTransport.crash() closes every stream and listener and refuses what follows", async () => {
  const fake = fakeTransport();
  const transport = new PausableTransport(fake.transport);
  const listener = transport.listen(ADDRESS);
  const link = await transport.dial(ADDRESS, { timeoutMs: 100 });
  const inner = fake.dialled[0] as FakeStream;
  transport.pause();
  const held = link.stream.write(new Uint8Array([1]));
  transport.crash();
  await assertRejects(() => held);
  assert(inner.closed, "the socket is closed");
  assertEquals(inner.writes.length, 0, "a held write never leaves after a crash");
  assert(fake.listenerClosed(), "the listener is closed");
  await assertRejects(() => link.stream.write(new Uint8Array([2])));
  await assertRejects(() => transport.dial(ADDRESS, { timeoutMs: 100 }));
  assertEquals(transport.openStreams, 0);
  listener.close();
});

Deno.test("PausableTransport.pause() holds a dial's failure until resume(), as a frozen process would", async () => {
  let refuse: ((error: Error) => void) | undefined;
  const inner: Transport = {
    listen: () => {
      throw new Error("not used");
    },
    dial: () => new Promise<Link>((_, reject) => refuse = reject),
  };
  const transport = new PausableTransport(inner);
  let failed: string | undefined;
  const dial = transport.dial({ host: "127.0.0.1", port: 1 }, { timeoutMs: 1000 }).catch((e) =>
    failed = (e as Error).message
  );
  await settle();
  transport.pause();
  refuse!(new Error("connection refused"));
  await settle();
  assertEquals(failed, undefined, "the paused node saw the refusal");
  transport.resume();
  await dial;
  assertEquals(failed, "connection refused");
});

/** A push-mode stream (subscribe/transfer, like node:net's and the simulator's). */
class FakePushStream implements ByteStream {
  sink: ((chunk: Uint8Array | null) => void) | undefined;
  sent: number[] = [];
  readingPaused = false;
  closed = false;
  read(): Promise<number | null> {
    return Promise.reject(new Error("push mode only"));
  }
  write(): Promise<number> {
    return Promise.reject(new Error("push mode only"));
  }
  close(): void {
    this.closed = true;
  }
  subscribe<T>(sink: (this: T, chunk: Uint8Array | null) => void, target: T): void {
    this.sink = (chunk) => sink.call(target, chunk);
  }
  transfer(data: Uint8Array): void {
    this.sent.push(...data);
  }
  pauseReading(): void {
    this.readingPaused = true;
  }
  resumeReading(): void {
    this.readingPaused = false;
  }
  /** Bytes arriving from the remote. */
  arrive(...bytes: number[]): void {
    this.sink!(new Uint8Array(bytes));
  }
}

function pushTransport(): { transport: Transport; streams: FakePushStream[] } {
  const streams: FakePushStream[] = [];
  const transport: Transport = {
    listen: () => {
      throw new Error("not used");
    },
    dial: () => {
      const stream = new FakePushStream();
      streams.push(stream);
      return Promise.resolve({ stream, remote: "127.0.0.1:1", localHost: "127.0.0.1" });
    },
  };
  return { transport, streams };
}

Deno.test("PausableTransport keeps push mode for push-mode streams: pause stops the socket reading and holds what arrives and what is sent, resume lets both go in order", async () => {
  const { transport: inner, streams } = pushTransport();
  const transport = new PausableTransport(inner);
  const link = await transport.dial(ADDRESS, { timeoutMs: 100 });
  const stream = streams[0]!;
  assert(link.stream.subscribe && link.stream.transfer, "push mode is passed through");
  const seen: (number[] | null)[] = [];
  link.stream.subscribe!((chunk) => seen.push(chunk && [...chunk]), null);
  stream.arrive(1);
  link.stream.transfer!(new Uint8Array([10]));
  assertEquals(seen, [[1]]);
  assertEquals(stream.sent, [10]);

  transport.pause();
  assert(stream.readingPaused, "the socket stops taking bytes from the kernel");
  stream.arrive(2, 3); // already in flight when it paused
  stream.sink!(null);
  link.stream.transfer!(new Uint8Array([11]));
  assertEquals(seen, [[1]], "nothing arriving is seen during a pause");
  assertEquals(stream.sent, [10], "nothing leaves during a pause");

  transport.resume();
  assertEquals(stream.sent, [10, 11]);
  assertEquals(seen, [[1], [2, 3], null], "held arrivals, then the EOF, in order");
  assert(!stream.readingPaused);
});

Deno.test("PausableTransport.crash() drops a push-mode stream's held traffic and refuses its sends", async () => {
  const { transport: inner, streams } = pushTransport();
  const transport = new PausableTransport(inner);
  const link = await transport.dial(ADDRESS, { timeoutMs: 100 });
  const stream = streams[0]!;
  const seen: (Uint8Array | null)[] = [];
  link.stream.subscribe!((chunk) => seen.push(chunk), null);
  transport.pause();
  stream.arrive(1);
  link.stream.transfer!(new Uint8Array([10]));
  transport.crash();
  assert(stream.closed);
  stream.arrive(2);
  assertEquals(seen, [null], "a crashed node sees only its socket end, nothing held or new");
  assertEquals(stream.sent, [], "a held send never leaves after a crash");
  assertThrows(() => link.stream.transfer!(new Uint8Array([12])));
});
