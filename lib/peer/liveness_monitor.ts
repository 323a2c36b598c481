/**
 * The runtime around {@linkcode LivenessTracker}: every ping interval it
 * pings each watched neighbour (over the link, or over a fresh probe
 * connection if the link dropped), and when one reaches the miss threshold
 * it asks other neighbours to probe it (SWIM's ping-req) before reporting it
 * dead. A neighbour whose link dropped stays watched: it is reported only
 * if fresh connections cannot reach it either.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { randomUint32, type Rng, sample } from "../util/random.ts";
import type { ProbeRequestMessage } from "../wire/messages.ts";
import { firedLate, type ProbeResult } from "../wire/probe.ts";
import type { LivenessTracker } from "./liveness.ts";
import type { NeighborTable } from "./neighbors.ts";

/** Most neighbours asked to probe a suspect. */
const INDIRECT_HELPERS = 3;

/** What {@linkcode LivenessMonitor} needs. */
export interface LivenessMonitorOptions {
  tracker: LivenessTracker;
  neighbors: NeighborTable;
  clock: Clock;
  rng: Rng;
  log: EventLog;
  pingIntervalMs: number;
  /** Time allowed for one direct probe (connect, hello, pong), in ms. */
  probeTimeoutMs: number;
  /** Probes `target` over a fresh connection. */
  probe(target: Address): Promise<ProbeResult>;
  /** Reports `target` dead to the seeds. */
  report(target: Address): void;
}

/** Pings neighbours and decides when one is dead. */
export class LivenessMonitor {
  #options: LivenessMonitorOptions;
  #addresses = new Map<string, Address>();
  #timer: TimerHandle | undefined;
  #running = false;
  /** Pings this peer sent on behalf of others, by nonce. */
  // Both made when first needed and dropped once empty: probes are rare, and a
  // simulation holds 100,000 peers.
  #helperPings: Map<number, { answer(alive: boolean): void; timer: TimerHandle }> | undefined;
  /** Indirect probes this peer asked for, by nonce. */
  #indirect: Map<number, { answer(alive: boolean, by: string): void; cancel(): void }> | undefined;

  /** Creates the monitor; {@linkcode start} begins the ping rounds. */
  constructor(options: LivenessMonitorOptions) {
    this.#options = options;
  }

  /** Starts ping rounds. */
  start(): void {
    this.#running = true;
    this.#schedule();
  }

  /** Stops ping rounds. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    const pings = this.#helperPings;
    this.#helperPings = undefined;
    for (const ping of pings?.values() ?? []) {
      this.#options.clock.clearTimeout(ping.timer);
      ping.answer(false);
    }
    for (const probe of this.#indirect?.values() ?? []) probe.cancel();
  }

  /** Starts watching a neighbour. */
  watch(address: Address): void {
    const key = formatAddress(address);
    this.#addresses.set(key, address);
    this.#options.tracker.watch(key);
  }

  /** Stops watching (the neighbour left cleanly or was reported). */
  unwatch(key: string): void {
    this.#addresses.delete(key);
    this.#options.tracker.unwatch(key);
  }

  /** Handles a pong from neighbour `from`. */
  onPong(from: string, nonce: number): void {
    const helper = this.#helperPings?.get(nonce);
    if (helper) {
      this.#forgetHelperPing(nonce);
      this.#options.clock.clearTimeout(helper.timer);
      helper.answer(true);
      return;
    }
    this.#options.tracker.pong(from, nonce);
  }

  /**
   * As a helper: pings the target over this peer's own link to it, and
   * answers the neighbour that asked. A target that is not this peer's
   * neighbour is not probed at all (returns false): otherwise any neighbour
   * could make this peer open connections wherever it says. It is answered
   * at once as not alive, meaning "I cannot vouch for it", so the asker need
   * not wait for its timeout.
   */
  onProbeRequest(request: ProbeRequestMessage, reply: (alive: boolean) => void): boolean {
    const key = formatAddress(request.target);
    const link = this.#options.neighbors.get(key);
    if (!link) {
      reply(false);
      return false;
    }
    const nonce = randomUint32(this.#options.rng);
    const timer = this.#options.clock.setTimeout(() => {
      if (this.#forgetHelperPing(nonce)) reply(false);
    }, this.#options.probeTimeoutMs);
    (this.#helperPings ??= new Map()).set(nonce, { answer: reply, timer });
    link.connection.send({ kind: "ping", nonce });
    return true;
  }

  /** Handles a helper's answer to one of this peer's indirect probes. */
  onProbeResult(from: string, nonce: number, alive: boolean): void {
    this.#indirect?.get(nonce)?.answer(alive, from);
  }

  // True if the helper ping `nonce` was pending.
  #forgetHelperPing(nonce: number): boolean {
    const pings = this.#helperPings;
    if (!pings?.delete(nonce)) return false;
    if (pings.size === 0) this.#helperPings = undefined;
    return true;
  }

  #schedule(): void {
    if (!this.#running) return;
    const interval = this.#options.pingIntervalMs;
    const due = this.#options.clock.now() + interval;
    this.#timer = this.#options.clock.setTimeout(() => {
      // A round that comes far too late means this peer was stalled (busy,
      // or stopped and resumed): the pongs it has not read yet are no misses.
      const firedAt = this.#options.clock.now();
      this.#round(firedLate({ due, firedAt, waitedMs: interval }));
      this.#schedule();
    }, interval);
  }

  #round(excuse: boolean): void {
    const round = this.#options.tracker.round({ excuse });
    for (const { target, misses } of round.missed) {
      this.#options.log.emit({ event: "ping_missed", neighbor: target, misses });
    }
    for (const { target, nonce } of round.ping) {
      const link = this.#options.neighbors.get(target);
      if (link) {
        link.connection.send({ kind: "ping", nonce });
        continue;
      }
      const address = this.#addresses.get(target);
      if (!address) continue;
      // The link is gone but the peer may not be: if a fresh connection
      // reaches it, it is alive and simply no longer our neighbour.
      this.#options.probe(address).then((result) => {
        if (result.alive && !this.#options.neighbors.has(target)) this.unwatch(target);
        else if (result.alive) this.#options.tracker.pong(target, nonce);
        // This peer's own trouble (no descriptors, too busy) is no miss.
        else if (result.cause === "local") this.#options.tracker.excuse(target, nonce);
      });
    }
    for (const target of round.suspected) this.#confirm(target);
  }

  async #confirm(target: string): Promise<void> {
    const address = this.#addresses.get(target);
    if (!address) return;
    const helpers = sample(
      this.#options.neighbors.list().filter((n) => n.key !== target),
      INDIRECT_HELPERS,
      this.#options.rng,
    );
    this.#options.log.emit({
      event: "suspect",
      neighbor: target,
      misses: this.#options.tracker.misses(target),
      helpers: helpers.map((h) => h.key),
    });
    if (helpers.length > 0) {
      const nonce = randomUint32(this.#options.rng);
      let answers = 0;
      const cleared = await new Promise<string | undefined>((resolve) => {
        const timer = this.#options.clock.setTimeout(
          () => resolve(undefined),
          this.#options.probeTimeoutMs * 1.5 + 50,
        );
        (this.#indirect ??= new Map()).set(nonce, {
          answer: (alive: boolean, by: string) => {
            if (alive || ++answers === helpers.length) {
              this.#options.clock.clearTimeout(timer);
              resolve(alive ? by : undefined);
            }
          },
          cancel: () => {
            this.#options.clock.clearTimeout(timer);
            resolve(undefined);
          },
        });
        for (const helper of helpers) {
          helper.connection.send({ kind: "probe_request", nonce, target: address });
        }
      });
      this.#indirect?.delete(nonce);
      if (this.#indirect?.size === 0) this.#indirect = undefined;
      if (!this.#running || !this.#options.tracker.isWatched(target)) return;
      if (cleared !== undefined) {
        this.#options.tracker.clearSuspicion(target);
        this.#options.log.emit({ event: "suspicion_cleared", neighbor: target, by: cleared });
        return;
      }
    }
    if (!this.#running) return;
    this.unwatch(target);
    this.#options.report(address);
  }
}
