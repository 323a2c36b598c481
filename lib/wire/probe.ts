/**
 * A direct liveness probe: open a fresh connection, exchange hellos, ping,
 * wait for the pong, close. Seeds use it to check a peer reported dead and
 * to verify registrations; peers use it for neighbours whose link dropped.
 *
 * A process that is stopped (SIGSTOP) still completes the TCP handshake in
 * the kernel, so only an answered ping, or a hello followed by a refusal
 * (the target is running but full), counts as alive. A failure whose cause
 * is this node's own trouble (out of descriptors or buffers, or its event
 * loop too late to notice the pong, or too busy to let the round trips
 * through in time: {@linkcode LoopWatch}) is marked `local`: it says nothing
 * about the target.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { randomUint32, type Rng } from "../util/random.ts";
import type { ConnectionHandler, FramedConnection } from "./connection.ts";
import { dialNode } from "./dial.ts";
import { LoopWatch, tooBusyFor } from "./loop_watch.ts";
import type { HelloMessage, NodeRole } from "./messages.ts";
import type { KeyringSource } from "./keyring.ts";
import type { Transport } from "./transport.ts";

/** Whose trouble a failed probe shows: the target's, or this node's own. */
export type FailureCause = "remote" | "local";

/** Outcome of a probe. */
export interface ProbeResult {
  readonly alive: boolean;
  /** Round trip of the ping, when a pong came back. */
  readonly rttMs?: number;
  /** The target's node id, when it answered the hello. */
  readonly nodeId?: string;
  /** The role the target's hello announced. */
  readonly role?: NodeRole;
  /** For a failure: whether it shows the target's trouble or this node's. */
  readonly cause?: FailureCause;
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
  /** The network keys, on a keyed network. @default {keyless} */
  keyring?: KeyringSource;
  /**
   * Watch this node's event loop while waiting (a {@linkcode LoopWatch}), so
   * that a timeout behind long turns counts as `local`. For nodes on real
   * time and sockets; a simulated clock never lags. @default {false}
   */
  watchLoop?: boolean;
}

// errno values of a node out of resources: EMFILE 24, ENFILE 23, ENOMEM 12,
// ENOBUFS 105, EADDRNOTAVAIL 99 (no ephemeral port left).
const LOCAL_ERROR =
  /os error (12|23|24|99|105)\b|too many open files|no buffer space|cannot allocate memory|address not available/i;

/**
 * Reports whether a failed connect shows this node's own trouble rather
 * than the target's.
 *
 * @example Usage
 * ```ts
 * import { isLocalFailure } from "./probe.ts";
 * isLocalFailure(new Error("Too many open files (os error 24)")); // true
 * isLocalFailure(new Error("Connection refused (os error 111)")); // false
 * ```
 */
export function isLocalFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; depth++) {
    if (LOCAL_ERROR.test(errorText(e))) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

/**
 * Reports whether a timer that should have fired at `due` but fired at
 * `firedAt` shows an event loop too busy to judge a timeout: late by more
 * than half the waited time, and by at least 50 ms.
 *
 * @example Usage
 * ```ts
 * import { firedLate } from "./probe.ts";
 * firedLate({ due: 1000, firedAt: 1010, waitedMs: 1000 }); // false
 * firedLate({ due: 1000, firedAt: 1900, waitedMs: 1000 }); // true
 * ```
 */
export function firedLate(timer: { due: number; firedAt: number; waitedMs: number }): boolean {
  const late = timer.firedAt - timer.due;
  return late >= 50 && late > timer.waitedMs / 2;
}

// Error codes with which a running node turns a connection away.
const REFUSED_ALIVE = /^(too_many_connections|overloaded): /;

/** Probes `target`; never throws. */
export async function probeNode(target: Address, options: ProbeOptions): Promise<ProbeResult> {
  const watch = options.watchLoop ? new LoopWatch(options.clock) : undefined;
  const started = options.clock.now();
  try {
    const result = await probeOnce(target, options);
    if (result.alive || result.cause === "local" || !watch) return result;
    // Only a probe that waited its time out can blame the wait: a refusal
    // or a reset that came back sooner is the target's answer, however busy.
    const waitedOut = options.clock.now() - started >= options.timeoutMs * 0.9;
    const lag = watch.maxLagMs;
    if (!waitedOut || !tooBusyFor(lag, options.timeoutMs)) return result;
    return {
      ...result,
      cause: "local",
      detail: `${result.detail}; this node was too busy to judge (event-loop turns up to ${
        Math.round(lag)
      }ms)`,
    };
  } finally {
    watch?.stop();
  }
}

async function probeOnce(target: Address, options: ProbeOptions): Promise<ProbeResult> {
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
  let connection: FramedConnection;
  try {
    connection = await dialNode(target, {
      transport: options.transport,
      localHello: options.localHello,
      handler,
      timeoutMs: options.timeoutMs,
      clock,
      ...(options.keyring ? { connection: { keyring: options.keyring } } : {}),
    });
  } catch (error) {
    const elapsed = clock.now() - started;
    const late = firedLate({
      due: started + options.timeoutMs,
      firedAt: started + elapsed,
      waitedMs: options.timeoutMs,
    });
    return {
      alive: false,
      cause: isLocalFailure(error) || late ? "local" : "remote",
      detail: errorText(error),
    };
  }
  const hello = connection.remoteHello;
  const known = hello ? { nodeId: hello.nodeId, role: hello.role } : {};
  connection.send({ kind: "ping", nonce });
  const remaining = Math.max(1, options.timeoutMs - (clock.now() - started));
  const due = clock.now() + remaining;
  let timer: TimerHandle | undefined;
  const outcome = await Promise.race([
    pong,
    connection.closed.then((info) => info.detail),
    new Promise<"timeout">((resolve) =>
      timer = clock.setTimeout(() => resolve("timeout"), remaining)
    ),
  ]);
  clock.clearTimeout(timer);
  connection.close("local", "probe done");
  if (typeof outcome === "number") return { alive: true, rttMs: outcome, ...known, detail: "pong" };
  if (outcome === "timeout") {
    const local = firedLate({ due, firedAt: clock.now(), waitedMs: remaining });
    return local
      ? {
        alive: false,
        cause: "local",
        ...known,
        detail: `this node was too busy to wait for the pong (timer ${
          Math.round(clock.now() - due)
        }ms late)`,
      }
      : { alive: false, cause: "remote", ...known, detail: "no pong in time" };
  }
  // A hello and then a refusal: the target runs and answers, it is merely full.
  if (hello && REFUSED_ALIVE.test(outcome)) {
    return { alive: true, ...known, detail: `refused: ${outcome}` };
  }
  return { alive: false, cause: "remote", ...known, detail: outcome };
}
