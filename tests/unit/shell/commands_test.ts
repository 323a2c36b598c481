import { assertEquals, assertRejects } from "@std/assert";
import {
  dispatchLine,
  helpText,
  type ParsedLine,
  parseLine,
  type ShellCommand,
  table,
} from "../../../lib/shell/commands.ts";

Deno.test("parseLine() splits a line into a lower-cased name and arguments", async (t) => {
  const cases: Array<[line: string, parsed: ParsedLine]> = [
    ["", { name: "", args: [] }],
    ["   ", { name: "", args: [] }],
    ["\t \r\n", { name: "", args: [] }],
    ["peers", { name: "peers", args: [] }],
    ["  PEERS  ", { name: "peers", args: [] }],
    ["Peers", { name: "peers", args: [] }],
    ["kill p3", { name: "kill", args: ["p3"] }],
    ["KILL\tP3", { name: "kill", args: ["P3"] }], // arguments keep their case
    ["send   127.0.0.1:6001    hello  world ", {
      name: "send",
      args: ["127.0.0.1:6001", "hello", "world"],
    }],
    ["\tstatus\t-v\t", { name: "status", args: ["-v"] }],
    ["?", { name: "?", args: [] }],
  ];
  for (const [line, parsed] of cases) {
    await t.step(JSON.stringify(line), () => {
      assertEquals(parseLine(line), parsed);
    });
  }
});

function commands(calls: Array<readonly string[]>): Record<string, ShellCommand> {
  return {
    peers: { help: "list the neighbours", run: () => "p1\np2\n" },
    kill: {
      help: "stop a node",
      run: (args) => {
        calls.push(args);
        return `killed ${args.join(",")}\n`;
      },
    },
    "dead-report": {
      help: "send a Dead Node report",
      run: (args) => Promise.resolve(`reported ${args.length}\n`),
    },
  };
}

const HELP = [
  "Commands (any case):",
  "  peers        list the neighbours",
  "  kill         stop a node",
  "  dead-report  send a Dead Node report",
  "  help         this list",
  "",
].join("\n");

Deno.test("dispatchLine() runs commands case-insensitively with their arguments", async (t) => {
  const cases: Array<[line: string, output: string, calls: string[][]]> = [
    ["", "", []],
    ["   ", "", []],
    ["peers", "p1\np2\n", []],
    ["  PeErS ", "p1\np2\n", []],
    ["kill", "killed \n", [[]]],
    ["KILL p3 P4", "killed p3,P4\n", [["p3", "P4"]]],
    ["dead-report a b c", "reported 3\n", []], // async commands are awaited
    ["help", HELP, []],
    ["HELP extra args", HELP, []],
    ["?", HELP, []],
    ["frobnicate", 'Unknown command "frobnicate". Type help for the list.\n', []],
    ["FROB x", 'Unknown command "frob". Type help for the list.\n', []],
    // Names come from the table itself, not from Object.prototype.
    ["toString", 'Unknown command "tostring". Type help for the list.\n', []],
    ["constructor", 'Unknown command "constructor". Type help for the list.\n', []],
    ["__proto__", 'Unknown command "__proto__". Type help for the list.\n', []],
    ["hasOwnProperty", 'Unknown command "hasownproperty". Type help for the list.\n', []],
  ];
  for (const [line, output, expectedCalls] of cases) {
    await t.step(JSON.stringify(line), async () => {
      const calls: Array<readonly string[]> = [];
      assertEquals(await dispatchLine(commands(calls), line), output);
      assertEquals(calls, expectedCalls);
    });
  }
});

Deno.test("dispatchLine() passes a command's rejection through", async () => {
  const failing: Record<string, ShellCommand> = {
    boom: { help: "fails", run: () => Promise.reject(new Error("Cannot boom: no fuse")) },
  };
  await assertRejects(() => dispatchLine(failing, "boom"), Error, "Cannot boom: no fuse");
});

Deno.test("helpText() aligns the descriptions after the longest name", async (t) => {
  await t.step("a long command name widens the column", () => {
    assertEquals(helpText(commands([])), HELP);
  });
  await t.step("short names pad to 'help' + 2", () => {
    const text = helpText({ ls: { help: "list", run: () => "" } });
    assertEquals(text, "Commands (any case):\n  ls    list\n  help  this list\n");
  });
  await t.step("an empty table lists help only", () => {
    assertEquals(helpText({}), "Commands (any case):\n  help  this list\n");
  });
});

Deno.test("table() aligns columns under the header", async (t) => {
  const cases: Array<{
    name: string;
    header: string[];
    rows: string[][];
    expected: string[];
  }> = [
    {
      name: "the doc example",
      header: ["peer", "degree"],
      rows: [["127.0.0.1:6001", "2"]],
      expected: ["peer            degree", "127.0.0.1:6001  2"],
    },
    {
      name: "header wider than the cells",
      header: ["neighbour", "rtt", "since"],
      rows: [["a:1", "3", "10:00"], ["bb:22", "145", "9:59"]],
      expected: ["neighbour  rtt  since", "a:1        3    10:00", "bb:22      145  9:59"],
    },
    {
      name: "the last column is not padded",
      header: ["k", "v"],
      rows: [["x", "a long value"], ["y", "s"]],
      expected: ["k  v", "x  a long value", "y  s"],
    },
    {
      name: "an empty last cell leaves no trailing spaces",
      header: ["key", "note"],
      rows: [["127.0.0.1:6001", ""]],
      expected: ["key             note", "127.0.0.1:6001"],
    },
    {
      name: "a short row is padded only as far as its cells go",
      header: ["a", "b", "c"],
      rows: [["1"], ["22", "333", "4"]],
      expected: ["a   b    c", "1", "22  333  4"],
    },
    { name: "no rows", header: ["peer", "degree"], rows: [], expected: ["peer  degree"] },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      assertEquals(table(c.header, c.rows), c.expected.join("\n") + "\n");
    });
  }
});
