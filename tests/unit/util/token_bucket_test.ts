import { assertEquals } from "@std/assert";
import { TokenBucket } from "../../../lib/util/token_bucket.ts";

Deno.test("TokenBucket.take() allows the burst at once, then the rate", () => {
  const bucket = new TokenBucket({ perSecond: 10, burst: 5 }, 0);
  const burst = Array.from({ length: 8 }, () => bucket.take(0));
  assertEquals(burst, [true, true, true, true, true, false, false, false]);
  // 10 per second: one token every 100 ms.
  assertEquals(bucket.take(99), false);
  assertEquals(bucket.take(100), true);
  assertEquals(bucket.take(100), false);
});

Deno.test("TokenBucket.take() never holds more than the burst", () => {
  const bucket = new TokenBucket({ perSecond: 1000, burst: 3 }, 0);
  const later = Array.from({ length: 5 }, () => bucket.take(60_000));
  assertEquals(later, [true, true, true, false, false]);
});

Deno.test("TokenBucket.take() ignores time going backwards", () => {
  const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 1000);
  assertEquals(bucket.take(1000), true);
  assertEquals(bucket.take(0), false);
  assertEquals(bucket.take(1500), false);
  assertEquals(bucket.take(2000), true);
});
