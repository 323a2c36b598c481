import { assertEquals, assertThrows } from "@std/assert";
import { parseInvocation } from "../../../lib/cli/args.ts";
import { parseRate, parseShareAt, parseShareWindow } from "../../../lib/cli/sim_args.ts";
import { UsageError } from "../../../lib/util/errors.ts";

Deno.test("parseShareAt() reads <fraction>@<time> and rejects the rest", () => {
  assertEquals(parseShareAt("0.01@60s"), { fraction: 0.01, atMs: 60_000 });
  assertEquals(parseShareAt("1@0"), { fraction: 1, atMs: 0 });
  for (const bad of ["", "0.5", "@1s", "0@1s", "1.5@1s", "-0.1@1s", "0.1@", "0.1@x", "0.1@1s@2s"]) {
    assertEquals(parseShareAt(bad), undefined, bad);
  }
});

Deno.test("parseShareWindow() reads <fraction>@<from>-<to> with from before to", () => {
  assertEquals(parseShareWindow("0.2@30s-40s"), { fraction: 0.2, fromMs: 30_000, toMs: 40_000 });
  for (
    const bad of ["0.2@40s-30s", "0.2@30s-30s", "1@1s-2s", "0.2@1s", "0.2@1s-2s-3s", "x@1s-2s"]
  ) {
    assertEquals(parseShareWindow(bad), undefined, bad);
  }
});

Deno.test("parseRate() reads a number >= 0", () => {
  assertEquals(parseRate("2.5"), 2.5);
  assertEquals(parseRate("0"), 0);
  for (const bad of ["-1", "abc", "", "1e3", "Infinity"]) {
    assertEquals(parseRate(bad), undefined, bad);
  }
});

Deno.test("parseInvocation() builds a sim invocation with its defaults", () => {
  const inv = parseInvocation(["sim"]);
  assertEquals(inv, {
    command: "sim",
    seeds: 3,
    peers: 100,
    origins: 1,
    messages: 1,
    latencyMs: 20,
    jitterMs: 0,
    bandwidthBps: 0,
    joinSpacingMs: 10,
    churnPerSecond: 0,
    seed: 1,
    tuning: { gossipIntervalMs: 1000 },
  });
  const full = parseInvocation([
    "sim",
    "--seeds=5",
    "--peers=1000",
    "--kill=0.01@60s",
    "--partition=0.2@30s-40s",
    "--churn=2",
    "--until=2m",
    "--out=r.json",
    "--ping-interval=2s",
    "--latency=0",
    "--max-heap=3600",
  ]);
  assertEquals(full.command, "sim");
  if (full.command !== "sim") return;
  // Above 1,000 peers the joins get 10 s in all, never under 1 ms apart, unless told.
  assertEquals(full.joinSpacingMs, 10);
  const joins = (args: string[]) => {
    const inv = parseInvocation(["sim", ...args]);
    return inv.command === "sim" ? inv.joinSpacingMs : undefined;
  };
  assertEquals(joins(["--peers=4000"]), 3);
  assertEquals(joins(["--peers=100000"]), 1);
  assertEquals(joins(["--peers=100000", "--join-interval=5ms"]), 5);
  assertEquals(full.kill, { fraction: 0.01, atMs: 60_000 });
  assertEquals(full.partition, { fraction: 0.2, fromMs: 30_000, toMs: 40_000 });
  assertEquals(full.churnPerSecond, 2);
  assertEquals(full.untilMs, 120_000);
  assertEquals(full.out, "r.json");
  assertEquals(full.latencyMs, 0);
  assertEquals(full.maxHeapMiB, 3600);
  assertEquals(full.tuning, { gossipIntervalMs: 1000, pingIntervalMs: 2000 });
});

Deno.test("parseInvocation() rejects bad sim values with one line naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["sim", "--peers=0"], /^Invalid --peers: expected a whole number 1-1000000, got "0"$/],
    [["sim", "--kill=2@1s"], /^Invalid --kill: expected <fraction>@<time>/],
    [["sim", "--partition=0.2@5s-1s"], /^Invalid --partition: expected <fraction>@<from>-<to>/],
    [["sim", "--churn=-1"], /^Invalid --churn: expected a number >= 0/],
    [["sim", "--latency=fast"], /^Invalid --latency: expected a duration/],
    [["sim", "--peers=5", "--origins=6"], /^Invalid --origins 6: more than the 5 peers$/],
    [["sim", "--sed=1"], /^Unknown flag --sed for "sim"/],
    [
      ["sim", "--max-heap=10"],
      /^Invalid --max-heap: expected a whole number 64-1000000, got "10"$/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const error = assertThrows(() => parseInvocation(args), UsageError);
    assertEquals(pattern.test(error.message), true, `${args.join(" ")}: ${error.message}`);
    assertEquals(error.message.includes("\n"), false);
  }
});
