import { assertEquals } from "@std/assert";
import type { NodeInstance, NodeRunner } from "../../../lib/up/node_runner.ts";
import { planNetwork } from "../../../lib/up/plan.ts";
import { Supervisor } from "../../../lib/up/supervisor.ts";
import { ManualClock } from "../../support/manual_clock.ts";

type Acted = (operation: "kill" | "pause" | "resume", ts: number) => void;

/** A runner whose nodes do as told and whose effects are reported by the test. */
function fakeRunner(): NodeRunner & { acted: Acted[] } {
  const acted: Acted[] = [];
  return {
    kind: "in-process",
    acted,
    start(_spec, _onLine, onActed) {
      if (onActed) acted.push(onActed);
      const instance: NodeInstance = {
        pid: 1,
        exited: new Promise(() => {}),
        listening: undefined,
        settled: undefined,
        kill: () => true,
        pause: () => true,
        resume: () => true,
        reloadKeys: () => true,
        requestStop: () => {},
        terminate: () => {},
      };
      return instance;
    },
  };
}

Deno.test("Supervisor times an outage by when its kill, pause or resume took effect, if the runner says", async () => {
  const clock = new ManualClock(10_000);
  const runner = fakeRunner();
  let changes = 0;
  const supervisor = new Supervisor(
    planNetwork({ seeds: 0, peers: 1, basePort: 5000, host: "127.0.0.1" }),
    { runner, clock, hooks: { onLine: () => {}, onExit: () => {}, onChange: () => changes++ } },
  );
  const node = supervisor.nodes[0]!;
  await supervisor.start(node);
  const acted = runner.acted[0]!;

  assertEquals(supervisor.pause(node), true);
  clock.advance(30);
  acted("pause", clock.now());
  assertEquals(node.outages, [{ kind: "pause", fromTs: 10_030 }]);
  clock.advance(970);
  assertEquals(supervisor.resume(node), true);
  clock.advance(40);
  acted("resume", clock.now());
  assertEquals(node.outages, [{ kind: "pause", fromTs: 10_030, toTs: 11_040 }]);
  // An effect never moves an edge earlier than up recorded it.
  acted("resume", 10_500);
  assertEquals(node.outages[0]?.toTs, 11_040);

  assertEquals(supervisor.kill(node), true);
  clock.advance(25);
  acted("kill", clock.now());
  assertEquals(node.outages[1], { kind: "kill", fromTs: 11_065 });
  // Each report rewrites the manifest, as the operations themselves do.
  assertEquals(changes, 1 + 2 + 2 + 1 + 2);
});
