/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * The dashboard's charts (Chart.js, on canvas): delivery over time, the
 * dissemination-time CDF, and the degree distribution on log-log axes with
 * its fitted power law. Redrawn at most once a second, without animation.
 *
 * @module
 */

import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
} from "chart.js";
import { degreeHistogram, expectedCount, fitPowerLaw } from "../lib/stats/power_law.ts";
import type { NetworkModel } from "./model.ts";

Chart.register(
  LineController,
  ScatterController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Filler,
  Legend,
  Title,
  Tooltip,
);
Chart.defaults.font.family = "system-ui, sans-serif";
Chart.defaults.color = "#334155";
Chart.defaults.animation = false;

type Point = { x: number; y: number };

function title(
  text: string,
): { display: true; text: string; font: { size: number; weight: "bold" } } {
  return { display: true, text, font: { size: 13, weight: "bold" } };
}

function axis(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { display: true, text }, grid: { color: "#e2e8f0" }, ...extra };
}

/** Log axes label only 1, 2, 3, 5 and their powers of ten: no crowded fractions. */
function wholeTicks(value: string | number): string {
  const v = Number(value);
  const lead = v / Math.pow(10, Math.floor(Math.log10(v)));
  return Number.isInteger(v) && [1, 2, 3, 5].includes(Math.round(lead)) &&
      Math.abs(lead - Math.round(lead)) < 1e-9
    ? String(v)
    : "";
}

/** The three charts. */
export class Charts {
  readonly #model: NetworkModel;
  readonly #delivery: Chart<"line", Point[]>;
  readonly #cdf: Chart<"line", Point[]>;
  readonly #degrees: Chart<"scatter", Point[]>;
  #alpha = "";

  /** Creates the charts in the three canvases. */
  constructor(
    canvases: { delivery: HTMLCanvasElement; cdf: HTMLCanvasElement; degrees: HTMLCanvasElement },
    model: NetworkModel,
  ) {
    this.#model = model;
    const common = { responsive: true, maintainAspectRatio: false };
    this.#delivery = new Chart(canvases.delivery, {
      type: "line",
      data: {
        datasets: [{
          label: "delivery",
          data: [],
          borderColor: "#2563eb",
          backgroundColor: "rgba(37, 99, 235, 0.12)",
          fill: true,
          pointRadius: 0,
          borderWidth: 2,
        }],
      },
      options: {
        ...common,
        plugins: {
          title: title("Delivery: expected first receipts that arrived"),
          legend: { display: false },
        },
        scales: {
          x: axis("seconds since start", { type: "linear", min: 0 }),
          y: axis("%", { min: 0, max: 100 }),
        },
      },
    });
    this.#cdf = new Chart(canvases.cdf, {
      type: "line",
      data: {
        datasets: [{
          label: "messages",
          data: [],
          borderColor: "#16a34a",
          stepped: "before",
          pointRadius: 0,
          borderWidth: 2,
        }],
      },
      options: {
        ...common,
        plugins: {
          title: title("Dissemination time (CDF over messages)"),
          legend: { display: false },
        },
        scales: {
          x: axis("ms from generation to the last first receipt", { type: "linear", min: 0 }),
          y: axis("fraction of messages", { min: 0, max: 1 }),
        },
      },
    });
    this.#degrees = new Chart(canvases.degrees, {
      type: "scatter",
      data: {
        datasets: [
          { label: "peers", data: [], backgroundColor: "#2563eb", pointRadius: 5 },
          {
            label: "power-law fit",
            data: [],
            type: "line" as "scatter",
            borderColor: "#dc2626",
            borderDash: [6, 4],
            pointRadius: 0,
            borderWidth: 2,
            showLine: true,
          },
        ],
      },
      options: {
        ...common,
        plugins: {
          title: title("Degree distribution (log-log)"),
          legend: { position: "bottom", labels: { boxWidth: 12 } },
        },
        scales: {
          x: axis("degree k", { type: "logarithmic", ticks: { callback: wholeTicks } }),
          y: axis("peers with degree k", { type: "logarithmic", ticks: { callback: wholeTicks } }),
        },
      },
    });
  }

  /** The fitted exponent as text, e.g. `α = 2.41 ± 0.31 (k_min = 2, 40 peers)`. */
  get alphaText(): string {
    return this.#alpha;
  }

  /** Redraws every chart from the model; `degrees` are the peers' current degrees. */
  update(degrees: readonly number[]): void {
    const start = this.#model.startTs ?? 0;
    this.#delivery.data.datasets[0]!.data = this.#model.summaries
      .filter((s) => s.summary.expected > 0)
      .map((s) => ({
        x: (s.ts - start) / 1000,
        y: (100 * s.summary.delivered) / s.summary.expected,
      }));
    this.#delivery.update("none");

    const times = this.#model.latestSummary()?.disseminationMs ?? [];
    this.#cdf.data.datasets[0]!.data = times.map((ms, i) => ({ x: ms, y: (i + 1) / times.length }));
    this.#cdf.update("none");

    const positive = degrees.filter((k) => k > 0);
    const histogram = degreeHistogram(positive);
    this.#degrees.data.datasets[0]!.data = histogram.map((h) => ({ x: h.k, y: h.count }));
    const fit = fitPowerLaw(positive);
    const maxK = histogram[histogram.length - 1]?.k ?? 1;
    this.#degrees.data.datasets[1]!.data = fit === undefined ? [] : Array.from(
      { length: Math.max(0, maxK - fit.kMin + 1) },
      (_, i) => ({ x: fit.kMin + i, y: expectedCount(fit, fit.kMin + i) }),
    ).filter((p) => p.y >= 0.05);
    this.#alpha = fit === undefined
      ? "too few peers to fit"
      : `α = ${fit.alpha.toFixed(2)} ± ${
        fit.sigma.toFixed(2)
      } (k_min = ${fit.kMin}, ${fit.tail} peers)`;
    this.#degrees.options.plugins!.title = title(`Degree distribution (log-log): ${this.#alpha}`);
    const scales = this.#degrees.options.scales as Record<string, Record<string, unknown>>;
    scales.x!.min = 1;
    scales.x!.max = Math.max(2, Math.ceil(maxK * 1.3));
    scales.y!.min = 0.5;
    scales.y!.max = Math.max(2, ...histogram.map((h) => h.count * 1.5));
    this.#degrees.update("none");
  }
}
