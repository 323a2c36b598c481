import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { LinkModel } from "../../../lib/sim/link_model.ts";
import { MemoryNetwork } from "../../../lib/sim/memory_network.ts";
import { VirtualClock } from "../../../lib/sim/virtual_clock.ts";
import type { Link } from "../../../lib/wire/transport.ts";
import { seededRng } from "../../../lib/util/random.ts";

const A = { host: "10.0.0.1", port: 7000 };
const B = { host: "10.0.0.2", port: 7000 };

function pair(options: { latencyMs?: number; jitterMs?: number; bandwidthBps?: number } = {}) {
  const clock = new VirtualClock();
  const net = new MemoryNetwork(clock, new LinkModel(options, seededRng(5)));
  const a = net.addHost(A.host);
  const b = net.addHost(B.host);
  return { clock, net, a, b };
}

// Collects everything the stream delivers until EOF, with virtual arrival times.
async function drain(link: Link, clock: VirtualClock, into: { at: number; bytes: number[] }[]) {
  const buffer = new Uint8Array(3);
  while (true) {
    const n = await link.stream.read(buffer);
    if (n === null) return;
    into.push({ at: clock.elapsed, bytes: [...buffer.subarray(0, n)] });
  }
}

Deno.test("MemoryNetwork: a dial takes a round trip; bytes arrive after the latency", async () => {
  const { clock, net, a, b } = pair({ latencyMs: 10 });
  const listener = net.transport(b).listen(B);
  const got: { at: number; bytes: number[] }[] = [];
  let acceptedAt = -1;
  (async () => {
    for await (const link of listener) {
      acceptedAt = clock.elapsed;
      await drain(link, clock, got);
    }
  })();
  let dialledAt = -1;
  net.transport(a).dial(B, { timeoutMs: 1000 }).then(async (link) => {
    dialledAt = clock.elapsed;
    assertEquals(link.localHost, A.host);
    await link.stream.write(new Uint8Array([1, 2, 3, 4, 5]));
    link.stream.close();
  });
  await clock.run({ untilMs: 1000 });
  assertEquals(acceptedAt, 10);
  assertEquals(dialledAt, 20);
  // One chunk at 30, read in pieces of the reader's buffer size.
  assertEquals(got, [{ at: 30, bytes: [1, 2, 3] }, { at: 30, bytes: [4, 5] }]);
  listener.close();
});

Deno.test("MemoryNetwork: jittered streams stay ordered and lose nothing", async () => {
  const { clock, net, a, b } = pair({ latencyMs: 5, jitterMs: 50 });
  const listener = net.transport(b).listen(B);
  const got: { at: number; bytes: number[] }[] = [];
  (async () => {
    for await (const link of listener) await drain(link, clock, got);
  })();
  net.transport(a).dial(B, { timeoutMs: 1000 }).then((link) => {
    let i = 0;
    const tick = () => {
      if (i === 100) return link.stream.close();
      link.stream.write(new Uint8Array([i++]));
      clock.setTimeout(tick, 1);
    };
    tick();
  });
  await clock.run({ untilMs: 5000 });
  const bytes = got.flatMap((c) => c.bytes);
  assertEquals(bytes, Array.from({ length: 100 }, (_, i) => i));
  for (let i = 1; i < got.length; i++) assert(got[i]!.at >= got[i - 1]!.at);
  listener.close();
});

Deno.test("MemoryNetwork: bandwidth spaces out large writes", async () => {
  const { clock, net, a, b } = pair({ latencyMs: 0, bandwidthBps: 8000 });
  const listener = net.transport(b).listen(B);
  const got: { at: number; bytes: number[] }[] = [];
  (async () => {
    for await (const link of listener) {
      const buffer = new Uint8Array(2000);
      while ((await link.stream.read(buffer)) !== null) got.push({ at: clock.elapsed, bytes: [] });
    }
  })();
  net.transport(a).dial(B, { timeoutMs: 1000 }).then((link) => {
    link.stream.write(new Uint8Array(1000));
    link.stream.write(new Uint8Array(1000));
  });
  await clock.run({ untilMs: 5000 });
  // 1,000 bytes at 8 kbit/s take a second each.
  assertEquals(got.map((g) => g.at), [1000, 2000]);
  listener.close();
});

Deno.test("MemoryNetwork: dials are refused without a listener, time out to a crashed host", async () => {
  const { clock, net, a, b } = pair({ latencyMs: 10 });
  const refused = net.transport(a).dial(B, { timeoutMs: 500 });
  const refusedCheck = assertRejects(() => refused, Deno.errors.ConnectionRefused);
  await clock.run({ untilMs: 100 });
  await refusedCheck;
  net.transport(b).listen(B);
  net.crash(b);
  let failedAt = -1;
  const dark = net.transport(a).dial(B, { timeoutMs: 500 }).catch((error) => {
    failedAt = clock.elapsed;
    assertInstanceOf(error, Deno.errors.TimedOut);
  });
  await clock.run({ untilMs: 2000 });
  await dark;
  assertEquals(failedAt, 600);
});

Deno.test("MemoryNetwork: a crashed host sends no FIN; a closed stream does", async () => {
  const { clock, net, a, b } = pair({ latencyMs: 10 });
  const listener = net.transport(b).listen(B);
  const ends: string[] = [];
  (async () => {
    for await (const link of listener) {
      link.stream.read(new Uint8Array(8)).then((n) => ends.push(`server read ${n}`));
    }
  })();
  const link = net.transport(a).dial(B, { timeoutMs: 1000 });
  await clock.run({ untilMs: 100 });
  (await link).stream.read(new Uint8Array(8)).then((n) => ends.push(`client read ${n}`));
  net.crash(b);
  await clock.run({ untilMs: 1000 });
  // The client hears nothing from the dark host.
  assertEquals(ends, []);
  (await link).stream.close();
  await clock.run({ untilMs: 2000 });
  assertEquals(ends, ["client read null"]);
});

Deno.test("MemoryNetwork: a partition holds packets until it heals and fails dials across it", async () => {
  const { clock, net, a, b } = pair({ latencyMs: 10 });
  net.model.addPartition({ fromMs: 100, toMs: 400, isolated: (host) => host === b });
  const listener = net.transport(b).listen(B);
  const got: { at: number; bytes: number[] }[] = [];
  (async () => {
    for await (const link of listener) await drain(link, clock, got);
  })();
  const link = net.transport(a).dial(B, { timeoutMs: 1000 });
  await clock.run({ untilMs: 150 });
  await (await link).stream.write(new Uint8Array([9]));
  const across = net.transport(a).dial(B, { timeoutMs: 100 });
  const acrossCheck = assertRejects(() => across, Deno.errors.TimedOut);
  await clock.run({ untilMs: 1000 });
  await acrossCheck;
  // Sent at 150, inside the cut: held, it arrives when the cut heals.
  assertEquals(got, [{ at: 400, bytes: [9] }]);
  listener.close();
});

Deno.test("MemoryNetwork: listening twice on a port fails with AddrInUse", () => {
  const { net, b } = pair();
  const listener = net.transport(b).listen(B);
  let error: unknown;
  try {
    net.transport(b).listen(B);
  } catch (e) {
    error = e;
  }
  assertInstanceOf(error, Deno.errors.AddrInUse);
  listener.close();
  net.transport(b).listen(B).close();
});

Deno.test("MemoryStream.subscribe(): chunks are pushed as they arrive, early ones first, then the FIN", async () => {
  const { clock, net, a, b } = pair({ latencyMs: 10 });
  const listener = net.transport(b).listen(B);
  const got: { at: number; bytes: number[] | null }[] = [];
  (async () => {
    for await (const link of listener) {
      // Subscribe only once the first chunk is already waiting (arrived at 30).
      clock.setTimeout(() => {
        // The sink is called on the target given with it.
        const target = { got };
        link.stream.subscribe?.(function (this: typeof target, chunk) {
          this.got.push({ at: clock.elapsed, bytes: chunk ? [...chunk] : null });
        }, target);
      }, 25);
    }
  })();
  net.transport(a).dial(B, { timeoutMs: 1000 }).then(async (link) => {
    await link.stream.write(new Uint8Array([1, 2]));
    clock.setTimeout(() => {
      link.stream.write(new Uint8Array([3]));
      link.stream.close();
    }, 20);
  });
  await clock.run({ untilMs: 1000 });
  assertEquals(got, [
    { at: 35, bytes: [1, 2] },
    { at: 50, bytes: [3] },
    { at: 50, bytes: null },
  ]);
  listener.close();
});
