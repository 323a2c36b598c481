/**
 * Where an A/B benchmark finds the other build: `GOSSIPNET_BEFORE`, the
 * path of a worktree of it, or this checkout (which then shows the noise).
 *
 * @module
 */

const beforeDir = Deno.env.get("GOSSIPNET_BEFORE");

/** The URL of `path` (relative to the repository's root) in the build to compare with. */
export function beforeUrl(path: string): string {
  return beforeDir === undefined
    ? new URL(`../${path}`, import.meta.url).href
    : `file://${beforeDir}/${path}`;
}
