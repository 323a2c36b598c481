import { assertEquals, assertThrows } from "@std/assert";
import { isListedSeed, parseSeedList, quorumSize } from "../../../lib/config/seed_list.ts";
import type { Address } from "../../../lib/util/address.ts";
import { ConfigError } from "../../../lib/util/errors.ts";

const A: Address = { host: "127.0.0.1", port: 5000 };
const B: Address = { host: "127.0.0.1", port: 5001 };

function seedListError(text: string, file?: string): string {
  const error = assertThrows(
    () => parseSeedList(text, file === undefined ? {} : { file }),
    ConfigError,
  ) as Error;
  return error.message;
}

Deno.test("parseSeedList() reads the accepted layouts", async (t) => {
  const cases: Array<[string, string, Address[]]> = [
    ["plain rows", "127.0.0.1,5000\n127.0.0.1,5001\n", [A, B]],
    ["no final newline", "127.0.0.1,5000\n127.0.0.1,5001", [A, B]],
    ["header", "host,port\n127.0.0.1,5000\n", [A]],
    ["header in upper case", "HOST,PORT\n127.0.0.1,5000\n", [A]],
    ["header in mixed case with spaces", "  Host , Port  \n127.0.0.1,5000\n", [A]],
    ["header after comments and blank lines", "# seeds\n\nhost,port\n127.0.0.1,5000\n", [A]],
    ["blank and whitespace-only lines", "\n\n127.0.0.1,5000\n   \n\t\n127.0.0.1,5001\n\n", [
      A,
      B,
    ]],
    ["comments", "# seed list\n127.0.0.1,5000\n  # indented comment, 1.2.3.4,9\n", [A]],
    ["CRLF line ends", "host,port\r\n127.0.0.1,5000\r\n127.0.0.1,5001\r\n", [A, B]],
    ["byte order mark", "\uFEFFhost,port\n127.0.0.1,5000\n", [A]],
    ["byte order mark before a row", "\uFEFF127.0.0.1,5000\r\n", [A]],
    ["quoted fields", '"127.0.0.1","5000"\n"127.0.0.1",5001\n', [A, B]],
    ["quoted header", '"host","port"\n127.0.0.1,5000\n', [A]],
    ["whitespace around fields", "  127.0.0.1 ,  5000  \n\t127.0.0.1\t,\t5001\t\n", [A, B]],
    ["quoted field then space", '"127.0.0.1", 5000\n', [A]],
    ["hosts in canonical form", "0:0:0:0:0:0:0:1,5000\nSeed.Example,1\n", [
      { host: "::1", port: 5000 },
      { host: "seed.example", port: 1 },
    ]],
    ["IPv6 and names", "::1,5000\nseed-1.example.org,65535\n10.0.0.1,1\n", [
      { host: "::1", port: 5000 },
      { host: "seed-1.example.org", port: 65535 },
      { host: "10.0.0.1", port: 1 },
    ]],
    ["leading zeros in port", "127.0.0.1,05000\n", [A]],
    ["same host, other ports", "127.0.0.1,5000\n127.0.0.1,5001\n", [A, B]],
    ["same port, other hosts", "127.0.0.1,5000\n127.0.0.2,5000\n", [
      A,
      { host: "127.0.0.2", port: 5000 },
    ]],
  ];
  for (const [name, text, expected] of cases) {
    await t.step(name, () => {
      assertEquals(parseSeedList(text), expected);
    });
  }
});

Deno.test("parseSeedList() names the file, line and problem", async (t) => {
  const cases: Array<[string, string, string]> = [
    [
      "bad IPv4 host",
      "127.0.0.1,5000\n999.1.1.1,5001\n",
      'line 2: host must be an IP address or host name, got "999.1.1.1"',
    ],
    [
      "host with a space",
      "bad host,5000\n",
      'line 1: host must be an IP address or host name, got "bad host"',
    ],
    [
      "empty host",
      ",5000\n",
      'line 1: host must be an IP address or host name, got ""',
    ],
    ["port 0", "127.0.0.1,0\n", 'line 1: port must be 1-65535, got "0"'],
    ["port 70000", "127.0.0.1,70000\n", 'line 1: port must be 1-65535, got "70000"'],
    ["port 65536", "127.0.0.1,65536\n", 'line 1: port must be 1-65535, got "65536"'],
    ["port abc", "127.0.0.1,abc\n", 'line 1: port must be 1-65535, got "abc"'],
    ["empty port", "127.0.0.1,\n", 'line 1: port must be 1-65535, got ""'],
    ["negative port", "127.0.0.1,-1\n", 'line 1: port must be 1-65535, got "-1"'],
    ["fractional port", "127.0.0.1,50.5\n", 'line 1: port must be 1-65535, got "50.5"'],
    ["six-digit port", "127.0.0.1,000080\n", 'line 1: port must be 1-65535, got "000080"'],
    ["one column", "127.0.0.1\n", 'line 1: expected 2 columns "host,port", got 1'],
    [
      "three columns",
      "127.0.0.1,5000,extra\n",
      'line 1: expected 2 columns "host,port", got 3',
    ],
    [
      "host:port in one column",
      "host,port\n127.0.0.1:5000\n",
      'line 2: expected 2 columns "host,port", got 1',
    ],
    [
      "header with a third column",
      "host,port,name\n127.0.0.1,5000\n",
      'line 1: expected 2 columns "host,port", got 3',
    ],
    [
      "header repeated later",
      "host,port\n127.0.0.1,5000\nhost,port\n",
      'line 3: port must be 1-65535, got "port"',
    ],
    [
      "duplicate seed names the first line",
      "host,port\n127.0.0.1,5000\n# spare\n127.0.0.1,5001\n127.0.0.1,5000\n",
      "line 5: duplicate seed 127.0.0.1:5000 (first on line 2)",
    ],
    [
      "duplicate seed with another spelling of the port",
      "127.0.0.1,5000\n127.0.0.1,05000\n",
      "line 2: duplicate seed 127.0.0.1:5000 (first on line 1)",
    ],
    [
      "duplicate IPv6 seed",
      "::1,5000\n::1,5000\n",
      "line 2: duplicate seed [::1]:5000 (first on line 1)",
    ],
    [
      "duplicate IPv6 seed spelt another way",
      "::1,5000\n0:0:0:0:0:0:0:1,5000\n",
      "line 2: duplicate seed [::1]:5000 (first on line 1)",
    ],
    [
      "duplicate name in another case",
      "seed.example,5000\nSEED.example,5000\n",
      "line 2: duplicate seed seed.example:5000 (first on line 1)",
    ],
    [
      "unspecified IPv4 seed",
      "0.0.0.0,5000\n",
      "line 1: host 0.0.0.0 is the unspecified address, which peers cannot dial; list the seed's own address",
    ],
    [
      "unspecified IPv6 seed",
      "host,port\n0::0,5000\n",
      "line 2: host 0::0 is the unspecified address, which peers cannot dial; list the seed's own address",
    ],
    [
      "binary bytes are quoted",
      "\u0000\u0001\u001b[2J,\ufffd\n",
      'line 1: not text (control or invalid UTF-8 bytes; a binary file?): "\\u0000\\u0001\\u001b[2J,\ufffd"',
    ],
    [
      "a long bad host is cut short",
      `${"a".repeat(100)} b,5000\n`,
      `line 1: host must be an IP address or host name, got "${"a".repeat(60)}…"`,
    ],
    [
      "line numbers count CRLF, blank and comment lines",
      "# a\r\n\r\n127.0.0.1,5000\r\n\r\n127.0.0.1,x\r\n",
      'line 5: port must be 1-65535, got "x"',
    ],
    [
      "unterminated quote",
      '"127.0.0.1,5000\n',
      'line 1: not valid CSV (extraneous or missing " in quoted-field)',
    ],
    [
      "bare quote",
      'a"b,5000\n',
      'line 1: not valid CSV (bare " in non-quoted-field)',
    ],
    [
      "text after a closing quote",
      '"127.0.0.1"x,5000\n',
      'line 1: not valid CSV (extraneous or missing " in quoted-field)',
    ],
  ];
  for (const [name, text, problem] of cases) {
    await t.step(name, () => {
      assertEquals(seedListError(text), `Cannot read config.csv: ${problem}`);
    });
  }
});

Deno.test("parseSeedList() rejects a list without seeds", async (t) => {
  const cases: Array<[string, string]> = [
    ["empty file", ""],
    ["only a newline", "\n"],
    ["only a byte order mark", "\uFEFF"],
    ["only blank lines", "\n  \n\r\n\t\n"],
    ["only comments", "# nothing here\n#127.0.0.1,5000\n"],
    ["only a header", "host,port\n"],
    ["header and comments", "host,port\n# 127.0.0.1,5000\n\n"],
  ];
  for (const [name, text] of cases) {
    await t.step(name, () => {
      assertEquals(
        seedListError(text),
        'Cannot read config.csv: no seeds listed (expected rows "host,port")',
      );
    });
  }
});

Deno.test("parseSeedList() uses the file name it is given", () => {
  assertEquals(
    seedListError("127.0.0.1,0\n", "/etc/gossipnet/seeds.csv"),
    'Cannot read /etc/gossipnet/seeds.csv: line 1: port must be 1-65535, got "0"',
  );
  assertEquals(
    seedListError("", "seeds.csv"),
    'Cannot read seeds.csv: no seeds listed (expected rows "host,port")',
  );
});

Deno.test("parseSeedList() errors are single lines", () => {
  for (const text of ['"a\n', "x,y,z\n", "1.2.3.4,0\n", "", "a,1\na,1\n"]) {
    const message = seedListError(text);
    assertEquals(message.split("\n").length, 1, JSON.stringify(message));
  }
});

Deno.test("quorumSize() is a strict majority", async (t) => {
  // n = 1..7
  const expected = [1, 2, 2, 3, 3, 4, 4];
  for (const [i, quorum] of expected.entries()) {
    const n = i + 1;
    await t.step(`n=${n}`, () => {
      assertEquals(quorumSize(n), quorum);
      // A majority: more than half, and two quorums always overlap.
      assertEquals(quorum > n / 2 && quorum - 1 <= n / 2, true);
    });
  }
});

Deno.test("isListedSeed() matches host and port exactly", async (t) => {
  const seeds: Address[] = [A, { host: "::1", port: 6000 }, { host: "seed.example", port: 7000 }];
  const cases: Array<[Address, boolean]> = [
    [{ host: "127.0.0.1", port: 5000 }, true],
    [{ host: "::1", port: 6000 }, true],
    [{ host: "seed.example", port: 7000 }, true],
    [{ host: "127.0.0.1", port: 5001 }, false],
    [{ host: "127.0.0.2", port: 5000 }, false],
    [{ host: "::1", port: 5000 }, false],
    [{ host: "localhost", port: 5000 }, false],
    [{ host: "seed.example", port: 6000 }, false],
    // One address, another spelling: a seed started with --host 0:0:0:0:0:0:0:1 finds itself.
    [{ host: "0:0:0:0:0:0:0:1", port: 6000 }, true],
    [{ host: "SEED.example", port: 7000 }, true],
  ];
  for (const [address, listed] of cases) {
    await t.step(`${address.host} ${address.port}`, () => {
      assertEquals(isListedSeed(seeds, address), listed);
    });
  }
  await t.step("empty list", () => {
    assertEquals(isListedSeed([], A), false);
  });
});
