/**
 * `gossipnet report <result.json>` on a `gossipnet sim --out` file: the
 * same self-contained HTML as for a log directory, titled as a simulation,
 * with every simulated node and exactly the file's final overlay links.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { assertSelfContainedReport } from "../support/html_checks.ts";
import { runCli } from "../support/run_cli.ts";

Deno.test("gossipnet report draws a sim result file like a run's logs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-sim-report-test-" });
  try {
    const sim = await runCli([
      "sim",
      ...["--peers", "50", "--origins", "2", "--messages", "2", "--seed", "11"],
      ...["--kill", "0.04@8s", "--ping-interval", "1s", "--ping-misses", "2"],
      ...["--out", `${dir}/r.json`],
    ]);
    assertEquals(sim.code, 0, sim.stderr);
    const result = JSON.parse(await Deno.readTextFile(`${dir}/r.json`));
    const links: [string, string][] = result.report.links;
    const names = new Set<string>(result.report.nodes.map((n: { name: string }) => n.name));
    assertEquals(names.size, 53);
    assert(links.length >= 49, `only ${links.length} links`);
    assert(links.every(([a, b]) => names.has(a) && names.has(b) && a.startsWith("p")));

    // The default output goes next to the file.
    const report = await runCli(["report", `${dir}/r.json`]);
    assertEquals(report.code, 0, report.stderr);
    assertEquals(report.stdout, `Report written to ${dir}/r.html\n`);
    const html = await Deno.readTextFile(`${dir}/r.html`);
    assertSelfContainedReport(html);
    assertMatch(html, /<h1>gossipnet simulation report<\/h1>/);
    assertMatch(html, /simulation \(random seed 11\): 3 seeds and 50 peers, 20 ms latency/);
    assertEquals(html.match(/<circle class="node"/g)?.length, 53);
    assertEquals(html.match(/<line class="link"/g)?.length, links.length);
    // The two killed peers are drawn and named as removed, and on the timeline.
    assertEquals(result.report.removed.length, 2);
    for (const peer of result.report.removed) {
      assertMatch(html, new RegExp(`data-name="${peer}"[^>]*fill="#374151"`));
      assertMatch(html, new RegExp(`${peer} removed as dead by a seed majority`));
    }
    assertMatch(html, /α = \d\.\d\d ± \d\.\d\d, k_min = \d+/);
    assertMatch(html, /100\.0% \(\d+ of \d+ expected first receipts\)/);

    // -o still chooses the file.
    const named = await runCli(["report", `${dir}/r.json`, "-o", `${dir}/other.html`]);
    assertEquals(named.code, 0, named.stderr);
    assertEquals(await Deno.readTextFile(`${dir}/other.html`), html);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gossipnet report refuses a file that is neither logs nor a sim result: one line, exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-sim-report-test-" });
  try {
    for (
      const [name, text, why] of [
        ["other.json", '{"hello": 1}', 'no "format": "gossipnet-sim-result"'],
        ["notes.txt", "not json at all", "not JSON"],
        ["old.json", '{"format": "gossipnet-sim-result"}', "report section is missing"],
      ]
    ) {
      const path = `${dir}/${name}`;
      await Deno.writeTextFile(path, text as string);
      const out = await runCli(["report", path, "-o", `${dir}/x.html`]);
      assertEquals(out.code, 2, out.stderr);
      assertEquals(out.stdout, "");
      assertEquals(out.stderr.trim().split("\n").length, 1, out.stderr);
      assertMatch(
        out.stderr,
        new RegExp(`^gossipnet: Cannot write a report: ${path} is neither a log directory nor`),
      );
      assert(out.stderr.includes(why as string), out.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
