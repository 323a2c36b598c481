/**
 * Facts about this process for the exit report, read through Node's
 * `process.resourceUsage()` and `process.memoryUsage()`, which Deno provides
 * on Linux, macOS and Windows alike.
 *
 * @module
 */

import process from "node:process";

/**
 * Peak resident set size of this process in bytes (`maxRSS`, which every
 * platform reports in KiB), or the current RSS where the peak is unknown.
 */
export function peakRssBytes(): number {
  try {
    const peakKiB = process.resourceUsage().maxRSS;
    if (Number.isFinite(peakKiB) && peakKiB > 0) return peakKiB * 1024;
  } catch {
    // Not provided by this runtime.
  }
  return process.memoryUsage().rss;
}

/**
 * Resident memory private to this process (Linux `RssAnon`: heap, stacks,
 * buffers), in bytes, or `undefined` where unknown. Unlike RSS it leaves out
 * the Deno binary's code pages, which every node process shares. No
 * portable API tells this apart from RSS, so it is Linux only.
 */
export function privateRssBytes(): number | undefined {
  return statusField("RssAnon");
}

function statusField(name: string): number | undefined {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, "m").exec(status);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux, or no read permission.
  }
  return undefined;
}

/**
 * CPU time this process has used (user + system), in milliseconds, or
 * `undefined` where the runtime does not tell.
 */
export function cpuTimeMs(): number | undefined {
  try {
    const { userCPUTime, systemCPUTime } = process.resourceUsage();
    const micros = userCPUTime + systemCPUTime;
    return Number.isFinite(micros) ? micros / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Where a node reads its process's figures from (injected: in-process and simulated nodes share one process). */
export interface ProcessStats {
  /** CPU time used so far in ms, or `undefined` where unknown. */
  cpuTimeMs(): number | undefined;
  /** Peak resident memory in bytes, or `undefined` where unknown. */
  peakRssBytes(): number | undefined;
  /** Private resident memory in bytes, or `undefined` where unknown. */
  privateRssBytes(): number | undefined;
}

/** This process's own figures. */
export const systemProcessStats: ProcessStats = { cpuTimeMs, peakRssBytes, privateRssBytes };

/** No figures: for nodes that share a process, where per-node numbers would mislead. */
export const noProcessStats: ProcessStats = {
  cpuTimeMs: () => undefined,
  peakRssBytes: () => undefined,
  privateRssBytes: () => undefined,
};
