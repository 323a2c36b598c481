import { assertEquals, assertMatch } from "@std/assert";
import type { Clock } from "../../../lib/util/clock.ts";
import { type ConnectionHandler, FramedConnection } from "../../../lib/wire/connection.ts";
import type { HelloMessage, Message } from "../../../lib/wire/messages.ts";
import { firedLate, isLocalFailure, probeNode } from "../../../lib/wire/probe.ts";
import type { Transport } from "../../../lib/wire/transport.ts";
import { settle, streamPair } from "../../support/fake_stream.ts";
import { ManualClock } from "../../support/manual_clock.ts";
import { StalledClock } from "../../support/stalled_clock.ts";
import { seededRng } from "../../support/rng.ts";

const TARGET = { host: "127.0.0.1", port: 6001 };
const PROBER: HelloMessage = {
  kind: "hello",
  version: 1,
  role: "client",
  nodeId: "00000000000000c1",
  address: { host: "127.0.0.1", port: 5000 },
};
const TARGET_HELLO: HelloMessage = {
  kind: "hello",
  version: 1,
  role: "peer",
  nodeId: "00000000000000d1",
  address: TARGET,
};

/** A transport whose one target runs `remote` on the far end of each dial. */
function transport(
  clock: Clock,
  remote: (connection: FramedConnection, message: Message) => void,
  hello: HelloMessage = TARGET_HELLO,
): Transport {
  return {
    listen: () => {
      throw new Error("not used");
    },
    dial() {
      const [near, far] = streamPair();
      const handler: ConnectionHandler = {
        onHello: () => undefined,
        onMessage: (connection, message) => remote(connection, message),
        onClose: () => {},
      };
      new FramedConnection(far, {
        handler,
        localHello: hello,
        direction: "in",
        remoteLabel: "127.0.0.1:40000",
        options: { clock },
      }).start();
      return Promise.resolve({ stream: near, remote: "127.0.0.1:6001", localHost: "127.0.0.1" });
    },
  };
}

function failingTransport(error: Error): Transport {
  return {
    listen: () => {
      throw new Error("not used");
    },
    dial: () => Promise.reject(error),
  };
}

function probe(t: Transport, clock: Clock, timeoutMs = 1500) {
  return probeNode(TARGET, {
    transport: t,
    localHello: PROBER,
    timeoutMs,
    rng: seededRng(1),
    clock,
  });
}

Deno.test("probeNode() finds a node that answers its ping alive, with its id and role", async () => {
  const clock = new ManualClock();
  const result = await probe(
    transport(clock, (c, m) => m.kind === "ping" && c.send({ kind: "pong", nonce: m.nonce })),
    clock,
  );
  assertEquals(result.alive, true);
  assertEquals([result.nodeId, result.role, result.detail], ["00000000000000d1", "peer", "pong"]);
});

Deno.test("probeNode() counts a hello then a refusal for being full as alive", async (t) => {
  for (const code of ["too_many_connections", "overloaded"] as const) {
    await t.step(code, async () => {
      const clock = new ManualClock();
      const refusing = transport(clock, (c) => c.fail("local", code, "Refused: full"));
      const result = await probe(refusing, clock);
      assertEquals(result.alive, true);
      assertMatch(result.detail, new RegExp(`^refused: ${code}: Refused: full`));
    });
  }
  await t.step("but a node shutting down is leaving: not alive", async () => {
    const clock = new ManualClock();
    const leaving = transport(clock, (c) => c.fail("local", "shutting_down", "bye"));
    const result = await probe(leaving, clock);
    assertEquals([result.alive, result.cause], [false, "remote"]);
  });
});

Deno.test("probeNode() tells this node's own trouble from the target's", async (t) => {
  await t.step("out of descriptors: local", async () => {
    const clock = new ManualClock();
    const result = await probe(
      failingTransport(new Error("Too many open files (os error 24)")),
      clock,
    );
    assertEquals([result.alive, result.cause], [false, "local"]);
  });
  await t.step("connection refused: remote", async () => {
    const clock = new ManualClock();
    const refused = new Deno.errors.ConnectionRefused("Connection refused (os error 111)");
    const result = await probe(failingTransport(refused), clock);
    assertEquals([result.alive, result.cause], [false, "remote"]);
  });
  await t.step("no pong by the deadline, the timer on time: remote", async () => {
    const clock = new ManualClock();
    const silent = probe(transport(clock, () => {}), clock, 1000);
    await settle();
    clock.advance(1000);
    const result = await silent;
    assertEquals([result.alive, result.cause, result.detail], [false, "remote", "no pong in time"]);
  });
  await t.step("no pong, but the deadline's timer ran 900 ms late: local", async () => {
    // The event loop stalls: time moves on, the timers do not.
    const inner = new ManualClock();
    const lagging = new StalledClock(inner);
    const silent = probe(transport(inner, () => {}), lagging, 1000);
    await settle();
    lagging.stall = 900;
    inner.advance(1000);
    const result = await silent;
    assertEquals([result.alive, result.cause], [false, "local"]);
    assertMatch(result.detail, /too busy to wait for the pong \(timer 900ms late\)/);
  });
});

Deno.test("isLocalFailure() reads the error and its causes", () => {
  const wrapped = new Error("Cannot connect to 127.0.0.1:6001", {
    cause: new Error("No buffer space available (os error 105)"),
  });
  assertEquals(isLocalFailure(wrapped), true);
  assertEquals(isLocalFailure(new Error("Address not available (os error 99)")), true);
  assertEquals(isLocalFailure(new Error("Connection reset by peer (os error 104)")), false);
  assertEquals(isLocalFailure("timed out"), false);
});

Deno.test("firedLate() needs both 50 ms and half the wait", () => {
  assertEquals(firedLate({ due: 0, firedAt: 49, waitedMs: 10 }), false);
  assertEquals(firedLate({ due: 0, firedAt: 60, waitedMs: 100 }), true);
  assertEquals(firedLate({ due: 0, firedAt: 60, waitedMs: 1000 }), false);
});

/** A transport whose target accepts the connection and then never says hello. */
function mute(): Transport {
  return {
    listen: () => {
      throw new Error("not used");
    },
    dial() {
      const [near] = streamPair();
      return Promise.resolve({ stream: near, remote: "127.0.0.1:6001", localHost: "127.0.0.1" });
    },
  };
}

Deno.test("probeNode() with watchLoop: a timeout behind this node's own long turns is local", async (t) => {
  const run = async (options: { watchLoop: boolean; stallMs: number }) => {
    const inner = new ManualClock();
    const clock = new StalledClock(inner);
    const result = probeNode(TARGET, {
      transport: mute(),
      localHello: PROBER,
      timeoutMs: 1000,
      rng: seededRng(1),
      clock,
      watchLoop: options.watchLoop,
    });
    await settle();
    inner.advance(100);
    // One turn of `stallMs`: less than half the wait, so no timer is late
    // enough for firedLate(); the handshake's timer still fires on its time.
    clock.stall = options.stallMs;
    inner.advance(900);
    const outcome = await result;
    assertEquals(inner.pending, 0, "the watch stops with the probe");
    return outcome;
  };
  await t.step("turns of 300 ms, watched: local, and the detail says why", async () => {
    const result = await run({ watchLoop: true, stallMs: 300 });
    assertEquals([result.alive, result.cause], [false, "local"]);
    assertMatch(
      result.detail,
      /No hello within .*; this node was too busy to judge \(event-loop turns up to 300ms\)/,
    );
  });
  await t.step("the same turns, not watched: remote, as before", async () => {
    const result = await run({ watchLoop: false, stallMs: 300 });
    assertEquals([result.alive, result.cause], [false, "remote"]);
  });
  await t.step("short turns, watched: remote", async () => {
    const result = await run({ watchLoop: true, stallMs: 40 });
    assertEquals([result.alive, result.cause], [false, "remote"]);
  });
  await t.step("a refusal is the target's answer however busy the loop", async () => {
    const inner = new ManualClock();
    const clock = new StalledClock(inner);
    const refused = new Deno.errors.ConnectionRefused("Connection refused (os error 111)");
    const pending = probeNode(TARGET, {
      transport: {
        listen: () => {
          throw new Error("not used");
        },
        // The refusal comes back 400 ms late, behind long turns.
        dial: () => new Promise((_, reject) => inner.setTimeout(() => reject(refused), 400)),
      },
      localHello: PROBER,
      timeoutMs: 1000,
      rng: seededRng(1),
      clock,
      watchLoop: true,
    });
    inner.advance(100);
    clock.stall = 300; // turns of 300 ms, and the refusal read behind them
    inner.advance(350);
    const result = await pending;
    assertEquals([result.alive, result.cause], [false, "remote"]);
  });
});
