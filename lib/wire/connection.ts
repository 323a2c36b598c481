/**
 * One framed connection: a read loop that feeds the frame decoder, a
 * handshake, and a coalescing, bounded send queue.
 *
 * Frames sent during one turn of the event loop leave in a single `write()`
 * (batched writes are an order of magnitude faster than one per frame). The
 * queue is bounded: a remote that stops reading is disconnected rather than
 * allowed to grow this process's memory.
 *
 * With a keyring the handshake is mutual challenge-response
 * (`auth_handshake.ts`) and everything after it travels in sealed records
 * (`sealed_records.ts`): the batch of one write is sealed as one record.
 * Until the remote's proof verifies, the handler hears nothing of it.
 *
 * @module
 */

import { formatAddress } from "../util/address.ts";
import { concatBytes } from "../util/bytes.ts";
import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import {
  type Frame,
  FRAME_HEADER_BYTES,
  type FrameBatch,
  FrameDecoder,
  MAX_FRAME_BYTES,
} from "./frame.ts";
import {
  type AuthRole,
  checkProof,
  deriveSession,
  fromHex,
  keyById,
  newAuthHello,
  type OpeningFrames,
  proveKey,
  type SessionKeys,
  toHex,
  transcript,
} from "./auth_handshake.ts";
import type { Keyring, KeyringSource, NetworkKey } from "./keyring.ts";
import {
  RECORD_PLAINTEXT_BYTES,
  recordLimit,
  RecordOpener,
  RecordSealer,
  syncKey,
} from "./sealed_records.ts";
import type { BudgetHolder, SendBudget } from "./send_budget.ts";
import {
  decodeMessage,
  encodeMessage,
  encodeTransient,
  type ErrorCode,
  type HelloMessage,
  type Message,
  MessageType,
} from "./messages.ts";

/** The byte-stream operations a connection needs; `Deno.Conn` has them. */
export interface ByteStream {
  /** Reads into `buffer`; resolves to the byte count, or `null` at EOF. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some prefix of `data`; resolves to the byte count written. */
  write(data: Uint8Array): Promise<number>;
  /** Closes both directions; pending reads reject. */
  close(): void;
  /**
   * Optional push mode (the simulator's in-memory streams): from now on each
   * arriving chunk, or `null` at EOF, goes to `sink`, called on `target`, as
   * it arrives, with no read, promise or copy; the chunk is the sink's to
   * keep. Unkeyed links use it when the stream has it. (A shared function
   * and its target, not a closure: a simulation holds millions of links.)
   */
  subscribe?<T>(sink: (this: T, chunk: Uint8Array | null) => void, target: T): void;
  /**
   * Optional (the simulator's in-memory streams, `node:net` sockets): sends
   * all of `data` at once, keeping the buffer itself; the caller never
   * touches it again. Unkeyed links then hand their send queue over instead
   * of writing it. A stream with {@linkcode ByteStream.transferWaits} calls
   * `sent` once the bytes have left it.
   */
  transfer?(data: Uint8Array, sent?: () => void): void;
  /**
   * True if transferred bytes can wait in the stream (a socket whose remote
   * reads slowly): they then count against the node's send budget until
   * `sent`. Without it, transferred bytes are gone at once (the simulator's).
   */
  readonly transferWaits?: boolean;
  /**
   * Optional (push-mode sockets): stops taking bytes from the kernel until
   * {@linkcode ByteStream.resumeReading}, so they wait there as they would
   * for a stopped process. A paused in-process node uses it.
   */
  pauseReading?(): void;
  /** Optional: undoes {@linkcode ByteStream.pauseReading}. */
  resumeReading?(): void;
  /**
   * Optional: closes at once, dropping bytes not yet handed to the kernel
   * (a crashed in-process node). Without it a crash uses `close`.
   */
  abort?(): void;
  /**
   * Optional (`Deno.TcpConn` has it): sends the FIN after the bytes written,
   * keeping the read side open. A connection closing after a last frame
   * then reads until the remote ends too (see {@linkcode FramedConnection.close}).
   */
  closeWrite?(): Promise<void>;
}

/**
 * What {@linkcode ByteStream.transfer} throws when the remote has stopped
 * reading and the stream's own bound is reached: the connection closes as
 * `send_overflow`.
 */
export class SendOverflowError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "SendOverflowError";
  }
}

/** Why a connection closed; a log field. */
export type CloseReason =
  /** This node chose to close it (shutdown, duplicate link, refused...). */
  | "local"
  /** The remote closed it (EOF). */
  | "remote_closed"
  /** A socket error (reset, broken pipe). */
  | "io_error"
  /** The remote sent bytes that break the protocol. */
  | "protocol_error"
  /** A keyed handshake failed: wrong or missing key, or a proof that does not verify. */
  | "auth_failed"
  /** No valid hello within the handshake timeout. */
  | "handshake_timeout"
  /** Nothing received within the idle timeout. */
  | "idle_timeout"
  /** Not a neighbour, seed link, registered peer or finished exchange in time. */
  | "pending_timeout"
  /** The remote stopped reading and the send queue hit its bound. */
  | "send_overflow"
  /** The remote said it was closing (error frame). */
  | "remote_error";

/** How and why a connection ended. */
export interface CloseInfo {
  readonly reason: CloseReason;
  /** One line with the specifics, e.g. "Frame length (9999999) exceeds limit (65536)". */
  readonly detail: string;
}

/** Tunables of a connection; every field has a default. */
export interface ConnectionOptions {
  /** Largest accepted frame body in bytes. @default {65536} */
  maxFrameBytes?: number;
  /**
   * Most bytes allowed to wait in the send queue. Past it the connection is
   * closed with `send_overflow`. 4 MiB holds tens of thousands of gossip
   * frames: far beyond any burst a healthy neighbour leaves unread.
   * @default {4194304}
   */
  maxQueuedBytes?: number;
  /** Time allowed for the remote's hello, in ms. @default {5000} */
  handshakeTimeoutMs?: number;
  /** Close when nothing arrives for this long, in ms; 0 disables. @default {0} */
  idleTimeoutMs?: number;
  /** Time source for timeouts. @default {systemClock} */
  clock?: Clock;
  /** A cap on queued output shared with the node's other connections. @default {none} */
  budget?: SendBudget;
  /**
   * The network keys. When set, the handshake authenticates both sides and
   * every frame after it is sealed; when absent the link is plaintext and a
   * keyed remote is refused. @default {none}
   */
  keyring?: KeyringSource;
}

/** Callbacks that give a connection its meaning; `R` is the owner's role type. */
export interface ConnectionHandler<R = unknown> {
  /**
   * The remote's hello arrived. Return `undefined` to accept it, or an error
   * to send before closing (e.g. too many connections).
   */
  onHello(
    connection: FramedConnection<R>,
    hello: HelloMessage,
  ): { code: ErrorCode; text: string } | undefined;
  /** A message arrived after the handshake. `frame` is valid only during the call. */
  onMessage(connection: FramedConnection<R>, message: Message, frame: Frame): void;
  /** The connection closed; called exactly once. */
  onClose(connection: FramedConnection<R>, info: CloseInfo): void;
}

/**
 * Whether a closed link was broken (the protocol failed on it) rather than
 * merely gone: this side could not decode the remote, timed out on its
 * handshake or backlog, or the remote said it could not decode this side.
 */
export function isBrokenLink(info: CloseInfo): boolean {
  switch (info.reason) {
    case "protocol_error":
    case "handshake_timeout":
    case "send_overflow":
    case "auth_failed":
      return true;
    case "remote_error":
      return /^(malformed|unexpected_message|unsupported_version|auth_failed):/.test(info.detail);
    default:
      return false;
  }
}

// Frames are small (gossip ~50 bytes); a rare large one simply spans reads.
// The read buffer starts small (a node may hold a great many idle links, and
// a stranger that never finishes its handshake should cost little) and grows
// to the full size once a read fills it.
const READ_START_BYTES = 512;
const READ_BUFFER_BYTES = 16 * 1024;
// Send queues start small; one that grew for a burst shrinks back once drained.
const QUEUE_START_BYTES = 256;
const QUEUE_KEEP_BYTES = 64 * 1024;
const CLOSE_FLUSH_TIMEOUT_MS = 1000;
// How long a half-closed connection waits for the remote's end.
const CLOSE_LINGER_MS = 1000;
// The queue of a link whose stream took its last one (`transfer`).
const NO_BYTES = new Uint8Array(0);

// Queues handed over to a stream that takes buffers (`transfer`, the
// simulator's) are cut from shared slabs: a flush hands its bytes away, so
// the next send needs fresh memory, and a view of a slab costs far less
// than an array of its own (in a simulation of 100,000 peers that was 6% of
// the CPU). A slab is freed once nothing cut from it is held any more.
const SLAB_BYTES = 16 * 1024;
let slab = NO_BYTES;
let slabUsed = 0;

// Room for `size` bytes holding the first `used` of `queue`: grown in place
// when `queue` is the slab's latest cut and the slab has room.
function slabQueue(
  queue: Uint8Array<ArrayBuffer>,
  used: number,
  size: number,
): Uint8Array<ArrayBuffer> {
  if (size > SLAB_BYTES / 4) {
    const own = new Uint8Array(size);
    own.set(queue.subarray(0, used));
    return own;
  }
  const start = queue.byteOffset;
  if (
    queue.buffer === slab.buffer && start + queue.length === slabUsed &&
    start + size <= slab.length
  ) {
    slabUsed = start + size;
    return slab.subarray(start, slabUsed);
  }
  if (slabUsed + size > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const cut = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += size;
  if (used > 0) cut.set(queue.subarray(0, used));
  return cut;
}

// Connections with frames to flush, in the order they queued them: one
// microtask flushes them all, rather than a microtask (and a closure) per
// connection per turn. The queue holds the connections themselves, not a
// closure each: a simulation holds millions of links.
let flushes: FramedConnection<unknown>[] = [];
let spareFlushes: FramedConnection<unknown>[] = [];
// Set by FramedConnection's static block: flushes one connection's queue.
let flushConnection: (connection: FramedConnection<unknown>) => void;
function scheduleFlush(connection: FramedConnection<unknown>): void {
  flushes.push(connection);
  if (flushes.length === 1) queueMicrotask(flushAll);
}
function flushAll(): void {
  const batch = flushes;
  flushes = spareFlushes;
  spareFlushes = batch;
  for (const connection of batch) {
    // One failure must not strand the others' frames: it surfaces as an
    // uncaught error would have, and the rest still flush.
    try {
      flushConnection(connection);
    } catch (error) {
      reportError(error);
    }
  }
  batch.length = 0;
}

/** Traffic counters of one connection. */
export interface ConnectionStats {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

/**
 * A framed, handshaken connection. Create it, then call
 * {@linkcode FramedConnection.start}; it sends `localHello` at once and
 * waits for the remote's. `R` is what the owner says the link is for (a
 * seed link, a neighbour...), kept in {@linkcode FramedConnection.role}.
 */
export class FramedConnection<R = unknown> implements BudgetHolder {
  /** Remote socket address, for logs (`host:port`). */
  readonly remoteLabel: string;
  /** Which side opened the connection. */
  readonly direction: "in" | "out";
  /** Traffic counters. */
  readonly stats: ConnectionStats = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
  /** The remote's hello, once the handshake is done. */
  remoteHello: HelloMessage | undefined;
  /** The remote's advertised address as `host:port`, set with `remoteHello` (formatted once). */
  remoteKey = "";
  /**
   * What this link is to its owner: set before `start` for a dialled link
   * (what it was dialled for), once the hello is accepted for an inbound one.
   */
  role: R | undefined;

  #stream: ByteStream;
  #handler: ConnectionHandler<R>;
  // Needed only until `start` has sent it.
  #localHello: HelloMessage | undefined;
  #clock: Clock;
  #decoder: FrameDecoder;
  #maxQueued: number;
  #handshakeTimeout: number;
  #idleTimeout: number;
  #queue: Uint8Array<ArrayBuffer>;
  // The second buffer is made at the first swap: a link that never sends
  // beyond its handshake never needs it.
  #spare = NO_BYTES;
  #queued = 0;
  #budget: SendBudget | undefined;
  #charged = 0;
  #writing = false;
  #flushScheduled = false;
  #closing = false;
  #closed = false;
  // The remote ended its side (read EOF or an error) while this end closed.
  #remoteEnded = false;
  #lastReceived: number;
  #timer: TimerHandle | undefined;
  // Keyed links only: the keys, and in one object made only for them the
  // handshake, the session's sealer and opener and the inner decoder (a
  // simulation holds millions of unkeyed links).
  #keyring: Keyring | undefined;
  #keyed: KeyedState | undefined;
  // Handshake frames, written in clear ahead of the queue.
  // (Made when first needed: an unkeyed link never has any.)
  #clear: Uint8Array[] | undefined;
  #closeInfo: CloseInfo | undefined;
  #drained: (() => void) | undefined;
  // Made only when someone asks for `closed`: most links are never awaited,
  // and a simulator holds hundreds of thousands of them.
  #done: PromiseWithResolvers<CloseInfo> | undefined;

  /** Wraps `stream`; nothing happens until {@linkcode start}. */
  constructor(
    stream: ByteStream,
    init: {
      handler: ConnectionHandler<R>;
      localHello: HelloMessage;
      direction: "in" | "out";
      remoteLabel: string;
      options?: ConnectionOptions;
    },
  ) {
    const options = init.options ?? {};
    this.#stream = stream;
    // A stream that takes buffers gets the queue at each flush: it needs none to start.
    this.#queue = stream.transfer ? NO_BYTES : new Uint8Array(QUEUE_START_BYTES);
    this.#handler = init.handler;
    this.#localHello = init.localHello;
    this.direction = init.direction;
    this.remoteLabel = init.remoteLabel;
    this.#clock = options.clock ?? systemClock;
    const maxFrame = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    // A keyring is read once: a link keeps the keys it was opened with.
    this.#keyring = options.keyring?.current();
    if (this.#keyring) this.#keyed = { maxFrame };
    // On a keyed link the outer stream carries records of at most 16 KiB
    // (the few handshake frames before them are far smaller); the frames
    // inside records have the frame limit.
    this.#decoder = new FrameDecoder({
      maxFrameBytes: this.#keyring ? recordLimit(RECORD_PLAINTEXT_BYTES) : maxFrame,
    });
    this.#maxQueued = options.maxQueuedBytes ?? 4 * 1024 * 1024;
    this.#handshakeTimeout = options.handshakeTimeoutMs ?? 5000;
    this.#idleTimeout = options.idleTimeoutMs ?? 0;
    // The node's send budget bounds bytes waiting on sockets. A stream that
    // takes buffers (the simulator's) is handed every queue in the turn it
    // fills, so nothing of it waits: charging and refunding each frame was
    // 2% of a large simulation's CPU for no bound at all.
    this.#budget = stream.transfer && !stream.transferWaits && !this.#keyring
      ? undefined
      : options.budget;
    this.#lastReceived = this.#clock.now();
  }

  /** Resolves when the connection has closed, with why. */
  get closed(): Promise<CloseInfo> {
    if (this.#done) return this.#done.promise;
    if (this.#closed) return Promise.resolve(this.#closeInfo!);
    this.#done = Promise.withResolvers();
    return this.#done.promise;
  }

  /**
   * Hands the connection's callbacks to `handler` from now on. A dialler
   * that wrapped the node's handler until the handshake settled lets go
   * of its wrapper (and what it captured) this way.
   */
  replaceHandler(handler: ConnectionHandler<R>): void {
    this.#handler = handler;
  }

  /** True once closing has begun; sends are refused from then on. */
  get isClosed(): boolean {
    return this.#closing;
  }

  /** True for a keyed link (its handshake authenticates, its records are sealed). */
  get isKeyed(): boolean {
    return this.#keyring !== undefined;
  }

  /** True once both hellos have been exchanged. */
  get isOpen(): boolean {
    return this.remoteHello !== undefined && !this.#closing;
  }

  /** Bytes waiting in the send queue. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** When bytes last arrived from the remote (clock ms), or when the connection started. */
  get lastReceivedAt(): number {
    return this.#lastReceived;
  }

  /** Bytes queued or being written, as charged to the shared send budget. */
  get charged(): number {
    return this.#charged;
  }

  /** Closes the connection because the shared send budget ran out (its bytes go back). */
  overflow(detail: string): void {
    this.#finish("send_overflow", detail);
  }

  /** Sends the local hello and starts reading. Returns at once. */
  start(): void {
    const localHello = this.#localHello!;
    this.#localHello = undefined;
    if (this.#keyring) {
      const authHello = encodeMessage(newAuthHello(this.#keyring));
      const hello = encodeMessage(localHello);
      this.#keyed!.auth = { local: { authHello, hello } };
      this.#sendClear(authHello);
      this.#sendClear(hello);
    } else {
      this.send(localHello);
    }
    this.#timer = this.#clock.setTimeout(() => this.#onTimer(), this.#handshakeTimeout);
    if (!this.#keyring && this.#stream.subscribe) {
      this.#stream.subscribe(this.#onChunk, this);
    } else {
      this.#readLoop();
    }
  }

  /** Queues a message. Returns false (and sends nothing) once closing. */
  send(message: Message): boolean {
    if (this.#closing) return false;
    // Before the session exists, only an error can leave, and only in clear.
    if (this.#keyring && !this.#keyed?.sealer && message.kind === "error") {
      this.#sendClear(encodeMessage(message));
      return true;
    }
    // Copied into the queue at once, so the shared encoder's buffer will do.
    return this.#enqueue(encodeTransient(message));
  }

  // A handshake frame: written before anything queued, never sealed.
  #sendClear(frameBytes: Uint8Array): void {
    (this.#clear ??= []).push(frameBytes);
    this.stats.framesOut++;
    if (!this.#flushScheduled && !this.#writing) {
      this.#flushScheduled = true;
      scheduleFlush(this as FramedConnection<unknown>);
    }
  }

  // Whether bytes are waiting to be written now (a keyed link holds its
  // queue until the session exists).
  #hasOutput(): boolean {
    return this.#writing || this.#clear !== undefined ||
      (this.#queued > 0 && (!this.#keyring || this.#keyed?.sealer !== undefined));
  }

  /**
   * Queues an already-framed message given as its type and payload: the
   * relay path, which forwards a gossip frame without re-encoding it.
   */
  sendFrame(type: number, payload: Uint8Array): boolean {
    if (this.#closing) return false;
    const length = payload.length + 1;
    const at = this.#reserve(FRAME_HEADER_BYTES + length - 1);
    if (at < 0) return false;
    const q = this.#queue;
    q[at] = length >>> 24;
    q[at + 1] = length >>> 16;
    q[at + 2] = length >>> 8;
    q[at + 3] = length;
    q[at + 4] = type;
    q.set(payload, at + FRAME_HEADER_BYTES);
    this.stats.framesOut++;
    return true;
  }

  #enqueue(frameBytes: Uint8Array): boolean {
    const at = this.#reserve(frameBytes.length);
    if (at < 0) return false;
    this.#queue.set(frameBytes, at);
    this.stats.framesOut++;
    return true;
  }

  // Makes room for `n` bytes at the end of the queue; -1 if that overflows.
  #reserve(n: number): number {
    const at = this.#queued;
    if (at + n > this.#maxQueued) {
      this.#finish("send_overflow", `Send queue would exceed ${this.#maxQueued} bytes`);
      return -1;
    }
    if (this.#budget) {
      if (!this.#budget.charge(this, n) || this.#closed) return -1;
      this.#charged += n;
    }
    if (at + n > this.#queue.length) {
      const size = Math.min(Math.max(this.#queue.length * 2, at + n), this.#maxQueued);
      if (this.#stream.transfer && !this.#keyring) {
        this.#queue = slabQueue(this.#queue, at, size);
      } else {
        const grown = new Uint8Array(size);
        grown.set(this.#queue.subarray(0, at));
        this.#queue = grown;
      }
    }
    this.#queued = at + n;
    if (!this.#flushScheduled && !this.#writing) {
      this.#flushScheduled = true;
      scheduleFlush(this as FramedConnection<unknown>);
    }
    return at;
  }

  // Runs from the shared flush microtask (scheduleFlush): a stream that
  // takes buffers is handed them at once; anything else is written by the
  // async loop.
  #flushNow(): void {
    this.#flushScheduled = false;
    if (this.#writing || this.#closed) return;
    if (this.#stream.transfer && !this.#keyring) this.#handOver();
    else this.#flush();
  }

  static {
    flushConnection = (connection) => connection.#flushNow();
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (!this.#closed) {
        if (this.#clear) {
          const frames = this.#clear;
          this.#clear = undefined;
          const clear = frames.length === 1 ? frames[0]! : concatBytes(frames);
          await this.#writeAll(clear);
          this.stats.bytesOut += clear.length;
          continue;
        }
        if (this.#queued === 0 || (this.#keyring && !this.#keyed?.sealer)) break;
        // Double buffering: writes go from one buffer while sends fill the other.
        const out = this.#queue.subarray(0, this.#queued);
        const next = this.#spare;
        this.#spare = this.#queue;
        this.#queue = next;
        this.#queued = 0;
        // Frames sent while this batch is sealed and written coalesce into
        // the next one: one seal per write, however many frames.
        const sealer = this.#keyed?.sealer;
        const wire = sealer ? await sealer.seal(out) : out;
        if (this.#closed) break;
        await this.#writeAll(wire);
        this.stats.bytesOut += wire.length;
        if (this.#budget && !this.#closed) {
          this.#budget.refund(this, out.length);
          this.#charged -= out.length;
        }
      }
    } catch (error) {
      this.#finish("io_error", errorText(error));
    } finally {
      this.#writing = false;
      if (this.#queued === 0) this.#shrink();
      if (!this.#hasOutput() && this.#drained) this.#drained();
    }
  }

  // A stream that takes buffers gets the queue itself: no copy, no wait,
  // and an idle link holds no buffer until it sends again.
  #handOver(): void {
    const stream = this.#stream as Required<ByteStream>;
    try {
      const clear = this.#clear;
      if (clear) {
        this.#clear = undefined;
        for (const frame of clear) {
          stream.transfer(frame);
          this.stats.bytesOut += frame.length;
        }
      }
      if (this.#queued > 0) {
        const queue = this.#queue;
        const out = this.#queued === queue.length ? queue : queue.subarray(0, this.#queued);
        this.#queue = NO_BYTES;
        this.#queued = 0;
        // Charged until the stream has sent them: a socket may hold them.
        if (this.#budget) stream.transfer(out, () => this.#sent(out.length));
        else stream.transfer(out);
        this.stats.bytesOut += out.length;
      }
    } catch (error) {
      if (error instanceof SendOverflowError) this.#finish("send_overflow", error.message);
      else this.#finish("io_error", errorText(error));
    }
    if (this.#drained) this.#drained();
  }

  // Transferred bytes left the stream: they stop counting against the budget.
  #sent(n: number): void {
    if (!this.#budget || this.#closed) return;
    this.#budget.refund(this, n);
    this.#charged -= n;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += await this.#stream.write(bytes.subarray(written));
  }

  // A queue that grew for a burst gives its memory back once drained.
  #shrink(): void {
    if (this.#queue.length > QUEUE_KEEP_BYTES) this.#queue = new Uint8Array(QUEUE_START_BYTES);
    if (this.#spare.length > QUEUE_KEEP_BYTES) this.#spare = new Uint8Array(QUEUE_START_BYTES);
  }

  /**
   * Closes the connection; idempotent. With `flush`, frames already queued
   * (a final error or leave message) are written first, for at most a second.
   */
  close(reason: CloseReason, detail: string, options: { flush?: boolean } = {}): void {
    if (this.#closing) return;
    if (options.flush && this.#hasOutput()) {
      this.#closing = true;
      const timer = this.#clock.setTimeout(
        () => this.#finish(reason, detail, true),
        CLOSE_FLUSH_TIMEOUT_MS,
      );
      this.#drained = () => {
        this.#clock.clearTimeout(timer);
        this.#linger(reason, detail);
      };
      return;
    }
    if (options.flush) this.#linger(reason, detail);
    else this.#finish(reason, detail);
  }

  // After a last frame: on a stream that can half-close, send the FIN and
  // read (dropping it) until the remote ends too, for at most a second.
  // Closing over bytes the remote sent meanwhile would send it a reset, and
  // a reset can make it drop the last frame before reading it, or fail its
  // next write first: it would see a crash, not a goodbye.
  #linger(reason: CloseReason, detail: string): void {
    const stream = this.#stream;
    if (!stream.closeWrite || this.#closed || this.#remoteEnded) {
      this.#finish(reason, detail, true);
      return;
    }
    this.#closing = true;
    // Kept here until the end: `closed` and onClose report it then.
    this.#closeInfo = { reason, detail };
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => this.#endLinger(), CLOSE_LINGER_MS);
    stream.closeWrite().catch(() => this.#endLinger());
  }

  // Lingering: a half-closed stream waits for the remote's end (`close` above).
  get #lingering(): boolean {
    return this.#closeInfo !== undefined && !this.#closed;
  }

  #endLinger(): void {
    const info = this.#closeInfo;
    if (info && !this.#closed) this.#finish(info.reason, info.detail, true);
  }

  /** Sends an error frame, then closes once it has left. */
  fail(reason: CloseReason, code: ErrorCode, detail: string): void {
    if (this.#closing) return;
    this.send({ kind: "error", code, text: detail });
    this.close(reason, detail, { flush: true });
  }

  #finish(reason: CloseReason, detail: string, force = false): void {
    if (this.#closed || (this.#closing && !force)) return;
    this.#closing = true;
    this.#closed = true;
    this.#closeInfo = { reason, detail };
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    if (this.#budget && this.#charged > 0) {
      this.#budget.refund(this, this.#charged);
      this.#charged = 0;
    }
    try {
      this.#stream.close();
    } catch {
      // Already closed by the other side or the runtime: nothing to release.
    }
    this.#handler.onClose(this, this.#closeInfo);
    this.#done?.resolve(this.#closeInfo);
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    if (!this.remoteHello) {
      this.#finish("handshake_timeout", `No hello within ${Math.round(this.#handshakeTimeout)}ms`);
      return;
    }
    if (this.#idleTimeout <= 0) return;
    const idle = this.#clock.now() - this.#lastReceived;
    if (idle >= this.#idleTimeout) {
      this.#finish("idle_timeout", `Nothing received for ${Math.round(idle)}ms`);
      return;
    }
    this.#timer = this.#clock.setTimeout(() => this.#onTimer(), this.#idleTimeout - idle);
  }

  async #readLoop(): Promise<void> {
    let buffer = new Uint8Array(READ_START_BYTES);
    // Closing, it reads on and drops what comes, until the remote's end
    // (see #linger); the stream's close ends the read.
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await this.#stream.read(buffer);
      } catch (error) {
        this.#remoteEnded = true;
        this.#endLinger();
        this.#finish("io_error", errorText(error));
        return;
      }
      if (n === null) {
        this.#remoteEnded = true;
        this.#endLinger();
        this.#finish("remote_closed", "Connection closed by remote");
        return;
      }
      if (this.#closing) continue;
      this.#lastReceived = this.#clock.now();
      this.stats.bytesIn += n;
      const batch = this.#decoder.push(buffer.subarray(0, n));
      // A full read means more is waiting: read bigger from now on (the
      // frames of this batch keep the old buffer).
      if (n === buffer.length && buffer.length < READ_BUFFER_BYTES) {
        buffer = new Uint8Array(Math.min(buffer.length * 4, READ_BUFFER_BYTES));
      }
      if (this.#keyring) {
        // The frames are views into `buffer`, which is not read into again
        // until they have all been handled.
        await this.#onKeyedFrames(batch.frames);
        if (this.#closing) continue;
        if (batch.error) {
          const detail = batch.error.reason === "frame_too_large"
            ? `Sealed record length (${batch.error.length}) exceeds limit (${batch.error.limit})`
            : batch.error.message;
          this.fail("protocol_error", "malformed", detail);
        }
        continue;
      }
      this.#onBatch(batch);
    }
  }

  // A pushed chunk (push mode): what one read's bytes get in the read loop.
  #onChunk(chunk: Uint8Array | null): void {
    if (this.#closing) return;
    if (chunk === null) {
      this.#finish("remote_closed", "Connection closed by remote");
      return;
    }
    this.#lastReceived = this.#clock.now();
    this.stats.bytesIn += chunk.length;
    this.#onBatch(this.#decoder.push(chunk));
  }

  // Handles the frames of one unkeyed read; false once the connection is closing.
  #onBatch(batch: FrameBatch): boolean {
    for (const frame of batch.frames) {
      if (this.#closing) return false;
      this.stats.framesIn++;
      this.#onFrame(frame);
    }
    if (batch.error && !this.#closing) {
      this.fail("protocol_error", "malformed", batch.error.message);
      return false;
    }
    return !this.#closing;
  }

  #onFrame(frame: Frame): void {
    const result = decodeMessage(frame);
    if (!result.ok) {
      const code = result.reason === "unsupported_version" ? "unsupported_version" : "malformed";
      this.fail("protocol_error", code, result.detail);
      return;
    }
    const message = result.message;
    if (!this.remoteHello) {
      if (message.kind === "error") {
        // The remote refused us before saying hello: take its word and go.
        this.#finish("remote_error", `${message.code}: ${message.text}`);
        return;
      }
      if (message.kind === "auth_hello") {
        this.#authFail("this network requires a key", "this node has no key");
        return;
      }
      if (message.kind !== "hello") {
        this.fail("protocol_error", "unexpected_message", `Expected hello, got ${message.kind}`);
        return;
      }
      this.#accept(message);
      return;
    }
    if (message.kind === "hello") {
      this.fail("protocol_error", "unexpected_message", "Second hello on one connection");
      return;
    }
    if (message.kind === "error") {
      this.#finish("remote_error", `${message.code}: ${message.text}`);
      return;
    }
    this.#handler.onMessage(this, message, frame);
  }

  // The remote's hello is in (verified, on a keyed link): the handler decides.
  #accept(hello: HelloMessage): void {
    this.remoteHello = hello;
    this.remoteKey = formatAddress(hello.address);
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#idleTimeout > 0
      ? this.#clock.setTimeout(() => this.#onTimer(), this.#idleTimeout)
      : undefined;
    const rejection = this.#handler.onHello(this, hello);
    if (rejection) this.fail("local", rejection.code, rejection.text);
  }

  // Closes a link whose handshake failed: `detail` for this side's log,
  // `text` in the error frame for the remote's.
  #authFail(detail: string, text: string): void {
    if (this.#closing) return;
    this.send({ kind: "error", code: "auth_failed", text });
    this.close("auth_failed", detail, { flush: true });
  }

  async #onKeyedFrames(frames: Frame[]): Promise<void> {
    let i = 0;
    const keyed = this.#keyed!;
    while (i < frames.length && !keyed.opener) {
      if (this.#closing) return;
      await this.#onHandshakeFrame(frames[i]!, frames[i + 1]);
      i++;
    }
    const opener = keyed.opener;
    if (!opener || i >= frames.length) return;
    // Counters are checked in order before anything is decrypted; the
    // records of one read are then opened concurrently.
    const opened = [];
    let failure: string | undefined;
    for (; i < frames.length; i++) {
      const claimed = opener.claim(frames[i]!);
      if ("detail" in claimed) {
        failure = claimed.detail;
        break;
      }
      opened.push(opener.open(claimed));
    }
    const inner = keyed.inner!;
    for (const pending of opened) {
      const result = await pending;
      if (this.#closing) return;
      if (!result.ok) {
        this.fail("protocol_error", "malformed", result.detail);
        return;
      }
      const batch = inner.push(result.plain);
      for (const frame of batch.frames) {
        if (this.#closing) return;
        this.stats.framesIn++;
        this.#onFrame(frame);
      }
      if (batch.error && !this.#closing) {
        this.fail("protocol_error", "malformed", batch.error.message);
        return;
      }
    }
    if (failure && !this.#closing) this.fail("protocol_error", "malformed", failure);
  }

  // One frame of a keyed handshake: auth_hello, hello, auth_proof in turn.
  async #onHandshakeFrame(frame: Frame, next: Frame | undefined): Promise<void> {
    const keyed = this.#keyed!;
    const auth = keyed.auth!;
    const keyring = this.#keyring!;
    this.stats.framesIn++;
    if (frame.payload.length + 1 > keyed.maxFrame) {
      this.fail(
        "protocol_error",
        "malformed",
        `Frame length (${frame.payload.length + 1}) exceeds limit (${keyed.maxFrame})`,
      );
      return;
    }
    const result = decodeMessage(frame);
    if (!result.ok) {
      const code = result.reason === "unsupported_version" ? "unsupported_version" : "malformed";
      this.fail("protocol_error", code, result.detail);
      return;
    }
    const message = result.message;
    if (message.kind === "error") {
      this.#finish("remote_error", `${message.code}: ${message.text}`);
      return;
    }
    if (!auth.remote) {
      if (message.kind === "hello") {
        // A keyless node, or a refusal at accept (its hello then an error
        // in one write): a refusal says more than the missing key.
        if (next && next.type === MessageType.Error) {
          const refusal = decodeMessage(next);
          if (
            refusal.ok && refusal.message.kind === "error" && refusal.message.code !== "auth_failed"
          ) {
            return;
          }
        }
        this.#authFail("remote has no key", "this network requires a key");
        return;
      }
      if (message.kind !== "auth_hello") {
        this.fail(
          "protocol_error",
          "unexpected_message",
          `Expected auth_hello, got ${message.kind}`,
        );
        return;
      }
      const key = keyById(keyring, message.keyId);
      if (!key) {
        this.#authFail(
          `remote proves with key ${message.keyId}, which is not in this node's keyring (${
            keyring.ids.join(", ")
          })`,
          `key ${message.keyId} is not accepted here`,
        );
        return;
      }
      auth.remote = { key, authHello: frameBytes(frame) };
      return;
    }
    if (!auth.remoteHello) {
      if (message.kind !== "hello") {
        this.fail("protocol_error", "unexpected_message", `Expected hello, got ${message.kind}`);
        return;
      }
      auth.remoteHello = message;
      const remote = { authHello: auth.remote.authHello, hello: frameBytes(frame) };
      const out = this.direction === "out";
      const role: AuthRole = out ? "initiator" : "responder";
      const bytes = out ? transcript(auth.local, remote) : transcript(remote, auth.local);
      auth.transcript = bytes;
      const [mac, session] = await Promise.all([
        proveKey(keyring.sendKey, role, bytes),
        out
          ? deriveSession(role, keyring.sendKey, auth.remote.key, bytes)
          : deriveSession(role, auth.remote.key, keyring.sendKey, bytes),
      ]);
      if (this.#closing) return;
      auth.session = session;
      // The proof is the last frame in clear; everything after it is sealed.
      this.#sendClear(encodeMessage({ kind: "auth_proof", mac: toHex(mac) }));
      keyed.sealer = new RecordSealer(
        session.seal,
        RECORD_PLAINTEXT_BYTES,
        syncKey(session.sealBytes),
      );
      return;
    }
    if (message.kind !== "auth_proof") {
      this.fail("protocol_error", "unexpected_message", `Expected auth_proof, got ${message.kind}`);
      return;
    }
    const remoteRole: AuthRole = this.direction === "out" ? "responder" : "initiator";
    const valid = await checkProof(
      auth.remote.key,
      remoteRole,
      auth.transcript!,
      fromHex(message.mac),
    );
    if (this.#closing) return;
    if (!valid) {
      this.#authFail(
        "remote's proof does not verify (wrong key, or the handshake was tampered with)",
        "proof does not verify",
      );
      return;
    }
    keyed.opener = new RecordOpener(auth.session!.open, syncKey(auth.session!.openBytes));
    // The remote is a member now: a record or frame that spans reads is
    // given its declared length at once (bounded by the limits), so it is
    // copied once rather than at every doubling.
    this.#decoder.initialBodyBytes = recordLimit(RECORD_PLAINTEXT_BYTES);
    keyed.inner = new FrameDecoder({
      maxFrameBytes: keyed.maxFrame,
      initialBodyBytes: keyed.maxFrame,
    });
    keyed.auth = undefined;
    this.#accept(auth.remoteHello);
  }
}

/** What only a keyed link holds. */
interface KeyedState {
  /** Largest frame inside records. */
  readonly maxFrame: number;
  /** The handshake in progress; gone once it is done. */
  auth?: AuthState | undefined;
  /** The session's sealer, from this side's proof on. */
  sealer?: RecordSealer;
  /** The session's opener, once the remote's proof verified. */
  opener?: RecordOpener;
  /** The decoder of the frames inside opened records. */
  inner?: FrameDecoder;
}

/** A keyed handshake in progress. */
interface AuthState {
  /** This side's opening frames, as sent. */
  readonly local: OpeningFrames;
  /** The remote's key (named by its `auth_hello`) and that frame's bytes. */
  remote?: { readonly key: NetworkKey; readonly authHello: Uint8Array };
  /** The remote's hello, held back until its proof verifies. */
  remoteHello?: HelloMessage;
  transcript?: Uint8Array;
  session?: SessionKeys;
}

// A frame's bytes as they were on the wire (prefix, type, payload), copied.
function frameBytes(frame: Frame): Uint8Array {
  const length = frame.payload.length + 1;
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + frame.payload.length);
  new DataView(bytes.buffer).setUint32(0, length);
  bytes[4] = frame.type;
  bytes.set(frame.payload, FRAME_HEADER_BYTES);
  return bytes;
}
