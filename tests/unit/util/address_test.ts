import { assertEquals } from "@std/assert";
import fc from "fast-check";
import {
  type Address,
  canonicalHost,
  formatAddress,
  formatHost,
  isIPv4,
  isUnspecifiedHost,
  isValidHost,
  isValidPort,
  parseAddress,
  sameAddress,
} from "../../../lib/util/address.ts";

Deno.test("isValidHost() accepts IP literals and DNS names", async (t) => {
  const hosts = [
    "127.0.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "10.0.0.1",
    "::",
    "::1",
    "fe80::1",
    "2001:db8::1",
    "2001:DB8::A",
    "1:2:3:4:5:6:7:8",
    "::ffff:192.0.2.1",
    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
    "localhost",
    "a",
    "seed-1.example.org",
    "123abc.example",
    "xn--bcher-kva.example",
    "a".repeat(63) + ".com",
  ];
  for (const host of hosts) {
    await t.step(host, () => {
      assertEquals(isValidHost(host), true);
    });
  }
});

Deno.test("isValidHost() rejects broken IPv4 literals and names", async (t) => {
  const hosts = [
    "",
    "256.1.1.1",
    "999.1.1.1",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "1..2.3",
    "bad host",
    "a_b",
    "-a",
    "a-",
    "a..b",
    ".a",
    "a".repeat(64),
    ["a", "b", "c", "d"].map((c) => c.repeat(63)).join("."),
    "[::1]",
    "é.example",
    "evil\nhost",
  ];
  for (const host of hosts) {
    await t.step(JSON.stringify(host.length > 30 ? host.slice(0, 30) + "…" : host), () => {
      assertEquals(isValidHost(host), false);
    });
  }
});

Deno.test("isValidHost() rejects text that is not an IPv6 literal", async (t) => {
  // The IPv6 check only looks at the character set, the length and the
  // number of "::", so these all pass it although none is an address.
  const hosts = [
    "1:2",
    "1:2:3",
    ":::",
    ":.:",
    "..:",
    "12345::1",
    "1:2:3:4:5:6:7:8:9",
    "::1.2.3",
    "127.0.0.1:5000",
  ];
  for (const host of hosts) {
    await t.step(host, () => {
      assertEquals(isValidHost(host), false);
    });
  }
  await t.step("the ones it does catch", () => {
    assertEquals(isValidHost("1::2::3"), false);
    assertEquals(isValidHost("gg::1"), false);
  });
});

Deno.test("isValidPort() accepts integers 1-65535", () => {
  assertEquals([1, 80, 65535].map(isValidPort), [true, true, true]);
  assertEquals([0, -1, 65536, 1.5, NaN, Infinity].map(isValidPort), [
    false,
    false,
    false,
    false,
    false,
    false,
  ]);
});

Deno.test("formatAddress() brackets IPv6 hosts only", () => {
  assertEquals(formatAddress({ host: "127.0.0.1", port: 5000 }), "127.0.0.1:5000");
  assertEquals(formatAddress({ host: "seed.example", port: 1 }), "seed.example:1");
  assertEquals(formatAddress({ host: "::1", port: 5000 }), "[::1]:5000");
  assertEquals(formatHost("::1"), "[::1]");
  assertEquals(formatHost("10.0.0.1"), "10.0.0.1");
});

Deno.test("parseAddress() reads host:port and [v6]:port", async (t) => {
  const cases: Array<[string, Address | undefined]> = [
    ["127.0.0.1:5000", { host: "127.0.0.1", port: 5000 }],
    ["[::1]:5000", { host: "::1", port: 5000 }],
    ["[2001:db8::1]:65535", { host: "2001:db8::1", port: 65535 }],
    ["seed.example:1", { host: "seed.example", port: 1 }],
    [" 127.0.0.1:5000\n", { host: "127.0.0.1", port: 5000 }],
    ["127.0.0.1", undefined],
    ["127.0.0.1:", undefined],
    [":5000", undefined],
    ["127.0.0.1:0", undefined],
    ["127.0.0.1:65536", undefined],
    ["127.0.0.1:123456", undefined],
    ["127.0.0.1:50a", undefined],
    ["::1:5000", undefined],
    ["[::1]5000", undefined],
    ["999.1.1.1:5000", undefined],
    ["bad host:5000", undefined],
    ["", undefined],
  ];
  for (const [text, expected] of cases) {
    await t.step(JSON.stringify(text), () => {
      assertEquals(parseAddress(text), expected);
    });
  }
  await t.step("formatAddress() output parses back", () => {
    for (const text of ["127.0.0.1:5000", "[::1]:5000", "[fe80::1]:1", "a.example:65535"]) {
      const address = parseAddress(text);
      assertEquals(address && formatAddress(address), text);
    }
  });
});

Deno.test("sameAddress() compares host and port", () => {
  const a = { host: "127.0.0.1", port: 5000 };
  assertEquals(sameAddress(a, { host: "127.0.0.1", port: 5000 }), true);
  assertEquals(sameAddress(a, { host: "127.0.0.1", port: 5001 }), false);
  assertEquals(sameAddress(a, { host: "127.0.0.2", port: 5000 }), false);
});

Deno.test("canonicalHost() gives every spelling of one host one form (RFC 5952)", async (t) => {
  const cases: Array<[string, string]> = [
    ["::1", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["0000:0000:0000:0000:0000:0000:0000:0001", "::1"],
    ["::0:1", "::1"],
    ["::", "::"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["2001:DB8::A", "2001:db8::a"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    // The longest run of zeros is shortened; of two equal runs, the first.
    ["2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    // A single zero group is not shortened.
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["fe80:0::1", "fe80::1"],
    // IPv4-mapped stays dotted; other embedded IPv4 becomes hex groups.
    ["::FFFF:192.0.2.1", "::ffff:192.0.2.1"],
    ["0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"],
    ["::192.0.2.1", "::c000:201"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
    ["127.0.0.1", "127.0.0.1"],
    ["Seed-1.Example.ORG", "seed-1.example.org"],
    ["localhost", "localhost"],
    ["not a host:::", "not a host:::"],
  ];
  for (const [host, canonical] of cases) {
    await t.step(`${host} → ${canonical}`, () => {
      assertEquals(canonicalHost(host), canonical);
      assertEquals(canonicalHost(canonical), canonical, "canonical forms are fixed points");
    });
  }
});

Deno.test("addresses compare and format in canonical form", () => {
  const long = { host: "0:0:0:0:0:0:0:1", port: 5000 };
  assertEquals(sameAddress(long, { host: "::1", port: 5000 }), true);
  assertEquals(sameAddress(long, { host: "::1", port: 5001 }), false);
  assertEquals(sameAddress({ host: "A.example", port: 1 }, { host: "a.example", port: 1 }), true);
  assertEquals(formatAddress(long), "[::1]:5000");
  assertEquals(formatHost("0:0:0:0:0:0:0:1"), "[::1]");
  assertEquals(parseAddress("[0:0:0:0:0:0:0:1]:5000"), { host: "::1", port: 5000 });
});

Deno.test("isUnspecifiedHost() catches 0.0.0.0 and :: in any spelling", () => {
  const unspecified = ["0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::0", "0::", "::ffff:0.0.0.0"];
  assertEquals(unspecified.map(isUnspecifiedHost), unspecified.map(() => true));
  const specified = ["127.0.0.1", "::1", "10.0.0.7", "0.0.0.1", "localhost"];
  assertEquals(specified.map(isUnspecifiedHost), specified.map(() => false));
});

Deno.test("isIPv4() answers as the dotted-quad regular expression does, for any string", () => {
  const quad = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const part = fc.oneof(
    fc.integer({ min: 0, max: 300 }).map(String),
    fc.constantFrom("00", "01", "007", "0255", "256", "999", "", "1a", " 1", "-1"),
  );
  const nearQuads = fc.array(part, { minLength: 1, maxLength: 6 }).map((p) => p.join("."));
  const digitsAndDots = fc.string({
    unit: fc.constantFrom("0", "1", "2", "5", "9", ".", "a", "\n"),
  });
  fc.assert(
    fc.property(fc.oneof(nearQuads, digitsAndDots, fc.string()), (host) => {
      assertEquals(isIPv4(host), quad.test(host), JSON.stringify(host));
    }),
    { numRuns: 5000 },
  );
  assertEquals(["0.0.0.0", "255.255.255.255", "10.0.0.7"].map(isIPv4), [true, true, true]);
  assertEquals(["1.2.3", "1.2.3.4.", "1.2.3.4\n", "01.2.3.4", "1.2.3.256"].map(isIPv4), [
    false,
    false,
    false,
    false,
    false,
  ]);
});
