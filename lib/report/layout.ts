/**
 * Positions for the report's overlay drawing: ForceAtlas2 (graphology's
 * implementation) run for a fixed number of iterations from positions on a
 * circle, so the same run always gives the same picture. Seeds have no
 * overlay links; they are placed in a row above the peers.
 *
 * @module
 */

import { UndirectedGraph } from "graphology";
import fa2Module from "graphology-layout-forceatlas2";

/** The synchronous layout (a CommonJS function whose typings Deno reads as a namespace). */
const forceAtlas2 = fa2Module as unknown as {
  assign(graph: UndirectedGraph, params: { iterations: number; settings: object }): void;
  inferSettings(graph: UndirectedGraph): Record<string, unknown>;
};

/** A node's position, in layout units (the drawing scales them to fit). */
export interface Position {
  readonly x: number;
  readonly y: number;
}

/** Iterations of ForceAtlas2: enough to settle a few hundred nodes. */
const ITERATIONS = 400;

/**
 * Lays out `peers` linked by `links`, and `seeds` in a row above them.
 *
 * @example Usage
 * ```ts
 * import { layoutOverlay } from "./layout.ts";
 * const at = layoutOverlay({ peers: ["p1", "p2"], seeds: ["s1"], links: [["p1", "p2"]] });
 * at.size; // 3
 * ```
 */
export function layoutOverlay(options: {
  peers: readonly string[];
  seeds: readonly string[];
  links: ReadonlyArray<readonly [string, string]>;
}): Map<string, Position> {
  const graph = new UndirectedGraph<{ x: number; y: number }>();
  const n = Math.max(1, options.peers.length);
  options.peers.forEach((name, i) => {
    const angle = (2 * Math.PI * i) / n;
    graph.addNode(name, { x: 10 * Math.cos(angle), y: 10 * Math.sin(angle) });
  });
  for (const [a, b] of options.links) {
    if (graph.hasNode(a) && graph.hasNode(b) && !graph.hasEdge(a, b)) graph.addEdge(a, b);
  }
  if (graph.order > 1) {
    const settings = forceAtlas2.inferSettings(graph);
    forceAtlas2.assign(graph, {
      iterations: ITERATIONS,
      settings: { ...settings, strongGravityMode: true, gravity: 0.5 },
    });
  }
  const positions = new Map<string, Position>();
  const isolated: string[] = [];
  graph.forEachNode((name, a) => {
    if (graph.degree(name) === 0 && graph.order > 1) isolated.push(name);
    else positions.set(name, { x: a.x, y: a.y });
  });
  const xs = [...positions.values()].map((p) => p.x);
  const ys = [...positions.values()].map((p) => p.y);
  const minX = Math.min(0, ...xs);
  const maxX = Math.max(1, ...xs);
  const top = Math.min(0, ...ys) - (maxX - minX) * 0.2 - 1;
  const bottom = Math.max(0, ...ys) + (maxX - minX) * 0.15 + 1;
  // Peers with no link (removed, or never linked) wait in a row below, not flung to the edge.
  isolated.forEach((name, i) => {
    positions.set(name, { x: minX + (maxX - minX) * ((i + 1) / (isolated.length + 1)), y: bottom });
  });
  options.seeds.forEach((name, i) => {
    positions.set(name, {
      x: minX + (maxX - minX) * ((i + 1) / (options.seeds.length + 1)),
      y: top,
    });
  });
  return positions;
}
