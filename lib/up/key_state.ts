/**
 * What each node of an `up` run says about its keys, from its log: the ids
 * of its last `keys_loaded`, or the error of its last failed reread. Lets
 * the `keys` command wait until every node took a rotation step before the
 * next. No I/O: records in, answers out.
 *
 * @module
 */

import type { RunRecord } from "./records.ts";

/** One node's key report. */
export interface NodeKeyReport {
  /** The ids it loaded last, the sending key first. */
  readonly ids: readonly string[];
  /** When a later reread failed: its one-line reason. */
  readonly failed?: string;
  /** Bumped by every report, so a waiter can tell a new one from an old. */
  readonly serial: number;
}

/** Every node's latest key report, and waiters for a condition on them. */
export class KeyState {
  readonly #reports = new Map<string, NodeKeyReport>();
  #serial = 0;
  #waiters = new Set<() => void>();

  /** Takes a record from the node at `address`; ignores unrelated events. */
  ingest(address: string, record: RunRecord): void {
    const previous = this.#reports.get(address);
    if (record.event === "keys_loaded") {
      const ids = stringList(record.fields.ids);
      if (!ids) return;
      this.#reports.set(address, { ids, serial: ++this.#serial });
    } else if (record.event === "keys_reload_failed") {
      const detail = typeof record.fields.detail === "string" ? record.fields.detail : "failed";
      this.#reports.set(address, {
        ids: previous?.ids ?? stringList(record.fields.ids) ?? [],
        failed: detail,
        serial: ++this.#serial,
      });
    } else {
      return;
    }
    for (const wake of [...this.#waiters]) wake();
  }

  /** The latest report of the node at `address`. */
  report(address: string): NodeKeyReport | undefined {
    return this.#reports.get(address);
  }

  /** The serial of the latest report of any node (0 before any). */
  get serial(): number {
    return this.#serial;
  }

  /**
   * Resolves once `done(address)` holds for every address in `addresses()`,
   * or after `timeoutMs`; resolves to the addresses for which it did not.
   */
  waitFor(
    addresses: () => readonly string[],
    done: (report: NodeKeyReport | undefined) => boolean,
    timeoutMs: number,
  ): Promise<string[]> {
    const pending = () => addresses().filter((a) => !done(this.#reports.get(a)));
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(pending());
      };
      const check = () => {
        if (pending().length === 0) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}
