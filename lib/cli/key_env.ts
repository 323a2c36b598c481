/**
 * `GOSSIPNET_KEY`, read at the command line's edge (the library never
 * reads the environment itself).
 *
 * @module
 */

import { KEY_ENV, NodeKeys } from "../api/node_keys.ts";
import type { KeyringSource } from "../wire/keyring.ts";

/** `{ keyEnv }` when `GOSSIPNET_KEY` is set, else nothing. */
export function keyEnv(): { keyEnv?: string } {
  let value: string | undefined;
  try {
    value = Deno.env.get(KEY_ENV);
  } catch {
    // No --allow-env: as if unset.
  }
  return value === undefined ? {} : { keyEnv: value };
}

/**
 * The keys a one-question client (`send`, `members`, `status`,
 * `report-dead`) connects with: `--key-file`, else `GOSSIPNET_KEY`.
 *
 * @throws {ConfigError} On a bad key file or value.
 */
export async function clientKeys(
  keyFile: string | undefined,
): Promise<{ keyring?: KeyringSource }> {
  const env = keyEnv().keyEnv;
  const keys = await NodeKeys.load({
    ...(keyFile === undefined ? {} : { keyFile }),
    ...(env === undefined ? {} : { env }),
  });
  return keys ? { keyring: keys } : {};
}
