/**
 * Free TCP ports for tests: a block of consecutive ports below 32768
 * (Linux gives 32768-60999 to outgoing connections, so fixed ports there
 * collide at random), checked free by binding each one.
 *
 * @module
 */

/** Finds `count` consecutive free ports on 127.0.0.1; returns the first. */
export function freePortBlock(count: number): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < count; i++) {
        listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
      }
      return base;
    } catch {
      // Taken: try another block.
    } finally {
      for (const listener of listeners) listener.close();
    }
  }
  throw new Error(`No block of ${count} free ports found`);
}
