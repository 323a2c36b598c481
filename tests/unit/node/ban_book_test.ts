import { assertEquals } from "@std/assert";
import { BanBook, DEFAULT_BAN_POLICY } from "../../../lib/node/ban_book.ts";

const POLICY = { baseMs: 1000, maxMs: 16_000, forgetAfterMs: 60_000, maxKeys: 3 };

Deno.test("BanBook.offence() doubles the ban with each offence, up to the cap", () => {
  const bans = new BanBook(POLICY);
  const lengths = [0, 1, 2, 3, 4, 5, 6].map((i) => bans.offence("x", i * 100).banMs);
  assertEquals(lengths, [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000]);
});

Deno.test("BanBook.bannedFor() counts down and ends", () => {
  const bans = new BanBook(POLICY);
  bans.offence("x", 0);
  assertEquals(bans.bannedFor("x", 0), 1000);
  assertEquals(bans.bannedFor("x", 999), 1);
  assertEquals(bans.bannedFor("x", 1000), 0);
  assertEquals(bans.bannedFor("never", 0), 0);
});

Deno.test("BanBook forgets offences after a quiet period", () => {
  const bans = new BanBook(POLICY);
  bans.offence("x", 0);
  bans.offence("x", 1000);
  assertEquals(bans.offence("x", 60_000 + 1000).offences, 1);
  assertEquals(bans.bannedFor("y", 0), 0);
  bans.offence("y", 0);
  assertEquals(bans.bannedFor("y", 61_000), 0);
  assertEquals(bans.size, 1, "a forgotten key is dropped when looked up");
});

Deno.test("BanBook a longer ban is not shortened by a later offence", () => {
  const bans = new BanBook(POLICY);
  for (let i = 0; i < 5; i++) bans.offence("x", 0); // 16 s ban
  bans.offence("x", 59_999); // still remembered: 16 s more from here at least
  assertEquals(bans.bannedFor("x", 60_000) > 15_000, true);
});

Deno.test("BanBook keeps at most maxKeys keys, forgetting the least recent", () => {
  const bans = new BanBook(POLICY);
  for (const key of ["a", "b", "c", "d"]) bans.offence(key, 0);
  assertEquals(bans.size, 3);
  assertEquals(bans.bannedFor("a", 0), 0);
  assertEquals(bans.bannedFor("d", 0), 1000);
});

Deno.test("DEFAULT_BAN_POLICY: 1 s doubling to 5 min, forgotten after 10 min", () => {
  assertEquals(DEFAULT_BAN_POLICY.baseMs, 1000);
  assertEquals(DEFAULT_BAN_POLICY.maxMs, 300_000);
  assertEquals(DEFAULT_BAN_POLICY.forgetAfterMs, 600_000);
});
