/**
 * Is the dashboard smooth at 1,000 nodes? Serves the real dashboard (page,
 * bundle, SSE stream) over a synthetic network: 3 seeds and N peers linked
 * by preferential attachment, with gossip flooding it, then opens it in
 * headless Chromium and measures how long the page takes to draw every node
 * and how many frames per second it keeps while the layout runs and a
 * message replays. Bounded: one network, a few seconds per measure.
 *
 *     deno run -A bench/ui_bench.ts [peers=1000]
 *
 * Needs Chromium (`/usr/bin/chromium` or `$CHROMIUM`).
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark reports to its user.
import { chromium } from "playwright-core";
import { DashboardFeed } from "../lib/ui/feed.ts";
import { dashboardPage } from "../lib/ui/page.ts";
import { serveDashboard } from "../lib/ui/server.ts";
import { APP_SCRIPT, EVENTS_SCRIPT } from "../lib/ui/_app_bundle.ts";
import type { StreamEvent, StreamNode } from "../lib/ui/stream.ts";
import type { NetworkControl } from "../lib/up/control.ts";
import { seededRng } from "../tests/support/rng.ts";

const PEERS = Number(Deno.args[0] ?? 1000);
const rng = seededRng(42);
const nodes: StreamNode[] = [
  ...Array.from({ length: 3 }, (_, i) => ({
    name: `s${i + 1}`,
    role: "seed" as const,
    address: `127.0.0.1:${5000 + i}`,
    state: "running" as const,
  })),
  ...Array.from({ length: PEERS }, (_, i) => ({
    name: `p${i + 1}`,
    role: "peer" as const,
    address: `127.0.0.1:${5003 + i}`,
    state: "running" as const,
  })),
];
const feed = new DashboardFeed({ names: new Map(nodes.map((n) => [n.address, n.name])) });
feed.setNodes(nodes);

// Preferential attachment: each new peer links to up to 2 earlier ones, chosen by degree + 1.
const degree = new Map<string, number>();
const neighbors = new Map<string, string[]>();
let ts = Date.now();
const events: StreamEvent[] = [];
for (let i = 1; i <= PEERS; i++) {
  const me = `p${i}`;
  events.push({ type: "joined", ts: ts++, node: me });
  neighbors.set(me, []);
  const earlier = [...degree.keys()];
  for (let k = 0; k < Math.min(2, earlier.length); k++) {
    const total = earlier.reduce((sum, p) => sum + (degree.get(p) ?? 0) + 1, 0);
    let pick = rng() * total;
    const other = earlier.find((p) => (pick -= (degree.get(p) ?? 0) + 1) < 0) ?? earlier[0]!;
    if (neighbors.get(me)!.includes(other)) continue;
    neighbors.get(me)!.push(other);
    neighbors.get(other)!.push(me);
    degree.set(other, (degree.get(other) ?? 0) + 1);
    events.push({ type: "link", ts, node: me, peer: other, up: true });
    events.push({ type: "link", ts: ts++, node: other, peer: me, up: true });
  }
  degree.set(me, neighbors.get(me)!.length);
}
// Five messages flooded breadth-first from random origins.
for (let m = 1; m <= 5; m++) {
  const origin = `p${1 + Math.floor(rng() * PEERS)}`;
  const id = `${origin} ${ts}:127.0.0.1:${m}`;
  events.push({ type: "generated", ts, node: origin, id, origin });
  const seen = new Set([origin]);
  let frontier = [origin];
  let t = ts;
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const from of frontier) {
      for (const to of neighbors.get(from) ?? []) {
        if (seen.has(to)) continue;
        seen.add(to);
        next.push(to);
        events.push({ type: "received", ts: t += 0.01, node: to, id, origin, from });
      }
    }
    frontier = next;
  }
  ts += 1000;
}
for (const event of events) feed.publish(event);
feed.publish({
  type: "summary",
  ts,
  summary: {
    peersUp: PEERS,
    peers: PEERS,
    seedsUp: 3,
    seeds: 3,
    links: events.filter((e) => e.type === "link").length / 2,
    delivered: 1,
    expected: 1,
    messages: 5,
    deadReports: 0,
    removals: 0,
    disseminationMs: [1, 2, 3, 4, 5],
  },
});
feed.flush();

const control: NetworkControl = { nodes: () => [], act: () => Promise.resolve("not here") };
const server = serveDashboard({
  address: { host: "127.0.0.1", port: 0 },
  feed,
  control,
  page: dashboardPage("ui bench"),
  script: APP_SCRIPT,
  eventsScript: EVENTS_SCRIPT,
});
const profile = await Deno.makeTempDir({ prefix: "gossipnet-ui-bench-" });
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const page = await browser.newPage();
  const start = performance.now();
  await page.goto(server.url);
  await page.waitForFunction(
    (n) => (globalThis as unknown as { gossipnet?: { nodes(): number } }).gossipnet?.nodes() === n,
    PEERS + 3,
    { timeout: 60_000, polling: 50 },
  );
  const drawnMs = performance.now() - start;
  // Frames per second over 3 s: while ForceAtlas2 runs and the latest message replays, then
  // once the layout has stopped (it runs 4 s after the last change) with the replay going on.
  const measure = () =>
    page.evaluate(() =>
      new Promise<number>((resolve) => {
        const raf = (globalThis as unknown as { requestAnimationFrame(f: () => void): void })
          .requestAnimationFrame;
        let frames = 0;
        const t0 = performance.now();
        const tick = () => {
          frames++;
          if (performance.now() - t0 < 3000) raf(tick);
          else resolve((frames * 1000) / (performance.now() - t0));
        };
        raf(tick);
      })
    );
  const fps = await measure();
  await page.waitForTimeout(2000);
  const settledFps = await measure();
  // And once the replay has shown every receipt: nothing changes, nothing is redrawn.
  await page.waitForFunction(
    () => {
      const page = globalThis as unknown as {
        document: { getElementById(id: string): { textContent: string | null } | null };
      };
      const caption = page.document.getElementById("caption")?.textContent ?? "";
      return /(\d+) of \1 first receipts/.test(caption);
    },
    undefined,
    { timeout: 30_000, polling: 200 },
  );
  const idleFps = await measure();
  const renderMs = await page.evaluate(() =>
    (globalThis as unknown as { gossipnet: { renderMs(): number } }).gossipnet.renderMs()
  );
  const links = await page.evaluate(() =>
    (globalThis as unknown as { gossipnet: { links(): number } }).gossipnet.links()
  );
  console.log(
    `${PEERS} peers, ${links} links, ${events.length} stream events: all nodes drawn after ` +
      `${(drawnMs / 1000).toFixed(2)} s; ${fps.toFixed(0)} frames/s during layout and replay, ` +
      `${settledFps.toFixed(0)} frames/s once the layout stopped, ${idleFps.toFixed(0)} frames/s ` +
      `idle; one full redraw takes ${renderMs.toFixed(0)} ms (software rendering, --disable-gpu)`,
  );
  const shot = `${profile}/ui-bench.png`;
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);
} finally {
  await browser.close();
  await server.close();
}
