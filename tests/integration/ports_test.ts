/** The test port picker: a claimed block is never handed out again while claimed. */

import { assert } from "@std/assert";
import { freePortBlock } from "../support/ports.ts";

Deno.test("freePortBlock: blocks handed out do not overlap, though their ports are not bound", () => {
  // A tenth of the range, unbound: the bind check alone would hand its
  // ports out again (about 200 draws below hit it with near certainty).
  const big = freePortBlock(1_200);
  const taken = new Set(Array.from({ length: 1_200 }, (_, i) => big + i));
  for (let i = 0; i < 200; i++) {
    const port = freePortBlock(1);
    assert(!taken.has(port), `port ${port} of the claimed block ${big}-${big + 1_199} again`);
    taken.add(port);
  }
});
