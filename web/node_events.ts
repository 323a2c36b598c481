/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="esnext" />
/**
 * Node's `events` module for the browser: graphology and sigma extend
 * `EventEmitter` from it, and `deno bundle` leaves Node built-ins as
 * imports of `node:events`. The page's import map points `node:events` at
 * this module (the npm `events` package, the standard browser port), and it
 * answers the bundle's CommonJS `require("node:events")` calls too.
 *
 * @module
 */

import EventEmitter from "events";

const shimmed = globalThis as unknown as { require?: (id: string) => unknown };
const previous = shimmed.require;
shimmed.require = (id: string) => {
  if (id === "node:events" || id === "events") return EventEmitter;
  if (previous) return previous(id);
  throw new Error(`Cannot require ${id} in the browser`);
};

export { EventEmitter };
export default EventEmitter;
