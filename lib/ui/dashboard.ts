/**
 * The live dashboard of `up --ui`: a feed of the nodes' log records, the
 * HTTP server that streams it to browsers, and the timers that push
 * batches (every 100 ms), process states and `up`'s figures (every second).
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import type { NetworkControl } from "../up/control.ts";
import type { RunRecord } from "../up/records.ts";
import type { LiveStatus } from "../up/status.ts";
import { APP_SCRIPT, EVENTS_SCRIPT } from "./_app_bundle.ts";
import { DashboardFeed } from "./feed.ts";
import { dashboardPage } from "./page.ts";
import { type DashboardServer, serveDashboard } from "./server.ts";
import type { StreamSummary } from "./stream.ts";

/** Options for {@linkcode startDashboard}. */
export interface DashboardOptions {
  address: Address;
  /** Address → name of every node. */
  names: ReadonlyMap<string, string>;
  /** Names the addresses in a log line's text. */
  nameText(text: string): string;
  control: NetworkControl;
  /** `up`'s current figures. */
  summary(): StreamSummary;
  /** Shown in the page's title. */
  title: string;
  /** If the port is taken, serve on any free port instead of failing. @default {false} */
  fallbackToFreePort?: boolean;
}

/** A running dashboard. */
export interface Dashboard {
  readonly url: string;
  /** The port asked for was taken, and a free one is used instead. */
  readonly fellBack: boolean;
  /** Takes a record from the log of node `node` (its name). */
  ingest(node: string, record: RunRecord): void;
  /** Sends what is pending, stops the timers and the server. */
  close(): Promise<void>;
}

const FLUSH_MS = 100;
const SUMMARY_MS = 1000;

/**
 * Starts serving the dashboard.
 * @throws {RuntimeError} When the address cannot be listened on.
 */
export function startDashboard(options: DashboardOptions): Dashboard {
  const feed = new DashboardFeed({ names: options.names }, options.nameText);
  const nodes = () => feed.setNodes(options.control.nodes());
  nodes();
  const serve = (address: Address) =>
    serveDashboard({
      address,
      feed,
      control: options.control,
      page: dashboardPage(options.title),
      script: APP_SCRIPT,
      eventsScript: EVENTS_SCRIPT,
    });
  let server: DashboardServer;
  let fellBack = false;
  try {
    server = serve(options.address);
  } catch (error) {
    // A busy port (often 8080) need not stop the run: any free port will do.
    const busy = error instanceof Error && error.cause instanceof Deno.errors.AddrInUse;
    if (!busy || !options.fallbackToFreePort || options.address.port === 0) throw error;
    server = serve({ host: options.address.host, port: 0 });
    fellBack = true;
  }
  const summary = () =>
    feed.publish({ type: "summary", ts: Date.now(), summary: options.summary() });
  const flusher = setInterval(() => {
    nodes();
    feed.flush();
  }, FLUSH_MS);
  const summarizer = setInterval(summary, SUMMARY_MS);
  return {
    url: server.url,
    fellBack,
    ingest: (node, record) => feed.ingest(node, record),
    async close() {
      clearInterval(flusher);
      clearInterval(summarizer);
      nodes();
      summary();
      feed.flush();
      await server.close();
    },
  };
}

/**
 * The dashboard's figures from `up`'s live status: the status line's
 * counters, and the dissemination times of the summary.
 */
export function summaryFromStatus(status: LiveStatus): StreamSummary {
  const summary = status.summary();
  return {
    ...status.snapshot(),
    messages: summary.messages,
    disseminationMs: summary.disseminationTimesMs,
  };
}
