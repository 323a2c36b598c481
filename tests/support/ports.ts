/**
 * Free TCP ports for tests: a block of consecutive ports below 32768
 * (Linux gives 32768-60999 to outgoing connections, so fixed ports there
 * collide at random), checked free by binding each one.
 *
 * Binding proves a port free only at that moment, and a cluster binds some
 * of its ports much later (spare slots, late joiners, restarts). So every
 * port handed out is also claimed, by a file in a directory shared by all
 * test processes and workers, and no other test takes it while the claim
 * lives.
 *
 * @module
 */

const CLAIMS = `${Deno.env.get("TMPDIR") ?? "/tmp"}/gossipnet-test-ports`;
// Longer than any test file runs: an older claim was left by a run that died.
const CLAIM_TTL_MS = 20 * 60_000;
const claimed: string[] = [];

// Claims `port` for this process: its claim file, or undefined if another
// process holds a live claim on it.
function claim(port: number): string | undefined {
  const path = `${CLAIMS}/${port}`;
  try {
    Deno.writeTextFileSync(path, String(Deno.pid), { createNew: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    let mtime: Date | null = null;
    try {
      mtime = Deno.statSync(path).mtime;
    } catch {
      return undefined; // Released meanwhile: let the next attempt take it.
    }
    if (Date.now() - (mtime?.getTime() ?? 0) < CLAIM_TTL_MS) return undefined;
    Deno.writeTextFileSync(path, String(Deno.pid));
  }
  return path;
}

function release(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      Deno.removeSync(path);
    } catch {
      // Gone already.
    }
  }
}

globalThis.addEventListener("unload", () => release(claimed.splice(0)));

/** Finds `count` consecutive free ports on 127.0.0.1, claims them; returns the first. */
export function freePortBlock(count: number): number {
  Deno.mkdirSync(CLAIMS, { recursive: true });
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    const mine: string[] = [];
    for (let i = 0; i < count; i++) {
      const path = claim(base + i);
      if (path === undefined) break;
      mine.push(path);
    }
    const listeners: Deno.Listener[] = [];
    try {
      if (mine.length === count) {
        for (let i = 0; i < count; i++) {
          listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
        }
        claimed.push(...mine);
        return base;
      }
    } catch {
      // Taken by something else: try another block.
    } finally {
      for (const listener of listeners) listener.close();
    }
    release(mine);
  }
  throw new Error(`No block of ${count} free ports found`);
}
