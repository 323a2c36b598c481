/**
 * Who may open a connection to this node, decided before a byte is read:
 * caps on the connections open at once, on those not yet settled (no
 * neighbour link, seed link, registration or finished exchange yet), and on
 * the unsettled ones from one remote IP. Pure bookkeeping; the node host
 * calls it on accept, on settle and on close.
 *
 * @module
 */

/** The caps, each with its default in `lib/config/node_config.ts`. */
export interface AdmissionLimits {
  /** Most inbound connections open at once, settled or not. */
  readonly maxConnections: number;
  /** Most inbound connections open at once that have not settled. */
  readonly maxPending: number;
  /** Most unsettled inbound connections from one remote IP. */
  readonly maxPendingPerIp: number;
}

/** Why a connection was turned away at accept; a log field. */
export type AdmissionRefusal =
  | "connection_limit"
  | "pending_limit"
  | "ip_pending_limit";

/**
 * Counts inbound connections against {@linkcode AdmissionLimits}.
 *
 * @example Usage
 * ```ts
 * import { AdmissionController } from "./admission.ts";
 * const admission = new AdmissionController({ maxConnections: 10, maxPending: 10, maxPendingPerIp: 1 });
 * admission.open("10.0.0.1"); // undefined: admitted, pending
 * admission.open("10.0.0.1"); // "ip_pending_limit"
 * admission.settle("10.0.0.1");
 * admission.open("10.0.0.1"); // undefined
 * ```
 */
export class AdmissionController {
  readonly #limits: AdmissionLimits;
  // Made when first needed and dropped once empty: a simulation holds 100,000 nodes.
  #pendingByIp: Map<string, number> | undefined;
  #open = 0;
  #pending = 0;

  /** Starts with no connections. */
  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  /** Inbound connections open now. */
  get total(): number {
    return this.#open;
  }

  /** Inbound connections open now that have not settled. */
  get pending(): number {
    return this.#pending;
  }

  /** Unsettled connections from `ip` now. */
  pendingFrom(ip: string): number {
    return this.#pendingByIp?.get(ip) ?? 0;
  }

  /** Admits a new connection from `ip` as pending, or says which cap it hit. */
  open(ip: string): AdmissionRefusal | undefined {
    if (this.#open >= this.#limits.maxConnections) return "connection_limit";
    if (this.#pending >= this.#limits.maxPending) return "pending_limit";
    const fromIp = this.#pendingByIp?.get(ip) ?? 0;
    if (fromIp >= this.#limits.maxPendingPerIp) return "ip_pending_limit";
    this.#open++;
    this.#pending++;
    (this.#pendingByIp ??= new Map()).set(ip, fromIp + 1);
    return undefined;
  }

  /** A pending connection from `ip` settled: it no longer counts as pending. */
  settle(ip: string): void {
    if (this.#release(ip)) this.#pending--;
  }

  /** A connection from `ip` closed; `settled` says whether it had settled. */
  close(ip: string, settled: boolean): void {
    if (this.#open > 0) this.#open--;
    if (!settled && this.#release(ip)) this.#pending--;
  }

  #release(ip: string): boolean {
    const byIp = this.#pendingByIp;
    const fromIp = byIp?.get(ip);
    if (byIp === undefined || fromIp === undefined) return false;
    if (fromIp > 1) byIp.set(ip, fromIp - 1);
    else if (byIp.size > 1) byIp.delete(ip);
    else this.#pendingByIp = undefined;
    return true;
  }
}

/**
 * The IP of a socket label `host:port` or `[v6]:port` (what a transport
 * gives as a link's remote), for per-IP accounting.
 *
 * @example Usage
 * ```ts
 * import { ipOfLabel } from "./admission.ts";
 * ipOfLabel("127.0.0.1:40312"); // "127.0.0.1"
 * ipOfLabel("[::1]:40312"); // "::1"
 * ```
 */
export function ipOfLabel(label: string): string {
  const colon = label.lastIndexOf(":");
  const host = colon < 0 ? label : label.slice(0, colon);
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
