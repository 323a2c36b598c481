/**
 * A listen failure as the one line a user sees, for every command that binds
 * a port.
 *
 * @module
 */

import { formatAddress } from "../util/address.ts";
import { RuntimeError } from "../util/errors.ts";

/** Turns a listen failure into a one-line runtime error. */
export function listenError(self: { host: string; port: number }, error: unknown): Error {
  const where = formatAddress(self);
  if (error instanceof Deno.errors.AddrInUse) {
    return new RuntimeError(`Cannot listen on ${where}: address already in use`);
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return new RuntimeError(`Cannot listen on ${where}: address not available on this machine`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new RuntimeError(`Cannot listen on ${where}: permission denied`);
  }
  return new RuntimeError(
    `Cannot listen on ${where}: ${error instanceof Error ? error.message : error}`,
  );
}

/** Reports whether `error` is a failure to bind a port, which {@linkcode listenError} explains. */
export function isListenError(error: unknown): boolean {
  return error instanceof Deno.errors.AddrInUse ||
    error instanceof Deno.errors.AddrNotAvailable ||
    error instanceof Deno.errors.PermissionDenied;
}
