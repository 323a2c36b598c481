import { assertEquals, assertNotEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { LivenessTracker } from "../../../lib/peer/liveness.ts";
import { LivenessMonitor } from "../../../lib/peer/liveness_monitor.ts";
import { NeighborTable } from "../../../lib/peer/neighbors.ts";
import { type Address, formatAddress } from "../../../lib/util/address.ts";
import type { FramedConnection } from "../../../lib/wire/connection.ts";
import {
  type HelloMessage,
  type Message,
  type ProbeRequestMessage,
  PROTOCOL_VERSION,
} from "../../../lib/wire/messages.ts";
import { ALIVE, DEAD, FakeProbe } from "../../support/fake_probe.ts";
import { settle } from "../../support/fake_stream.ts";
import { ManualClock } from "../../support/manual_clock.ts";
import { seededRng } from "../../support/rng.ts";

const START = 1_700_000_000_000;
const SELF = "127.0.0.1:7000";
const PING_INTERVAL = 1000;
const PROBE_TIMEOUT = 200;
/** 1.5 × the probe timeout + 50 ms: how long the helpers get. */
const INDIRECT_TIMEOUT = PROBE_TIMEOUT * 1.5 + 50;
const MISSES = 2;

function addr(port: number): Address {
  return { host: "127.0.0.1", port };
}

function key(port: number): string {
  return formatAddress(addr(port));
}

function hello(address: Address): HelloMessage {
  return {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role: "peer",
    nodeId: "0123456789abcdef",
    address,
  };
}

/** The parts of a FramedConnection the monitor and the neighbour table use. */
class FakeConnection {
  readonly direction = "out" as const;
  readonly remoteHello: HelloMessage;
  readonly sent: Message[] = [];
  /** How many of the pings in `sent` were answered already. */
  answered = 0;

  constructor(address: Address) {
    this.remoteHello = hello(address);
  }

  send(message: Message): boolean {
    this.sent.push(message);
    return true;
  }

  close(): void {}

  /** Nonces of the pings sent over this link, in order. */
  pings(): number[] {
    return this.sent.flatMap((m) => m.kind === "ping" ? [m.nonce] : []);
  }

  /** The probe requests sent over this link. */
  probeRequests(): ProbeRequestMessage[] {
    return this.sent.filter((m): m is ProbeRequestMessage => m.kind === "probe_request");
  }
}

function setup(seed = 1) {
  const clock = new ManualClock(START);
  // How far this peer's event loop lags behind its timers (0: not at all).
  const lag = { ms: 0 };
  const lagging = {
    now: () => clock.now() + lag.ms,
    setTimeout: (callback: () => void, ms: number) => clock.setTimeout(callback, ms),
    clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
  };
  const rng = seededRng(seed);
  const tracker = new LivenessTracker({ misses: MISSES, clock, rng });
  const neighbors = new NeighborTable({ selfKey: SELF, maxInbound: 16 });
  const log = new MemoryEventLog();
  const probe = new FakeProbe();
  const reports: Address[] = [];
  const monitor = new LivenessMonitor({
    tracker,
    neighbors,
    clock: lagging,
    rng,
    log,
    pingIntervalMs: PING_INTERVAL,
    probeTimeoutMs: PROBE_TIMEOUT,
    probe: probe.probe,
    report: (target) => reports.push(target),
  });
  const links = new Map<string, FakeConnection>();

  /** Links and watches the neighbour on `port`. */
  function link(port: number): FakeConnection {
    const connection = new FakeConnection(addr(port));
    const added = neighbors.add(
      connection as unknown as FramedConnection,
      connection.remoteHello,
      clock.now(),
    );
    assertEquals(added.kind, "added");
    links.set(key(port), connection);
    monitor.watch(addr(port));
    return connection;
  }

  /** Answers every unanswered ping of every link except `silent`. */
  function answerPings(silent: readonly string[] = []): void {
    for (const [k, connection] of links) {
      if (silent.includes(k)) continue;
      const pings = connection.pings();
      for (const nonce of pings.slice(connection.answered)) monitor.onPong(k, nonce);
      connection.answered = pings.length;
    }
  }

  /** Runs `n` ping rounds; linked neighbours answer unless `silent`. */
  async function rounds(n: number, silent: readonly string[] = []): Promise<void> {
    for (let i = 0; i < n; i++) {
      clock.advance(PING_INTERVAL);
      await settle();
      answerPings(silent);
    }
  }

  return { clock, lag, tracker, neighbors, log, probe, reports, monitor, links, link, rounds };
}

/** Unlinked target used by most tests. */
const X = 7100;

/** Five answering neighbours and a dead, unlinked, watched X, suspected after round 3. */
async function suspectUnlinked() {
  const s = setup();
  for (const port of [7001, 7002, 7003, 7004, 7005]) s.link(port);
  s.probe.answers.set(key(X), DEAD);
  s.monitor.watch(addr(X));
  s.monitor.start();
  await s.rounds(MISSES + 1);
  const [suspect] = s.log.named("suspect");
  if (!suspect) throw new Error("X was not suspected");
  const helpers = suspect.helpers.map((k) => s.links.get(k) as FakeConnection);
  const request = helpers[0]?.probeRequests()[0];
  if (!request) throw new Error("No probe_request was sent");
  return { ...s, helpers: suspect.helpers, helperLinks: helpers, nonce: request.nonce };
}

Deno.test("LivenessMonitor pings linked neighbours each round with the tracker's nonce", () => {
  const s = setup();
  const b = s.link(7001);
  const c = s.link(7002);
  s.monitor.start();
  s.clock.advance(PING_INTERVAL - 1);
  assertEquals([b.sent, c.sent], [[], []]);

  s.clock.advance(1);
  assertEquals([b.pings().length, c.pings().length], [1, 1]);
  assertEquals(b.sent.length + c.sent.length, 2); // pings only
  const [nb] = b.pings();
  const [nc] = c.pings();
  if (nb === undefined || nc === undefined) throw new Error("no ping");
  assertNotEquals(nb, nc);

  // The pong with the sent nonce answers the tracker's outstanding ping.
  s.clock.advance(25);
  s.monitor.onPong(key(7001), nb);
  assertEquals(s.tracker.lastRtt(key(7001)), 25);
  // Any other nonce does not.
  s.monitor.onPong(key(7002), (nc + 1) >>> 0);
  assertEquals(s.tracker.lastRtt(key(7002)), undefined);

  s.clock.advance(PING_INTERVAL - 25);
  assertEquals(s.log.named("ping_missed"), [
    { event: "ping_missed", neighbor: key(7002), misses: 1 },
  ]);
  assertEquals([b.pings().length, c.pings().length], [2, 2]);
  assertEquals([s.tracker.misses(key(7001)), s.tracker.misses(key(7002))], [0, 1]);
  assertEquals(s.probe.calls, []); // linked neighbours are pinged over the link only
});

Deno.test("LivenessMonitor keeps neighbours that answer alive", async () => {
  const s = setup();
  const links = [s.link(7001), s.link(7002), s.link(7003)];
  s.monitor.start();
  await s.rounds(10);
  assertEquals(links.map((l) => l.pings().length), [10, 10, 10]);
  assertEquals(s.log.events, []);
  assertEquals(s.reports, []);
  assertEquals(
    [7001, 7002, 7003].map((p) => [s.tracker.isWatched(key(p)), s.tracker.misses(key(p))]),
    [[true, 0], [true, 0], [true, 0]],
  );
});

Deno.test("LivenessMonitor probes an unlinked target each round", async (t) => {
  await t.step("and stops watching it once a probe reaches it", async () => {
    const s = setup();
    s.probe.answer = DEAD;
    s.monitor.watch(addr(X));
    s.monitor.start();
    await s.rounds(1);
    assertEquals(s.probe.calls, [addr(X)]);
    assertEquals(s.tracker.isWatched(key(X)), true);

    s.probe.answer = ALIVE;
    await s.rounds(1);
    assertEquals(s.probe.calls, [addr(X), addr(X)]);
    assertEquals(s.tracker.isWatched(key(X)), false);
    assertEquals(s.log.named("ping_missed"), [
      { event: "ping_missed", neighbor: key(X), misses: 1 },
    ]);

    await s.rounds(3);
    assertEquals(s.probe.calls.length, 2);
    assertEquals(s.reports, []);
    assertEquals(s.log.named("suspect"), []);
  });

  await t.step(
    "a probe answered after the target got linked again counts as its pong",
    async () => {
      const s = setup();
      s.probe.answer = "hold";
      s.monitor.watch(addr(X));
      s.monitor.start();
      await s.rounds(1);
      s.link(X);
      s.clock.advance(40);
      s.probe.resolve(ALIVE);
      await settle();
      assertEquals(s.tracker.isWatched(key(X)), true);
      assertEquals(s.tracker.lastRtt(key(X)), 40);
    },
  );
});

Deno.test("LivenessMonitor asks up to 3 other neighbours about a suspect", async () => {
  const s = await suspectUnlinked();
  // Rounds 1 and 2 probed X; in round 3 it reached the miss threshold.
  assertEquals(s.probe.callsTo(key(X)), MISSES);
  assertEquals(s.log.named("ping_missed").map((e) => [e.neighbor, e.misses]), [
    [key(X), 1],
    [key(X), 2],
  ]);
  const [suspect] = s.log.named("suspect");
  assertEquals(suspect?.neighbor, key(X));
  assertEquals(suspect?.misses, MISSES);
  assertEquals(s.helpers.length, 3);
  assertEquals(new Set(s.helpers).size, 3);
  for (const [k, connection] of s.links) {
    const expected = s.helpers.includes(k)
      ? [{ kind: "probe_request", nonce: s.nonce, target: addr(X) }]
      : [];
    assertEquals(connection.probeRequests(), expected, k);
  }
  assertEquals(s.reports, []);
  assertEquals(s.tracker.isSuspected(key(X)), true);
});

Deno.test("LivenessMonitor clears the suspicion when one helper reaches the suspect", async () => {
  const s = await suspectUnlinked();
  const [h1, h2, h3] = s.helpers as [string, string, string];
  s.monitor.onProbeResult(h1, s.nonce, false);
  s.monitor.onProbeResult(h2, s.nonce, true);
  await settle();
  assertEquals(s.log.named("suspicion_cleared"), [
    { event: "suspicion_cleared", neighbor: key(X), by: h2 },
  ]);
  assertEquals(s.reports, []);
  assertEquals(s.tracker.isWatched(key(X)), true);
  assertEquals(s.tracker.isSuspected(key(X)), false);
  assertEquals(s.tracker.misses(key(X)), 0);

  // The last answer and the helpers' deadline change nothing.
  s.monitor.onProbeResult(h3, s.nonce, false);
  s.clock.advance(INDIRECT_TIMEOUT);
  await settle();
  assertEquals(s.reports, []);
  assertEquals(s.log.named("suspicion_cleared").length, 1);

  // Watching resumes: X is probed again in the next round.
  const before = s.probe.callsTo(key(X));
  await s.rounds(1);
  assertEquals(s.probe.callsTo(key(X)), before + 1);
});

Deno.test("LivenessMonitor reports a suspect all helpers say is dead", async () => {
  const s = await suspectUnlinked();
  const [h1, h2, h3] = s.helpers as [string, string, string];
  s.monitor.onProbeResult(h1, s.nonce, false);
  s.monitor.onProbeResult(h2, s.nonce, false);
  await settle();
  assertEquals(s.reports, []);
  s.monitor.onProbeResult(h3, s.nonce, false);
  await settle();
  assertEquals(s.reports, [addr(X)]);
  assertEquals(s.tracker.isWatched(key(X)), false);
  assertEquals(s.log.named("suspicion_cleared"), []);

  // Reported once, then forgotten: no more probes, no second report.
  const probes = s.probe.callsTo(key(X));
  s.monitor.onProbeResult(h1, s.nonce, true);
  s.clock.advance(INDIRECT_TIMEOUT);
  await s.rounds(5);
  assertEquals(s.reports, [addr(X)]);
  assertEquals(s.probe.callsTo(key(X)), probes);
  assertEquals(s.log.named("suspicion_cleared"), []);
});

Deno.test("LivenessMonitor reports a suspect when the helpers do not answer in time", async (t) => {
  await t.step("no answer at all", async () => {
    const s = await suspectUnlinked();
    s.clock.advance(INDIRECT_TIMEOUT - 1);
    await settle();
    assertEquals(s.reports, []);
    s.clock.advance(1);
    await settle();
    assertEquals(s.reports, [addr(X)]);
    assertEquals(s.tracker.isWatched(key(X)), false);
  });

  await t.step("some helpers say dead, the rest stay silent", async () => {
    const s = await suspectUnlinked();
    const [h1, h2] = s.helpers as [string, string, string];
    s.monitor.onProbeResult(h1, s.nonce, false);
    s.monitor.onProbeResult(h2, s.nonce, false);
    s.clock.advance(INDIRECT_TIMEOUT - 1);
    await settle();
    assertEquals(s.reports, []);
    s.clock.advance(1);
    await settle();
    assertEquals(s.reports, [addr(X)]);
  });

  await t.step("an answer after the deadline is ignored", async () => {
    const s = await suspectUnlinked();
    s.clock.advance(INDIRECT_TIMEOUT);
    await settle();
    s.monitor.onProbeResult(s.helpers[0] as string, s.nonce, true);
    await settle();
    assertEquals(s.reports, [addr(X)]);
    assertEquals(s.log.named("suspicion_cleared"), []);
  });
});

Deno.test("LivenessMonitor reports at once a suspect when no other neighbour can help", async () => {
  const s = setup();
  s.probe.answer = DEAD;
  s.monitor.watch(addr(X));
  s.monitor.start();
  await s.rounds(MISSES);
  assertEquals(s.reports, []);
  s.clock.advance(PING_INTERVAL);
  assertEquals(s.reports, [addr(X)]); // in the round itself, no waiting for helpers
  assertEquals(s.log.named("suspect"), [
    { event: "suspect", neighbor: key(X), misses: MISSES, helpers: [] },
  ]);
  assertEquals(s.tracker.isWatched(key(X)), false);
});

Deno.test("LivenessMonitor.stop() called during a round ends the rounds", async () => {
  const s = setup();
  const reports: Address[] = [];
  const monitor = new LivenessMonitor({
    tracker: s.tracker,
    neighbors: s.neighbors,
    clock: s.clock,
    rng: seededRng(2),
    log: s.log,
    pingIntervalMs: PING_INTERVAL,
    probeTimeoutMs: PROBE_TIMEOUT,
    probe: s.probe.probe,
    report(target) {
      reports.push(target);
      monitor.stop(); // e.g. the node shuts down on its last neighbour
    },
  });
  s.probe.answer = DEAD;
  monitor.watch(addr(X));
  monitor.start();
  s.clock.advance((MISSES + 1) * PING_INTERVAL);
  await settle();
  assertEquals(reports, [addr(X)]);
  assertEquals(s.clock.pending, 0);
  monitor.watch(addr(X + 2));
  s.clock.advance(10 * PING_INTERVAL);
  await settle();
  assertEquals(s.probe.callsTo(key(X + 2)), 0);
});

Deno.test("LivenessMonitor never asks a linked suspect to probe itself", async () => {
  const s = setup();
  const x = s.link(X);
  const b = s.link(7001);
  const c = s.link(7002);
  s.monitor.start();
  await s.rounds(MISSES + 1, [key(X)]);
  const [suspect] = s.log.named("suspect");
  assertEquals(suspect?.neighbor, key(X));
  assertEquals(suspect?.helpers.toSorted(), [key(7001), key(7002)]);
  assertEquals(x.probeRequests(), []);
  assertEquals(b.probeRequests().map((r) => r.target), [addr(X)]);
  assertEquals(c.probeRequests().map((r) => r.target), [addr(X)]);
  // A suspect is not pinged while the helpers work.
  assertEquals(x.pings().length, MISSES);
  assertEquals(s.probe.calls, []);
});

Deno.test("LivenessMonitor.onProbeRequest() checks a target for another peer", async (t) => {
  const T = 7010;
  const request: ProbeRequestMessage = { kind: "probe_request", nonce: 99, target: addr(T) };

  await t.step("linked target: ping over the link, alive on the pong", async () => {
    const s = setup();
    const target = s.link(T);
    s.monitor.start();
    await s.rounds(1, [key(T)]); // the tracker's own ping to T is outstanding
    const [trackerNonce] = target.pings();
    const replies: boolean[] = [];
    const done = s.monitor.onProbeRequest(request, (alive) => replies.push(alive));
    const helperNonce = target.pings()[1];
    if (trackerNonce === undefined || helperNonce === undefined) throw new Error("no ping");
    assertNotEquals(helperNonce, trackerNonce);

    s.clock.advance(10);
    s.monitor.onPong(key(T), helperNonce);
    await done;
    assertEquals(replies, [true]);
    // That pong was the helper's: the tracker's ping is still unanswered.
    assertEquals(s.tracker.lastRtt(key(T)), undefined);
    s.monitor.onPong(key(T), trackerNonce);
    assertEquals(s.tracker.lastRtt(key(T)), 10);
    s.monitor.onPong(key(T), helperNonce);
    await settle();
    assertEquals(replies, [true]);
    assertEquals(s.probe.calls, []);
  });

  await t.step("linked target: dead after the probe timeout", async () => {
    const s = setup();
    const target = s.link(T);
    const replies: boolean[] = [];
    s.monitor.onProbeRequest(request, (alive) => replies.push(alive));
    assertEquals(target.pings().length, 1);
    s.clock.advance(PROBE_TIMEOUT - 1);
    await settle();
    assertEquals(replies, []);
    s.clock.advance(1);
    await settle();
    assertEquals(replies, [false]);
    s.monitor.onPong(key(T), target.pings()[0] as number); // too late
    await settle();
    assertEquals(replies, [false]);
  });

  for (const [name, answer] of [["alive", ALIVE], ["dead", DEAD]] as const) {
    await t.step(
      `unlinked target (${name}): declined, no connection opened, answered "cannot vouch"`,
      async () => {
        // Probing wherever a neighbour says would make this peer a reflector.
        const s = setup();
        s.probe.answer = answer;
        const other = s.link(7001);
        const replies: boolean[] = [];
        assertEquals(s.monitor.onProbeRequest(request, (alive) => replies.push(alive)), false);
        await settle();
        assertEquals(replies, [false]);
        assertEquals(s.probe.calls, []);
        assertEquals(other.sent, []);
      },
    );
  }
});

Deno.test("LivenessMonitor.stop() ends rounds and answers pending helper pings", async () => {
  const s = setup();
  const target = s.link(7010);
  s.monitor.start();
  await s.rounds(1);
  const replies: boolean[] = [];
  const done = s.monitor.onProbeRequest(
    { kind: "probe_request", nonce: 5, target: addr(7010) },
    (alive) => replies.push(alive),
  );
  s.monitor.stop();
  await done;
  assertEquals(replies, [false]);

  const sent = target.sent.length;
  s.clock.advance(10 * PING_INTERVAL);
  await settle();
  assertEquals(target.sent.length, sent);
  assertEquals(replies, [false]);
  assertEquals(s.reports, []);
});

Deno.test("LivenessMonitor.stop() ends a pending indirect probe without a report", async (t) => {
  // stop() means to end every indirect probe at once (it resolves each waiter
  // with a "dead" answer), but a waiter resolves only when its answers reach
  // the number of helpers, so with 2 or 3 helpers it stays pending, and its
  // deadline timer with it.
  for (const ports of [[7001], [7001, 7002, 7003]]) {
    await t.step(`${ports.length} helper(s)`, async () => {
      const s = setup();
      for (const port of ports) s.link(port);
      s.probe.answers.set(key(X), DEAD);
      s.monitor.watch(addr(X));
      s.monitor.start();
      await s.rounds(MISSES + 1);
      assertEquals(s.log.named("suspect")[0]?.helpers.length, ports.length);
      s.monitor.stop();
      await settle();
      assertEquals(s.clock.pending, 0);
      s.clock.advance(INDIRECT_TIMEOUT);
      await settle();
      assertEquals(s.reports, []);
    });
  }
});

Deno.test("LivenessMonitor counts no miss for this peer's own trouble", async (t) => {
  await t.step("an unlinked target's probe fails locally: no miss that round", async () => {
    const s = setup();
    s.probe.answers.set(key(X), { alive: false, cause: "local", detail: "Too many open files" });
    s.monitor.watch(addr(X));
    s.monitor.start();
    await s.rounds(MISSES + 3);
    assertEquals(s.tracker.misses(key(X)), 0);
    assertEquals(s.log.named("suspect"), []);
    assertEquals(s.reports, []);
  });
  await t.step("a round that fires far too late (this peer stalled): no misses", async () => {
    const s = setup();
    s.link(7001);
    s.monitor.start();
    await s.rounds(1, [key(7001)]); // a ping out, unanswered: then the process stops
    s.lag.ms = PING_INTERVAL * 10; // and resumes long after
    s.clock.advance(PING_INTERVAL);
    await settle();
    assertEquals(s.tracker.misses(key(7001)), 0);
    // Back to normal: a silent neighbour is missed again.
    await s.rounds(1, [key(7001)]);
    assertEquals(s.tracker.misses(key(7001)), 1);
  });
});
