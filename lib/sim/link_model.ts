/**
 * How long bytes take between two simulated hosts: one-way latency plus
 * random jitter, plus the time the link's bandwidth needs to put them on
 * the wire; and which host pairs a partition cuts apart. Pure: the network
 * asks, the model answers.
 *
 * @module
 */

import type { Rng } from "../util/random.ts";

/** The link model's knobs. */
export interface LinkModelOptions {
  /** One-way latency of every link, in ms. @default {20} */
  latencyMs?: number;
  /** Extra one-way delay drawn uniformly from [0, jitter) per packet, in ms. @default {0} */
  jitterMs?: number;
  /** Bits per second each direction of each link carries; 0 for no limit. @default {0} */
  bandwidthBps?: number;
}

/** A time window in which a set of hosts is cut off from the rest. */
export interface Partition {
  /** Virtual ms (since the start) the cut begins. */
  readonly fromMs: number;
  /** Virtual ms the cut heals. */
  readonly toMs: number;
  /** True for hosts on the cut-off side. */
  readonly isolated: (host: number) => boolean;
}

/**
 * Delays of packets between hosts (numbered from 1).
 *
 * @example Usage
 * ```ts
 * import { LinkModel } from "./link_model.ts";
 * const model = new LinkModel({ latencyMs: 10, bandwidthBps: 8000 }, () => 0);
 * model.transmitMs(1000); // 1000 (1,000 bytes at 8 kbit/s)
 * model.oneWayMs(); // 10
 * ```
 */
export class LinkModel {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly bandwidthBps: number;
  readonly #rng: Rng;
  readonly #partitions: Partition[] = [];

  /** A model with the given knobs, drawing jitter from `rng`. */
  constructor(options: LinkModelOptions, rng: Rng) {
    this.latencyMs = options.latencyMs ?? 20;
    this.jitterMs = options.jitterMs ?? 0;
    this.bandwidthBps = options.bandwidthBps ?? 0;
    for (const [name, value] of Object.entries(this)) {
      if (typeof value === "number" && !(value >= 0 && Number.isFinite(value))) {
        throw new RangeError(`Link model ${name} must be a finite number >= 0, got ${value}`);
      }
    }
    this.#rng = rng;
  }

  /** One packet's one-way delay: latency plus jitter. */
  oneWayMs(): number {
    return this.jitterMs > 0 ? this.latencyMs + this.#rng() * this.jitterMs : this.latencyMs;
  }

  /** Time the link needs to send `bytes` at its bandwidth (0 with no limit). */
  transmitMs(bytes: number): number {
    return this.bandwidthBps > 0 ? (bytes * 8 * 1000) / this.bandwidthBps : 0;
  }

  /** Adds a partition. */
  addPartition(partition: Partition): void {
    if (!(partition.toMs >= partition.fromMs)) {
      throw new RangeError(
        `Partition must heal after it starts, got ${partition.fromMs}-${partition.toMs}`,
      );
    }
    this.#partitions.push(partition);
  }

  /**
   * When a packet sent at `atMs` between hosts `a` and `b` may cross: `atMs`
   * itself, or the end of the partition that cuts them then.
   */
  crossableAt(a: number, b: number, atMs: number): number {
    let at = atMs;
    for (const p of this.#partitions) {
      if (at >= p.fromMs && at < p.toMs && p.isolated(a) !== p.isolated(b)) at = p.toMs;
    }
    return at;
  }
}
