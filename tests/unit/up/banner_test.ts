import { assertEquals } from "@std/assert";
import { startBanner } from "../../../lib/up/banner.ts";
import { planNetwork } from "../../../lib/up/plan.ts";

const PLAN = planNetwork({ seeds: 1, peers: 2, basePort: 5000, host: "127.0.0.1" });
const BASE = { host: "127.0.0.1", logDir: "logs/a", verbose: false };

Deno.test("startBanner() says nothing of the run mode for processes", () => {
  assertEquals(startBanner(PLAN, BASE).length, 2);
});

Deno.test("startBanner() says in one line when the nodes run in-process, and why", async (t) => {
  await t.step("asked for", () => {
    const lines = startBanner(PLAN, { ...BASE, inProcess: "asked" });
    assertEquals(lines.length, 3);
    assertEquals(
      lines[1],
      "up: every node runs inside this process (--in-process), on real TCP sockets",
    );
  });
  await t.step("chosen for the peer count", () => {
    const lines = startBanner(PLAN, { ...BASE, inProcess: { abovePeers: 64 } });
    assertEquals(lines.length, 3);
    assertEquals(
      lines[1],
      "up: more than 64 peers: every node runs inside this process, on real TCP sockets " +
        "(--processes for one process per node)",
    );
  });
});

Deno.test("startBanner() says over how many threads in-process nodes are spread, if more than one", () => {
  const lines = startBanner(PLAN, { ...BASE, inProcess: "asked", threads: 2 });
  assertEquals(lines[2], "up: the nodes are spread over 2 threads (--workers)");
  assertEquals(startBanner(PLAN, { ...BASE, inProcess: "asked", threads: 1 }).length, 3);
  assertEquals(startBanner(PLAN, { ...BASE, threads: 2 }).length, 2);
});
