/**
 * `--metrics host:port`: an HTTP server whose one page, `/metrics`, is the
 * node's Prometheus text. The exposition library is loaded on the first
 * call, so nodes without `--metrics` never load it.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import type { NodeStatus } from "../node/node_status.ts";
import { type Address, formatAddress } from "../util/address.ts";
import { errorText, RuntimeError } from "../util/errors.ts";

/** A running metrics server. */
export interface MetricsServer {
  /** Where it listens (the port resolved when 0 was asked). */
  readonly address: Address;
  /** Stops serving; resolves once closed. Idempotent. */
  close(): Promise<void>;
}

/** Options for {@linkcode serveMetrics}. */
export interface MetricsServerOptions {
  /** The node's status, read on every scrape. */
  status: () => NodeStatus;
  /** Where `metrics_listening` goes. */
  log: EventLog;
}

/**
 * Serves `http://<address>/metrics`; anything else is 404.
 *
 * @throws {RuntimeError} When the address cannot be bound.
 */
export async function serveMetrics(
  address: Address,
  options: MetricsServerOptions,
): Promise<MetricsServer> {
  const { metricsRenderer } = await import("./metrics.ts");
  const metrics = metricsRenderer(options.status);
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: address.host,
      port: address.port,
      onListen: () => {},
    }, async (request) => {
      const path = new URL(request.url).pathname;
      if (path !== "/metrics") {
        return new Response("Not found: metrics are at /metrics\n", { status: 404 });
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        return new Response("Method not allowed\n", { status: 405, headers: { allow: "GET" } });
      }
      return new Response(await metrics.render(), {
        headers: { "content-type": metrics.contentType },
      });
    });
  } catch (error) {
    const where = formatAddress(address);
    const why = error instanceof Deno.errors.AddrInUse
      ? "address already in use"
      : errorText(error);
    throw new RuntimeError(`Cannot serve --metrics on ${where}: ${why}`, { cause: error });
  }
  const bound = { host: address.host, port: server.addr.port };
  options.log.emit({ event: "metrics_listening", address: formatAddress(bound) });
  let closing: Promise<void> | undefined;
  return {
    address: bound,
    close() {
      closing ??= server.shutdown();
      return closing;
    },
  };
}
