import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import fc from "fast-check";
import { concatBytes } from "../../lib/util/bytes.ts";
import { SendOverflowError } from "../../lib/wire/connection.ts";
import { nodeTcpTransport, SEND_LIMIT_BYTES } from "../../lib/wire/node_tcp_transport.ts";
import { type Link, type LinkListener, tcpTransport } from "../../lib/wire/transport.ts";

const LOOPBACK = { host: "127.0.0.1", port: 0 };

async function pair(): Promise<{ listener: LinkListener; dialled: Link; accepted: Link }> {
  const listener = nodeTcpTransport.listen(LOOPBACK);
  const accepting = listener[Symbol.asyncIterator]().next();
  const dialled = await nodeTcpTransport.dial(listener.address, { timeoutMs: 2000 });
  const accepted = (await accepting).value as Link;
  return { listener, dialled, accepted };
}

function closeAll(...links: Link[]): void {
  for (const link of links) link.stream.close();
}

/** Collects a push-mode stream's chunks, keeping them, until EOF. */
function collect(link: Link): { chunks: Uint8Array[]; ended: Promise<void> } {
  const chunks: Uint8Array[] = [];
  let end!: () => void;
  const ended = new Promise<void>((resolve) => end = resolve);
  link.stream.subscribe!((chunk) => chunk === null ? end() : chunks.push(chunk), null);
  return { chunks, ended };
}

Deno.test("nodeTcpTransport: listening on port 0 gives the bound port, and links report their addresses", async () => {
  const { listener, dialled, accepted } = await pair();
  assert(listener.address.port > 0);
  assertEquals(listener.address.host, "127.0.0.1");
  assertEquals(dialled.remote, `127.0.0.1:${listener.address.port}`);
  assertEquals(dialled.localHost, "127.0.0.1");
  assert(accepted.remote.startsWith("127.0.0.1:"));
  closeAll(dialled, accepted);
  listener.close();
});

Deno.test("nodeTcpTransport: pushed bytes arrive whole and in order, and kept chunks are never overwritten", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 70_000 }), { minLength: 1, maxLength: 40 }),
      async (sends) => {
        const { listener, dialled, accepted } = await pair();
        const got = collect(accepted);
        for (const bytes of sends) dialled.stream.transfer!(bytes.slice());
        dialled.stream.close();
        await got.ended;
        // Copied only now: a transport that reused a read buffer would have
        // overwritten the early chunks by the time the last one came.
        assertEquals(concatBytes(got.chunks), concatBytes(sends));
        accepted.stream.close();
        listener.close();
      },
    ),
    { numRuns: 25, seed: 42 },
  );
});

Deno.test("nodeTcpTransport: read and write work too (keyed links and clients use them), and EOF reads null", async () => {
  const { listener, dialled, accepted } = await pair();
  assertEquals(await dialled.stream.write(new Uint8Array([1, 2, 3, 4, 5])), 5);
  const buffer = new Uint8Array(3);
  let got: number[] = [];
  while (got.length < 5) {
    const n = await accepted.stream.read(buffer);
    if (n === null) throw new Error("EOF before all bytes came");
    got = [...got, ...buffer.subarray(0, n)];
  }
  assertEquals(got, [1, 2, 3, 4, 5]);
  dialled.stream.close();
  assertEquals(await accepted.stream.read(buffer), null);
  accepted.stream.close();
  listener.close();
});

Deno.test("nodeTcpTransport: bytes that came before the subscriber are handed to it first", async () => {
  const { listener, dialled, accepted } = await pair();
  dialled.stream.transfer!(new Uint8Array([9, 8, 7]));
  // Let them arrive with nobody subscribed yet.
  const probe = new Uint8Array(1);
  assertEquals(await accepted.stream.read(probe), 1);
  assertEquals(probe[0], 9);
  dialled.stream.transfer!(new Uint8Array([6]));
  dialled.stream.close();
  const got = collect(accepted);
  await got.ended;
  assertEquals([...concatBytes(got.chunks)], [8, 7, 6]);
  accepted.stream.close();
  listener.close();
});

Deno.test("nodeTcpTransport: a taken port fails at once with AddrInUse", () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    assertThrows(
      () => nodeTcpTransport.listen({ host: "127.0.0.1", port: taken.addr.port }),
      Deno.errors.AddrInUse,
    );
  } finally {
    taken.close();
  }
});

Deno.test("nodeTcpTransport: dialling a closed port is refused", async () => {
  const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = free.addr.port;
  free.close();
  await assertRejects(
    () => nodeTcpTransport.dial({ host: "127.0.0.1", port }, { timeoutMs: 2000 }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("nodeTcpTransport: a closed listener ends its iterator and refuses new links", async () => {
  const listener = nodeTcpTransport.listen(LOOPBACK);
  const next = listener[Symbol.asyncIterator]().next();
  listener.close();
  assertEquals((await next).done, true);
  await assertRejects(
    () => nodeTcpTransport.dial(listener.address, { timeoutMs: 2000 }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("nodeTcpTransport: a remote that stops reading makes transfer throw SendOverflowError, bounded", async () => {
  const { listener, dialled, accepted } = await pair();
  accepted.stream.pauseReading!();
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  let overflow: unknown;
  // The kernel's buffers fill first, then the socket's own: the bound is
  // crossed well before 256 MiB.
  for (let i = 0; i < 4096 && overflow === undefined; i++) {
    try {
      dialled.stream.transfer!(chunk.slice());
      sent += chunk.length;
    } catch (error) {
      overflow = error;
    }
    if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert(overflow instanceof SendOverflowError, `no overflow after ${sent} bytes`);
  assert(sent >= SEND_LIMIT_BYTES - chunk.length);
  closeAll(dialled, accepted);
  listener.close();
});

Deno.test("nodeTcpTransport: pauseReading holds arrivals in the kernel until resumeReading", async () => {
  const { listener, dialled, accepted } = await pair();
  const got = collect(accepted);
  accepted.stream.pauseReading!();
  dialled.stream.transfer!(new Uint8Array([1, 2, 3]));
  // A round trip the other way proves the loop ran while the bytes waited.
  const back = collect(dialled);
  accepted.stream.transfer!(new Uint8Array([4]));
  while (back.chunks.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals(got.chunks.length, 0);
  accepted.stream.resumeReading!();
  dialled.stream.close();
  await got.ended;
  assertEquals([...concatBytes(got.chunks)], [1, 2, 3]);
  accepted.stream.close();
  listener.close();
});

Deno.test("nodeTcpTransport: a closed socket whose remote stopped reading is cut after a second, not kept open", async () => {
  const { listener, dialled, accepted } = await pair();
  accepted.stream.pauseReading!();
  const chunk = new Uint8Array(64 * 1024);
  try {
    for (let i = 0; i < 4096; i++) {
      dialled.stream.transfer!(chunk.slice());
      if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } catch (error) {
    assert(error instanceof SendOverflowError);
  }
  const got = collect(accepted);
  dialled.stream.close();
  // Its unsent megabytes are dropped: the remote sees the link end without
  // having read them all (it reads again only once the socket is gone).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  accepted.stream.resumeReading!();
  await got.ended;
  assert(concatBytes(got.chunks).length < SEND_LIMIT_BYTES);
  accepted.stream.close();
  listener.close();
});

Deno.test("nodeTcpTransport: a closed socket drains until the remote ends too, and never resets it", async () => {
  // The remote is a Deno.Conn, which may write after the FIN (a node socket ends its side then).
  const listener = nodeTcpTransport.listen(LOOPBACK);
  const accepting = listener[Symbol.asyncIterator]().next();
  // node:net starts listening a turn after listen() returns.
  let dialled: Link | undefined;
  for (let tries = 0; !dialled; tries++) {
    dialled = await tcpTransport.dial(listener.address, { timeoutMs: 2000 }).catch((error) => {
      if (!(error instanceof Deno.errors.ConnectionRefused) || tries > 100) throw error;
      return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1));
    });
  }
  const accepted = (await accepting).value as Link;
  // Bytes this end never read: a socket closed over them sends a reset,
  // and a reset can make the remote drop what it has received but not yet
  // handed on (the last frame: a leave, an error).
  accepted.stream.pauseReading!();
  await dialled.stream.write(new Uint8Array([9, 9, 9]));
  accepted.stream.transfer!(new Uint8Array([1, 2]));
  accepted.stream.close();
  const buffer = new Uint8Array(16);
  const got: number[] = [];
  for (
    let n = await dialled.stream.read(buffer);
    n !== null;
    n = await dialled.stream.read(buffer)
  ) {
    got.push(...buffer.subarray(0, n));
  }
  assertEquals(got, [1, 2]);
  // Half-closed, the other end still takes bytes: a reset would fail the
  // writes after the first (it comes back within a turn on loopback).
  for (let i = 0; i < 5; i++) {
    await dialled.stream.write(new Uint8Array([7]));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  dialled.stream.close();
  listener.close();
});
