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
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux, or no read permission: fall back to the current figure.
  }
  return Deno.memoryUsage().rss;
}
