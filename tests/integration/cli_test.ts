/**
 * The command line as a user meets it: `deno run -A main.ts ...` in a real
 * process. Bad input must end with exit code 2 and exactly one line on
 * stderr, never a stack trace; help and version go to stdout with exit 0.
 */

import { assert, assertEquals } from "@std/assert";
import { COMMANDS } from "../../lib/cli/args.ts";
import { COMMAND_FLAGS } from "../../lib/cli/flags.ts";
import { commandHelp, programHelp, VERSION } from "../../lib/cli/help.ts";
import { assertUserError, describe, gossipnet, type Outcome } from "../support/cli_run.ts";

// /work/shared/CONTRACT.md, beside the repository (this file is tests/integration/cli_test.ts).
const CONTRACT = new URL("../../../shared/CONTRACT.md", import.meta.url);

Deno.test("gossipnet rejects bad input with one line on stderr and exit 2", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet_cli_test_" });
  try {
    // Node commands get their own log dir, so nothing lands in the repository.
    const logDir = `${dir}/logs`;
    const config = `${dir}/config.csv`;
    await Deno.writeTextFile(config, "host,port\n127.0.0.1,5000\n127.0.0.1,5001\n");
    const badRow = await Deno.makeTempFile({ dir, suffix: ".csv" });
    await Deno.writeTextFile(badRow, "host,port\n127.0.0.1,5000\n# spare\n127.0.0.1,70000\n");
    const badColumns = await Deno.makeTempFile({ dir, suffix: ".csv" });
    await Deno.writeTextFile(badColumns, "127.0.0.1:5000\n");
    const empty = await Deno.makeTempFile({ dir, suffix: ".csv" });
    const missing = `${dir}/no-such-file.csv`;
    const big = `${dir}/big.bin`;
    await Deno.writeFile(big, new Uint8Array(65_266));

    const cases: Array<[string, string[], string]> = [
      [
        "no command",
        [],
        "Missing command: expected seed, peer, up, sim, report-dead, report, send, members, status or keygen (see gossipnet --help)",
      ],
      [
        "unknown command",
        ["launch"],
        'Unknown command "launch": expected seed, peer, up, sim, report-dead, report, send, members, status or keygen',
      ],
      [
        "unknown flag",
        ["seed", "--port", "5000", "--bogus"],
        'Unknown flag --bogus for "seed" (see gossipnet seed --help)',
      ],
      [
        "flag before the command",
        ["--port", "5000"],
        "Unknown flag --port: flags follow a command (see gossipnet --help)",
      ],
      ["missing --port (seed)", ["seed"], 'Missing --port: required for "seed"'],
      [
        "missing --port (peer)",
        ["peer", "--config", config],
        'Missing --port: required for "peer"',
      ],
      ["port 0", ["seed", "--port", "0"], 'Invalid --port: expected a port 1-65535, got "0"'],
      [
        "port 70000",
        ["peer", "--port", "70000"],
        'Invalid --port: expected a port 1-65535, got "70000"',
      ],
      ["port abc", ["seed", "--port", "abc"], 'Invalid --port: expected a port 1-65535, got "abc"'],
      [
        "bad duration",
        ["peer", "--port", "6000", "--gossip-interval", "soon"],
        'Invalid --gossip-interval: expected a duration such as 200, 200ms, 1.5s or 2m, got "soon"',
      ],
      [
        "duration out of range",
        ["up", "--duration", "0"],
        'Invalid --duration: expected a duration of 1ms to 604800000ms, got "0"',
      ],
      [
        "bad count",
        ["peer", "--port", "6000", "--max-neighbors", "0"],
        'Invalid --max-neighbors: expected a whole number 1-64, got "0"',
      ],
      [
        "count not a number",
        ["up", "--peers", "many"],
        'Invalid --peers: expected a whole number 0-1000, got "many"',
      ],
      [
        "repeated flag",
        ["seed", "--port", "5000", "--port", "5001"],
        "Flag --port given 2 times; give it once",
      ],
      [
        "stray argument",
        ["peer", "--port", "6000", "now"],
        'Unexpected argument "now" for "peer" (see gossipnet peer --help)',
      ],
      [
        "bad address",
        ["report-dead", "--seed", "127.0.0.1", "--dead", "127.0.0.1:6000"],
        'Invalid --seed: expected host:port, got "127.0.0.1"',
      ],
      ["help for an unknown command", ["help", "launch"], 'No help for unknown command "launch"'],
      ["missing config file (seed)", [
        "seed",
        "--port",
        "5000",
        "--config",
        missing,
        "--log-dir",
        logDir,
      ], `Cannot read ${missing}: file not found`],
      ["missing config file (peer)", [
        "peer",
        "--port",
        "6000",
        "--config",
        missing,
        "--log-dir",
        logDir,
      ], `Cannot read ${missing}: file not found`],
      [
        "config is a directory",
        ["seed", "--port", "5000", "--config", dir, "--log-dir", logDir],
        `Cannot read ${dir}: is a directory`,
      ],
      [
        "malformed config row",
        ["seed", "--port", "5000", "--config", badRow, "--log-dir", logDir],
        `Cannot read ${badRow}: line 4: port must be 1-65535, got "70000"`,
      ],
      ["malformed config row (peer)", [
        "peer",
        "--port",
        "6000",
        "--config",
        badColumns,
        "--log-dir",
        logDir,
      ], `Cannot read ${badColumns}: line 1: expected 2 columns "host,port", got 1`],
      [
        "config without seeds",
        ["peer", "--port", "6000", "--config", empty, "--log-dir", logDir],
        `Cannot read ${empty}: no seeds listed (expected rows "host,port")`,
      ],
      [
        "mistyped flag",
        ["seed", "--prot", "5000"],
        'Unknown flag --prot for "seed"; did you mean --port? (see gossipnet seed --help)',
      ],
      [
        "mistyped command",
        ["sede", "--port", "5000"],
        'Unknown command "sede": did you mean "seed"? ' +
        "(commands: seed, peer, up, sim, report-dead, report, send, members, status or keygen)",
      ],
      [
        "--host 0.0.0.0 without --advertise",
        ["peer", "--port", "6000", "--host", "0.0.0.0"],
        'Invalid --host "0.0.0.0": it means every interface, which other nodes cannot dial; ' +
        "to listen on every interface, also give --advertise <host:port> " +
        "(the address others reach this node at)",
      ],
      [
        "send with nothing to send",
        ["send", "--peer", "127.0.0.1:6000"],
        "Missing what to send: give <text>, --file <file>, or - to send each line of stdin",
      ],
      [
        "send an oversize file (nothing is sent, nothing dialled)",
        ["send", "--peer", "127.0.0.1:1", "--file", big],
        `Cannot send: --file ${big} is 65266 bytes; a message may carry at most 65265`,
      ],
      [
        "--on-message command that does not exist",
        [
          "peer",
          "--port",
          "6000",
          "--config",
          config,
          "--log-dir",
          logDir,
          "--on-message",
          "no-such-command-xyz --flag",
        ],
        'Invalid --on-message: no command "no-such-command-xyz" on PATH',
      ],
      ["seed not listed in config", [
        "seed",
        "--port",
        "5999",
        "--config",
        config,
        "--log-dir",
        logDir,
      ], `Cannot start seed: 127.0.0.1:5999 is not listed in ${config}`],
      ["seed listed under another host", [
        "seed",
        "--port",
        "5000",
        "--host",
        "127.0.0.2",
        "--config",
        config,
        "--log-dir",
        logDir,
      ], `Cannot start seed: 127.0.0.2:5000 is not listed in ${config}`],
    ];

    // All processes at once; the steps then check them in order.
    const outcomes = cases.map(([, args]) => gossipnet(args));
    for (const [i, [name, args, message]] of cases.entries()) {
      await t.step(name, async () => {
        assertUserError(args, await (outcomes[i] as Promise<Outcome>), message);
      });
    }
    await Promise.allSettled(outcomes);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gossipnet prints help and version on stdout with exit 0", async (t) => {
  const cases: Array<[string[], string]> = [
    [["--help"], programHelp()],
    [["-h"], programHelp()],
    [["help"], programHelp()],
    [["--version"], `gossipnet ${VERSION}\n`],
    [["version"], `gossipnet ${VERSION}\n`],
    ...COMMANDS.map((c): [string[], string] => [[c, "--help"], commandHelp(c) ?? "(none)"]),
    [["help", "peer"], commandHelp("peer") ?? "(none)"],
    [["seed", "--port", "0", "--help"], commandHelp("seed") ?? "(none)"],
  ];
  const outcomes = cases.map(([args]) => gossipnet(args));
  for (const [i, [args, stdout]] of cases.entries()) {
    await t.step(args.join(" "), async () => {
      const outcome = await (outcomes[i] as Promise<Outcome>);
      const context = describe(args, outcome);
      assertEquals(outcome.code, 0, context);
      assertEquals(outcome.stderr, "", context);
      assertEquals(outcome.stdout, stdout, context);
      assert(outcome.stdout.length > 10, context);
    });
  }
  await Promise.allSettled(outcomes);
});

/** The `gossipnet ...` synopsis lines of CONTRACT.md, as flags per command. */
function contractFlags(markdown: string): Map<string, Set<string>> {
  const start = markdown.indexOf("## Commands and flags");
  if (start < 0) throw new Error("CONTRACT.md has no Commands and flags section");
  const section = markdown.slice(start).split("\n").slice(1);
  const flags = new Map<string, Set<string>>();
  let command: string | undefined;
  for (const line of section) {
    if (line.startsWith("|") || line.startsWith("## ")) break;
    if (!line.startsWith("    ")) continue; // only the indented synopsis block
    const head = /^\s{4}gossipnet (\S+)/.exec(line);
    if (head) {
      command = head[1]?.startsWith("-") ? undefined : head[1];
      if (command) flags.set(command, new Set());
    }
    if (!command) continue;
    const set = flags.get(command) as Set<string>;
    for (const match of line.split("#")[0]?.matchAll(/--([a-z][a-z-]*)/g) ?? []) {
      set.add(match[1] as string);
    }
    if (line.includes("[peer timing flags]")) set.add("(peer timing flags)");
  }
  return flags;
}

/** The flag table of CONTRACT.md: flag name -> default cell. */
function contractDefaults(markdown: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const match of markdown.matchAll(/^\| `--([a-z-]+)` \| ([^|]+) \|/gm)) {
    defaults.set(match[1] as string, (match[2] as string).trim());
  }
  return defaults;
}

/** Whether CONTRACT.md sits beside the repository (it does in this project's CI, not on GitHub). */
function contractPresent(): boolean {
  try {
    return Deno.statSync(CONTRACT).isFile;
  } catch {
    return false;
  }
}

Deno.test({
  name: "COMMAND_FLAGS offers every flag of CONTRACT.md",
  ignore: !contractPresent(),
}, async (t) => {
  const markdown = await Deno.readTextFile(CONTRACT);
  const contract = contractFlags(markdown);
  // Every command of the contract exists; the program may offer more.
  for (const command of contract.keys()) {
    assert((COMMANDS as readonly string[]).includes(command), `no command "${command}"`);
  }
  assert(contract.size >= 4, `parsed only ${[...contract.keys()]}`);

  const nodeFlags = new Set(["port", "host", "config", "log-dir"]);
  const peerTiming = [...(contract.get("peer") ?? [])].filter((f) => !nodeFlags.has(f));
  assert(peerTiming.length >= 5, `peer timing flags: ${peerTiming}`);

  for (const [command, names] of contract) {
    await t.step(command, () => {
      const offered = new Set((COMMAND_FLAGS[command] ?? []).map((s) => s.name));
      const wanted = [...names].flatMap((n) => n === "(peer timing flags)" ? peerTiming : [n]);
      assert(wanted.length >= 2, `${command}: parsed only ${wanted}`);
      for (const name of wanted) {
        assert(offered.has(name), `--${name} of "${command}" in CONTRACT.md is not offered`);
      }
    });
  }

  await t.step("defaults in help agree with the flag table", () => {
    const defaults = contractDefaults(markdown);
    assert(defaults.size >= 10, `parsed ${defaults.size} table rows`);
    for (const [name, cell] of defaults) {
      const specs = ["seed", "peer"].flatMap((c) =>
        (COMMAND_FLAGS[c] ?? []).filter((s) => s.name === name)
      );
      assert(specs.length > 0, `--${name} of the table is not a seed or peer flag`);
      for (const spec of specs) {
        if (cell.includes("required")) assertEquals(spec.required, true, `--${name}`);
        else assertEquals(spec.defaultText, cell.replaceAll("`", ""), `--${name}`);
      }
    }
  });
});
