/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * The side panels: a node's details and controls (Kill, Pause, Resume,
 * Start drive `up`'s supervisor, as the shell commands do), and the list of
 * failures with who suspected and reported each peer and how the seeds
 * voted.
 *
 * @module
 */

import type { NetworkModel, NodeInfo } from "./model.ts";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function names(set: Iterable<string>): string {
  const list = [...set].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return list.length === 0 ? "none" : list.join(", ");
}

/** The list of troubled peers: suspicions, reports, votes, removals. */
export function renderFailures(element: HTMLElement, model: NetworkModel): void {
  const rows: string[] = [];
  for (const node of model.nodes.values()) {
    if (node.role !== "peer") continue;
    const any = node.suspectedBy.size + node.reportedBy.size + node.removedBy.size +
      node.votes.size;
    if (any === 0) continue;
    const state = model.displayState(node);
    const votes = [...node.votes].sort(([a], [b]) => a.localeCompare(b))
      .map(([voter, answer]) => `${voter} ${answer}`).join(", ");
    rows.push(
      `<div class="f" data-node="${escapeHtml(node.name)}"><b>${escapeHtml(node.name)}</b>` +
        `<span class="muted">${escapeHtml(state)}</span><br>` +
        `suspected by ${escapeHtml(names(node.suspectedBy))}<br>` +
        `reported by ${escapeHtml(names(node.reportedBy))}<br>` +
        `seeds voted: ${escapeHtml(votes || "no vote yet")}` +
        (node.removedBy.size > 0 ? `<br>removed by ${escapeHtml(names(node.removedBy))}` : "") +
        `</div>`,
    );
  }
  if (rows.length === 0) return;
  const html = rows.join("");
  if (element.innerHTML !== html) element.innerHTML = html;
}

/** The node panel: details, neighbours with round trips, log lines, controls. */
export class NodePanel {
  readonly #element: HTMLElement;
  readonly #model: NetworkModel;
  #name: string | undefined;
  #log: Array<{ level: string; text: string; ts: number }> = [];
  #result = "";
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Renders into `element`. */
  constructor(element: HTMLElement, model: NetworkModel) {
    this.#element = element;
    this.#model = model;
    element.addEventListener("click", (event) => {
      const target = event.target as HTMLElement;
      const action = target.dataset.action;
      if (action && this.#name) void this.#act(action, this.#name);
    });
  }

  /** The node shown, if any. */
  get current(): string | undefined {
    return this.#name;
  }

  /** Shows node `name` and keeps its log lines fresh. */
  show(name: string): void {
    this.#name = name;
    this.#result = "";
    this.#log = [];
    clearInterval(this.#timer);
    void this.#fetchLog();
    this.#timer = setInterval(() => void this.#fetchLog(), 2000);
    this.render();
  }

  /** Redraws from the model. */
  render(): void {
    const node = this.#name === undefined ? undefined : this.#model.nodes.get(this.#name);
    if (!node) return;
    const html = this.#html(node);
    if (this.#element.innerHTML !== html) this.#element.innerHTML = html;
    const log = this.#element.querySelector("#log");
    if (log) log.scrollTop = log.scrollHeight;
  }

  #html(node: NodeInfo): string {
    const state = this.#model.displayState(node);
    const alive = node.process === "running" || node.process === "paused";
    const button = (action: string, enabled: boolean) =>
      `<button data-action="${action}"${enabled ? "" : " disabled"}>${action[0]!.toUpperCase()}${
        action.slice(1)
      }</button>`;
    const controls = `<div class="row">${button("kill", alive)}${
      button("pause", node.process === "running")
    }${button("resume", node.process === "paused")}${button("start", !alive)}</div>`;
    const stats = node.stats;
    const neighbors = [...node.neighbors].sort((a, b) =>
      a.localeCompare(b, "en", { numeric: true })
    );
    const rows = neighbors.map((n) => {
      const rtt = stats?.rtts[n];
      const text = rtt === undefined || rtt === null ? "–" : `${rtt.toFixed(2)} ms`;
      return `<tr><td>${escapeHtml(n)}</td><td>${text}</td></tr>`;
    }).join("");
    const table = node.role === "seed"
      ? `<div class="muted">Seeds keep the peer list; they have no overlay links.</div>`
      : neighbors.length === 0
      ? `<div class="muted">no neighbours</div>`
      : `<table><tr><th>neighbour</th><th>last ping round trip</th></tr>${rows}</table>`;
    const messages = node.role === "seed"
      ? ""
      : `<div>Message List: <b>${stats?.messages ?? "–"}</b> messages</div>`;
    const log = this.#log.map((l) =>
      `<div class="${escapeHtml(l.level)}">${new Date(l.ts).toISOString().slice(11, 23)} ${
        escapeHtml(l.text)
      }</div>`
    ).join("");
    return `<div class="row"><b style="font-size:15px">${escapeHtml(node.name)}</b>` +
      `<span>${node.role}, ${escapeHtml(node.address)}</span>` +
      `<span class="muted">${escapeHtml(state)} (process ${
        escapeHtml(node.process)
      })</span></div>` +
      controls + `<div id="result">${escapeHtml(this.#result)}</div>` + table + messages +
      `<div class="muted" style="margin-top:4px">last log lines</div><div id="log">${log}</div>`;
  }

  async #fetchLog(): Promise<void> {
    const name = this.#name;
    if (name === undefined) return;
    try {
      const response = await fetch(`/api/nodes/${encodeURIComponent(name)}/log`);
      const body = await response.json() as {
        lines?: Array<{ level: string; text: string; ts: number }>;
      };
      if (name !== this.#name) return;
      this.#log = (body.lines ?? []).slice(-15);
      this.render();
    } catch {
      // up has stopped; the last lines stay.
    }
  }

  async #act(action: string, name: string): Promise<void> {
    this.#result = `${action} ${name}…`;
    this.render();
    try {
      const response = await fetch(`/api/nodes/${encodeURIComponent(name)}/${action}`, {
        method: "POST",
        headers: { "X-Gossipnet": "1" },
      });
      const body = await response.json() as { text?: string; error?: string };
      this.#result = body.text ?? body.error ?? `${response.status}`;
    } catch (error) {
      this.#result = `${action} failed: ${error instanceof Error ? error.message : error}`;
    }
    this.render();
  }
}
