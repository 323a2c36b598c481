/**
 * The program's version, read once from `deno.json`.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };

/** The gossipnet version, e.g. `0.1.0`. */
export const VERSION: string = denoJson.version;
