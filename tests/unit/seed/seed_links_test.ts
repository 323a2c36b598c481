import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { type SeedLinkRole, SeedLinks } from "../../../lib/seed/seed_links.ts";
import { SeedMesh } from "../../../lib/seed/seed_mesh.ts";
import type { FramedConnection } from "../../../lib/wire/connection.ts";
import type { HelloMessage, Message } from "../../../lib/wire/messages.ts";
import { ManualClock } from "../../support/manual_clock.ts";
import { seededRng } from "../../support/rng.ts";

const SEEDS = [5000, 5001, 5002].map((port) => ({ host: "127.0.0.1", port }));
const S2 = "127.0.0.1:5001";

/** The parts of a connection the seed links touch. */
class Fake {
  readonly sent: Message[] = [];
  closed = false;
  role: SeedLinkRole | undefined;
  remoteHello: HelloMessage | undefined;
  constructor(readonly direction: "in" | "out", port: number) {
    this.remoteHello = {
      kind: "hello",
      version: 1,
      role: "seed",
      nodeId: "00000000000000b2",
      address: { host: "127.0.0.1", port },
    };
    if (direction === "out") this.role = { kind: "seed", key: `127.0.0.1:${port}` };
  }
  get isOpen(): boolean {
    return !this.closed;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  send(message: Message): boolean {
    this.sent.push(message);
    return true;
  }
  close(): void {
    this.closed = true;
  }
  fail(): void {
    this.closed = true;
  }
  get as(): FramedConnection<SeedLinkRole> {
    return this as unknown as FramedConnection<SeedLinkRole>;
  }
}

function setup() {
  const clock = new ManualClock();
  const log = new MemoryEventLog();
  const mesh = new SeedMesh({
    others: SEEDS.slice(1),
    dial: () => Promise.reject(new Error("not in this test")),
    clock,
    rng: seededRng(1),
    log,
    retryMinMs: 100,
    retryMaxMs: 100,
    onDialFailed() {},
  });
  const delivered: Array<[string, Message["kind"]]> = [];
  const settled: FramedConnection[] = [];
  const links = new SeedLinks({
    self: SEEDS[0]!,
    seeds: SEEDS,
    mesh,
    clock,
    challengeTtlMs: 1000,
    settle: (c) => settled.push(c),
    linked() {},
    deliver: (_c, key, message) => {
      delivered.push([key, message.kind]);
      return true;
    },
  });
  const admit = (c: Fake) => {
    const admission = links.admit(c.as, c.remoteHello!);
    if ("role" in admission) c.role = admission.role;
    return admission;
  };
  return { clock, log, mesh, links, delivered, settled, admit };
}

const COMMIT: Message = {
  kind: "commit",
  proposalId: "00000000000000b2-1",
  record: {
    address: { host: "127.0.0.1", port: 6001 },
    state: "removed",
    reason: "dead",
    version: { stamp: 1, origin: "00000000000000b2" },
    degree: 0,
  },
};

Deno.test("SeedLinks: a link this seed dialled is verified at once", () => {
  const s = setup();
  const out = new Fake("out", 5001);
  const admission = s.admit(out);
  assertEquals("role" in admission && admission.settled, true);
  s.links.onMessage(out.as, S2, COMMIT);
  assertEquals(s.delivered, [[S2, "commit"]]);
});

Deno.test("SeedLinks: an inbound claim is held until the claimed seed echoes the nonce", () => {
  const s = setup();
  const out = new Fake("out", 5001);
  s.admit(out);
  const claim = new Fake("in", 5001);
  s.admit(claim);
  const challenge = out.sent.find((m) => m.kind === "seed_challenge");
  if (challenge?.kind !== "seed_challenge") throw new Error("no challenge sent to the real seed");
  // What the claim sends is held, not acted on.
  s.links.onMessage(claim.as, S2, COMMIT);
  assertEquals(s.delivered, []);
  // A wrong echo proves nothing.
  s.links.onMessage(claim.as, S2, { kind: "seed_proof", nonce: "00".repeat(16) });
  assertEquals([s.delivered, s.settled], [[], []]);
  // The real seed's echo, arriving on the claim: verified, and what it held is handled.
  s.links.onMessage(claim.as, S2, { kind: "seed_proof", nonce: challenge.nonce });
  assertEquals(s.settled.length, 1);
  assertEquals(s.delivered, [[S2, "commit"]]);
  assertEquals(s.mesh.isVerified(S2, claim.as), true);
});

Deno.test("SeedLinks: a stranger claiming a seed can neither prove it nor replace the real link", () => {
  const s = setup();
  const out = new Fake("out", 5001);
  s.admit(out);
  const real = new Fake("in", 5001);
  s.admit(real);
  const nonce = (out.sent.find((m) => m.kind === "seed_challenge") as { nonce: string }).nonce;
  s.links.onMessage(real.as, S2, { kind: "seed_proof", nonce });
  const liar = new Fake("in", 5001);
  s.admit(liar);
  // It never sees the nonce (it went over the outbound link), so it can only guess.
  s.links.onMessage(liar.as, S2, { kind: "seed_proof", nonce: "11".repeat(16) });
  s.links.onMessage(liar.as, S2, COMMIT);
  assertEquals(s.delivered, []);
  assertEquals(real.closed, false);
  assertEquals(s.mesh.isVerified(S2, real.as), true);
  assertEquals(s.mesh.isVerified(S2, liar.as), false);
});

Deno.test("SeedLinks: a claim's held messages are capped; past the cap it breaks the protocol", () => {
  const s = setup();
  const claim = new Fake("in", 5001);
  s.admit(claim);
  const results = Array.from({ length: 70 }, () => s.links.onMessage(claim.as, S2, COMMIT));
  assertEquals(results.filter((ok) => !ok).length, 70 - 64);
});

Deno.test("SeedLinks: a challenge before this seed's outbound link is up is answered once it is", () => {
  const s = setup();
  const inbound = new Fake("in", 5001);
  s.admit(inbound);
  s.links.onMessage(inbound.as, S2, { kind: "seed_challenge", nonce: "ab".repeat(16) });
  const out = new Fake("out", 5001);
  s.admit(out);
  assertEquals(out.sent.filter((m) => m.kind === "seed_proof"), [{
    kind: "seed_proof",
    nonce: "ab".repeat(16),
  }]);
});

Deno.test("SeedLinks refuses hellos that claim no other seed of the config", () => {
  const s = setup();
  const self = new Fake("in", 5000);
  const stranger = new Fake("in", 5999);
  assertEquals("reject" in s.admit(self), true);
  assertEquals("reject" in s.admit(stranger), true);
  const wrong = new Fake("out", 5002);
  wrong.role = { kind: "seed", key: S2 }; // dialled 5001, 5002 answered
  assertEquals("reject" in s.admit(wrong), true);
});
