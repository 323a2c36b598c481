/**
 * A cap on the bytes waiting to be sent over all of a node's connections
 * together. Each connection's own queue is bounded too, but fifty remotes
 * that never read would otherwise hold fifty full queues. When the total
 * would pass the cap, the connection holding the most is the one closed:
 * the remote that stopped reading, not whichever link happened to send.
 *
 * @module
 */

/** A connection as the budget sees it. */
export interface BudgetHolder {
  /** Bytes it has waiting now, as charged to the budget. */
  readonly charged: number;
  /** Closes it because the budget ran out; it refunds its bytes as it closes. */
  overflow(detail: string): void;
}

/**
 * Shared accounting of queued output.
 *
 * @example Usage
 * ```ts
 * import { type BudgetHolder, SendBudget } from "./send_budget.ts";
 * const budget = new SendBudget(100);
 * const holder = (name: string): BudgetHolder & { charged: number; closed: boolean } => ({
 *   charged: 0,
 *   closed: false,
 *   overflow() { this.closed = true; budget.refund(this, this.charged); this.charged = 0; },
 * });
 * const a = holder("a"), b = holder("b");
 * budget.charge(a, 80); a.charged = 80;
 * budget.charge(b, 30); // true: a, holding the most, was closed to make room
 * a.closed; // true
 * ```
 */
export class SendBudget {
  readonly #limit: number;
  readonly #holders = new Set<BudgetHolder>();
  #total = 0;

  /** A budget of `limitBytes` over all holders. */
  constructor(limitBytes: number) {
    this.#limit = limitBytes;
  }

  /** Bytes charged now, over all holders. */
  get total(): number {
    return this.#total;
  }

  /** The cap in bytes. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Charges `n` more bytes to `holder` (whose `charged` does not include
   * them yet). If that passes the cap, holders are closed largest first
   * until it fits; returns false if `holder` itself was the one to go.
   */
  charge(holder: BudgetHolder, n: number): boolean {
    while (this.#total + n > this.#limit) {
      let largest: BudgetHolder = holder;
      let most = holder.charged + n;
      for (const other of this.#holders) {
        if (other !== holder && other.charged > most) {
          largest = other;
          most = other.charged;
        }
      }
      const detail =
        `Node's send budget (${this.#limit} bytes over all connections) is used up; this connection held the most (${most} bytes)`;
      if (largest === holder) {
        holder.overflow(detail);
        return false;
      }
      const before = this.#total;
      largest.overflow(detail);
      // A holder that did not refund cannot be closed again: stop trying.
      if (this.#total >= before) this.#holders.delete(largest);
    }
    this.#total += n;
    this.#holders.add(holder);
    return true;
  }

  /** Gives back `n` bytes of `holder`'s (written, or dropped at close). */
  refund(holder: BudgetHolder, n: number): void {
    this.#total = Math.max(0, this.#total - n);
    if (holder.charged - n <= 0) this.#holders.delete(holder);
  }
}
