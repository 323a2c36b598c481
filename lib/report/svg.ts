/**
 * Small SVG charts for the report: axes with ticks (linear or log), and
 * series drawn as lines, steps or points. Output is plain SVG text with no
 * scripts and no references outside the file.
 *
 * @module
 */

/** One series of a chart. */
export interface Series {
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly color: string;
  /** How to draw it. @default {"line"} */
  readonly style?: "line" | "step" | "points";
  /** Stroke width or point radius. @default {2} */
  readonly width?: number;
  readonly dashed?: boolean;
  readonly opacity?: number;
  /** Shown in the legend. */
  readonly label?: string;
}

/** Options for {@linkcode chartSvg}. */
export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly xLog?: boolean;
  readonly yLog?: boolean;
  /** Axis ranges; computed from the data when absent. */
  readonly xRange?: readonly [number, number];
  readonly yRange?: readonly [number, number];
  /** @default {460} */
  readonly width?: number;
  /** @default {300} */
  readonly height?: number;
}

/** Escapes text for SVG and HTML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const lead = raw / power;
  return (lead <= 1 ? 1 : lead <= 2 ? 2 : lead <= 5 ? 5 : 10) * power;
}

function linearTicks([lo, hi]: readonly [number, number]): number[] {
  const step = niceStep(hi - lo || 1, 5);
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

function logTicks([lo, hi]: readonly [number, number]): number[] {
  const ticks: number[] = [];
  // Less than a decade and a half: every whole multiple, else 1, 2, 5.
  const leads = hi / lo < 30 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : [1, 2, 5];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
    for (const m of leads) {
      const v = m * Math.pow(10, p);
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(Number(v.toPrecision(12)));
    }
  }
  return ticks;
}

function range(
  values: number[],
  log: boolean,
  given?: readonly [number, number],
): [number, number] {
  if (given) return [given[0], given[1]];
  const usable = log ? values.filter((v) => v > 0) : values;
  if (usable.length === 0) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...usable);
  let hi = Math.max(...usable);
  if (!log) lo = Math.min(0, lo);
  if (lo === hi) hi = log ? hi * 10 : lo + 1;
  return log ? [lo / 1.3, hi * 1.3] : [lo, hi + (hi - lo) * 0.05];
}

function label(v: number): string {
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/**
 * A chart as an `<svg>` element.
 *
 * @example Usage
 * ```ts
 * import { chartSvg } from "./svg.ts";
 * const svg = chartSvg({
 *   title: "t", xLabel: "x", yLabel: "y",
 *   series: [{ points: [[0, 0], [1, 1]], color: "#000" }],
 * });
 * svg.startsWith("<svg"); // true
 * ```
 */
export function chartSvg(options: ChartOptions): string {
  const width = options.width ?? 460;
  const height = options.height ?? 300;
  const margin = { left: 58, right: 14, top: 30, bottom: 46 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = options.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = options.series.flatMap((s) => s.points.map((p) => p[1]));
  const xr = range(xs, options.xLog === true, options.xRange);
  const yr = range(ys, options.yLog === true, options.yRange);
  const scale = (v: number, [lo, hi]: readonly [number, number], log: boolean, size: number) => {
    if (log) return ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * size;
    return ((v - lo) / (hi - lo)) * size;
  };
  const px = (v: number) => margin.left + scale(v, xr, options.xLog === true, plotW);
  const py = (v: number) => margin.top + plotH - scale(v, yr, options.yLog === true, plotH);
  const parts: string[] = [];
  parts.push(
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${
      escapeXml(options.title)
    }" font-family="system-ui, sans-serif" font-size="11">`,
  );
  parts.push(
    `<text x="${width / 2}" y="17" text-anchor="middle" font-size="13" font-weight="600">${
      escapeXml(options.title)
    }</text>`,
  );
  const xTicks = options.xLog ? logTicks(xr) : linearTicks(xr);
  const yTicks = options.yLog ? logTicks(yr) : linearTicks(yr);
  for (const t of xTicks) {
    const x = px(t).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#e2e8f0"/>`,
      `<text x="${x}" y="${margin.top + plotH + 14}" text-anchor="middle" fill="#475569">${
        label(t)
      }</text>`,
    );
  }
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    parts.push(
      `<line x1="${margin.left}" x2="${
        margin.left + plotW
      }" y1="${y}" y2="${y}" stroke="#e2e8f0"/>`,
      `<text x="${margin.left - 6}" y="${Number(y) + 4}" text-anchor="end" fill="#475569">${
        label(t)
      }</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#94a3b8"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${
      escapeXml(options.xLabel)
    }</text>`,
    `<text transform="translate(14 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${
      escapeXml(options.yLabel)
    }</text>`,
  );
  const inside = (p: readonly [number, number]) =>
    (!options.xLog || p[0] > 0) && (!options.yLog || p[1] > 0);
  for (const s of options.series) {
    const points = s.points.filter(inside);
    if (points.length === 0) continue;
    const w = s.width ?? 2;
    const opacity = s.opacity === undefined ? "" : ` opacity="${s.opacity}"`;
    if (s.style === "points") {
      for (const [x, y] of points) {
        parts.push(
          `<circle cx="${px(x).toFixed(1)}" cy="${
            py(y).toFixed(1)
          }" r="${w}" fill="${s.color}"${opacity}/>`,
        );
      }
      continue;
    }
    const coords: string[] = [];
    points.forEach(([x, y], i) => {
      if (s.style === "step" && i > 0) {
        coords.push(`${px(x).toFixed(1)},${py(points[i - 1]![1]).toFixed(1)}`);
      }
      coords.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    });
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    parts.push(
      `<polyline points="${
        coords.join(" ")
      }" fill="none" stroke="${s.color}" stroke-width="${w}"${dash}${opacity}/>`,
    );
  }
  const legend = options.series.filter((s) => s.label !== undefined);
  legend.forEach((s, i) => {
    const y = margin.top + 12 + i * 15;
    const x = margin.left + plotW - 150;
    parts.push(
      `<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${x + 15}" y="${y + 1}">${escapeXml(s.label ?? "")}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}
