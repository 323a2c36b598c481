import { assert, assertEquals, assertMatch } from "@std/assert";
import { runCli } from "../support/run_cli.ts";

const ARGS = ["sim", "--peers", "40", "--origins", "2", "--messages", "2", "--kill", "0.05@8s"];

Deno.test("gossipnet sim: the same --seed gives byte-identical stdout and --out file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await runCli([...ARGS, "--seed", "7", "--out", `${dir}/a.json`]);
    const b = await runCli([...ARGS, "--seed", "7", "--out", `${dir}/b.json`]);
    assertEquals(a.code, 0, a.stderr);
    assertEquals(b.code, 0, b.stderr);
    assertEquals(b.stdout, a.stdout);
    const fileA = await Deno.readTextFile(`${dir}/a.json`);
    assertEquals(await Deno.readTextFile(`${dir}/b.json`), fileA);
    assertMatch(a.stdout, /delivery: +100% \(/);
    assertMatch(a.stdout, /killed: +2 peers; 2 reported dead/);
    const result = JSON.parse(fileA);
    assertEquals(result.network.peers, 40);
    assertEquals(result.delivery.messages, 4);
    // Wall time and events/s are on stderr only.
    assertMatch(a.stderr, /events\/s/);
    const other = await runCli([...ARGS, "--seed", "8"]);
    assert(other.stdout !== a.stdout, "another seed, another run");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gossipnet sim: a bad flag value is one line on stderr and exit 2", async () => {
  const out = await runCli(["sim", "--kill", "50%"]);
  assertEquals(out.code, 2);
  assertEquals(out.stdout, "");
  assertEquals(out.stderr.trim().split("\n").length, 1);
  assertMatch(out.stderr, /^gossipnet: Invalid --kill: expected <fraction>@<time>/);
});

Deno.test("gossipnet sim: an unwritable --out fails at once, one line, exit 1", async () => {
  const out = await runCli(["sim", "--peers", "5000", "--out", "/nonexistent-dir/r.json"]);
  assertEquals(out.code, 1);
  assertEquals(out.stdout, "");
  assertEquals(out.stderr.trim().split("\n").length, 1);
  assertMatch(out.stderr, /^gossipnet: Cannot write \/nonexistent-dir\/r\.json: /);
});

Deno.test("gossipnet sim: a heap bounded too tightly ends the run with one line saying so, exit 1", async () => {
  // 20,000 peers need far more than 64 MiB: the simulation thread runs out
  // within seconds, and the command must neither hang nor crash.
  const out = await runCli(["sim", "--peers", "20000", "--max-heap", "64"]);
  assertEquals(out.code, 1, out.stderr);
  assertEquals(out.stdout, "");
  const lines = out.stderr.trim().split("\n");
  assertMatch(
    lines[lines.length - 1]!,
    /^gossipnet: The simulation ran out of heap \(--max-heap 64\) at virtual [\d.]+ s, after \d+ events: raise --max-heap <MiB>/,
  );
});

Deno.test("gossipnet sim --help lists its flags", async () => {
  const out = await runCli(["sim", "--help"]);
  assertEquals(out.code, 0);
  for (
    const flag of [
      "--seeds",
      "--peers",
      "--origins",
      "--messages",
      "--latency",
      "--jitter",
      "--kill",
      "--churn",
      "--partition",
      "--seed",
      "--until",
      "--out",
      "--max-heap",
      "--ping-interval",
    ]
  ) {
    assert(out.stdout.includes(`${flag} `), flag);
  }
});
