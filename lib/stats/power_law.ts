/**
 * Fitting a power law P(k) ∝ k^-α to node degrees by maximum likelihood,
 * and the degree histogram it is drawn over. Pure, so the dashboard, the
 * report and the simulator all state the same exponent.
 *
 * **Method.** Degrees are integers, so this fits the *discrete* power law
 * P(k) = k^-α / ζ(α, k_min) for k ≥ k_min by its exact maximum-likelihood
 * estimator (Clauset, Shalizi and Newman, "Power-law distributions in
 * empirical data", SIAM Review 2009, eq. 3.5): α̂ maximises
 *
 *     L(α) = −n ln ζ(α, k_min) − α Σ ln kᵢ      over the n degrees kᵢ ≥ k_min
 *
 * found by golden-section search on α in (1, 8]. ζ(α, k_min) = Σ_{k ≥ k_min}
 * k^-α (the Hurwitz zeta function) is summed directly over its first 64
 * terms and the rest taken by the Euler-Maclaurin formula. The closed-form
 * approximation 1 + n / Σ ln(kᵢ / (k_min − ½)) is not used: at the small
 * k_min of a gossip overlay (1 or 2) it is off by 10-25%. The standard error
 * is the large-n one, σ = (α̂ − 1) / √n.
 *
 * **k_min.** Real degree distributions follow a power law only in their
 * tail. Unless given, k_min is the candidate that minimises the
 * Kolmogorov-Smirnov distance between the tail's empirical distribution and
 * the fitted one (the paper's method), over every distinct degree that
 * leaves at least `minTail` degrees in the tail (by default a third of them,
 * and at least 10). Degree 0 (isolated nodes) is never part of a fit.
 *
 * @module
 */

/** A fitted power law. */
export interface PowerLawFit {
  /** The exponent α of P(k) ∝ k^-α. */
  readonly alpha: number;
  /** Standard error of α: (α − 1) / √tail. */
  readonly sigma: number;
  /** Smallest degree included in the fit. */
  readonly kMin: number;
  /** How many degrees were ≥ k_min (the n of the estimator). */
  readonly tail: number;
  /** Kolmogorov-Smirnov distance between the tail and the fit (0 = perfect). */
  readonly ks: number;
}

/** Options for {@linkcode fitPowerLaw}. */
export interface PowerLawOptions {
  /** Use this k_min instead of choosing one. */
  kMin?: number;
  /**
   * Fewest degrees a chosen k_min must leave in the tail. The default keeps
   * at least a third of the nodes (and 10) in the fit: in a network of tens
   * of nodes, the smallest KS distance is otherwise often a handful of hubs
   * that fit anything. @default {max(10, ⌈n / 3⌉)}
   */
  minTail?: number;
}

/** One bar of a degree histogram. */
export interface DegreeCount {
  /** The degree. */
  readonly k: number;
  /** How many nodes have it. */
  readonly count: number;
}

/**
 * Counts how many nodes have each degree, ascending by degree.
 *
 * @example Usage
 * ```ts
 * import { degreeHistogram } from "./power_law.ts";
 * degreeHistogram([1, 2, 1, 4]); // [{ k: 1, count: 2 }, { k: 2, count: 1 }, { k: 4, count: 1 }]
 * ```
 */
export function degreeHistogram(degrees: readonly number[]): DegreeCount[] {
  const counts = new Map<number, number>();
  for (const k of degrees) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([k, count]) => ({ k, count }));
}

/** Terms of ζ(α, q) summed directly before the Euler-Maclaurin tail. */
const ZETA_TERMS = 64;
const ALPHA_RANGE: readonly [number, number] = [1.0001, 8];

/** The Hurwitz zeta function ζ(α, q) = Σ_{k ≥ 0} (q + k)^-α, for α > 1 and q ≥ 1. */
function hurwitzZeta(alpha: number, q: number): number {
  let sum = 0;
  for (let k = 0; k < ZETA_TERMS; k++) sum += Math.pow(q + k, -alpha);
  const n = q + ZETA_TERMS;
  // Σ_{k ≥ n} k^-α by Euler-Maclaurin: the integral, f(n)/2, then two derivative terms.
  return sum + Math.pow(n, 1 - alpha) / (alpha - 1) + Math.pow(n, -alpha) / 2 +
    alpha * Math.pow(n, -alpha - 1) / 12 -
    alpha * (alpha + 1) * (alpha + 2) * Math.pow(n, -alpha - 3) / 720;
}

function alphaFor(tail: readonly number[], kMin: number): number {
  // No spread: the likelihood has no maximum.
  if (tail.every((k) => k === kMin)) return NaN;
  let sumLog = 0;
  for (const k of tail) sumLog += Math.log(k);
  const logLikelihood = (alpha: number) =>
    -tail.length * Math.log(hurwitzZeta(alpha, kMin)) - alpha * sumLog;
  // L is concave in α: golden-section search to 1e-7.
  const phi = (Math.sqrt(5) - 1) / 2;
  let [lo, hi] = ALPHA_RANGE;
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = logLikelihood(x1);
  let f2 = logLikelihood(x2);
  while (hi - lo > 1e-7) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = logLikelihood(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = logLikelihood(x1);
    }
  }
  return (lo + hi) / 2;
}

/** P(K ≥ k) of the fitted discrete law. */
function survival(k: number, alpha: number, kMin: number): number {
  return hurwitzZeta(alpha, k) / hurwitzZeta(alpha, kMin);
}

/** KS distance between the sorted tail's empirical survival function and the fit. */
function ksDistance(sortedTail: readonly number[], alpha: number, kMin: number): number {
  const n = sortedTail.length;
  let d = 0;
  for (let i = 0; i < n;) {
    const k = sortedTail[i] as number;
    // Fraction of the tail at k or above, against the model's.
    d = Math.max(d, Math.abs((n - i) / n - survival(k, alpha, kMin)));
    while (i < n && sortedTail[i] === k) i++;
  }
  return d;
}

function fitAt(sorted: readonly number[], kMin: number): PowerLawFit | undefined {
  const tail = sorted.filter((k) => k >= kMin);
  const alpha = alphaFor(tail, kMin);
  if (tail.length < 2 || !Number.isFinite(alpha)) return undefined;
  return {
    alpha,
    sigma: (alpha - 1) / Math.sqrt(tail.length),
    kMin,
    tail: tail.length,
    ks: ksDistance(tail, alpha, kMin),
  };
}

/**
 * Fits P(k) ∝ k^-α to `degrees` (see the module doc for the method).
 * Returns `undefined` when there is too little to fit: fewer than two
 * degrees at or above k_min (and at least 1), or all of them equal.
 *
 * @example Usage
 * ```ts
 * import { fitPowerLaw } from "./power_law.ts";
 * const fit = fitPowerLaw([1, 1, 1, 1, 2, 2, 3, 5, 8, 13], { kMin: 1 });
 * fit !== undefined && fit.alpha > 1; // true
 * fitPowerLaw([]); // undefined
 * ```
 */
export function fitPowerLaw(
  degrees: readonly number[],
  options: PowerLawOptions = {},
): PowerLawFit | undefined {
  const sorted = degrees.filter((k) => Number.isInteger(k) && k >= 1).sort((a, b) => a - b);
  if (options.kMin !== undefined) return fitAt(sorted, Math.max(1, Math.floor(options.kMin)));
  const minTail = Math.max(2, options.minTail ?? Math.max(10, Math.ceil(sorted.length / 3)));
  let best: PowerLawFit | undefined;
  for (const kMin of new Set(sorted)) {
    if (sorted.length - sorted.indexOf(kMin) < minTail) break;
    const fit = fitAt(sorted, kMin);
    if (fit !== undefined && (best === undefined || fit.ks < best.ks)) best = fit;
  }
  // Too few nodes for the minimum tail: fit them all.
  return best ?? fitAt(sorted, sorted[0] ?? 1);
}

/**
 * The number of nodes with degree `k` that the fit predicts, for drawing it
 * over a degree histogram: tail × P(K = k) = tail × k^-α / ζ(α, k_min).
 * Zero below k_min.
 *
 * @example Usage
 * ```ts
 * import { expectedCount } from "./power_law.ts";
 * const fit = { alpha: 2, sigma: 0.1, kMin: 1, tail: 100, ks: 0 };
 * Math.round(expectedCount(fit, 1)); // 61 (100 / ζ(2) = 600 / π²)
 * ```
 */
export function expectedCount(fit: PowerLawFit, k: number): number {
  if (k < fit.kMin) return 0;
  return fit.tail * Math.pow(k, -fit.alpha) / hurwitzZeta(fit.alpha, fit.kMin);
}
