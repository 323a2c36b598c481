/**
 * A whole gossipnet network in one process, in virtual time: the real
 * `SeedNode` and `PeerNode` code over the in-memory network, driven by a
 * scenario (joins, floods, a crash of some peers, churn, a partition).
 * One seed number gives exactly one run. The options and timeline are in
 * `sim_plan.ts`.
 *
 * @module
 */

import {
  type PeerTuning,
  resolvePeerTuning,
  resolveSeedTuning,
  type SeedTuning,
} from "../config/node_config.ts";
import { InternPool } from "../node/intern_pool.ts";
import { PeerNode } from "../peer/peer_node.ts";
import { SeedNode } from "../seed/seed_node.ts";
import { type Address, formatAddress } from "../util/address.ts";
import { noProcessStats } from "../util/process_stats.ts";
import { type Rng, sample, seededRng } from "../util/random.ts";
import { setAddressCacheSlots } from "../wire/messages.ts";
import { LinkModel } from "./link_model.ts";
import { MemoryNetwork } from "./memory_network.ts";
import { SimCollector } from "./sim_collector.ts";
import {
  defaultJoinSpacingMs,
  type FloodRecord,
  mix,
  nodeIdFor,
  type OverlaySnapshot,
  peerAddress,
  PEERS_START_MS,
  planTimeline,
  seedAddress,
  SIM_LIMITS,
  type SimNodeInfo,
  type SimOptions,
  type SimTimeline,
} from "./sim_plan.ts";
import { type RunProgress, VirtualClock } from "./virtual_clock.ts";

export {
  DEFAULT_JOIN_SPACING_MS,
  defaultJoinSpacingMs,
  type FloodRecord,
  type KillPlan,
  type OverlaySnapshot,
  type PartitionPlan,
  peerAddress,
  planTimeline,
  seedAddress,
  type SimNodeInfo,
  type SimOptions,
  type SimTimeline,
} from "./sim_plan.ts";

/**
 * One simulated network and its scenario. Build it, {@linkcode run} it,
 * then read the collector, floods, overlay snapshots and kills.
 *
 * @example Usage
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * const sim = new Simulation({ seeds: 3, peers: 10, untilMs: 8000 });
 * await sim.run();
 * sim.collector.joinedAt.size; // 10
 * ```
 */
export class Simulation {
  readonly options: Readonly<SimOptions>;
  readonly clock: VirtualClock;
  readonly network: MemoryNetwork;
  readonly collector: SimCollector;
  readonly nodes: SimNodeInfo[] = [];
  readonly floods: FloodRecord[] = [];
  readonly snapshots: OverlaySnapshot[] = [];
  /** Peers the kill crashed, by key, with the virtual ms. */
  readonly killed = new Map<string, number>();
  /** Peers the partition cuts off, by key. */
  readonly isolated: string[] = [];
  /** Peers that left cleanly (churn or {@linkcode leave}), by key. */
  readonly left = new Set<string>();
  readonly timeline: SimTimeline;
  readonly seedAddresses: Address[];
  readonly #seedRuntimes: SeedNode[] = [];
  readonly #peerRuntimes = new Map<number, PeerNode>();
  readonly #rng: Rng;
  readonly #seed: number;
  readonly #tuning: PeerTuning;
  readonly #seedTuning: SeedTuning;
  #peerCount = 0;
  #duplicatesAtFlood = 0;
  // One pool for every node: each address and hello is held once, not once per holder.
  readonly #pool = new InternPool({ maxEntries: Infinity });

  /** Builds the network and schedules the scenario; nothing runs until {@linkcode run}. */
  constructor(options: SimOptions) {
    this.options = options;
    // Every node decodes into one process: let the decoded-address table hold them all.
    setAddressCacheSlots(Math.max(8192, Math.min(1 << 18, 2 * (options.peers ?? 0))));
    this.#seed = options.seed ?? 1;
    this.#rng = seededRng(mix(this.#seed, -1));
    this.clock = new VirtualClock();
    const model = new LinkModel({
      latencyMs: options.latencyMs ?? 20,
      jitterMs: options.jitterMs ?? 0,
      bandwidthBps: options.bandwidthBps ?? 0,
    }, seededRng(mix(this.#seed, -2)));
    this.network = new MemoryNetwork(this.clock, model);
    const seeds = options.seeds ?? 3;
    const quorum = Math.floor(seeds / 2) + 1;
    this.collector = new SimCollector({ now: () => this.clock.elapsed, quorum });
    this.#tuning = resolvePeerTuning({ gossipCount: 0, ...SIM_LIMITS, ...options.tuning });
    this.#seedTuning = resolveSeedTuning({ ...SIM_LIMITS, ...options.seedTuning });
    this.seedAddresses = Array.from({ length: seeds }, (_, i) => seedAddress(i));
    this.timeline = planTimeline(options, this.#tuning, this.#seedTuning);
    for (let i = 0; i < seeds; i++) this.#startSeed(i);
    const spacing = options.joinSpacingMs ?? defaultJoinSpacingMs(options.peers);
    for (let i = 0; i < options.peers; i++) {
      this.clock.schedule(0, () => this.#startPeer(), PEERS_START_MS + i * spacing);
    }
    this.#scheduleScenario();
  }

  #scheduleScenario(): void {
    const o = this.options;
    const clock = this.clock;
    const tl = this.timeline;
    clock.schedule(0, () => this.#beginFloods(), tl.floodStartMs);
    clock.schedule(0, () => this.snapshot(), tl.floodEndMs);
    if (o.kill) {
      const kill = o.kill;
      clock.schedule(0, () => this.#kill(kill.fraction), kill.atMs);
    }
    if (o.partition) {
      const p = o.partition;
      const isolated = new Uint8Array(1 + (o.seeds ?? 3) + o.peers + 1);
      const count = Math.round(p.fraction * o.peers);
      // Hosts are numbered seeds first, then peers in start order.
      const seeds = o.seeds ?? 3;
      const picks = sample(Array.from({ length: o.peers }, (_, i) => i), count, this.#rng);
      for (const i of picks) {
        isolated[seeds + 1 + i] = 1;
        this.isolated.push(formatAddress(peerAddress(i)));
      }
      this.network.model.addPartition({
        fromMs: p.fromMs,
        toMs: p.toMs,
        isolated: (host) => isolated[host] === 1,
      });
    }
    const churn = o.churnPerSecond ?? 0;
    if (churn > 0) {
      const interval = 1000 / churn;
      let joinNext = true;
      const step = () => {
        if (joinNext) this.#startPeer();
        else this.#leaveRandom();
        joinNext = !joinNext;
        clock.schedule(0, step, interval);
      };
      clock.schedule(0, step, tl.floodStartMs + interval);
    }
  }

  #startSeed(i: number): void {
    const self = seedAddress(i);
    const key = formatAddress(self);
    const host = this.network.addHost(self.host);
    const index = this.nodes.length;
    this.nodes.push({ index, kind: "seed", key, host, state: "running" });
    const seed = new SeedNode({
      self,
      seeds: this.seedAddresses,
      tuning: this.#seedTuning,
      transport: this.network.transport(host),
      log: this.collector.logFor(index, key),
      clock: this.clock.forNode(host),
      rng: seededRng(mix(this.#seed, index)),
      nodeId: nodeIdFor(this.#seed, index),
      pool: this.#pool,
      ...this.options.thresholds,
    });
    this.#seedRuntimes.push(seed);
    seed.start();
  }

  #startPeer(): void {
    const self = peerAddress(this.#peerCount++);
    const key = formatAddress(self);
    const host = this.network.addHost(self.host);
    const index = this.nodes.length;
    const info: SimNodeInfo = { index, kind: "peer", key, host, state: "running" };
    this.nodes.push(info);
    const peer = new PeerNode({
      self,
      seeds: this.seedAddresses,
      tuning: this.#tuning,
      transport: this.network.transport(host),
      log: this.collector.logFor(index, key),
      clock: this.clock.forNode(host),
      rng: seededRng(mix(this.#seed, index)),
      nodeId: nodeIdFor(this.#seed, index),
      processStats: noProcessStats,
      stats: false,
      pool: this.#pool,
    });
    this.#peerRuntimes.set(index, peer);
    peer.start();
    peer.join().catch(() => {
      // Refused for good: the refusal is in the collector's counts.
    });
  }

  /** Running peers that have joined, as node infos. */
  livePeers(): SimNodeInfo[] {
    return this.nodes.filter((n) =>
      n.kind === "peer" && n.state === "running" && this.collector.joinedAt.has(n.key)
    );
  }

  /** The runtime of peer node `index`. */
  peer(index: number): PeerNode | undefined {
    return this.#peerRuntimes.get(index);
  }

  /** The seed runtimes, in config order. */
  get seedNodes(): readonly SeedNode[] {
    return this.#seedRuntimes;
  }

  /** Records the overlay as it stands now. */
  snapshot(): OverlaySnapshot {
    const live = this.livePeers();
    const liveKeys = new Set(live.map((n) => n.key));
    const degrees: number[] = [];
    let ends = 0;
    for (const n of live) {
      const links = this.#peerRuntimes.get(n.index)?.neighbors().filter((x) => liveKeys.has(x.key))
        .length ?? 0;
      degrees.push(links);
      ends += links;
    }
    const shot = { atMs: this.clock.elapsed, peers: live.length, edges: ends / 2, degrees };
    this.snapshots.push(shot);
    return shot;
  }

  /** Total duplicate receipts counted by every peer's Message List (a crashed one's stay frozen). */
  duplicates(): number {
    let total = 0;
    for (const peer of this.#peerRuntimes.values()) total += peer.messageList.duplicates;
    return total;
  }

  /** Duplicates counted since the floods began. */
  get floodDuplicates(): number {
    return this.duplicates() - this.#duplicatesAtFlood;
  }

  #beginFloods(): void {
    const o = this.options;
    this.snapshot();
    this.#duplicatesAtFlood = this.duplicates();
    const live = this.livePeers();
    const origins = sample(live, Math.min(o.origins ?? 1, live.length), this.#rng);
    const interval = o.floodIntervalMs ?? 1000;
    // The origins take turns through each interval, as independent senders
    // would, rather than all at one instant: the network carries K messages
    // an interval at an even rate, and no more floods are in flight at once
    // than that rate makes (ten simultaneous floods of 100,000 peers held
    // millions of frames in flight together).
    for (let m = 0; m < (o.messages ?? 1); m++) {
      origins.forEach((origin, j) => {
        const at = m * interval + Math.floor((j * interval) / origins.length);
        this.clock.schedule(0, () => this.publish(origin.index, `flood ${m + 1}`), at);
      });
    }
  }

  /** Has peer `index` publish `text` now, if it is running; returns the message id. */
  publish(index: number, text: string): string | undefined {
    const info = this.nodes[index];
    const peer = this.#peerRuntimes.get(index);
    if (!info || !peer || info.state !== "running") return undefined;
    const expected = this.livePeers().length - (this.collector.joinedAt.has(info.key) ? 1 : 0);
    const { id } = peer.publish(new TextEncoder().encode(text));
    this.collector.published(id);
    this.floods.push({ id, origin: info.key, atMs: this.clock.elapsed, expected });
    return id;
  }

  #kill(fraction: number): void {
    const live = this.livePeers();
    const count = Math.max(1, Math.round(fraction * live.length));
    for (const victim of sample(live, count, this.#rng)) this.crash(victim.index);
  }

  /** Crashes node `index` now: it goes dark with no leave. */
  crash(index: number): void {
    const info = this.nodes[index];
    if (!info || info.state !== "running") return;
    info.state = "killed";
    this.killed.set(info.key, this.clock.elapsed);
    this.network.crash(info.host);
  }

  /** Has peer `index` leave cleanly now (seeds and neighbours are told). */
  leave(index: number): void {
    const info = this.nodes[index];
    const peer = this.#peerRuntimes.get(index);
    if (!info || !peer || info.state !== "running") return;
    info.state = "left";
    this.left.add(info.key);
    peer.stop();
  }

  #leaveRandom(): void {
    const live = this.livePeers();
    const victim = live[Math.floor(this.#rng() * live.length)];
    if (victim) this.leave(victim.index);
  }

  /** Plays the scenario to its end (or `untilMs`). */
  async run(
    options: {
      onProgress?: (progress: RunProgress) => void;
      progressEvery?: number;
      shouldStop?: () => boolean;
    } = {},
  ): Promise<void> {
    await this.clock.run({
      untilMs: this.timeline.untilMs,
      ...(options.progressEvery ? { progressEvery: options.progressEvery } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
  }

  /** Plays events up to virtual `untilMs` only (tests drive a run in steps). */
  async runUntil(untilMs: number): Promise<void> {
    await this.clock.run({ untilMs });
  }
}
