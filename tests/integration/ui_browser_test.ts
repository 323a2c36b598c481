/**
 * `up --ui` in a real browser: headless Chromium opens the dashboard of a
 * network of 3 seeds and 10 peers, sees every node and exactly the links the
 * peers' logs describe, kills a peer with the panel's button and watches it
 * become removed. Screenshots are kept under tests/artifacts/ (git-ignored)
 * and their paths printed. Every wait is on the page's state or the logs.
 */

// deno-lint-ignore-file no-console -- the test prints where its screenshots are.
import { assertEquals, assertMatch } from "@std/assert";
import type { Page } from "playwright-core";
import { artifactsDir, browserMissing, launchBrowser } from "../support/browser.ts";
import { waitFor } from "../support/jsonl_log.ts";
import { linksFromLogs } from "../support/overlay_logs.ts";
import { UpProcess } from "../support/up_process.ts";

// Pings every 300 ms: Chromium's software rendering can hold both cores for a moment, and a
// faster ping would then have peers suspect each other.
const FAST = ["--gossip-interval", "400ms", "--gossip-count", "20", "--ping-interval", "300ms"];

interface Probe {
  nodes(): number;
  links(): number;
  state(name: string): string | undefined;
  messages(): number;
  position(name: string): { x: number; y: number } | undefined;
  selected(): string | undefined;
}

function probe<T>(page: Page, fn: (p: Probe) => T): Promise<T> {
  return page.evaluate(
    (source) => {
      const p = (globalThis as unknown as { gossipnet?: Probe }).gossipnet;
      if (!p) return undefined;
      return (new Function("p", `return (${source})(p)`))(p);
    },
    fn.toString(),
  ) as Promise<T>;
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = `${await artifactsDir()}${name}.png`;
  await page.screenshot({ path });
  console.log(`screenshot: ${path}`);
}

Deno.test({
  name: "up --ui: the dashboard draws the network, and its Kill button leads to a removal",
  ignore: browserMissing() || Deno.build.os === "windows",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using up = await UpProcess.start({
      seeds: 3,
      peers: 10,
      args: [...FAST, "--ui", "127.0.0.1:0"],
    });
    const [, url] = await up.waitForOutput(/dashboard at (http:\/\/\S+\/)/) as unknown as [
      string,
      string,
    ];
    await up.waitForOutput(/all 13 nodes listening/, { timeoutMs: 30_000 });
    await using browser = await launchBrowser();
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);

    await waitFor("13 nodes drawn", () => probe(page, (p) => p.nodes() === 13));
    const peerLogs = Array.from(
      { length: 10 },
      (_, i) => `${up.dir}/peer-127.0.0.1-${up.basePort + 3 + i}.jsonl`,
    );
    // The page draws exactly the links the logs describe (both change until the overlay settles).
    let expected = 0;
    await waitFor("the page's links to match the logs", async () => {
      await page.waitForTimeout(300);
      expected = linksFromLogs(peerLogs).size;
      return expected >= 9 && (await probe(page, (p) => p.links())) === expected;
    }, { timeoutMs: 20_000 });
    await waitFor("a message spreading", () => probe(page, (p) => p.messages() > 3));
    // Let the layout settle (it stops itself) before the picture.
    await page.waitForTimeout(4500);
    await shoot(page, "ui-overview");

    // Click p3 where it is drawn, then its Kill button.
    const at = await probe(page, (p) => p.position("p3"));
    if (at === undefined) throw new Error("p3 is not drawn");
    await page.mouse.click(at.x, at.y);
    await waitFor("p3's panel", () => probe(page, (p) => p.selected() === "p3"));
    await page.click('#node button[data-action="kill"]');
    await page.waitForSelector("#result:has-text('p3 killed')");
    await up.waitForOutput(/p3 .*reports? |suspects p3/);
    await waitFor(
      "p3 to be removed",
      () => probe(page, (p) => p.state("p3") === "removed"),
      { timeoutMs: 20_000 },
    );
    // The failures panel is redrawn on the page's own tick, after the node's state.
    const failures = await waitFor("the failures panel to show p3 removed", async () => {
      const text = await page.textContent("#failures") ?? "";
      return /p3\s*removed/.test(text) && /seeds voted: s\d yes/.test(text) ? text : undefined;
    });
    assertMatch(failures, /p3\s*removed/);
    assertMatch(failures, /seeds voted: s\d yes/);
    await page.waitForTimeout(1500);
    await shoot(page, "ui-removed");
    assertEquals(errors, []);

    await up.type("exit");
    const { code, output } = await up.finished();
    assertEquals(code, 0, output);
    assertMatch(
      output,
      /^ {2}removals +(.*\n {17})*p3 \(127\.0\.0\.1:\d+\) removed by 3 of 3 seeds/m,
    );
  },
});
