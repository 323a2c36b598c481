/**
 * Ctrl+C and SIGTERM for `up`: each delivery calls the handler (the first
 * asks for a clean stop, a second one can force it), instead of ending the
 * process before its children are stopped.
 *
 * @module
 */

/**
 * Calls `handler` on every SIGINT and SIGTERM until the returned function
 * is called. SIGTERM cannot be listened for on Windows; Ctrl+C still works
 * there.
 */
export function onStopSignals(handler: (signal: "SIGINT" | "SIGTERM") => void): () => void {
  const listeners: Array<[Deno.Signal, () => void]> = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => handler(signal);
    try {
      Deno.addSignalListener(signal, listener);
      listeners.push([signal, listener]);
    } catch {
      // Not supported on this platform.
    }
  }
  return () => {
    for (const [signal, listener] of listeners) {
      try {
        Deno.removeSignalListener(signal, listener);
      } catch {
        // Already removed.
      }
    }
  };
}
