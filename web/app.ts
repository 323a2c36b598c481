/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * The dashboard's entry point: reads `up`'s event stream (Server-Sent
 * Events), keeps the model, and redraws the graph, the spreading message,
 * the panels and the charts, each at its own pace (graph and panels on every
 * animation frame that has news, charts once a second).
 *
 * For tests, `window.gossipnet` reports what is drawn.
 *
 * @module
 */

import type { StreamEvent } from "../lib/ui/stream.ts";
import { Charts } from "./charts.ts";
import { GraphView, STATE_COLORS, STATE_LABELS } from "./graph_view.ts";
import { NetworkModel } from "./model.ts";
import { NodePanel, renderFailures } from "./panels.ts";
import { SpreadPlayer, type SpreadState } from "./spread.ts";

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`Missing #${id}`);
  return element as T;
}

const model = new NetworkModel();
const panel = new NodePanel(byId("node"), model);
const graph = new GraphView(byId("graph"), model, (name) => panel.show(name));
const charts = new Charts({
  delivery: byId<HTMLCanvasElement>("chart-delivery"),
  cdf: byId<HTMLCanvasElement>("chart-cdf"),
  degrees: byId<HTMLCanvasElement>("chart-degrees"),
}, model);
const caption = byId("caption");
const select = byId<HTMLSelectElement>("messages");

function relative(ts: number): string {
  return `+${((ts - (model.startTs ?? ts)) / 1000).toFixed(1)}s`;
}

function describe(state: SpreadState | undefined): string {
  if (!state) return "Waiting for the first message…";
  const m = state.message;
  const sorted = [...m.receipts].sort((a, b) => a.ts - b.ts);
  const last = sorted[state.shown - 1];
  const span = sorted.length === 0
    ? ""
    : `, all within ${(sorted[sorted.length - 1]!.ts - m.ts).toFixed(1)} ms`;
  const now = last === undefined
    ? "generated"
    : `${last.node} got it from ${last.from} after ${(last.ts - m.ts).toFixed(2)} ms`;
  return `Message #${m.seq} of ${m.origin} (${
    relative(m.ts)
  }): ${state.shown} of ${m.receipts.length} ` +
    `first receipts shown${span}. Now: ${now}.`;
}

const spread = new SpreadPlayer(model, (highlight, state) => {
  graph.setHighlight(highlight);
  caption.textContent = describe(state);
});

select.addEventListener("change", () => {
  if (select.value === "") spread.followLatest();
  else spread.pick(select.value);
});
byId("replay").addEventListener("click", () => spread.replay());

function renderLegend(): void {
  const items = STATE_LABELS.map(([state, label]) =>
    `<div><i style="background:${STATE_COLORS[state]}"></i>${label}</div>`
  ).join("");
  byId("legend").innerHTML = items +
    `<div class="sep"></div>` +
    `<div><i style="background:#15803d"></i>message origin</div>` +
    `<div><i style="background:#22c55e"></i>reached</div>` +
    `<div><i class="edge" style="background:#f97316"></i>link it came in on</div>` +
    `<div class="muted">size: degree</div>`;
}

function renderCounters(): void {
  const s = model.latestSummary();
  const peers = [...model.nodes.values()].filter((n) => n.role === "peer");
  const delivery = s && s.expected > 0 ? `${((100 * s.delivered) / s.expected).toFixed(1)}%` : "–";
  const items: Array<[string, string]> = [
    ["peers up", s ? `${s.peersUp}/${s.peers}` : `–/${peers.length}`],
    ["seeds up", s ? `${s.seedsUp}/${s.seeds}` : "–"],
    ["links", String(graph.linkCount)],
    ["messages", String(model.order.length)],
    ["delivery", delivery],
    ["dead reports", String(s?.deadReports ?? 0)],
    ["removals", String(s?.removals ?? 0)],
  ];
  byId("counters").innerHTML = items.map(([label, value]) =>
    `<span>${label} <b>${value}</b></span>`
  )
    .join("");
}

function renderMessages(): void {
  const known = select.options.length - 1;
  for (const id of model.order.slice(known)) {
    const m = model.messages.get(id);
    if (!m) continue;
    const option = document.createElement("option");
    option.value = id;
    option.textContent = `${m.origin} #${m.seq} at ${relative(m.ts)}`;
    select.append(option);
  }
}

let scheduled = false;
let seenVersion = -1;
function frame(): void {
  scheduled = false;
  if (seenVersion === model.version) return;
  seenVersion = model.version;
  graph.update();
  spread.tick();
  renderFailures(byId("failures"), model);
  panel.render();
  renderMessages();
  renderCounters();
}

let chartsAt = 0;
setInterval(() => {
  if (model.version === chartsAt) return;
  chartsAt = model.version;
  const degrees = [...model.nodes.values()].filter((n) =>
    n.role === "peer" && graph.graph.hasNode(n.name)
  )
    .map((n) => graph.graph.degree(n.name));
  charts.update(degrees);
}, 1000);

function onEvents(events: readonly StreamEvent[]): void {
  model.apply(events);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(frame);
  }
}

const conn = byId("conn");
const source = new EventSource("/events");
source.onopen = () => conn.textContent = "live";
source.onerror = () => conn.textContent = "disconnected (up has stopped?)";
source.onmessage = (message) => onEvents(JSON.parse(message.data) as StreamEvent[]);

renderLegend();
renderCounters();

/** What tests can ask the page. */
const probe = {
  nodes: () => graph.graph.order,
  links: () => graph.linkCount,
  modelLinks: () => model.links().length,
  state: (name: string) => {
    const node = model.nodes.get(name);
    return node === undefined ? undefined : model.displayState(node);
  },
  messages: () => model.order.length,
  alpha: () => charts.alphaText,
  /** Where a node is drawn on the page (sigma draws on canvas: there is no element to click). */
  position: (name: string) => {
    const at = graph.viewportPosition(name);
    const box = byId("graph").getBoundingClientRect();
    return at === undefined ? undefined : { x: box.left + at.x, y: box.top + at.y };
  },
  /** How long one full redraw of the graph takes, in ms. */
  renderMs: () => graph.renderMs(),
  /** The node whose panel is open. */
  selected: () => panel.current,
};
(globalThis as unknown as { gossipnet: typeof probe }).gossipnet = probe;
