/**
 * A peer's sessions with seeds: registering with a majority of them
 * (⌊n/2⌋+1, chosen at random, an unreachable one replaced by another),
 * keeping that majority as seeds come and go, and everything a peer asks of
 * its seeds afterwards: peer lists, degree updates, Dead Node reports and
 * the final leave.
 *
 * @module
 */

import type { PeerTuning } from "../config/node_config.ts";
import { quorumSize } from "../config/seed_list.ts";
import type { EventLog } from "../log/events.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import { RuntimeError } from "../util/errors.ts";
import { type Rng, sample } from "../util/random.ts";
import { Sleeper } from "../util/sleeper.ts";
import { type CloseInfo, type FramedConnection, isBrokenLink } from "../wire/connection.ts";
import type { Message, PeerEntry, RefusalReason } from "../wire/messages.ts";
import { backoffDelay, BROKEN_LINK_MAX_RETRY_MS, STABLE_LINK_MS } from "../protocol/backoff.ts";

/** What {@linkcode SeedSessions} needs. */
export interface SeedSessionsOptions {
  /** Every seed of the config. */
  seeds: readonly Address[];
  /**
   * Opens a link to a seed for `link`; resolves once the seed's hello is
   * accepted. The node routes the link's messages back here
   * ({@linkcode SeedSessions.onMessage}, {@linkcode SeedSessions.onClose}).
   */
  dial(seed: Address, link: SeedLink): Promise<FramedConnection>;
  tuning: PeerTuning;
  clock: Clock;
  rng: Rng;
  log: EventLog;
  /** This peer's current degree (sent when registering). */
  degree(): number;
  /**
   * A complete peer list arrived from a seed. May return the peers' `host:port`
   * keys, in order, which spares formatting them again for the log line.
   */
  onPeerList(seedKey: string, peers: PeerEntry[]): string[] | void;
  /** A seed closed its session because the seeds removed this peer (it was thought dead). */
  onRemoved?(seedKey: string): void;
}

type Outcome =
  | { kind: "registered" }
  | { kind: "refused"; reason: RefusalReason; text: string }
  | { kind: "failed"; detail: string };

// Until a registration is under way, settling does nothing (one function for every link).
const NO_SETTLE = (): void => {};

/** One seed link: what a peer knows of its session with one seed. */
export class SeedLink {
  readonly kind = "seed";
  registered = false;
  /** When registration succeeded (clock ms). */
  registeredAt = 0;
  connection: FramedConnection | undefined;
  /**
   * Peer-list parts being collected, by request id; undefined when none is
   * (made per request: a simulation holds 300,000 seed links, mostly idle).
   */
  lists: Map<number, { peers: PeerEntry[]; done(peers: PeerEntry[]): void }> | undefined;
  settle: (outcome: Outcome) => void = NO_SETTLE;

  /** A link to `seed`. */
  constructor(readonly seed: Address, readonly key: string) {}
}

/** The peer's registrations with seeds. */
export class SeedSessions {
  #options: SeedSessionsOptions;
  #quorum: number;
  #links = new Map<string, SeedLink>();
  #sleeper: Sleeper;
  #running = false;
  #wake: () => void = () => {};
  #requestId = 0;
  /** The last registered link lost was broken or short-lived. */
  #flapping = false;

  /** Creates the sessions; {@linkcode join} starts registering. */
  constructor(options: SeedSessionsOptions) {
    this.#options = options;
    this.#quorum = quorumSize(options.seeds.length);
    this.#sleeper = new Sleeper(options.clock);
  }

  /** Seeds needed: ⌊n/2⌋+1. */
  get quorum(): number {
    return this.#quorum;
  }

  /** Seeds this peer is registered with now. */
  registered(): string[] {
    return [...this.#links.values()].filter((l) => l.registered).map((l) => l.key);
  }

  /**
   * Registers with a majority of seeds and keeps it so. Resolves once the
   * majority is first reached; retries with backoff until then.
   * @throws {RuntimeError} When so many seeds refuse for good (full peer
   * lists) that a majority is impossible.
   */
  join(): Promise<void> {
    this.#running = true;
    return new Promise((resolve, reject) => this.#loop(resolve, reject));
  }

  /** Asks every registered seed for its peer list; resolves when all answered or time ran out. */
  async refreshPeerLists(): Promise<void> {
    const waits: Promise<unknown>[] = [];
    for (const link of this.#links.values()) {
      if (!link.registered || !link.connection) continue;
      const requestId = ++this.#requestId;
      waits.push(
        new Promise<void>((resolve) => {
          (link.lists ??= new Map()).set(requestId, { peers: [], done: () => resolve() });
          link.connection?.send({ kind: "peer_list_request", requestId });
        }),
      );
    }
    await Promise.race([
      Promise.all(waits),
      this.#sleeper.sleep(this.#options.tuning.dialTimeoutMs),
    ]);
  }

  /** Sends a message to every registered seed; returns their keys. */
  sendAll(message: Message): string[] {
    const sent: string[] = [];
    for (const link of this.#links.values()) {
      if (link.registered && link.connection?.send(message)) sent.push(link.key);
    }
    return sent;
  }

  /** Tells every registered seed this peer is leaving, then closes the links. */
  leave(): void {
    this.#stopLoop();
    for (const link of this.#links.values()) {
      if (link.registered) link.connection?.send({ kind: "leave", reason: "shutdown" });
      link.connection?.close("local", "leaving", { flush: true });
    }
  }

  /** Closes every link without a word (e.g. when joining failed). */
  stop(): void {
    this.#stopLoop();
    for (const link of this.#links.values()) link.connection?.close("local", "stopping");
  }

  /** Handles a message on a seed link. */
  onMessage(link: SeedLink, message: Message): boolean {
    switch (message.kind) {
      case "registered":
        link.registered = true;
        return true;
      case "refused":
        link.settle({ kind: "refused", reason: message.reason, text: message.text });
        return true;
      case "peer_list": {
        let pending = link.lists?.get(message.requestId);
        if (!pending && message.requestId === 0) {
          pending = { peers: [], done: () => link.settle({ kind: "registered" }) };
          (link.lists ??= new Map()).set(0, pending);
        }
        if (!pending) return true; // an answer we stopped waiting for
        pending.peers.push(...message.peers);
        if (!message.more) {
          link.lists?.delete(message.requestId);
          if (link.lists?.size === 0) link.lists = undefined;
          const keys = this.#options.onPeerList(link.key, pending.peers);
          this.#options.log.emit({
            event: "peer_list",
            seed: link.key,
            peers: keys ?? pending.peers.map((p) => formatAddress(p.address)),
          });
          pending.done(pending.peers);
        }
        return true;
      }
      case "pong":
        return true;
      default:
        return false;
    }
  }

  /** Handles a seed link closing. */
  onClose(link: SeedLink, info: CloseInfo): void {
    const detail = info.detail;
    // A registration under way fails (the first settlement wins, so this
    // comes before the lists below, one of which may be registration's own).
    link.settle({ kind: "failed", detail });
    // Requests on a closed link will never be answered: stop waiting now.
    const lists = link.lists;
    link.lists = undefined;
    for (const pending of lists?.values() ?? []) pending.done(pending.peers);
    if (this.#links.get(link.key) !== link) return;
    this.#links.delete(link.key);
    if (info.reason === "remote_error" && info.detail.startsWith("removed:")) {
      this.#options.onRemoved?.(link.key);
    }
    if (link.registered && this.#running) {
      // A link that broke the protocol or fell soon after registering makes
      // the next registration round wait (with growing jitter), so a seed
      // that keeps failing is not redialled in a tight loop.
      const lived = this.#options.clock.now() - link.registeredAt;
      this.#flapping = isBrokenLink(info) || lived < STABLE_LINK_MS;
      this.#options.log.emit({
        event: "seed_unreachable",
        seed: link.key,
        detail: `link lost: ${detail}`,
      });
      this.#wake();
    }
  }

  #stopLoop(): void {
    this.#running = false;
    this.#sleeper.cancelAll();
    this.#wake();
  }

  async #loop(joined: () => void, failed: (error: Error) => void): Promise<void> {
    let attempt = 0;
    let flaps = 0;
    let hasJoined = false;
    while (this.#running) {
      if (this.registered().length >= this.#quorum) {
        if (!hasJoined) {
          hasJoined = true;
          joined();
        }
        attempt = 0;
        await new Promise<void>((resolve) => this.#wake = resolve);
        if (!this.#flapping) flaps = 0;
        else {
          this.#flapping = false;
          await this.#sleeper.sleep(backoffDelay(flaps++, {
            minMs: this.#options.tuning.seedRetryMinMs,
            maxMs: Math.max(this.#options.tuning.seedRetryMaxMs, BROKEN_LINK_MAX_RETRY_MS),
          }, this.#options.rng));
        }
        continue;
      }
      const refusals = await this.#round();
      if (!this.#running) break;
      if (this.registered().length >= this.#quorum) continue;
      const fullSeeds = refusals.filter((r) => r === "max_peers").length;
      if (fullSeeds > this.#options.seeds.length - this.#quorum && !hasJoined) {
        failed(
          new RuntimeError(
            `Cannot join: ${fullSeeds} of ${this.#options.seeds.length} seeds refused registration (peer list full)`,
          ),
        );
        return;
      }
      const wait = backoffDelay(attempt++, {
        minMs: this.#options.tuning.seedRetryMinMs,
        maxMs: this.#options.tuning.seedRetryMaxMs,
      }, this.#options.rng);
      this.#options.log.emit({
        event: "waiting_for_seeds",
        registered: this.registered().length,
        needed: this.#quorum,
        retryInMs: wait,
      });
      await this.#sleeper.sleep(wait);
    }
  }

  // One registration round: the missing number of seeds are tried at once,
  // each failure replaced by another untried seed. Returns refusal reasons.
  async #round(): Promise<RefusalReason[]> {
    const untried = sample(
      this.#options.seeds.filter((s) => !this.#links.has(formatAddress(s))),
      this.#options.seeds.length,
      this.#options.rng,
    );
    const refusals: RefusalReason[] = [];
    const worker = async () => {
      let seed: Address | undefined;
      while (this.#running && (seed = untried.shift())) {
        const outcome = await this.#attempt(seed);
        if (outcome.kind === "registered") return;
        if (outcome.kind === "refused") refusals.push(outcome.reason);
      }
    };
    const missing = this.#quorum - this.registered().length;
    await Promise.all(Array.from({ length: Math.max(0, missing) }, worker));
    return refusals;
  }

  async #attempt(seed: Address): Promise<Outcome> {
    const key = formatAddress(seed);
    const link = new SeedLink(seed, key);
    const outcome = new Promise<Outcome>((resolve) => link.settle = resolve);
    this.#links.set(key, link);
    try {
      link.connection = await this.#options.dial(seed, link);
    } catch (error) {
      this.#links.delete(key);
      const detail = error instanceof Error ? error.message : String(error);
      this.#options.log.emit({ event: "seed_unreachable", seed: key, detail });
      return { kind: "failed", detail };
    }
    link.connection.send({ kind: "register", degree: Math.min(this.#options.degree(), 0xffff) });
    const result = await Promise.race([
      outcome,
      this.#sleeper.sleep(this.#options.tuning.registerTimeoutMs).then((): Outcome => ({
        kind: "failed",
        detail: `no answer to registration within ${this.#options.tuning.registerTimeoutMs}ms`,
      })),
    ]);
    // Decided: later settlements change nothing, and the link need not keep the promise alive.
    link.settle = NO_SETTLE;
    if (result.kind === "registered" && link.registered) {
      link.registeredAt = this.#options.clock.now();
      this.#options.log.emit({ event: "seed_connected", seed: key });
      return result;
    }
    link.registered = false;
    this.#links.delete(key);
    link.connection.close("local", "registration failed");
    if (result.kind === "refused") {
      this.#options.log.emit({
        event: "registration_refused",
        seed: key,
        reason: result.reason,
        detail: result.text,
      });
      return result;
    }
    const detail = result.kind === "failed" ? result.detail : "peer list sent without registering";
    if (this.#running) this.#options.log.emit({ event: "seed_unreachable", seed: key, detail });
    return { kind: "failed", detail };
  }
}
