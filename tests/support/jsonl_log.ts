/**
 * Reading nodes' JSON Lines logs from tests, and waiting on them: tests
 * wait for events, never for a fixed time.
 *
 * @module
 */

/** One log line as written by a node. */
export interface LogLine {
  "@timestamp": string;
  ts: number;
  level: string;
  message: string;
  logger: string;
  properties: Record<string, unknown> & { event: string };
}

/** Reads a log file; a missing file or a half-written last line is skipped. */
export function readLog(path: string): LogLine[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return [];
  }
  const lines: LogLine[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      // The last line may still be being written.
    }
  }
  return lines;
}

/** The properties of every `event` line in a log, in order. */
export function events(path: string, event: string): Array<Record<string, unknown>> {
  return readLog(path).filter((l) => l.properties?.event === event).map((l) => l.properties);
}

/** Options for {@linkcode waitFor}. */
export interface WaitOptions {
  /** Give up after this long. @default {15000} */
  timeoutMs?: number;
  /** Poll period. @default {20} */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns a truthy value, which it returns.
 * @throws {Error} Naming `what` after the timeout.
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (true) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${options.timeoutMs ?? 15_000}ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

/** Waits until `path` holds an `event` line whose properties satisfy `match`. */
export function waitForEvent(
  path: string,
  event: string,
  match: (properties: Record<string, unknown>) => boolean = () => true,
  options: WaitOptions = {},
): Promise<Record<string, unknown>> {
  return waitFor(`"${event}" in ${path}`, () => events(path, event).find(match), options);
}
