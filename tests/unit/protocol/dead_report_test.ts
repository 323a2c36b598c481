import { assertEquals } from "@std/assert";
import {
  type DeadReport,
  formatDeadReport,
  parseDeadReport,
} from "../../../lib/protocol/dead_report.ts";

const TS = 1_732_180_000_000;

Deno.test("formatDeadReport() writes the report text", async (t) => {
  const cases: Array<[DeadReport, string]> = [
    [
      { dead: { host: "127.0.0.1", port: 6001 }, timestampMs: TS, reporterHost: "127.0.0.1" },
      "Dead Node:127.0.0.1:6001:1732180000000:127.0.0.1",
    ],
    [
      { dead: { host: "::1", port: 65535 }, timestampMs: TS, reporterHost: "fe80::1" },
      "Dead Node:[::1]:65535:1732180000000:[fe80::1]",
    ],
    [
      { dead: { host: "peer-3.example", port: 1 }, timestampMs: 0, reporterHost: "10.0.0.9" },
      "Dead Node:peer-3.example:1:0:10.0.0.9",
    ],
    [
      // Sub-millisecond clocks are truncated, not rounded.
      { dead: { host: "10.0.0.1", port: 80 }, timestampMs: TS + 0.999, reporterHost: "10.0.0.2" },
      "Dead Node:10.0.0.1:80:1732180000000:10.0.0.2",
    ],
  ];
  for (const [report, text] of cases) {
    await t.step(text, () => {
      assertEquals(formatDeadReport(report), text);
    });
  }
});

Deno.test("parseDeadReport() inverts formatDeadReport()", async (t) => {
  const reports: DeadReport[] = [
    { dead: { host: "127.0.0.1", port: 6001 }, timestampMs: TS, reporterHost: "127.0.0.1" },
    { dead: { host: "::1", port: 6001 }, timestampMs: TS, reporterHost: "::1" },
    { dead: { host: "2001:db8::7", port: 443 }, timestampMs: TS, reporterHost: "192.168.1.4" },
    { dead: { host: "10.1.2.3", port: 6001 }, timestampMs: TS, reporterHost: "2001:db8::1" },
    {
      dead: { host: "::ffff:192.0.2.1", port: 9 },
      timestampMs: 1,
      reporterHost: "1:2:3:4:5:6:7:8",
    },
    { dead: { host: "seed.example.org", port: 65535 }, timestampMs: 0, reporterHost: "localhost" },
  ];
  for (const report of reports) {
    const text = formatDeadReport(report);
    await t.step(text, () => {
      assertEquals(parseDeadReport(text), { ok: true, report });
    });
  }
});

Deno.test("parseDeadReport() rejects malformed reports with a specific detail", async (t) => {
  const SHAPE = "expected Dead Node:<ip>:<port>:<unix ms>:<reporter ip>";
  const NO_PREFIX = 'does not start with "Dead Node:"';
  const cases: Array<[name: string, text: string, detail: string]> = [
    ["empty", "", NO_PREFIX],
    ["missing prefix", "127.0.0.1:6001:1732180000000:127.0.0.1", NO_PREFIX],
    ["prefix in the wrong case", "dead node:127.0.0.1:6001:1732180000000:127.0.0.1", NO_PREFIX],
    ["leading space", " Dead Node:127.0.0.1:6001:1732180000000:127.0.0.1", NO_PREFIX],
    ["prefix only", "Dead Node:", SHAPE],
    ["port 0", "Dead Node:127.0.0.1:0:1732180000000:127.0.0.1", "dead port 0 is not 1-65535"],
    [
      "port 70000",
      "Dead Node:127.0.0.1:70000:1732180000000:127.0.0.1",
      "dead port 70000 is not 1-65535",
    ],
    ["port of six digits", "Dead Node:127.0.0.1:100000:1732180000000:127.0.0.1", SHAPE],
    ["negative port", "Dead Node:127.0.0.1:-1:1732180000000:127.0.0.1", SHAPE],
    ["missing port", "Dead Node:127.0.0.1:1732180000000:127.0.0.1", SHAPE],
    ["non-numeric timestamp", "Dead Node:127.0.0.1:6001:yesterday:127.0.0.1", SHAPE],
    ["fractional timestamp", "Dead Node:127.0.0.1:6001:1732180000000.5:127.0.0.1", SHAPE],
    ["timestamp of 17 digits", "Dead Node:127.0.0.1:6001:10000000000000000:127.0.0.1", SHAPE],
    ["empty timestamp", "Dead Node:127.0.0.1:6001::127.0.0.1", SHAPE],
    [
      "bad dead host",
      "Dead Node:999.1.1.1:6001:1732180000000:127.0.0.1",
      'dead host "999.1.1.1" is not valid',
    ],
    [
      "dead host with a space",
      "Dead Node:bad host:6001:1732180000000:127.0.0.1",
      'dead host "bad host" is not valid',
    ],
    [
      "bad bracketed dead host",
      "Dead Node:[1::2::3]:6001:1732180000000:127.0.0.1",
      'dead host "1::2::3" is not valid',
    ],
    [
      "bad reporter host",
      "Dead Node:127.0.0.1:6001:1732180000000:256.0.0.1",
      'reporter host "256.0.0.1" is not valid',
    ],
    ["unbracketed IPv6 dead host", "Dead Node:::1:6001:1732180000000:127.0.0.1", SHAPE],
    ["unbracketed IPv6 reporter", "Dead Node:127.0.0.1:6001:1732180000000:fe80::1", SHAPE],
    ["empty brackets", "Dead Node:[]:6001:1732180000000:127.0.0.1", SHAPE],
    ["missing reporter", "Dead Node:127.0.0.1:6001:1732180000000", SHAPE],
    ["empty reporter", "Dead Node:127.0.0.1:6001:1732180000000:", SHAPE],
    ["extra field", "Dead Node:127.0.0.1:6001:1732180000000:127.0.0.1:9", SHAPE],
    [
      "trailing newline",
      "Dead Node:127.0.0.1:6001:1732180000000:127.0.0.1\n",
      'reporter host "127.0.0.1\n" is not valid',
    ],
  ];
  for (const [name, text, detail] of cases) {
    await t.step(name, () => {
      assertEquals(parseDeadReport(text), { ok: false, detail });
    });
  }
});
