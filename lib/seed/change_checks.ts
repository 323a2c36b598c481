/**
 * A seed's own evidence for a membership change. Before it votes, and again
 * before it applies a change another seed committed or synced, a seed
 * probes the peer itself:
 *
 * - adding needs the address to answer as a peer (and, at the seed the peer
 *   registered with, with the registrant's own node id);
 * - removing needs the probe to fail for the peer's reason. A failure of
 *   this seed's own (out of descriptors, its event loop too late) is an
 *   abstention: never evidence that the peer is dead.
 *
 * The verdicts are pure functions of a probe's result; {@linkcode ChangeChecks}
 * shares probes and remembers recent answers, on an injected clock.
 *
 * @module
 */

import { type Address, formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import type { ProbeResult } from "../wire/probe.ts";

/** What a probe says about a change: for it, against it, or nothing (abstain). */
export interface Verdict {
  readonly yes: boolean;
  /** The probe says nothing about the peer (this seed's own trouble). */
  readonly abstain: boolean;
  /** Short reason, for a vote or a log line. */
  readonly reason: string;
}

/** Prefix of the reason of an abstaining vote (sent as a no). */
export const ABSTAIN = "abstain";

/**
 * Whether a probe supports adding the peer: it must answer as a peer, and
 * with `nodeId` when one is expected (the registrant's own hello).
 *
 * @example Usage
 * ```ts
 * import { addVerdict } from "./change_checks.ts";
 * addVerdict({ alive: true, role: "peer", nodeId: "01", detail: "pong" }, "01").yes; // true
 * addVerdict({ alive: true, role: "peer", nodeId: "02", detail: "pong" }, "01").yes; // false
 * addVerdict({ alive: false, cause: "remote", detail: "connection refused" }).yes; // false
 * ```
 */
export function addVerdict(result: ProbeResult, nodeId?: string): Verdict {
  if (!result.alive) {
    return result.cause === "local"
      ? { yes: false, abstain: true, reason: `${ABSTAIN}: cannot check: ${result.detail}` }
      : { yes: false, abstain: false, reason: `unreachable: ${result.detail}` };
  }
  if (result.role !== undefined && result.role !== "peer") {
    return { yes: false, abstain: false, reason: `answers as a ${result.role}, not a peer` };
  }
  if (nodeId !== undefined && result.nodeId !== nodeId) {
    return {
      yes: false,
      abstain: false,
      reason: `another node answers there (node ${result.nodeId ?? "unknown"}, not ${nodeId})`,
    };
  }
  return { yes: true, abstain: false, reason: "ok" };
}

/**
 * Whether a probe supports removing the peer: it must have failed for the
 * peer's reason.
 *
 * @example Usage
 * ```ts
 * import { removeVerdict } from "./change_checks.ts";
 * removeVerdict({ alive: false, cause: "remote", detail: "connection refused" }).yes; // true
 * removeVerdict({ alive: false, cause: "local", detail: "Too many open files" }).abstain; // true
 * removeVerdict({ alive: true, detail: "pong" }).yes; // false
 * ```
 */
export function removeVerdict(result: ProbeResult): Verdict {
  if (result.alive) return { yes: false, abstain: false, reason: "alive: answered ping" };
  if (result.cause === "local") {
    return { yes: false, abstain: true, reason: `${ABSTAIN}: cannot check: ${result.detail}` };
  }
  return { yes: true, abstain: false, reason: `unreachable: ${result.detail}` };
}

/** What {@linkcode ChangeChecks} needs. */
export interface ChangeChecksOptions {
  /** Probes a peer directly. */
  probe(peer: Address): Promise<ProbeResult>;
  clock: Clock;
  /**
   * How long a probe's answer may be reused to check a commit or a synced
   * record (a voter just probed the peer for its vote; the commit follows
   * within the vote timeout). Votes always probe afresh.
   */
  reuseMs: number;
}

/** Shares probes of one peer and keeps each peer's latest answer for a while. */
export class ChangeChecks {
  readonly #options: ChangeChecksOptions;
  readonly #running = new Map<string, Promise<ProbeResult>>();
  readonly #recent = new Map<string, { at: number; result: ProbeResult }>();

  /** Creates the checks. */
  constructor(options: ChangeChecksOptions) {
    this.#options = options;
  }

  /** Probes `peer` now; a probe of it already under way is shared. */
  probe(peer: Address): Promise<ProbeResult> {
    const key = formatAddress(peer);
    let running = this.#running.get(key);
    if (!running) {
      const startedAt = this.#options.clock.now();
      running = this.#options.probe(peer).then((result) => {
        this.#remember(key, startedAt, result);
        return result;
      }).finally(() => this.#running.delete(key));
      this.#running.set(key, running);
    }
    return running;
  }

  /** The answer of a probe of `peer` started within `reuseMs`, or a fresh probe. */
  recent(peer: Address): Promise<ProbeResult> {
    const key = formatAddress(peer);
    const known = this.#recent.get(key);
    if (known && this.#options.clock.now() - known.at <= this.#options.reuseMs) {
      return Promise.resolve(known.result);
    }
    return this.probe(peer);
  }

  #remember(key: string, at: number, result: ProbeResult): void {
    this.#recent.delete(key);
    this.#recent.set(key, { at, result });
    // Only recent answers matter: drop the oldest beyond a few thousand.
    if (this.#recent.size > 4096) {
      const oldest = this.#recent.keys().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
  }
}
