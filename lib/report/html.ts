/**
 * The report as one self-contained HTML file: inline styles, SVG charts,
 * no scripts and no address outside the file, so it opens anywhere, offline,
 * and can be mailed or archived as it is.
 *
 * @module
 */

import { degreeHistogram, expectedCount, fitPowerLaw } from "../stats/power_law.ts";
import { layoutOverlay } from "./layout.ts";
import { type FinalState, peerDegrees, type ReportData } from "./model.ts";
import { chartSvg, escapeXml } from "./svg.ts";

const STATE_COLORS: Readonly<Record<FinalState, string>> = {
  up: "#2563eb",
  killed: "#93c5fd",
  removed: "#374151",
  left: "#94a3b8",
  paused: "#0891b2",
};
const SEED_COLOR = "#7c3aed";
const KIND_COLORS = {
  join: "#2563eb",
  death: "#111827",
  report: "#dc2626",
  vote: "#f59e0b",
  removal: "#7c3aed",
} as const;
/** Most messages drawn in the coverage chart (evenly spread over the run). */
const COVERAGE_MESSAGES = 60;

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

function ms(value: number | undefined): string {
  if (value === undefined) return "–";
  return value < 10
    ? `${value.toFixed(2)} ms`
    : value < 1000
    ? `${value.toFixed(1)} ms`
    : `${(value / 1000).toFixed(2)} s`;
}

/** The overlay as it stood at the end: nodes by state, size by degree. */
export function overlaySvg(data: ReportData): string {
  if (data.nodes.length === 0) {
    // A big simulation's file leaves nodes and links out; say so where the drawing would be.
    return `<svg viewBox="0 0 920 60" width="920" height="60" role="img" aria-label="overlay (not drawn)" font-family="system-ui, sans-serif" font-size="13"><text x="16" y="34" fill="#475569">Not drawn: the input lists no nodes or links (too many to list; the degrees below are complete).</text></svg>`;
  }
  const peers = data.nodes.filter((n) => n.role === "peer");
  const seeds = data.nodes.filter((n) => n.role === "seed");
  const at = layoutOverlay({
    peers: peers.map((p) => p.name),
    seeds: seeds.map((s) => s.name),
    links: data.links,
  });
  const width = 920;
  const height = 560;
  const pad = 40;
  const xs = [...at.values()].map((p) => p.x);
  const ys = [...at.values()].map((p) => p.y);
  const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  const [minY, maxY] = [Math.min(...ys), Math.max(...ys)];
  const k = Math.min(
    (width - 2 * pad) / (maxX - minX || 1),
    (height - 2 * pad) / (maxY - minY || 1),
  );
  const place = (name: string) => {
    const p = at.get(name) ?? { x: 0, y: 0 };
    return [
      pad + (p.x - minX) * k + ((width - 2 * pad) - (maxX - minX) * k) / 2,
      pad + (p.y - minY) * k,
    ];
  };
  const degree = new Map<string, number>();
  for (const [a, b] of data.links) {
    degree.set(a, (degree.get(a) ?? 0) + 1);
    degree.set(b, (degree.get(b) ?? 0) + 1);
  }
  const parts = [
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="overlay" font-family="system-ui, sans-serif" font-size="11" id="overlay">`,
  ];
  for (const [a, b] of data.links) {
    const [x1, y1] = place(a);
    const [x2, y2] = place(b);
    parts.push(
      `<line class="link" x1="${x1!.toFixed(1)}" y1="${y1!.toFixed(1)}" x2="${
        x2!.toFixed(1)
      }" y2="${y2!.toFixed(1)}" stroke="#cbd5e1" stroke-width="1.2"/>`,
    );
  }
  const labels = data.nodes.length <= 120;
  for (const node of data.nodes) {
    const [x, y] = place(node.name);
    const r = node.role === "seed" ? 8 : 4 + 2.2 * Math.sqrt(degree.get(node.name) ?? 0);
    const color = node.role === "seed" ? SEED_COLOR : STATE_COLORS[node.finalState];
    parts.push(
      `<circle class="node" data-name="${escapeXml(node.name)}" cx="${x!.toFixed(1)}" cy="${
        y!.toFixed(1)
      }" r="${r.toFixed(1)}" fill="${color}" stroke="#fff" stroke-width="1.5"><title>${
        escapeXml(
          `${node.name} ${node.address}: ${node.role}, ${node.finalState}, degree ${
            degree.get(node.name) ?? 0
          }`,
        )
      }</title></circle>`,
    );
    if (labels) {
      parts.push(
        `<text x="${(x! + r + 3).toFixed(1)}" y="${
          (y! + 4).toFixed(1)
        }" font-weight="600" fill="#0f172a">${escapeXml(node.name)}</text>`,
      );
    }
  }
  const legend: Array<[string, string]> = [
    ["seed", SEED_COLOR],
    ["peer, up", STATE_COLORS.up],
    ["killed", STATE_COLORS.killed],
    ["removed", STATE_COLORS.removed],
    ["paused", STATE_COLORS.paused],
    ["left / stopped", STATE_COLORS.left],
  ];
  legend.forEach(([text, color], i) => {
    parts.push(
      `<circle cx="${14}" cy="${16 + i * 16}" r="5" fill="${color}"/><text x="24" y="${
        20 + i * 16
      }">${text}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

function degreeSvg(data: ReportData): { svg: string; fitText: string } {
  const degrees = (data.degrees ?? peerDegrees(data)).filter((d) => d > 0);
  const histogram = degreeHistogram(degrees);
  const fit = fitPowerLaw(degrees);
  const maxK = histogram[histogram.length - 1]?.k ?? 1;
  const fitPoints: Array<[number, number]> = fit === undefined
    ? []
    : Array.from({ length: Math.max(0, maxK - fit.kMin + 1) }, (_, i) =>
      [fit.kMin + i, expectedCount(fit, fit.kMin + i)] as [number, number])
      .filter(([, y]) =>
        y >= 0.05
      );
  const fitText = fit === undefined
    ? "too few peers to fit a power law"
    : `α = ${fit.alpha.toFixed(2)} ± ${
      fit.sigma.toFixed(2)
    }, k_min = ${fit.kMin} (${fit.tail} peers, KS distance ${fit.ks.toFixed(3)})`;
  const svg = chartSvg({
    title: "Degree distribution (log-log)",
    xLabel: "degree k",
    yLabel: "peers with degree k",
    xLog: true,
    yLog: true,
    series: [
      {
        points: histogram.map((h) => [h.k, h.count]),
        color: "#2563eb",
        style: "points",
        width: 4,
        label: "peers",
      },
      { points: fitPoints, color: "#dc2626", dashed: true, label: "power-law fit" },
    ],
  });
  return { svg, fitText };
}

function cdfSvg(data: ReportData): string {
  const times = data.summary.disseminationMs;
  return chartSvg({
    title: "Dissemination time (CDF over messages)",
    xLabel: "ms from generation to the last first receipt",
    yLabel: "fraction of messages",
    yRange: [0, 1],
    series: [{
      points: times.map((t, i) => [t, (i + 1) / times.length]),
      color: "#16a34a",
      style: "step",
    }],
  });
}

function coverageSvg(data: ReportData): string {
  const every = Math.max(1, Math.ceil(data.messages.length / COVERAGE_MESSAGES));
  const shown = data.messages.filter((_, i) => i % every === 0);
  const series = shown.map((m) => ({
    points: [
      [0, 0] as [number, number],
      ...m.receipts.map((ts, i) => [ts - m.ts, i + 1] as [number, number]),
    ],
    color: "#2563eb",
    style: "step" as const,
    width: 1.3,
    opacity: 0.45,
  }));
  return chartSvg({
    title: `Coverage over time (${shown.length} of ${data.messages.length} messages)`,
    xLabel: "ms since the message was generated",
    yLabel: "peers reached",
    series,
  });
}

function timelineSvg(data: ReportData): string {
  const width = 920;
  const rows = ["join", "death", "report", "vote", "removal"] as const;
  const height = 40 + rows.length * 26;
  const span = Math.max(1, data.endTs - data.startTs);
  const x = (ts: number) => 90 + ((ts - data.startTs) / span) * (width - 110);
  const parts = [
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="timeline" font-family="system-ui, sans-serif" font-size="11">`,
  ];
  rows.forEach((kind, i) => {
    const y = 20 + i * 26;
    parts.push(`<text x="80" y="${y + 4}" text-anchor="end">${kind}s</text>`);
    parts.push(`<line x1="90" x2="${width - 20}" y1="${y}" y2="${y}" stroke="#e2e8f0"/>`);
    for (const e of data.timeline.filter((t) => t.kind === kind)) {
      parts.push(
        `<circle cx="${x(e.ts).toFixed(1)}" cy="${y}" r="4" fill="${
          KIND_COLORS[kind]
        }" opacity="0.8"><title>${
          escapeXml(`+${((e.ts - data.startTs) / 1000).toFixed(2)}s ${e.text}`)
        }</title></circle>`,
      );
    }
  });
  const axisY = 20 + rows.length * 26;
  for (let s = 0; s <= span / 1000; s += Math.max(1, Math.ceil(span / 1000 / 10))) {
    const tx = x(data.startTs + s * 1000).toFixed(1);
    parts.push(`<text x="${tx}" y="${axisY}" text-anchor="middle" fill="#475569">${s}s</text>`);
  }
  parts.push("</svg>");
  return parts.join("");
}

const STYLE =
  `body{font:14px/1.45 system-ui,sans-serif;color:#0f172a;margin:24px auto;max-width:960px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:26px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
table{border-collapse:collapse}td,th{text-align:left;padding:3px 14px 3px 0;vertical-align:top}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}.muted{color:#64748b}
svg{max-width:100%;height:auto;background:#fff}
.timeline td:first-child{color:#64748b;white-space:nowrap}`;

/** The report as an HTML document. */
export function renderReport(data: ReportData): string {
  const s = data.summary;
  const sim = data.source === "simulation";
  const delivery = s.expected === 0
    ? "nothing expected"
    : `${
      ((100 * s.delivered) / s.expected).toFixed(1)
    }% (${s.delivered} of ${s.expected} expected first receipts)`;
  const times = s.disseminationMs;
  const { svg: degreeChart, fitText } = degreeSvg(data);
  const rows: Array<[string, string]> = [
    ["nodes", `${s.seeds} seeds, ${s.peers} peers`],
    [
      "ran",
      `${((data.endTs - data.startTs) / 1000).toFixed(1)} s of ${sim ? "virtual time" : "logs"}`,
    ],
    ["messages", `${data.messages.length} generated, ${s.messages} counted for delivery`],
    ["delivery", delivery],
    [
      "dissemination",
      `p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}, max ${
        ms(times[times.length - 1])
      } over ${times.length} complete messages`,
    ],
    [
      "overlay at the end",
      `${
        data.nodes.length === 0 && data.degrees
          ? `links not listed (${data.degrees.length} peers' degrees)`
          : `${data.links.length} links`
      }; ${fitText}`,
    ],
    ["dead reports", `${s.deadReports} sent by peers`],
    ["removed as dead", s.removed.length === 0 ? "none" : s.removed.join(", ")],
    ...s.notes.map((note) => ["", note] as [string, string]),
  ];
  const timelineRows = data.timeline.map((e) =>
    `<tr><td>+${((e.ts - data.startTs) / 1000).toFixed(2)}s</td><td>${escapeXml(e.kind)}</td><td>${
      escapeXml(e.text)
    }</td></tr>`
  ).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gossipnet report: ${
    escapeXml(data.title)
  }</title>
<style>${STYLE}</style></head><body>
<h1>gossipnet ${sim ? "simulation" : "run"} report</h1>
<div class="muted">${escapeXml(data.title)} · ${new Date(data.startTs).toISOString()}</div>
<h2>Summary</h2>
<table>${
    rows.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join("")
  }</table>
<p class="muted">${
    sim
      ? "Delivery counts, for every message, the peers that had joined and were running when it was generated; it is the figure <code>gossipnet sim</code> prints. Times are virtual: the simulator's clock, not the wall clock."
      : "Delivery counts, for every message, the peers that had joined (registered and linked) before it was generated and were not killed or paused afterwards; it is the same figure <code>gossipnet up</code> prints."
  } The power law is fitted by discrete maximum likelihood with k_min chosen by the smallest Kolmogorov-Smirnov distance.</p>
<h2>The overlay at the end</h2>
${overlaySvg(data)}
<h2>Degrees and dissemination</h2>
<div class="grid">${degreeChart}${cdfSvg(data)}</div>
<h2>Coverage of each message over time</h2>
${coverageSvg(data)}
<h2>Timeline: joins, deaths, reports, votes, removals</h2>
${timelineSvg(data)}
<table class="timeline">${timelineRows || `<tr><td>nothing but joins happened</td></tr>`}</table>
</body></html>
`;
}
