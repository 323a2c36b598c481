/**
 * The dashboard's HTTP server: the page, its script (embedded in the
 * program, so nothing is fetched from anywhere else), the event stream as
 * Server-Sent Events, each node's last log lines, and the node controls.
 *
 * | route                          | what                                        |
 * | ------------------------------ | ------------------------------------------- |
 * | `GET /`                        | the page                                    |
 * | `GET /app.js`                  | the bundled browser code                    |
 * | `GET /node_events.js`          | the browser's `node:events` (import map)    |
 * | `GET /events`                  | SSE; each `data:` is a JSON array of events |
 * | `GET /api/nodes/<name>/log`    | the node's last log lines (JSON)            |
 * | `POST /api/nodes/<name>/<act>` | kill, pause, resume or start (JSON result)  |
 *
 * A control request must carry the header `X-Gossipnet: 1`: another web
 * site cannot send that header to this one without the browser first asking
 * permission, which this server never grants.
 *
 * @module
 */

import { type Address, formatAddress } from "../util/address.ts";
import { errorText, RuntimeError } from "../util/errors.ts";
import { isControlAction, type NetworkControl } from "../up/control.ts";
import type { DashboardFeed } from "./feed.ts";
import type { StreamEvent } from "./stream.ts";

/** Options for {@linkcode serveDashboard}. */
export interface DashboardServerOptions {
  /** Where to listen; port 0 picks a free port. */
  address: Address;
  feed: DashboardFeed;
  control: NetworkControl;
  /** The page's HTML. */
  page: string;
  /** The page's script. */
  script: string;
  /** The browser's `node:events` (see `web/node_events.ts`). */
  eventsScript: string;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://host:port/`, with the real port. */
  readonly url: string;
  /** Stops serving and ends every open stream. */
  close(): Promise<void>;
}

/** Events per SSE message when replaying the history to a new browser. */
const REPLAY_CHUNK = 2000;
/** A comment line this often keeps idle streams from being cut by proxies. */
const KEEPALIVE_MS = 15_000;
/** The header a control request must carry. */
export const CONTROL_HEADER = "X-Gossipnet";

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * Starts the server.
 * @throws {RuntimeError} When the address cannot be listened on.
 */
export function serveDashboard(options: DashboardServerOptions): DashboardServer {
  const streams = new Set<() => void>();
  const encoder = new TextEncoder();
  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (request.method === "GET" && path === "/") {
      return new Response(options.page, {
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      });
    }
    if (request.method === "GET" && (path === "/app.js" || path === "/node_events.js")) {
      return new Response(path === "/app.js" ? options.script : options.eventsScript, {
        headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" },
      });
    }
    if (request.method === "GET" && path === "/events") return eventStream();
    if (path === "/favicon.ico") return new Response(null, { status: 204 });
    const match = /^\/api\/nodes\/([^/]+)\/([a-z]+)$/.exec(path);
    if (!match) return json({ error: `No such page: ${path}` }, 404);
    const [, name, action] = match as unknown as [string, string, string];
    const node = options.control.nodes().find((n) => n.name === name);
    if (!node) return json({ error: `No node "${name}"` }, 404);
    if (request.method === "GET" && action === "log") {
      return json({ node: node.name, lines: options.feed.lines(node.name) });
    }
    if (request.method !== "POST" || !isControlAction(action)) {
      return json({ error: `No such action: ${request.method} ${action}` }, 404);
    }
    if (request.headers.get(CONTROL_HEADER) !== "1") {
      return json({ error: `Missing header ${CONTROL_HEADER}: 1` }, 403);
    }
    try {
      return json({ ok: true, text: await options.control.act(action, node.name) });
    } catch (error) {
      return json({ ok: false, text: `${action} ${node.name} failed: ${errorText(error)}` }, 500);
    }
  };

  function eventStream(): Response {
    let unsubscribe = () => {};
    let keepalive: ReturnType<typeof setInterval> | undefined;
    let end = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (events: readonly StreamEvent[]) => {
          try {
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(events)}\n\n`));
          } catch {
            end();
          }
        };
        const history = options.feed.history();
        for (let i = 0; i < history.length; i += REPLAY_CHUNK) {
          send(history.slice(i, i + REPLAY_CHUNK));
        }
        unsubscribe = options.feed.subscribe(send);
        keepalive = setInterval(() => {
          try {
            controller.enqueue(encoder.encode(": keepalive\n\n"));
          } catch {
            end();
          }
        }, KEEPALIVE_MS);
        end = () => {
          unsubscribe();
          clearInterval(keepalive);
          streams.delete(end);
          try {
            controller.close();
          } catch {
            // Already closed by the browser.
          }
        };
        streams.add(end);
      },
      cancel() {
        end();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  }

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.address.host,
      port: options.address.port,
      onListen: () => {},
    }, handler);
  } catch (error) {
    const where = formatAddress(options.address);
    const why = error instanceof Deno.errors.AddrInUse
      ? "address already in use"
      : errorText(error);
    throw new RuntimeError(`Cannot serve the dashboard on ${where}: ${why}`, { cause: error });
  }
  const port = server.addr.port;
  const host = options.address.host.includes(":")
    ? `[${options.address.host}]`
    : options.address.host;
  return {
    url: `http://${host}:${port}/`,
    async close() {
      for (const end of [...streams]) end();
      await server.shutdown();
    },
  };
}
