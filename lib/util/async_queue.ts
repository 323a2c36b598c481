/**
 * A bounded queue that a producer pushes into without ever waiting and one
 * consumer reads with `for await`. It backs the library's `messages()` and
 * `events()` streams: the node's hot path must never block on a slow
 * reader, and a reader that falls too far behind must not grow memory
 * without bound, so a full queue drops what arrives and counts it.
 *
 * @module
 */

/** Options for {@linkcode AsyncQueue}. */
export interface AsyncQueueOptions {
  /** Most items waiting to be read; pushes beyond it are dropped. @default {10000} */
  capacity?: number;
  /** Called once when the queue ends: closed by the producer or by the reader (`break`). */
  onClose?: () => void;
}

/**
 * A bounded, single-reader async queue.
 *
 * @example Usage
 * ```ts
 * import { AsyncQueue } from "./async_queue.ts";
 * const queue = new AsyncQueue<number>({ capacity: 2 });
 * queue.push(1);
 * queue.push(2);
 * queue.push(3); // false: full, dropped
 * queue.close();
 * const seen: number[] = [];
 * for await (const n of queue) seen.push(n);
 * seen; // [1, 2]
 * queue.dropped; // 1
 * ```
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  readonly #capacity: number;
  readonly #onClose: (() => void) | undefined;
  #items: T[] = [];
  #head = 0;
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #closed = false;
  #dropped = 0;

  /** An empty, open queue. */
  constructor(options: AsyncQueueOptions = {}) {
    this.#capacity = options.capacity ?? 10_000;
    this.#onClose = options.onClose;
  }

  /** Items dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Items waiting to be read. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** True once closed by either side. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Adds an item; returns false if it was dropped (full or closed). */
  push(item: T): boolean {
    if (this.#closed) return false;
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting({ done: false, value: item });
      return true;
    }
    if (this.size >= this.#capacity) {
      this.#dropped++;
      return false;
    }
    this.#items.push(item);
    return true;
  }

  /** Ends the queue: the reader gets what is queued, then the end. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose?.();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ done: true, value: undefined });
  }

  /** The next item, waiting for one if none is queued. */
  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.#items[this.#head] as T;
      this.#items[this.#head] = undefined as T; // let it be collected
      this.#head++;
      // Compact now and then instead of shifting on every read.
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => this.#waiting = resolve);
  }

  /** The reader stopped (`break` out of `for await`): close and forget what is queued. */
  return(): Promise<IteratorResult<T>> {
    this.close();
    this.#items = [];
    this.#head = 0;
    return Promise.resolve({ done: true, value: undefined });
  }

  /** The queue is its own iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
