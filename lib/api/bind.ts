/**
 * Binding a node's listener before the node exists, so that a node asked
 * for port 0 knows its real port (and advertises it), and so that the
 * advertised address can differ from the bound one (`--advertise`).
 *
 * @module
 */

import { type Address, isUnspecifiedHost } from "../util/address.ts";
import { ConfigError } from "../util/errors.ts";
import type { LinkListener, Transport } from "../wire/transport.ts";

/** A bound listener and what the node should say about itself. */
export interface BoundNode {
  /** A transport whose `listen` returns the bound listener once; it dials as the original. */
  readonly transport: Transport;
  /** The address actually bound. */
  readonly listen: Address;
  /** The address the node advertises: `advertise`, or the bound address. */
  readonly self: Address;
  /** Releases the listener, for a node that will not start after all. */
  release(): void;
}

/**
 * The one-line reason a node may not advertise `host`, or `undefined` if it
 * may; `option` is how the advertise setting is spelt where it is read.
 */
export function advertiseProblem(host: string, option = "--advertise"): string | undefined {
  if (!isUnspecifiedHost(host)) return undefined;
  return "it means every interface, which other nodes cannot dial; to listen on every " +
    `interface, also give ${option} <host:port> (the address others reach this node at)`;
}

/**
 * Binds `listen` on `transport` and returns the node's addresses.
 *
 * @throws {ConfigError} When the advertised host would be unspecified.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export function bindNode(
  transport: Transport,
  options: { listen: Address; advertise?: Address },
): BoundNode {
  const advertised = options.advertise?.host ?? options.listen.host;
  const problem = advertiseProblem(advertised, "the advertise option");
  if (problem) throw new ConfigError(`Cannot advertise ${advertised}: ${problem}`);
  const listener = transport.listen(options.listen);
  let handedOut = false;
  const bound: Transport = {
    listen(): LinkListener {
      if (handedOut) throw new Error("The bound listener was already taken");
      handedOut = true;
      return listener;
    },
    dial: (address, dialOptions) => transport.dial(address, dialOptions),
  };
  return {
    transport: bound,
    listen: listener.address,
    self: options.advertise ?? listener.address,
    release: () => listener.close(),
  };
}
