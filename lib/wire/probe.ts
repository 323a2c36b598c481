/**
 * A direct liveness probe: open a fresh connection, exchange hellos, ping,
 * wait for the pong, close. Seeds use it to check a peer reported dead;
 * peers use it for neighbours whose link dropped and for indirect pings.
 *
 * A process that is stopped (SIGSTOP) still completes the TCP handshake in
 * the kernel, so only an answered ping counts as alive.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { randomUint32, type Rng } from "../util/random.ts";
import type { ConnectionHandler } from "./connection.ts";
import { dialNode } from "./dial.ts";
import type { HelloMessage } from "./messages.ts";
import type { Transport } from "./transport.ts";

/** Outcome of a probe. */
export interface ProbeResult {
  readonly alive: boolean;
  /** Round trip of the ping, when alive. */
  readonly rttMs?: number;
  /** The target's node id, when it answered the hello. */
  readonly nodeId?: string;
  /** One line: why it is considered dead, or "pong". */
  readonly detail: string;
}

/** Options for {@linkcode probeNode}. */
export interface ProbeOptions {
  transport: Transport;
  /** Hello to send; its role should be `client` (a probe is not a link). */
  localHello: HelloMessage;
  /** Everything (connect, hello, pong) must happen within this, in ms. */
  timeoutMs: number;
  rng: Rng;
  /** Time source for the round trip and the deadline. */
  clock: Clock;
}

/** Probes `target`; never throws. */
export async function probeNode(target: Address, options: ProbeOptions): Promise<ProbeResult> {
  const clock = options.clock;
  const started = clock.now();
  const nonce = randomUint32(options.rng);
  let answered: (rtt: number) => void = () => {};
  const pong = new Promise<number>((resolve) => answered = resolve);
  const handler: ConnectionHandler = {
    onHello: () => undefined,
    onMessage(_conn, message) {
      if (message.kind === "pong" && message.nonce === nonce) answered(clock.now() - started);
    },
    onClose: () => {},
  };
  let connection;
  try {
    connection = await dialNode(target, {
      transport: options.transport,
      localHello: options.localHello,
      handler,
      timeoutMs: options.timeoutMs,
      clock,
    });
  } catch (error) {
    return { alive: false, detail: errorText(error) };
  }
  const nodeId = connection.remoteHello?.nodeId;
  connection.send({ kind: "ping", nonce });
  const remaining = Math.max(1, options.timeoutMs - (clock.now() - started));
  let timer: TimerHandle | undefined;
  const outcome = await Promise.race([
    pong,
    connection.closed.then((info) => info.detail),
    new Promise<string>((resolve) =>
      timer = clock.setTimeout(() => resolve("no pong in time"), remaining)
    ),
  ]);
  clock.clearTimeout(timer);
  connection.close("local", "probe done");
  if (typeof outcome === "number") {
    return nodeId === undefined
      ? { alive: true, rttMs: outcome, detail: "pong" }
      : { alive: true, rttMs: outcome, nodeId, detail: "pong" };
  }
  return { alive: false, detail: outcome };
}
