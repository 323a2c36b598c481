/**
 * An in-memory network of simulated hosts, with a {@linkcode Transport}
 * per host. Streams behave like TCP: reliable and ordered; bytes arrive
 * after the link model's delay; closing sends a FIN behind the data in
 * flight. A crashed host goes dark: nothing leaves it, what is sent to it
 * is lost, and dials to it time out. Across a partition, packets wait for
 * the heal (as TCP retransmits them) and dials time out.
 *
 * @module
 */

import type { Address } from "../util/address.ts";
import type { Link, LinkListener, Transport } from "../wire/transport.ts";
import type { LinkModel } from "./link_model.ts";
import { type Carrier, type Host, MemoryListener, MemoryStream } from "./memory_stream.ts";
import type { VirtualClock } from "./virtual_clock.ts";

/** Traffic totals of the whole network. */
export interface NetworkStats {
  /** Chunks handed to the network (one per stream write). */
  packets: number;
  /** Bytes handed to the network. */
  bytes: number;
  /** Connections opened. */
  connections: number;
  /** Frames carried, by message type byte (index); unkeyed links only. */
  framesByType: number[];
}

const FIRST_EPHEMERAL_PORT = 40_000;

/**
 * The simulated network: register hosts with {@linkcode addHost}, give each
 * node its host's {@linkcode transport}.
 *
 * @example Usage
 * ```ts
 * import { LinkModel } from "./link_model.ts";
 * import { MemoryNetwork } from "./memory_network.ts";
 * import { VirtualClock } from "./virtual_clock.ts";
 * const clock = new VirtualClock();
 * const net = new MemoryNetwork(clock, new LinkModel({ latencyMs: 5 }, () => 0));
 * const a = net.addHost("10.0.0.1");
 * const b = net.addHost("10.0.0.2");
 * const listener = net.transport(b).listen({ host: "10.0.0.2", port: 80 });
 * const link = net.transport(a).dial({ host: "10.0.0.2", port: 80 }, { timeoutMs: 100 });
 * await clock.run({ untilMs: 100 });
 * (await link).remote; // "10.0.0.2:80"
 * listener.close();
 * ```
 */
export class MemoryNetwork implements Carrier {
  readonly clock: VirtualClock;
  readonly model: LinkModel;
  readonly stats: NetworkStats = { packets: 0, bytes: 0, connections: 0, framesByType: [] };
  readonly #hosts: Host[] = [];
  readonly #byIp = new Map<string, Host>();

  /** An empty network on `clock` with delays from `model`. */
  constructor(clock: VirtualClock, model: LinkModel) {
    this.clock = clock;
    this.model = model;
  }

  /** Adds a host with address `ip`; returns its id (from 1, also its clock owner). */
  addHost(ip: string): number {
    if (this.#byIp.has(ip)) throw new RangeError(`Host ${ip} exists already`);
    const host: Host = {
      id: this.#hosts.length + 1,
      ip,
      listeners: new Map(),
      down: false,
      nextPort: FIRST_EPHEMERAL_PORT,
    };
    this.#hosts.push(host);
    this.#byIp.set(ip, host);
    return host.id;
  }

  /** The host with address `ip`, if any. */
  hostId(ip: string): number | undefined {
    return this.#byIp.get(ip)?.id;
  }

  /** True when host `id` crashed. */
  isDown(id: number): boolean {
    return this.#host(id).down;
  }

  /**
   * Crashes host `id`: its streams and listeners vanish without a FIN, its
   * timers stop, and it never sends again.
   */
  crash(id: number): void {
    const host = this.#host(id);
    if (host.down) return;
    host.down = true;
    this.clock.silence(id);
    for (const listener of host.listeners.values()) listener.vanish();
    host.listeners.clear();
  }

  /** The transport of host `id`. */
  transport(id: number): Transport {
    const host = this.#host(id);
    return {
      listen: (address) => this.#listen(host, address),
      dial: (address, options) => this.#dial(host, address, options.timeoutMs),
    };
  }

  #host(id: number): Host {
    const host = this.#hosts[id - 1];
    if (!host) throw new RangeError(`No host ${id}`);
    return host;
  }

  #listen(host: Host, address: Address): LinkListener {
    if (address.host !== host.ip) {
      throw new Deno.errors.AddrNotAvailable(`Host ${host.ip} cannot bind ${address.host}`);
    }
    if (host.listeners.has(address.port)) {
      throw new Deno.errors.AddrInUse(`Address ${address.host}:${address.port} is in use`);
    }
    const listener = new MemoryListener({ host: host.ip, port: address.port }, () => {
      if (host.listeners.get(address.port) === listener) host.listeners.delete(address.port);
    });
    host.listeners.set(address.port, listener);
    return listener;
  }

  #dial(from: Host, address: Address, timeoutMs: number): Promise<Link> {
    return new Promise<Link>((resolve, reject) => {
      const timeout = () =>
        reject(new Deno.errors.TimedOut(`Connect to ${address.host}:${address.port} timed out`));
      const to = this.#byIp.get(address.host);
      const clock = this.clock;
      const start = clock.elapsed;
      const out = this.model.oneWayMs();
      const back = this.model.oneWayMs();
      // A SYN across a partition, or to a dark host, is lost: the dial times out.
      if (
        !to || to.down || this.model.crossableAt(from.id, to.id, start) !== start ||
        this.model.crossableAt(from.id, to.id, start + out) !== start + out ||
        out + back > timeoutMs
      ) {
        clock.schedule(from.id, timeout, timeoutMs);
        return;
      }
      clock.schedule(from.id, () => {
        const listener = to.down ? undefined : to.listeners.get(address.port);
        if (to.down) {
          clock.schedule(from.id, timeout, timeoutMs - out);
          return;
        }
        if (!listener) {
          clock.schedule(from.id, () => {
            reject(
              new Deno.errors.ConnectionRefused(
                `Connection to ${address.host}:${address.port} refused`,
              ),
            );
          }, back);
          return;
        }
        const port = from.nextPort++;
        if (from.nextPort > 65_535) from.nextPort = FIRST_EPHEMERAL_PORT;
        const client = new MemoryStream(this, from, to);
        const server = new MemoryStream(this, to, from);
        client.peer = server;
        server.peer = client;
        this.stats.connections++;
        listener.offer({ stream: server, remote: `${from.ip}:${port}`, localHost: to.ip });
        clock.schedule(from.id, () => {
          if (from.down) return;
          resolve({
            stream: client,
            remote: `${address.host}:${address.port}`,
            localHost: from.ip,
          });
        }, back);
      }, out);
    });
  }

  /** Hands `chunk` from `stream` to its peer after the link's delay. */
  carry(stream: MemoryStream, chunk: Uint8Array | null): void {
    const from = stream.local;
    const to = stream.remote;
    if (from.down) return;
    const clock = this.clock;
    const now = clock.elapsed;
    const bytes = chunk?.length ?? 0;
    if (chunk) {
      this.stats.packets++;
      this.stats.bytes += bytes;
      countFrames(chunk, this.stats.framesByType);
    }
    const sendAt = Math.max(now, stream.busyUntil) + this.model.transmitMs(bytes);
    stream.busyUntil = sendAt;
    let arrive = sendAt + this.model.oneWayMs();
    arrive = this.model.crossableAt(from.id, to.id, arrive);
    // TCP delivers in order: never before what was sent earlier.
    if (arrive < stream.lastArrival) arrive = stream.lastArrival;
    stream.lastArrival = arrive;
    const peer = stream.peer;
    if (!peer) return;
    // Arrivals on one direction are in time order (ties in scheduling
    // order), so each event takes the next chunk in flight: no closure per packet.
    (peer.inFlight ??= []).push(chunk);
    clock.schedule(0, peer.arriveNext, arrive - now);
  }

  /** Notes activity for the virtual clock. */
  touch(): void {
    this.clock.touch();
  }
}

// Counts the frames of `chunk` by type. A connection hands the network
// whole frames (its queue holds nothing else), so the length prefixes walk
// the chunk exactly; a chunk that does not parse (a keyed link's sealed
// records) counts under type 0.
function countFrames(chunk: Uint8Array, counts: number[]): void {
  let at = 0;
  while (at + 5 <= chunk.length) {
    const length = ((chunk[at]! << 24) | (chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) |
      chunk[at + 3]!) >>> 0;
    if (length === 0 || at + 4 + length > chunk.length) break;
    const type = chunk[at + 4]!;
    counts[type] = (counts[type] ?? 0) + 1;
    at += 4 + length;
  }
  if (at < chunk.length) counts[0] = (counts[0] ?? 0) + 1;
}
