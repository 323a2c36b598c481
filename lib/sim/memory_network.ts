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
import type { ByteStream } from "../wire/connection.ts";
import type { Link, LinkListener, Transport } from "../wire/transport.ts";
import type { LinkModel } from "./link_model.ts";
import type { VirtualClock } from "./virtual_clock.ts";

/** A simulated machine: one IP address, its listeners and open streams. */
interface Host {
  readonly id: number;
  readonly ip: string;
  readonly listeners: Map<number, MemoryListener>;
  readonly streams: Set<MemoryStream>;
  down: boolean;
  nextPort: number;
}

/** Traffic totals of the whole network. */
export interface NetworkStats {
  /** Chunks handed to the network (one per stream write). */
  packets: number;
  /** Bytes handed to the network. */
  bytes: number;
  /** Connections opened. */
  connections: number;
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
export class MemoryNetwork {
  readonly clock: VirtualClock;
  readonly model: LinkModel;
  readonly stats: NetworkStats = { packets: 0, bytes: 0, connections: 0 };
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
      streams: new Set(),
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
    for (const stream of host.streams) stream.vanish();
    host.streams.clear();
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
    peer.inFlight.push(chunk);
    clock.schedule(0, peer.arriveNext, arrive - now);
  }

  /** Forgets a stream that closed. */
  release(stream: MemoryStream): void {
    stream.local.streams.delete(stream);
  }
}

/** One end of a simulated TCP connection. */
class MemoryStream implements ByteStream {
  readonly local: Host;
  readonly remote: Host;
  peer: MemoryStream | undefined;
  /** When this direction's link finishes sending what it was given (virtual ms). */
  busyUntil = 0;
  /** When the last chunk sent this way arrives (virtual ms). */
  lastArrival = 0;
  /** Chunks (or the FIN, `null`) on their way to this end, oldest first. */
  readonly inFlight: (Uint8Array | null)[] = [];
  #inFlightHead = 0;
  readonly #net: MemoryNetwork;
  #inbox: Uint8Array[] = [];
  #head = 0;
  #offset = 0;
  #eof = false;
  #closed = false;
  #reader: { buffer: Uint8Array; resolve(n: number | null): void } | undefined;

  constructor(net: MemoryNetwork, local: Host, remote: Host) {
    this.#net = net;
    this.local = local;
    this.remote = remote;
    local.streams.add(this);
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Stream is closed"));
    if (this.#head < this.#inbox.length) return Promise.resolve(this.#take(buffer));
    if (this.#eof) return Promise.resolve(null);
    if (this.#reader) return Promise.reject(new Deno.errors.Busy("A read is pending"));
    return new Promise((resolve) => this.#reader = { buffer, resolve });
  }

  write(data: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Stream is closed"));
    if (data.length === 0) return Promise.resolve(0);
    // The caller reuses its buffer: the bytes in flight are a copy.
    this.#net.carry(this, data.slice());
    return Promise.resolve(data.length);
  }

  close(): void {
    if (this.#closed) throw new Deno.errors.BadResource("Stream is closed");
    this.#closed = true;
    this.#inbox = [];
    this.#net.carry(this, null);
    this.#net.release(this);
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.resolve(null);
  }

  /** The oldest chunk in flight has arrived (an event; a crashed host drops it). */
  readonly arriveNext = (): void => {
    const chunk = this.inFlight[this.#inFlightHead] as Uint8Array | null;
    this.inFlight[this.#inFlightHead++] = null;
    if (this.#inFlightHead === this.inFlight.length) {
      this.inFlight.length = 0;
      this.#inFlightHead = 0;
    }
    if (!this.local.down) this.arrive(chunk);
  };

  /** Bytes (or, for `null`, the FIN) arrived from the peer. */
  arrive(chunk: Uint8Array | null): void {
    if (this.#closed) return;
    this.#net.clock.touch();
    if (chunk === null) this.#eof = true;
    else this.#inbox.push(chunk);
    const reader = this.#reader;
    if (!reader) return;
    this.#reader = undefined;
    reader.resolve(chunk === null ? null : this.#take(reader.buffer));
  }

  /** The host crashed: this end is gone without a word. */
  vanish(): void {
    this.#closed = true;
    this.#inbox = [];
    this.#reader = undefined;
  }

  #take(buffer: Uint8Array): number {
    let n = 0;
    while (n < buffer.length && this.#head < this.#inbox.length) {
      const chunk = this.#inbox[this.#head] as Uint8Array;
      const count = Math.min(chunk.length - this.#offset, buffer.length - n);
      buffer.set(chunk.subarray(this.#offset, this.#offset + count), n);
      n += count;
      this.#offset += count;
      if (this.#offset === chunk.length) {
        this.#head++;
        this.#offset = 0;
      }
    }
    if (this.#head === this.#inbox.length) {
      this.#inbox.length = 0;
      this.#head = 0;
    }
    return n;
  }
}

/** A bound port of a simulated host. */
class MemoryListener implements LinkListener {
  readonly address: Address;
  readonly #onClose: () => void;
  #queue: Link[] = [];
  #waiting: ((result: IteratorResult<Link>) => void) | undefined;
  #closed = false;

  constructor(address: Address, onClose: () => void) {
    this.address = address;
    this.#onClose = onClose;
  }

  /** A connection arrived. */
  offer(link: Link): void {
    if (this.#closed) {
      link.stream.close();
      return;
    }
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting({ value: link, done: false });
    } else {
      this.#queue.push(link);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    for (const link of this.#queue) link.stream.close();
    this.#queue = [];
    this.#end();
  }

  /** The host crashed: stop accepting without closing anything. */
  vanish(): void {
    this.#closed = true;
    this.#queue = [];
    this.#waiting = undefined;
  }

  #end(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<Link> {
    return {
      next: () => {
        const link = this.#queue.shift();
        if (link) return Promise.resolve({ value: link, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#waiting = resolve);
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
