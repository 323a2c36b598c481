/**
 * Seeds and peers of a keyed network in this process, over real TCP on
 * 127.0.0.1, with their events kept for the test to wait on. The keyring is
 * given to the node directly, as the library will once the command line
 * passes keys through.
 *
 * @module
 */

import {
  type PeerTuning,
  resolvePeerTuning,
  resolveSeedTuning,
  type SeedTuning,
} from "../../lib/config/node_config.ts";
import type { EventLog, LogEvent } from "../../lib/log/events.ts";
import { PeerNode } from "../../lib/peer/peer_node.ts";
import type { ReceivedMessage } from "../../lib/peer/app_messages.ts";
import { SeedNode } from "../../lib/seed/seed_node.ts";
import type { Address } from "../../lib/util/address.ts";
import type { Keyring } from "../../lib/wire/keyring.ts";
import { KeyringHolder } from "../../lib/wire/keyring.ts";
import { tcpTransport } from "../../lib/wire/transport.ts";

/** An event log a test can wait on. */
export class WatchLog implements EventLog {
  /** Every event so far. */
  readonly events: LogEvent[] = [];
  #waiters: { test: (e: LogEvent) => boolean; resolve: (e: LogEvent) => void }[] = [];

  /** Records the event and wakes whoever waits for one like it. */
  emit(event: LogEvent): void {
    this.events.push(event);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.test(event)) return true;
      w.resolve(event);
      return false;
    });
  }

  /**
   * The first event (already logged, or to come) that passes `test`.
   * @throws {Error} Naming `what`, after `timeoutMs`.
   */
  waitFor(test: (e: LogEvent) => boolean, what: string, timeoutMs = 20_000): Promise<LogEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<LogEvent>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`No ${what} within ${timeoutMs}ms`)), timeoutMs);
      this.#waiters.push({ test, resolve });
    }).finally(() => clearTimeout(timer));
  }

  /** Events logged from now on that pass `test`, counted. */
  count(test: (e: LogEvent) => boolean): number {
    return this.events.filter(test).length;
  }
}

const local = (port: number): Address => ({ host: "127.0.0.1", port });

/** Fast timings for a small test network. */
export const FAST_PEER: Partial<PeerTuning> = {
  gossipIntervalMs: 200,
  gossipCount: 0,
  pingIntervalMs: 300,
  pingMisses: 3,
  repairIntervalMs: 300,
};

/** A running keyed seed (alone: a network of one seed). */
export interface TestSeed {
  readonly node: SeedNode;
  readonly log: WatchLog;
  readonly address: Address;
}

/** Starts a seed on `port` with `keyring` (undefined: keyless). */
export function startTestSeed(
  port: number,
  keyring: Keyring | undefined,
  tuning: Partial<SeedTuning> = {},
): TestSeed {
  const log = new WatchLog();
  const address = local(port);
  const node = new SeedNode({
    self: address,
    seeds: [address],
    tuning: resolveSeedTuning(tuning),
    transport: tcpTransport,
    log,
    ...(keyring ? { keyring: new KeyringHolder(keyring) } : {}),
  });
  node.start();
  return { node, log, address };
}

/** A running keyed peer, and what it received. */
export interface TestPeer {
  readonly node: PeerNode;
  readonly log: WatchLog;
  /** Its advertised address as `host:port`. */
  readonly key: string;
  readonly received: ReceivedMessage[];
  /** Settles once it joined (or failed to). */
  readonly joined: Promise<void>;
}

/**
 * Starts a peer listening on `port`, advertising `advertisePort` (a proxy
 * in front of it) when given.
 */
export function startTestPeer(
  port: number,
  seeds: readonly Address[],
  keyring: Keyring | undefined,
  options: { advertisePort?: number; tuning?: Partial<PeerTuning> } = {},
): TestPeer {
  const log = new WatchLog();
  const received: ReceivedMessage[] = [];
  const self = local(options.advertisePort ?? port);
  const node = new PeerNode({
    self,
    ...(options.advertisePort ? { listen: local(port) } : {}),
    seeds,
    tuning: resolvePeerTuning({ ...FAST_PEER, ...options.tuning }),
    transport: tcpTransport,
    log,
    ...(keyring ? { keyring: new KeyringHolder(keyring) } : {}),
    onMessage: (message) => received.push(message),
  });
  node.start();
  const joined = node.join();
  joined.catch(() => {});
  return { node, log, key: `127.0.0.1:${self.port}`, received, joined };
}
