/**
 * The links between seeds. Every seed dials every other seed in the config
 * and keeps that link up, redialling with backoff; links dialled by the
 * others arrive through the listener. A link this seed dialled to a seed's
 * configured address is that seed's; an inbound link only claims to be, and
 * is kept apart as a claim until verified (`seed_auth.ts`), so a stranger
 * claiming a seed's address can neither replace its link nor receive what
 * is meant for it. A message to a seed goes over any verified link to it,
 * so one direction suffices while the other is being redialled.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { backoffDelay, BROKEN_LINK_MAX_RETRY_MS, STABLE_LINK_MS } from "../protocol/backoff.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import type { Rng } from "../util/random.ts";
import { Sleeper } from "../util/sleeper.ts";
import { type FramedConnection, isBrokenLink } from "../wire/connection.ts";
import type { Message } from "../wire/messages.ts";

/** What {@linkcode SeedMesh} needs. */
export interface SeedMeshOptions {
  /** The other seeds of the config (not this one). */
  others: readonly Address[];
  /**
   * Opens a link to a seed; resolves once its hello is accepted. The node
   * routes the link's messages and calls `attach`/`detach`.
   */
  dial(seed: Address): Promise<FramedConnection>;
  clock: Clock;
  rng: Rng;
  log: EventLog;
  retryMinMs: number;
  retryMaxMs: number;
  /** Called at the first failed dial of each outage of a seed (startup included). */
  onDialFailed(seedKey: string): void;
}

/**
 * A seed still unreachable this long after its first failed dial is worth a
 * warning. The seeds of a network usually start within moments of each
 * other, and one may take a second to boot: earlier refusals are expected.
 */
export const UNREACHABLE_WARN_MS = 2000;

interface Links {
  out?: FramedConnection;
  in?: FramedConnection;
  /** Inbound links claiming this seed, not yet verified. */
  claims: Set<FramedConnection>;
}

/** Most unverified inbound links claiming one seed at a time. */
export const MAX_SEED_CLAIMS = 4;

/** Links to the other seeds. */
export class SeedMesh {
  #options: SeedMeshOptions;
  #links = new Map<string, Links>();
  #sleeper: Sleeper;
  #wakers = new Map<string, () => void>();
  #running = false;

  /** Creates the mesh; call {@linkcode start} to begin dialling. */
  constructor(options: SeedMeshOptions) {
    this.#options = options;
    this.#sleeper = new Sleeper(options.clock);
  }

  /** Starts one redial loop per other seed. */
  start(): void {
    this.#running = true;
    for (const seed of this.#options.others) this.#maintain(seed);
  }

  /**
   * Closes every link and stops redialling. The other seeds are told why
   * (an error frame `shutting_down`), so they see a goodbye, not a failure.
   */
  stop(): void {
    this.#running = false;
    this.#sleeper.cancelAll();
    for (const links of this.#links.values()) {
      links.out?.fail("local", "shutting_down", "Seed shutting down");
      links.in?.fail("local", "shutting_down", "Seed shutting down");
      for (const claim of links.claims) claim.fail("local", "shutting_down", "Seed shutting down");
    }
  }

  /** Registers the link this seed dialled to `seedKey`'s configured address: verified. */
  attach(seedKey: string, connection: FramedConnection): void {
    const links = this.#linksOf(seedKey);
    const previous = links.out;
    links.out = connection;
    previous?.close("local", "replaced by a newer link");
    this.#options.log.emit({ event: "seed_link_up", seed: seedKey, direction: "out" });
  }

  /**
   * Registers an inbound link claiming to be `seedKey`, unverified. Returns
   * false when that seed already has {@linkcode MAX_SEED_CLAIMS} claims.
   */
  claim(seedKey: string, connection: FramedConnection): boolean {
    const links = this.#linksOf(seedKey);
    if (links.claims.size >= MAX_SEED_CLAIMS) return false;
    links.claims.add(connection);
    return true;
  }

  /** Reports whether `connection` is an unverified claim. */
  isClaim(seedKey: string, connection: FramedConnection): boolean {
    return this.#links.get(seedKey)?.claims.has(connection) === true;
  }

  /** Reports whether `connection` is a verified link to `seedKey`. */
  isVerified(seedKey: string, connection: FramedConnection): boolean {
    const links = this.#links.get(seedKey);
    return links !== undefined && (links.out === connection || links.in === connection);
  }

  /** The open link this seed dialled to `seedKey`, if any. */
  outbound(seedKey: string): FramedConnection | undefined {
    const out = this.#links.get(seedKey)?.out;
    return out?.isOpen ? out : undefined;
  }

  /** Unverified claims of `seedKey`, open now. */
  claims(seedKey: string): FramedConnection[] {
    return [...(this.#links.get(seedKey)?.claims ?? [])].filter((c) => c.isOpen);
  }

  /** A claim proved itself: it becomes the seed's inbound link (replacing an older one). */
  verify(seedKey: string, connection: FramedConnection): void {
    const links = this.#linksOf(seedKey);
    if (!links.claims.delete(connection)) return;
    const previous = links.in;
    links.in = connection;
    previous?.close("local", "replaced by a newer link");
    this.#options.log.emit({ event: "seed_link_up", seed: seedKey, direction: "in" });
  }

  /** Forgets a closed seed link or claim. */
  detach(seedKey: string, connection: FramedConnection, reason: string): void {
    const links = this.#links.get(seedKey);
    if (!links) return;
    if (links.claims.delete(connection)) return;
    if (links.out === connection) delete links.out;
    else if (links.in === connection) delete links.in;
    else return;
    if (this.#running) this.#options.log.emit({ event: "seed_link_down", seed: seedKey, reason });
  }

  /** Ends the redial wait for `seedKey` now (a claim needs the outbound link to verify). */
  redialNow(seedKey: string): void {
    this.#wakers.get(seedKey)?.();
  }

  /** Seeds with at least one open, verified link. */
  connected(): string[] {
    return [...this.#links.entries()]
      .filter(([, links]) => links.out?.isOpen || links.in?.isOpen)
      .map(([key]) => key);
  }

  #linksOf(seedKey: string): Links {
    let links = this.#links.get(seedKey);
    if (!links) this.#links.set(seedKey, links = { claims: new Set() });
    return links;
  }

  /** Sends to one seed over any open link; false if none is open. */
  send(seedKey: string, message: Message): boolean {
    const links = this.#links.get(seedKey);
    if (links?.out?.isOpen && links.out.send(message)) return true;
    return links?.in?.isOpen === true && links.in.send(message);
  }

  /** Sends to every connected seed; returns those it went to. */
  broadcast(message: Message): string[] {
    return this.connected().filter((key) => this.send(key, message));
  }

  async #maintain(seed: Address): Promise<void> {
    const key = formatAddress(seed);
    let attempt = 0;
    let maxMs = this.#options.retryMaxMs;
    let failingSince: number | undefined;
    let warned = false;
    while (this.#running) {
      try {
        const connection = await this.#options.dial(seed);
        const upAt = this.#options.clock.now();
        failingSince = undefined;
        warned = false;
        const info = await connection.closed;
        // A link that broke the protocol, or fell soon after coming up, is
        // redialled with growing, jittered waits: a remote that sends what
        // this seed cannot decode must not make it redial every few ms.
        const broken = isBrokenLink(info);
        const stable = !broken && this.#options.clock.now() - upAt >= STABLE_LINK_MS;
        if (stable) attempt = 0;
        maxMs = broken ? Math.max(this.#options.retryMaxMs, BROKEN_LINK_MAX_RETRY_MS) : maxMs;
        if (stable) maxMs = this.#options.retryMaxMs;
      } catch (error) {
        if (attempt === 0) this.#options.onDialFailed(key);
        const now = this.#options.clock.now();
        failingSince ??= now;
        // Say so once, when it is still unreachable after the others had time to boot.
        if (!warned && now - failingSince >= UNREACHABLE_WARN_MS && this.#running) {
          warned = true;
          const detail = error instanceof Error ? error.message : String(error);
          this.#options.log.emit({ event: "seed_unreachable", seed: key, detail });
        }
      }
      if (!this.#running) return;
      const wait = backoffDelay(attempt++, {
        minMs: this.#options.retryMinMs,
        maxMs,
      }, this.#options.rng);
      const woken = new Promise<void>((resolve) => this.#wakers.set(key, resolve));
      await Promise.race([this.#sleeper.sleep(wait), woken]);
      this.#wakers.delete(key);
    }
  }
}
