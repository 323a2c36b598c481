/**
 * Headless Chromium for dashboard tests, driven by playwright-core with the
 * system's browser (Debian's `chromium`; `.ci/run` installs it). Each launch
 * gets a fresh profile directory, removed on close.
 *
 * @module
 */

import { type BrowserContext, chromium } from "playwright-core";

/** Where the browser is: `$CHROMIUM`, else Debian's path. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

/** Launch flags known to work here (no sandbox as root, no GPU, no network chatter). */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Whether browser tests should be skipped: no browser here, and the run
 * does not insist on one (`.ci/run` sets GOSSIPNET_REQUIRE_BROWSER=1).
 */
export function browserMissing(): boolean {
  if (Deno.env.get("GOSSIPNET_REQUIRE_BROWSER") === "1") return false;
  try {
    return !Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return true;
  }
}

/** A browser with a fresh profile; dispose to close it and remove the profile. */
export interface TestBrowser extends AsyncDisposable {
  readonly context: BrowserContext;
}

/** Starts headless Chromium with a 1400×900 viewport. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "gossipnet-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: FLAGS,
  });
  return {
    context,
    async [Symbol.asyncDispose]() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** The directory for screenshots: `tests/artifacts/` (git-ignored), created if missing. */
export async function artifactsDir(): Promise<string> {
  const dir = new URL("../artifacts/", import.meta.url).pathname;
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}
