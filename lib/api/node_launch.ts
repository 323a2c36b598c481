/**
 * The steps a seed and a peer take alike to start: read their keys and
 * addresses from the options, bind and open their logs, serve metrics, and
 * stop once, in order.
 *
 * @module
 */

import { EventHub } from "../log/event_hub.ts";
import type { NodeLog } from "../log/logger.ts";
import type { NodeStatus } from "../node/node_status.ts";
import type { Address } from "../util/address.ts";
import { tcpTransport } from "../wire/transport.ts";
import { bindNode, type BoundNode } from "./bind.ts";
import { logKeys, NodeKeys } from "./node_keys.ts";
import { type NodeLogs, openLogs } from "./node_logs.ts";
import { type MetricsServer, serveMetrics } from "./metrics_server.ts";
import { type NodeOptions, toAddress } from "./options.ts";

/** The node's keys from `keyFile`, `key`, else `keyEnv` (`GOSSIPNET_KEY`); none without. */
export function loadNodeKeys(
  options: Pick<NodeOptions, "keyFile" | "key">,
  keyEnv: string | undefined,
): Promise<NodeKeys | undefined> {
  return NodeKeys.load({
    ...(options.keyFile === undefined ? {} : { keyFile: options.keyFile }),
    ...(options.key === undefined ? {} : { key: options.key }),
    ...(keyEnv === undefined ? {} : { env: keyEnv }),
  });
}

/** `advertise` and `metrics` as addresses, when given. */
export function optionAddresses(
  options: Pick<NodeOptions, "advertise" | "metrics">,
): { advertise: Address | undefined; metricsAt: Address | undefined } {
  return {
    advertise: options.advertise === undefined
      ? undefined
      : toAddress(options.advertise, "advertise"),
    metricsAt: options.metrics === undefined ? undefined : toAddress(options.metrics, "metrics"),
  };
}

/** A bound node with its logs open and its key ids logged. */
export interface OpenedNode {
  readonly bound: BoundNode;
  readonly logs: NodeLogs;
  readonly hub: EventHub;
}

/**
 * Binds `listen` (advertising `advertise`), opens the logs, and logs the key
 * ids; a log that cannot be opened releases the port again.
 */
export async function openNode(
  role: "seed" | "peer",
  options: NodeOptions,
  launch: { openLog?: (listen: Address) => Promise<NodeLog> },
  at: { listen: Address; advertise: Address | undefined; keys: NodeKeys | undefined },
): Promise<OpenedNode> {
  const bound = bindNode(options.transport ?? tcpTransport, {
    listen: at.listen,
    ...(at.advertise ? { advertise: at.advertise } : {}),
  });
  const logs = await openLogs(role, options, launch, {
    host: at.listen.host,
    port: bound.listen.port,
  }).catch((error) => {
    bound.release();
    throw error;
  });
  const hub = new EventHub(logs.sinks);
  logKeys(at.keys, hub);
  return { bound, logs, hub };
}

/** What serving and stopping need of a started node. */
interface RunningNode {
  status(): NodeStatus;
  stop(): Promise<void>;
}

/**
 * Serves the node's metrics at `at`, if given; a server that cannot start
 * stops the node and closes its logs before the error goes on.
 */
export async function serveNodeMetrics(
  at: Address | undefined,
  node: RunningNode,
  opened: OpenedNode,
): Promise<MetricsServer | undefined> {
  if (!at) return undefined;
  try {
    return await serveMetrics(at, { status: () => node.status(), log: opened.hub });
  } catch (error) {
    await node.stop();
    await opened.logs.close();
    throw error;
  }
}

/**
 * The node's `stop()`: metrics, then the node, then `also` (e.g. readers),
 * then the event hub and logs; every call gets the same promise.
 */
export function stopOnce(
  metrics: MetricsServer | undefined,
  node: RunningNode,
  opened: OpenedNode,
  also: () => void = () => {},
): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    stopping ??= (async () => {
      await metrics?.close();
      await node.stop();
      also();
      opened.hub.close();
      await opened.logs.close();
    })();
}
