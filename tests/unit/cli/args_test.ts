import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  COMMANDS,
  type Invocation,
  parseInvocation,
  type UpInvocation,
} from "../../../lib/cli/args.ts";
import { COMMAND_FLAGS } from "../../../lib/cli/flags.ts";
import { commandHelp, programHelp, VERSION } from "../../../lib/cli/help.ts";
import { UsageError } from "../../../lib/util/errors.ts";

const ALL = "seed, peer, up, sim, report-dead, report, send, members, status or keygen";

function usageError(args: readonly string[]): string {
  return (assertThrows(() => parseInvocation(args), UsageError) as Error).message;
}

Deno.test("parseInvocation() reads seed with every flag", () => {
  assertEquals(
    parseInvocation([
      "seed",
      "--port",
      "5001",
      "--host",
      "10.1.2.3",
      "--config",
      "seeds.csv",
      "--log-dir",
      "/tmp/logs",
      "--max-peers",
      "7",
      "--log-level",
      "debug",
      "--exit-on-stdin-close",
    ]),
    {
      command: "seed",
      host: "10.1.2.3",
      port: 5001,
      configPath: "seeds.csv",
      logDir: "/tmp/logs",
      logLevel: "debug",
      exitOnStdinClose: true,
      tuning: { maxPeers: 7 },
    },
  );
});

Deno.test("parseInvocation() reads seed defaults", () => {
  assertEquals(parseInvocation(["seed", "--port", "5000"]), {
    command: "seed",
    host: "127.0.0.1",
    port: 5000,
    configPath: "config.csv",
    logDir: "logs",
    logLevel: "info",
    exitOnStdinClose: false,
    tuning: {},
  });
});

Deno.test("parseInvocation() reads peer with every flag", () => {
  assertEquals(
    parseInvocation([
      "peer",
      "--port=6001",
      "--host=::1",
      "--config=c.csv",
      "--log-dir=out",
      "--max-neighbors=3",
      "--gossip-interval=1.5s",
      "--gossip-count=0",
      "--ping-interval=250ms",
      "--ping-misses=5",
      "--max-inbound=0",
      "--repair-interval=2m",
      "--log-level=warning",
      "--exit-on-stdin-close",
    ]),
    {
      command: "peer",
      host: "::1",
      port: 6001,
      configPath: "c.csv",
      logDir: "out",
      logLevel: "warning",
      exitOnStdinClose: true,
      tuning: {
        maxNeighbors: 3,
        gossipIntervalMs: 1_500,
        gossipCount: 0,
        pingIntervalMs: 250,
        pingMisses: 5,
        maxInbound: 0,
        repairIntervalMs: 120_000,
      },
    },
  );
});

Deno.test("parseInvocation() reads peer defaults", () => {
  assertEquals(parseInvocation(["peer", "--port", "6000"]), {
    command: "peer",
    host: "127.0.0.1",
    port: 6000,
    configPath: "config.csv",
    logDir: "logs",
    logLevel: "info",
    exitOnStdinClose: false,
    tuning: {},
  });
});

Deno.test("parseInvocation() accepts flags in any order", () => {
  assertEquals(
    parseInvocation(["peer", "--gossip-count", "2", "--port", "6000", "--host", "localhost"]),
    parseInvocation(["peer", "--host", "localhost", "--port", "6000", "--gossip-count", "2"]),
  );
});

Deno.test("parseInvocation() reads up with every flag", () => {
  assertEquals(
    parseInvocation([
      "up",
      "--seeds",
      "2",
      "--peers",
      "5",
      "--base-port",
      "7000",
      "--log-dir",
      "runs/a",
      "--duration",
      "45s",
      "--config",
      "mine.csv",
      "--host",
      "127.0.0.2",
      "--max-neighbors",
      "2",
      "--gossip-interval",
      "2s",
      "--gossip-count",
      "4",
      "--ping-interval",
      "1s",
      "--ping-misses",
      "2",
      "--max-inbound",
      "9",
      "--repair-interval",
      "300",
      "--ui",
      "127.0.0.1:0",
      "--verbose",
      "--in-process",
    ]),
    {
      command: "up",
      seeds: 2,
      peers: 5,
      basePort: 7000,
      host: "127.0.0.2",
      logDir: "runs/a",
      durationMs: 45_000,
      configPath: "mine.csv",
      // In flag-table order, durations normalised to milliseconds.
      peerArgs: [
        "--max-neighbors",
        "2",
        "--gossip-interval",
        "2000ms",
        "--gossip-count",
        "4",
        "--ping-interval",
        "1000ms",
        "--ping-misses",
        "2",
        "--max-inbound",
        "9",
        "--repair-interval",
        "300ms",
      ],
      peerTuning: {
        maxNeighbors: 2,
        gossipIntervalMs: 2_000,
        gossipCount: 4,
        pingIntervalMs: 1_000,
        pingMisses: 2,
        maxInbound: 9,
        repairIntervalMs: 300,
      },
      ui: { host: "127.0.0.1", port: 0 },
      verbose: true,
      secure: false,
      inProcess: true,
      inProcessByDefault: false,
    },
  );
});

Deno.test("parseInvocation() gives --host in canonical form", () => {
  const seed = parseInvocation(["seed", "--port", "1", "--host", "0:0:0:0:0:0:0:1"]);
  const up = parseInvocation(["up", "--host", "Node-7.Example"]);
  assertEquals(
    [seed.command === "seed" && seed.host, up.command === "up" && up.host],
    ["::1", "node-7.example"],
  );
});

Deno.test("parseInvocation() reads --ui with or without an address", () => {
  const ui = (args: string[]) => (parseInvocation(["up", ...args]) as UpInvocation).ui;
  assertEquals(ui([]), undefined);
  assertEquals(ui(["--ui"]), { host: "127.0.0.1", port: 8080 });
  assertEquals(ui(["--ui", "--peers", "2"]), { host: "127.0.0.1", port: 8080 });
  assertEquals(ui(["--ui", "9000"]), { host: "127.0.0.1", port: 9000 });
  assertEquals(ui(["--ui", "0.0.0.0:8081"]), { host: "0.0.0.0", port: 8081 });
  assertEquals(
    usageError(["up", "--ui", "nowhere"]),
    'Invalid --ui: expected host:port (port 0: any free port), got "nowhere"',
  );
});

Deno.test("parseInvocation() reads report with its log directory", () => {
  // Without -o, report.ts picks the default once it knows a directory from a file.
  assertEquals(parseInvocation(["report", "logs/run-1/"]), {
    command: "report",
    logDir: "logs/run-1/",
  });
  assertEquals(parseInvocation(["report", "logs/a", "-o", "a.html"]), {
    command: "report",
    logDir: "logs/a",
    output: "a.html",
  });
  assertEquals(parseInvocation(["report", "--output", "b.html", "logs/b"]), {
    command: "report",
    logDir: "logs/b",
    output: "b.html",
  });
  assertEquals(
    usageError(["report"]),
    'Missing <log-dir> or <result.json>: required for "report" (see gossipnet report --help)',
  );
  assertEquals(
    usageError(["report", "a", "b"]),
    'Unexpected argument "b" for "report" (see gossipnet report --help)',
  );
});

Deno.test("parseInvocation() reads up defaults", () => {
  assertEquals(parseInvocation(["up"]), {
    command: "up",
    seeds: 3,
    peers: 10,
    basePort: 5000,
    host: "127.0.0.1",
    logDir: undefined,
    durationMs: undefined,
    configPath: undefined,
    peerArgs: [],
    peerTuning: {},
    ui: undefined,
    verbose: false,
    secure: false,
    inProcess: false,
    inProcessByDefault: false,
  });
});

Deno.test("parseInvocation() runs up in-process above 64 peers unless told --processes", async (t) => {
  const mode = (args: string[]) => {
    const up = parseInvocation(["up", ...args]);
    if (up.command !== "up") throw new Error(`expected up, got ${up.command}`);
    return [up.inProcess, up.inProcessByDefault];
  };
  await t.step("64 peers: processes", () => assertEquals(mode(["--peers", "64"]), [false, false]));
  await t.step("65 peers: in-process, by default", () => {
    assertEquals(mode(["--peers", "65"]), [true, true]);
  });
  await t.step("--in-process at any size", () => {
    assertEquals(mode(["--peers", "2", "--in-process"]), [true, false]);
    assertEquals(mode(["--peers", "1000", "--in-process"]), [true, false]);
  });
  await t.step("--processes above 64", () => {
    assertEquals(mode(["--peers", "100", "--processes"]), [false, false]);
  });
  await t.step("not both", () => {
    assertThrows(() => parseInvocation(["up", "--in-process", "--processes"]), UsageError);
  });
});

Deno.test("parseInvocation() takes up --workers for in-process nodes only", async (t) => {
  const workers = (args: string[]) => {
    const up = parseInvocation(["up", ...args]);
    if (up.command !== "up") throw new Error(`expected up, got ${up.command}`);
    return up.workers;
  };
  await t.step("unset: up chooses", () => assertEquals(workers(["--in-process"]), undefined));
  await t.step("with --in-process", () => {
    assertEquals(workers(["--in-process", "--workers", "2"]), 2);
  });
  await t.step("in-process by default", () => {
    assertEquals(workers(["--peers", "100", "--workers", "3"]), 3);
  });
  await t.step("for processes: refused, with the reason", () => {
    const error = assertThrows(() => parseInvocation(["up", "--workers", "2"]), UsageError);
    assertEquals(error.message, "--workers is for in-process nodes: give --in-process too");
  });
  await t.step("out of range", () => {
    assertThrows(() => parseInvocation(["up", "--in-process", "--workers", "0"]), UsageError);
    assertThrows(() => parseInvocation(["up", "--in-process", "--workers", "two"]), UsageError);
  });
});

Deno.test("parseInvocation() passes up's peer args back through the peer parser", () => {
  const up = parseInvocation(["up", "--gossip-interval", "1.5s", "--ping-misses", "4"]);
  if (up.command !== "up") throw new Error(`expected up, got ${up.command}`);
  const peer = parseInvocation(["peer", "--port", "6000", ...up.peerArgs]);
  if (peer.command !== "peer") throw new Error(`expected peer, got ${peer.command}`);
  assertEquals(peer.tuning, up.peerTuning);
  assertEquals(peer.tuning, { gossipIntervalMs: 1_500, pingMisses: 4 });
});

Deno.test("parseInvocation() reads report-dead", async (t) => {
  await t.step("every flag", () => {
    assertEquals(
      parseInvocation([
        "report-dead",
        "--seed",
        "127.0.0.1:5000",
        "--dead",
        "[::1]:6001",
        "--timeout",
        "3s",
      ]),
      {
        command: "report-dead",
        seed: { host: "127.0.0.1", port: 5000 },
        dead: { host: "::1", port: 6001 },
        timeoutMs: 3_000,
      },
    );
  });
  await t.step("default timeout", () => {
    assertEquals(
      parseInvocation(["report-dead", "--dead", "peer.example:7000", "--seed", "10.0.0.1:1"]),
      {
        command: "report-dead",
        seed: { host: "10.0.0.1", port: 1 },
        dead: { host: "peer.example", port: 7000 },
        timeoutMs: 10_000,
      },
    );
  });
});

Deno.test("parseInvocation() reads help and version forms", async (t) => {
  const cases: Array<[string[], Invocation]> = [
    [["--help"], { command: "help", topic: undefined }],
    [["-h"], { command: "help", topic: undefined }],
    [["help"], { command: "help", topic: undefined }],
    [["help", "peer"], { command: "help", topic: "peer" }],
    [["help", "nonsense"], { command: "help", topic: "nonsense" }],
    [["--version"], { command: "version" }],
    [["-V"], { command: "version" }],
    [["version"], { command: "version" }],
    [["seed", "--help"], { command: "help", topic: "seed" }],
    [["peer", "-h"], { command: "help", topic: "peer" }],
    [["up", "--help"], { command: "help", topic: "up" }],
    [["report-dead", "--help"], { command: "help", topic: "report-dead" }],
    // Help wins over anything else on the line, even errors.
    [["seed", "--port", "0", "--help"], { command: "help", topic: "seed" }],
    [["peer", "--bogus", "--help"], { command: "help", topic: "peer" }],
  ];
  for (const [args, expected] of cases) {
    await t.step(args.join(" "), () => {
      assertEquals(parseInvocation(args), expected);
    });
  }
});

Deno.test("parseInvocation() throws UsageError naming the problem", async (t) => {
  const cases: Array<[string[], string]> = [
    [[], `Missing command: expected ${ALL} (see gossipnet --help)`],
    [["launch"], `Unknown command "launch": expected ${ALL}`],
    [["Seed", "--port", "1"], `Unknown command "Seed": did you mean "seed"? (commands: ${ALL})`],
    [["stauts"], `Unknown command "stauts": did you mean "status"? (commands: ${ALL})`],
    [["--port", "5000"], "Unknown flag --port: flags follow a command (see gossipnet --help)"],
    // Unknown flags.
    [
      ["seed", "--port", "5000", "--bogus"],
      'Unknown flag --bogus for "seed" (see gossipnet seed --help)',
    ],
    [
      ["seed", "--port", "5000", "--bogus=3"],
      'Unknown flag --bogus for "seed" (see gossipnet seed --help)',
    ],
    [["seed", "-p", "5000"], 'Unknown flag -p for "seed" (see gossipnet seed --help)'],
    // A negative number after a flag is that flag's (bad) value, not a flag.
    [["seed", "--port", "-1"], 'Invalid --port: expected a port 1-65535, got "-1"'],
    [["sim", "--peers", "-5"], 'Invalid --peers: expected a whole number 1-1000000, got "-5"'],
    [
      ["sim", "--peers", "5", "--until", "-1s"],
      'Invalid --until: expected a duration such as 200, 200ms, 1.5s or 2m, got "-1s"',
    ],
    [
      ["sim", "--seeds", "3", "--peers", "-3", "--origins", "-3"],
      'Invalid --peers: expected a whole number 1-1000000, got "-3"',
    ],
    [["sim", "--peers", "5", "-6"], 'Unknown flag -6 for "sim" (see gossipnet sim --help)'],
    [
      ["seed", "--port", "5000", "--max-neighbors", "3"],
      'Unknown flag --max-neighbors for "seed" (see gossipnet seed --help)',
    ],
    [
      ["peer", "--port", "5000", "--max-peers", "3"],
      'Unknown flag --max-peers for "peer" (see gossipnet peer --help)',
    ],
    [
      ["up", "--port", "5000"],
      'Unknown flag --port for "up"; did you mean --base-port? (see gossipnet up --help)',
    ],
    [
      ["peer", "--port", "1", "--gosip-count", "2"],
      'Unknown flag --gosip-count for "peer"; did you mean --gossip-count? (see gossipnet peer --help)',
    ],
    [["seed", "--port", "1", "--xyz"], 'Unknown flag --xyz for "seed" (see gossipnet seed --help)'],
    [
      ["peer", "--port", "1", "--host", "0.0.0.0"],
      'Invalid --host "0.0.0.0": it means every interface, which other nodes cannot dial; to ' +
      "listen on every interface, also give --advertise <host:port> (the address others " +
      "reach this node at)",
    ],
    [
      ["seed", "--port", "1", "--advertise", "[::]:5000"],
      "Invalid --advertise [::]:5000: it means every interface, which other nodes cannot dial; to " +
      "listen on every interface, also give --advertise <host:port> (the address others " +
      "reach this node at)",
    ],
    [
      ["send", "--peer", "127.0.0.1:1"],
      "Missing what to send: give <text>, --file <file>, or - to send each line of stdin",
    ],
    [
      ["send", "--peer", "127.0.0.1:1", "--file", "f", "x"],
      "Give send either <text> or --file, not both",
    ],
    [["send", "x"], 'Missing --peer: required for "send"'],
    [["members", "--seed", "nowhere"], 'Invalid --seed: expected host:port, got "nowhere"'],
    [["status"], 'Missing --node: required for "status"'],
    // Missing required flags.
    [["seed"], 'Missing --port: required for "seed"'],
    [["peer", "--host", "127.0.0.1"], 'Missing --port: required for "peer"'],
    [["report-dead", "--dead", "127.0.0.1:6000"], 'Missing --seed: required for "report-dead"'],
    [["report-dead", "--seed", "127.0.0.1:5000"], 'Missing --dead: required for "report-dead"'],
    // Ports.
    [["seed", "--port", "0"], 'Invalid --port: expected a port 1-65535, got "0"'],
    [["seed", "--port", "70000"], 'Invalid --port: expected a port 1-65535, got "70000"'],
    [["seed", "--port", "65536"], 'Invalid --port: expected a port 1-65535, got "65536"'],
    [["peer", "--port", "abc"], 'Invalid --port: expected a port 1-65535, got "abc"'],
    [["peer", "--port", "5000.5"], 'Invalid --port: expected a port 1-65535, got "5000.5"'],
    [["peer", "--port", "0x10"], 'Invalid --port: expected a port 1-65535, got "0x10"'],
    [["seed", "--port="], 'Invalid --port: expected a value (<port>), got ""'],
    [["seed", "--port"], 'Invalid --port: expected a value (<port>), got ""'],
    [["up", "--base-port", "0"], 'Invalid --base-port: expected a port 1-65535, got "0"'],
    // Other values.
    [
      ["seed", "--port", "1", "--host", "999.1.1.1"],
      'Invalid --host: expected an IP address or host name, got "999.1.1.1"',
    ],
    [
      ["seed", "--port", "1", "--host", "0.0.0.0"],
      'Invalid --host "0.0.0.0": it means every interface, which other nodes cannot dial; to listen on every interface, also give --advertise <host:port> (the address others reach this node at)',
    ],
    [
      ["peer", "--port", "1", "--host", "0::"],
      'Invalid --host "::": it means every interface, which other nodes cannot dial; to listen on every interface, also give --advertise <host:port> (the address others reach this node at)',
    ],
    [
      ["up", "--host", "::"],
      'Invalid --host "::": it means every interface, which other nodes cannot dial; to listen on every interface, also give --advertise <host:port> (the address others reach this node at)',
    ],
    [
      ["up", "--host", "0.0.0.0", "--advertise", "0.0.0.0:5000"],
      "Invalid --advertise 0.0.0.0:5000: it means every interface, which other nodes cannot dial; to listen on every interface, also give --advertise <host:port> (the address others reach this node at)",
    ],
    [
      ["peer", "--port", "1", "--host", "bad\u001bhost"],
      'Invalid --host: expected an IP address or host name, got "bad\\u001bhost"',
    ],
    [
      ["peer", "--port", "1", "--\u001b[2J"],
      'Unknown flag "--\\u001b[2J" for "peer" (see gossipnet peer --help)',
    ],
    [
      ["seed", "--port", "1", "--log-level", "loud"],
      'Invalid --log-level: expected debug, info, warning, error, got "loud"',
    ],
    [
      ["seed", "--port", "1", "--log-dir="],
      'Invalid --log-dir: expected a value (<dir>), got ""',
    ],
    [
      ["report-dead", "--seed", "127.0.0.1", "--dead", "127.0.0.1:6000"],
      'Invalid --seed: expected host:port, got "127.0.0.1"',
    ],
    [
      ["report-dead", "--seed", "127.0.0.1:5000", "--dead", "127.0.0.1:0"],
      'Invalid --dead: expected host:port, got "127.0.0.1:0"',
    ],
    // Durations.
    [
      ["peer", "--port", "1", "--gossip-interval", "soon"],
      'Invalid --gossip-interval: expected a duration such as 200, 200ms, 1.5s or 2m, got "soon"',
    ],
    [
      ["peer", "--port", "1", "--ping-interval", "5sec"],
      'Invalid --ping-interval: expected a duration such as 200, 200ms, 1.5s or 2m, got "5sec"',
    ],
    [
      ["peer", "--port", "1", "--gossip-interval", "0"],
      'Invalid --gossip-interval: expected a duration of 1ms to 86400000ms, got "0"',
    ],
    [
      ["peer", "--port", "1", "--ping-interval", "25h"],
      'Invalid --ping-interval: expected a duration of 1ms to 86400000ms, got "25h"',
    ],
    [
      ["up", "--duration", "8d"],
      'Invalid --duration: expected a duration such as 200, 200ms, 1.5s or 2m, got "8d"',
    ],
    [
      ["up", "--duration", "0s"],
      'Invalid --duration: expected a duration of 1ms to 604800000ms, got "0s"',
    ],
    [
      ["report-dead", "--seed", "a:1", "--dead", "b:2", "--timeout", "11m"],
      'Invalid --timeout: expected a duration of 1ms to 600000ms, got "11m"',
    ],
    // Counts.
    [
      ["peer", "--port", "1", "--max-neighbors", "0"],
      'Invalid --max-neighbors: expected a whole number 1-64, got "0"',
    ],
    [
      ["peer", "--port", "1", "--max-neighbors", "65"],
      'Invalid --max-neighbors: expected a whole number 1-64, got "65"',
    ],
    [
      ["peer", "--port", "1", "--gossip-count", "2.5"],
      'Invalid --gossip-count: expected a whole number 0-1000000, got "2.5"',
    ],
    [
      ["peer", "--port", "1", "--ping-misses", "three"],
      'Invalid --ping-misses: expected a whole number 1-1000, got "three"',
    ],
    [
      ["seed", "--port", "1", "--max-peers", "1e3"],
      'Invalid --max-peers: expected a whole number 0-1000000000, got "1e3"',
    ],
    [["up", "--seeds", "0"], 'Invalid --seeds: expected a whole number 1-100, got "0"'],
    [["up", "--peers", "1001"], 'Invalid --peers: expected a whole number 0-1000, got "1001"'],
    // Repeated flags.
    [["seed", "--port", "5000", "--port", "5001"], "Flag --port given 2 times; give it once"],
    [
      ["peer", "--port", "1", "--gossip-count", "1", "--gossip-count=1", "--gossip-count", "1"],
      "Flag --gossip-count given 3 times; give it once",
    ],
    [["up", "--peers", "1", "--peers", "1"], "Flag --peers given 2 times; give it once"],
    // Stray positionals.
    [
      ["seed", "--port", "5000", "extra"],
      'Unexpected argument "extra" for "seed" (see gossipnet seed --help)',
    ],
    [["up", "now"], 'Unexpected argument "now" for "up" (see gossipnet up --help)'],
    [
      ["seed", "--port", "5000", "--exit-on-stdin-close", "yes"],
      'Unexpected argument "yes" for "seed" (see gossipnet seed --help)',
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" ") || "(no arguments)", () => {
      assertEquals(usageError(args), message);
    });
  }
});

Deno.test("parseInvocation() rejects arguments after --", () => {
  // parseArgs puts everything after "--" into `_` without calling `unknown`,
  // so a stray argument there would be dropped without a word.
  assertEquals(
    usageError(["seed", "--port", "5000", "--", "extra"]),
    'Unexpected argument "extra" for "seed" (see gossipnet seed --help)',
  );
});

Deno.test("parseInvocation() messages are single lines", () => {
  for (const args of [[], ["x"], ["seed"], ["seed", "--port", "0"], ["up", "--seeds", "x"]]) {
    assertEquals(usageError(args).includes("\n"), false, args.join(" "));
  }
});

Deno.test("commandHelp() lists every flag of its command", async (t) => {
  for (const command of COMMANDS) {
    await t.step(command, () => {
      const help = commandHelp(command);
      if (help === undefined) throw new Error(`no help for ${command}`);
      const specs = COMMAND_FLAGS[command] ?? [];
      assert(specs.length > 0 || command === "keygen", command);
      for (const spec of specs) {
        assert(
          new RegExp(`^  --${spec.name}(\\s|$)`, "m").test(help),
          `--${spec.name} missing from ${command} help`,
        );
        if (spec.required) assert(help.includes(`${spec.help} (required)`), spec.name);
        else if (spec.defaultText) {
          assert(help.includes(`(default: ${spec.defaultText})`), spec.name);
        }
      }
      assert(help.startsWith(`gossipnet ${command}: `), help);
      assert(help.includes("--help"), help);
      assert(help.endsWith("\n"), command);
    });
  }
});

Deno.test("commandHelp() words the peer flags for every peer where up and sim set them", () => {
  const line = (command: string, flag: string) =>
    commandHelp(command)!.split("\n").find((l) => l.trimStart().startsWith(`--${flag} `))!;
  assert(line("peer", "gossip-count").includes("this peer generates"));
  assert(line("up", "gossip-count").includes("each peer generates"));
  assert(line("up", "gossip-interval").includes("each peer's own"));
  assert(line("sim", "gossip-count").includes("each peer generates, one per --gossip-interval"));
  for (const command of ["up", "sim"]) {
    assert(!commandHelp(command)!.includes("this peer"), `${command} --help says "this peer"`);
  }
});

Deno.test("commandHelp() is undefined for an unknown command", () => {
  assertEquals(commandHelp("launch"), undefined);
  assertEquals(commandHelp("help"), undefined);
});

Deno.test("COMMAND_FLAGS has exactly the commands of COMMANDS", () => {
  assertEquals(Object.keys(COMMAND_FLAGS).sort(), [...COMMANDS].sort());
  for (const command of COMMANDS) {
    const names = (COMMAND_FLAGS[command] ?? []).map((s) => s.name);
    assertEquals(new Set(names).size, names.length, `${command} declares a flag twice`);
    assert(!names.includes("help"), `${command} declares --help`);
  }
});

Deno.test("programHelp() names every command, --help and --version", () => {
  const help = programHelp();
  for (const command of COMMANDS) assert(help.includes(`gossipnet ${command} `), command);
  assert(help.includes("--version"));
  assert(help.includes("--help"));
  assert(help.startsWith(`gossipnet ${VERSION}: `));
  assert(/^\d+\.\d+\.\d+/.test(VERSION), VERSION);
});

Deno.test("parseInvocation() reads send, members and status", () => {
  const peer = { host: "127.0.0.1", port: 6001 };
  const send = (...rest: string[]) =>
    parseInvocation(["send", "--peer", "127.0.0.1:6001", ...rest]);
  assertEquals(send("hello", "world"), {
    command: "send",
    peer,
    source: { from: "text", text: "hello world" },
    timeoutMs: 5000,
  });
  assertEquals(send("-"), { command: "send", peer, source: { from: "stdin" }, timeoutMs: 5000 });
  assertEquals(send("--", "-5 degrees"), {
    command: "send",
    peer,
    source: { from: "text", text: "-5 degrees" },
    timeoutMs: 5000,
  });
  assertEquals(send("--file", "a.bin", "--timeout", "1s"), {
    command: "send",
    peer,
    source: { from: "file", path: "a.bin" },
    timeoutMs: 1000,
  });
  assertEquals(parseInvocation(["members", "--seed", "127.0.0.1:5000", "--json"]), {
    command: "members",
    node: { host: "127.0.0.1", port: 5000 },
    json: true,
    timeoutMs: 5000,
  });
  assertEquals(parseInvocation(["status", "--node", "[::1]:6001"]), {
    command: "status",
    node: { host: "::1", port: 6001 },
    json: false,
    timeoutMs: 5000,
  });
});

Deno.test("parseInvocation() reads --advertise, --metrics and --on-message", () => {
  const peer = parseInvocation([
    "peer",
    "--port",
    "6001",
    "--host",
    "0.0.0.0",
    "--advertise",
    "203.0.113.7:16001",
    "--metrics",
    "127.0.0.1:9101",
    "--on-message",
    "cat >> inbox.txt",
  ]);
  assert(peer.command === "peer");
  if (peer.command !== "peer") return;
  assertEquals(peer.host, "0.0.0.0");
  assertEquals(peer.advertise, { host: "203.0.113.7", port: 16001 });
  assertEquals(peer.metrics, { host: "127.0.0.1", port: 9101 });
  assertEquals(peer.onMessage, "cat >> inbox.txt");
  const up = parseInvocation(["up", "--metrics", "127.0.0.1:9100"]);
  if (up.command !== "up") throw new Error(up.command);
  assertEquals(up.metrics, { host: "127.0.0.1", port: 9100 });
});

Deno.test("parseInvocation() takes --key-file on every command that connects", () => {
  const commands: [string, ...string[]][] = [
    ["seed", "--port", "5000"],
    ["peer", "--port", "5001"],
    ["up"],
    ["report-dead", "--seed", "127.0.0.1:5000", "--dead", "127.0.0.1:5001"],
    ["send", "--peer", "127.0.0.1:5001", "hi"],
    ["members", "--seed", "127.0.0.1:5000"],
    ["status", "--node", "127.0.0.1:5000"],
  ];
  for (const args of commands) {
    const inv = parseInvocation([...args, "--key-file", "net.key"]) as { keyFile?: string };
    assertEquals(inv.keyFile, "net.key", args[0]);
    assert(!("keyFile" in parseInvocation(args)), args[0]);
  }
  assertEquals(usageError(["report", "logs", "--key-file", "k"]).split(" ").slice(0, 3), [
    "Unknown",
    "flag",
    "--key-file",
  ]);
});

Deno.test("parseInvocation() reads up --secure, which excludes --key-file", () => {
  assertEquals((parseInvocation(["up", "--secure"]) as UpInvocation).secure, true);
  assertEquals(
    usageError(["up", "--secure", "--key-file", "k"]),
    "Give up either --secure (a new key) or --key-file, not both",
  );
});

Deno.test("parseInvocation() reads keygen, which takes nothing", () => {
  assertEquals(parseInvocation(["keygen"]), { command: "keygen" });
  assert(usageError(["keygen", "extra"]).startsWith('Unexpected argument "extra" for "keygen"'));
  assert(usageError(["keygen", "--port", "1"]).startsWith("Unknown flag --port"));
});
