/**
 * What a seed checks in a membership fact before it even considers it, from
 * whoever it comes: a version stamp may not run ahead of this seed's clock
 * by more than the allowed skew, and a peer may not hold a seed's address or
 * this seed's own. Pure.
 *
 * @module
 */

import type { MemberRecord } from "../protocol/membership_types.ts";
import { type Address, formatAddress, sameAddress } from "../util/address.ts";

/**
 * Most a version stamp may be ahead of this seed's clock, in ms: 60 s.
 * Seeds' clocks need only agree this well. A stamp further ahead is
 * rejected, so a liar cannot push versions to the end of time (a stamp of
 * `Number.MAX_VALUE` would otherwise beat every later registration). A
 * larger skew tolerates worse clocks; a liar can then push the hybrid
 * clocks that much ahead, which costs nothing but resolution.
 */
export const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * Why a stamp is unacceptable at `now`, or `undefined` if it is fine.
 *
 * @example Usage
 * ```ts
 * import { stampProblem } from "./record_check.ts";
 * stampProblem(1_000, 1_000, 60_000); // undefined
 * stampProblem(Number.MAX_VALUE, 1_000, 60_000); // "stamp is 1.8e+308 ms ahead of this seed's clock (at most 60000)"
 * ```
 */
export function stampProblem(stamp: number, now: number, skewMs: number): string | undefined {
  const ahead = stamp - now;
  if (ahead <= skewMs) return undefined;
  const shown = ahead >= 1e15 ? ahead.toPrecision(2) : String(Math.round(ahead));
  return `stamp is ${shown} ms ahead of this seed's clock (at most ${skewMs})`;
}

/** What {@linkcode peerAddressProblem} and {@linkcode recordProblem} compare against. */
export interface RecordContext {
  /** Every seed of the config. */
  readonly seeds: readonly Address[];
  /** This seed's own address. */
  readonly self: Address;
}

/**
 * Why `address` cannot be a peer's, or `undefined`: a seed's configured
 * address is a seed's (a peer listed there would take links meant for a
 * seed that is merely down).
 *
 * @example Usage
 * ```ts
 * import { peerAddressProblem } from "./record_check.ts";
 * const seeds = [{ host: "127.0.0.1", port: 5000 }];
 * peerAddressProblem({ host: "127.0.0.1", port: 5000 }, { seeds, self: seeds[0]! }); // "127.0.0.1:5000 is a seed's address"
 * peerAddressProblem({ host: "127.0.0.1", port: 6000 }, { seeds, self: seeds[0]! }); // undefined
 * ```
 */
export function peerAddressProblem(address: Address, context: RecordContext): string | undefined {
  if (context.seeds.some((seed) => sameAddress(seed, address))) {
    return `${formatAddress(address)} is a seed's address`;
  }
  if (sameAddress(context.self, address)) return `${formatAddress(address)} is this seed's address`;
  return undefined;
}

/**
 * Why a record from another seed (commit or sync) cannot be applied, or
 * `undefined` if it may go on to the liveness check.
 */
export function recordProblem(
  record: MemberRecord,
  context: RecordContext & { readonly now: number; readonly skewMs: number },
): string | undefined {
  return peerAddressProblem(record.address, context) ??
    stampProblem(record.version.stamp, context.now, context.skewMs);
}
