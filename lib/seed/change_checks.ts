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
}

interface Probing {
  readonly startedAt: number;
  readonly result: Promise<ProbeResult>;
}

/**
 * Shares probes of one peer and keeps each peer's latest answer, so a seed
 * that probed a peer for its vote need not probe again to check the commit
 * that follows.
 */
export class ChangeChecks {
  readonly #options: ChangeChecksOptions;
  readonly #running = new Map<string, Probing>();
  readonly #latest = new Map<string, { startedAt: number; result: ProbeResult }>();

  /** Creates the checks. */
  constructor(options: ChangeChecksOptions) {
    this.#options = options;
  }

  /** Probes `peer` now; a probe of it already under way is shared. */
  probe(peer: Address): Promise<ProbeResult> {
    return (this.#running.get(formatAddress(peer)) ?? this.#start(peer)).result;
  }

  /**
   * An answer about `peer` from a probe started at `since` or later: the
   * latest one if it qualifies, else one under way that does, else a fresh
   * probe. A commit is checked against probes made after its proposal was
   * seen, never against what the peer said before (it may have restarted).
   */
  since(peer: Address, since: number): Promise<ProbeResult> {
    const key = formatAddress(peer);
    const latest = this.#latest.get(key);
    if (latest && latest.startedAt >= since) return Promise.resolve(latest.result);
    const running = this.#running.get(key);
    if (running && running.startedAt >= since) return running.result;
    return this.#start(peer).result;
  }

  #start(peer: Address): Probing {
    const key = formatAddress(peer);
    const startedAt = this.#options.clock.now();
    const probing: Probing = {
      startedAt,
      result: this.#options.probe(peer).then((result) => {
        this.#remember(key, startedAt, result);
        return result;
      }).finally(() => {
        if (this.#running.get(key) === probing) this.#running.delete(key);
      }),
    };
    this.#running.set(key, probing);
    return probing;
  }

  #remember(key: string, startedAt: number, result: ProbeResult): void {
    const previous = this.#latest.get(key);
    if (previous && previous.startedAt > startedAt) return;
    this.#latest.delete(key);
    this.#latest.set(key, { startedAt, result });
    // Only recent answers matter: drop the oldest beyond a few thousand.
    if (this.#latest.size > 4096) {
      const oldest = this.#latest.keys().next().value;
      if (oldest !== undefined) this.#latest.delete(oldest);
    }
  }
}
