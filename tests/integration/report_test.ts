/**
 * `gossipnet report` on a recorded run (tests/fixtures/run-kill: 3 seeds,
 * 6 peers, p3 killed and removed): one self-contained HTML file with an SVG
 * for every chart, the final overlay with every node and exactly the links
 * of the logs, and no address outside the file.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { assertSelfContainedReport } from "../support/html_checks.ts";
import { linksFromLogs } from "../support/overlay_logs.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const RUN = new URL("../fixtures/run-kill", import.meta.url).pathname;

Deno.test("report on a recorded run writes one self-contained HTML file with its charts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-report-test-" });
  try {
    const out = `${dir}/r.html`;
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "report", RUN, "-o", out],
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(result.stdout);
    assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
    assertEquals(stdout, `Report written to ${out}\n`);
    const html = await Deno.readTextFile(out);
    assertSelfContainedReport(html);
    // The overlay at the end: all 9 nodes, and the links the surviving peers' logs have.
    assertEquals(html.match(/<circle class="node"/g)?.length, 9);
    const peers = Array.from({ length: 6 }, (_, i) => `${RUN}/peer-127.0.0.1-${21203 + i}.jsonl`);
    const links = linksFromLogs(peers, new Set([`${RUN}/peer-127.0.0.1-21205.jsonl`]));
    assert(links.size >= 5, `only ${links.size} links`);
    assertEquals(html.match(/<line class="link"/g)?.length, links.size);
    assertMatch(html, /data-name="p3"[^>]*fill="#374151"/); // p3 drawn as removed
    assertMatch(html, /removed as dead<\/th><td>p3</);
    assertMatch(html, /α = \d\.\d\d ± \d\.\d\d, k_min = \d+/);
    assertMatch(html, /p3 removed as dead/);
    assertMatch(html, /seeds vote on removing p3: yes s\d/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report names a missing or empty log directory in one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-report-test-" });
  try {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "report", dir],
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    assertEquals(result.code, 1);
    assertEquals(stderr, `gossipnet: Cannot write a report: no node logs in ${dir}\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
