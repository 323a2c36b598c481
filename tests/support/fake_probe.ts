/**
 * A scripted liveness probe: answers at once with a set result, or holds
 * calls pending until the test resolves them, and counts every call.
 *
 * @module
 */

import { type Address, formatAddress } from "../../lib/util/address.ts";
import type { ProbeResult } from "../../lib/wire/probe.ts";

/** A probe answer for a peer that answered its ping. */
export const ALIVE: ProbeResult = { alive: true, rttMs: 1, detail: "pong" };
/** A probe answer for a peer nobody could reach. */
export const DEAD: ProbeResult = { alive: false, detail: "Connection refused (os error 111)" };

interface Held {
  readonly target: Address;
  readonly resolve: (result: ProbeResult) => void;
}

/** Records probe calls; answers with {@linkcode FakeProbe.answer}, or holds them. */
export class FakeProbe {
  /** Every target probed, in call order. */
  readonly calls: Address[] = [];
  /** The answer given at once; `"hold"` keeps calls pending until {@linkcode resolve}. */
  answer: ProbeResult | "hold" = DEAD;
  /** Per-target answers that override {@linkcode answer} (key `host:port`). */
  readonly answers = new Map<string, ProbeResult | "hold">();
  #held: Held[] = [];

  /** The probe function to inject. */
  readonly probe = (target: Address): Promise<ProbeResult> => {
    this.calls.push(target);
    const answer = this.answers.get(formatAddress(target)) ?? this.answer;
    if (answer !== "hold") return Promise.resolve(answer);
    return new Promise((resolve) => this.#held.push({ target, resolve }));
  };

  /** Calls still pending. */
  get held(): number {
    return this.#held.length;
  }

  /** Number of calls about `key` (`host:port`). */
  callsTo(key: string): number {
    return this.calls.filter((a) => formatAddress(a) === key).length;
  }

  /** Resolves every pending call with `result`. */
  resolve(result: ProbeResult): void {
    const held = this.#held;
    this.#held = [];
    for (const call of held) call.resolve(result);
  }
}
