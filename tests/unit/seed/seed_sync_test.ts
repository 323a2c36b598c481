import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { Membership } from "../../../lib/seed/membership.ts";
import { SeedSync } from "../../../lib/seed/seed_sync.ts";
import type { FramedConnection } from "../../../lib/wire/connection.ts";
import type { MemberRecord } from "../../../lib/wire/messages.ts";
import { settle } from "../../support/fake_stream.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const S2 = "127.0.0.1:5001";
const S3 = "127.0.0.1:5002";
const LINK = {} as FramedConnection;

function record(port: number): MemberRecord {
  return {
    address: { host: "127.0.0.1", port },
    state: "member",
    version: { stamp: 1, origin: "00000000000000b2" },
    degree: 0,
  };
}

function setup() {
  const clock = new ManualClock();
  const log = new MemoryEventLog();
  const sent: string[] = [];
  const checks: Array<() => void> = [];
  const sync = new SeedSync({
    others: [S2, S3],
    membership: new Membership({ clock }),
    clock,
    log,
    readyTimeoutMs: 3000,
    syncIntervalMs: 5000,
    connected: () => [S2],
    send: (key) => sent.push(key),
    // Each record's check is held until the test lets it finish.
    admit: () => new Promise((resolve) => checks.push(resolve)),
  });
  let ready = false;
  sync.ready.then(() => ready = true);
  return { clock, log, sent, checks, sync, isReady: () => ready };
}

Deno.test("SeedSync is ready once every other seed's state was checked, or could not be had", async () => {
  const s = setup();
  s.sync.start();
  s.sync.onState(LINK, S2, {
    kind: "sync_state",
    requestId: 1,
    more: true,
    records: [record(6001)],
  });
  s.sync.onState(LINK, S2, {
    kind: "sync_state",
    requestId: 1,
    more: false,
    records: [record(6002)],
  });
  s.sync.settled(S3); // unreachable
  await settle();
  assertEquals(s.isReady(), false, "not before its synced records are checked");
  for (const done of s.checks) done();
  await settle();
  assertEquals(s.isReady(), true);
  assertEquals(s.log.named("synced")[0]?.from, [S2]);
});

Deno.test("SeedSync is ready at its timeout whatever the other seeds do", async () => {
  const s = setup();
  s.sync.start();
  s.clock.advance(3000);
  await settle();
  assertEquals(s.isReady(), true);
  assertEquals(s.log.named("synced")[0]?.from, []);
});

Deno.test("SeedSync asks every linked seed again each interval, until stopped", () => {
  const s = setup();
  s.sync.start();
  s.clock.advance(5000);
  s.clock.advance(5000);
  assertEquals(s.sent, [S2, S2]);
  s.sync.stop();
  s.clock.advance(20_000);
  assertEquals(s.sent, [S2, S2]);
  assertEquals(s.clock.pending, 0);
});
