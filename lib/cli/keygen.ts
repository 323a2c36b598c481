/**
 * `gossipnet keygen`: prints a new random network key, base64, one line.
 * It goes to stdout only, for redirecting into a key file.
 *
 * @module
 */

import { generateKeyText } from "../wire/keyring.ts";

/** Prints a new key; resolves to the exit code. */
export async function runKeygen(): Promise<number> {
  const bytes = new TextEncoder().encode(`${generateKeyText()}\n`);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
  return 0;
}
