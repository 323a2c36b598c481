/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * The overlay drawn with sigma.js (WebGL) over a graphology graph, laid out
 * by ForceAtlas2 in a web worker: sizes by degree, colours by role and
 * state, and the highlight of a message spreading. Seeds hold no overlay
 * links; they sit in a row above the peers.
 *
 * @module
 */

import { UndirectedGraph } from "graphology";
import FA2Module from "graphology-layout-forceatlas2/worker";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";
import type { DisplayState, NetworkModel } from "./model.ts";

/** Colour of each drawn state (also used by the legend). */
export const STATE_COLORS: Readonly<Record<DisplayState, string>> = {
  seed: "#7c3aed",
  peer: "#2563eb",
  killed: "#93c5fd",
  suspected: "#f59e0b",
  reported: "#dc2626",
  removed: "#374151",
  paused: "#0891b2",
  left: "#cbd5e1",
};

/** Legend labels, in legend order. */
export const STATE_LABELS: ReadonlyArray<[DisplayState, string]> = [
  ["seed", "seed"],
  ["peer", "peer"],
  ["killed", "killed (not yet noticed)"],
  ["suspected", "suspected"],
  ["reported", "reported dead"],
  ["removed", "removed"],
  ["paused", "paused"],
  ["left", "left / stopped"],
];

/** The layout worker's supervisor (a CommonJS class its typings do not describe as one). */
interface LayoutWorker {
  start(): void;
  stop(): void;
  isRunning(): boolean;
}
const FA2Layout = FA2Module as unknown as new (
  graph: UndirectedGraph,
  params: { settings: Record<string, unknown> },
) => LayoutWorker;

/** What each node carries in the graph. */
interface NodeAttributes {
  x: number;
  y: number;
  fixed: boolean;
  size?: number;
  color?: string;
  label?: string;
  state?: DisplayState;
}

const EDGE_COLOR = "#cbd5e1";
const GONE_STATES: ReadonlySet<DisplayState> = new Set(["removed", "left", "killed", "reported"]);
const LIT_EDGE = "#f97316";
const LIT_NODE = "#22c55e";
const ORIGIN_NODE = "#15803d";
/** How long the layout runs after the last change to the links, in ms. */
const LAYOUT_MS = 4000;

/** What is highlighted: a message's origin, the nodes it reached and the links it took. */
export interface Highlight {
  readonly origin: string;
  readonly reached: ReadonlySet<string>;
  /** Edge keys (`a b`, a < b). */
  readonly edges: ReadonlySet<string>;
  /** The node that just got it. */
  readonly latest?: string;
}

function edgeKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/** The graph on the page. */
export class GraphView {
  readonly graph: UndirectedGraph<NodeAttributes> = new UndirectedGraph<NodeAttributes>();
  readonly #model: NetworkModel;
  readonly #sigma: Sigma;
  #layout: LayoutWorker | undefined;
  #layoutTimer: ReturnType<typeof setTimeout> | undefined;
  #follow: ReturnType<typeof setInterval> | undefined;
  #highlight: Highlight | undefined;
  #seen = -1;

  /** Draws `model` into `container`; `onClick` gets a clicked node's name. */
  constructor(container: HTMLElement, model: NetworkModel, onClick: (name: string) => void) {
    this.#model = model;
    this.#sigma = new Sigma(this.graph as unknown as UndirectedGraph, container, {
      defaultEdgeColor: EDGE_COLOR,
      labelFont: "system-ui, sans-serif",
      labelSize: 13,
      labelWeight: "600",
      labelColor: { color: "#0f172a" },
      labelRenderedSizeThreshold: 0,
      // Small networks label every node; big ones let sigma thin the labels out.
      labelDensity: 4,
      labelGridCellSize: 40,
      zIndex: true,
      stagePadding: 50,
      nodeReducer: (node, data) => this.#nodeStyle(node, data as Record<string, unknown>),
      edgeReducer: (edge, data) => this.#edgeStyle(edge, data as Record<string, unknown>),
    });
    this.#sigma.on("clickNode", ({ node }) => onClick(node));
  }

  /** Shows (or clears) a message's spread. */
  setHighlight(highlight: Highlight | undefined): void {
    this.#highlight = highlight;
    this.#sigma.refresh({ skipIndexation: true });
  }

  /** Brings the drawing up to date with the model. */
  update(): void {
    if (this.#seen === this.#model.topologyVersion) return;
    this.#seen = this.#model.topologyVersion;
    let changed = false;
    for (const node of this.#model.nodes.values()) {
      if (!this.graph.hasNode(node.name)) {
        const [x, y] = this.#placeNew(node.name, node.role);
        this.graph.addNode(node.name, { x, y, fixed: node.role === "seed" });
        changed = true;
      }
    }
    const wanted = new Set<string>();
    for (const [a, b] of this.#model.links()) {
      const key = edgeKey(a, b);
      wanted.add(key);
      if (!this.graph.hasEdge(key) && this.graph.hasNode(a) && this.graph.hasNode(b)) {
        this.graph.addUndirectedEdgeWithKey(key, a, b);
        changed = true;
      }
    }
    for (const key of this.graph.edges()) {
      if (!wanted.has(key)) {
        this.graph.dropEdge(key);
        changed = true;
      }
    }
    // Big networks: smaller nodes, and labels only where sigma has room (hubs first).
    const big = this.graph.order > 150;
    this.#sigma.setSetting("labelDensity", big ? 0.6 : 4);
    this.#sigma.setSetting("labelRenderedSizeThreshold", big ? 7 : 0);
    const base = big ? 2 : 5;
    const growth = big ? 1.2 : 2.5;
    for (const node of this.#model.nodes.values()) {
      const degree = this.graph.degree(node.name);
      const state = this.#model.displayState(node);
      const label = state === "killed" ? `${node.name} (killed)` : node.name;
      // Removed and departed peers stay where they were instead of drifting off alone.
      const parked = node.role === "seed" || state === "removed" || state === "left";
      this.graph.mergeNodeAttributes(node.name, {
        size: node.role === "seed" ? 9 : base + growth * Math.sqrt(degree),
        color: STATE_COLORS[state],
        label,
        state,
        fixed: parked,
      });
    }
    if (changed) this.#relayout();
  }

  /** Where node `name` is drawn, in pixels from the graph's top left corner. */
  viewportPosition(name: string): { x: number; y: number } | undefined {
    const data = this.#sigma.getNodeDisplayData(name);
    return data === undefined ? undefined : this.#sigma.framedGraphToViewport(data);
  }

  /** How long one full redraw takes now, in ms (the mean of a few). */
  renderMs(): number {
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) this.#sigma.refresh();
    return (performance.now() - t0) / 5;
  }

  /** Number of links drawn. */
  get linkCount(): number {
    return this.graph.size;
  }

  /** A new peer starts next to a neighbour (no jump across the screen); a seed in the row. */
  #placeNew(name: string, role: "seed" | "peer"): [number, number] {
    if (role === "seed") return this.#seedPosition(name);
    const node = this.#model.nodes.get(name);
    for (const other of node?.neighbors ?? []) {
      if (this.graph.hasNode(other)) {
        const { x, y } = this.graph.getNodeAttributes(other);
        return [x + Math.random() - 0.5, y + Math.random() - 0.5];
      }
    }
    const angle = Math.random() * 2 * Math.PI;
    const r = 5 + Math.random() * 5;
    return [r * Math.cos(angle), r * Math.sin(angle)];
  }

  #seedPosition(name: string): [number, number] {
    const seeds = [...this.#model.nodes.values()].filter((n) => n.role === "seed");
    const i = Math.max(0, seeds.findIndex((n) => n.name === name));
    return [(i - (seeds.length - 1) / 2) * 8, 20];
  }

  /** Keeps the seeds in a row just above the peers. */
  #placeSeeds(): void {
    let top = -Infinity;
    let minX = Infinity;
    let maxX = -Infinity;
    this.graph.forEachNode((_, a) => {
      if (a.state === "seed" || a.fixed) return;
      top = Math.max(top, a.y);
      minX = Math.min(minX, a.x);
      maxX = Math.max(maxX, a.x);
    });
    if (!Number.isFinite(top)) return;
    const seeds = this.graph.filterNodes((name) => this.#model.nodes.get(name)?.role === "seed");
    const span = Math.max(maxX - minX, 1);
    seeds.forEach((name, i) => {
      const x = minX + span * ((i + 1) / (seeds.length + 1));
      this.graph.mergeNodeAttributes(name, { x, y: top + span * 0.15 + 2 });
    });
  }

  #relayout(): void {
    if (!this.#layout) {
      const settings = forceAtlas2.inferSettings(this.graph);
      this.#layout = new FA2Layout(this.graph, {
        settings: {
          ...settings,
          slowDown: 5,
          strongGravityMode: true,
          gravity: 0.5,
          // Big networks need room to spread out.
          scalingRatio: this.graph.order > 150 ? 10 : settings.scalingRatio,
          barnesHutOptimize: this.graph.order > 300,
        },
      });
    }
    if (!this.#layout.isRunning()) this.#layout.start();
    clearTimeout(this.#layoutTimer);
    const settle = () => {
      this.#layout?.stop();
      this.#placeSeeds();
    };
    this.#layoutTimer = setTimeout(settle, LAYOUT_MS);
    // Seeds follow the peers while the layout moves them.
    this.#follow ??= setInterval(() => {
      this.#placeSeeds();
      if (this.#layout?.isRunning()) return;
      clearInterval(this.#follow);
      this.#follow = undefined;
    }, 250);
  }

  #nodeStyle(node: string, data: Record<string, unknown>): Record<string, unknown> {
    const h = this.#highlight;
    // A node that is gone keeps its state's colour even if the message reached it first.
    if (!h || GONE_STATES.has(data.state as DisplayState)) return data;
    if (node === h.origin) return { ...data, color: ORIGIN_NODE, highlighted: true, zIndex: 2 };
    if (h.reached.has(node)) {
      return { ...data, color: LIT_NODE, highlighted: node === h.latest, zIndex: 1 };
    }
    return data;
  }

  #edgeStyle(edge: string, data: Record<string, unknown>): Record<string, unknown> {
    const h = this.#highlight;
    if (h?.edges.has(edge)) return { ...data, color: LIT_EDGE, size: 3, zIndex: 1 };
    return { ...data, size: 1 };
  }
}

export { edgeKey };
