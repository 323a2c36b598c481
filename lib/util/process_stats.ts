/**
 * Facts about this process for the exit report.
 *
 * @module
 */

/**
 * Peak resident set size of this process in bytes (Linux `VmHWM`), or the
 * current RSS where the peak is not available.
 */
export function peakRssBytes(): number {
  return statusField("VmHWM") ?? Deno.memoryUsage().rss;
}

/**
 * Resident memory private to this process (Linux `RssAnon`: heap, stacks,
 * buffers), in bytes, or `undefined` where unknown. Unlike RSS it leaves out
 * the Deno binary's code pages, which every node process shares.
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
 * `undefined` where the OS does not tell (only Linux's `/proc` is read).
 */
export function cpuTimeMs(): number | undefined {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    // Fields after the command name (which may contain spaces) start at "state".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    // Linux reports in clock ticks of 1/100 s on every common configuration.
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
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
