import { assertEquals } from "@std/assert";
import { SeedChallenges } from "../../../lib/seed/seed_auth.ts";

const S2 = "127.0.0.1:5001";
const S3 = "127.0.0.1:5002";
const N1 = "11".repeat(16);
const N2 = "22".repeat(16);

Deno.test("SeedChallenges.answer() accepts the nonce sent to that seed, once", () => {
  const challenges = new SeedChallenges(5000);
  challenges.issue(S2, N1, 0);
  assertEquals(challenges.pending(S2, 0), N1);
  assertEquals(challenges.answer(S2, N1, 100), true);
  assertEquals(challenges.answer(S2, N1, 100), false);
  assertEquals(challenges.pending(S2, 100), undefined);
});

Deno.test("SeedChallenges.answer() refuses a wrong nonce, another seed's, or an expired one", async (t) => {
  await t.step("wrong nonce: the challenge stays", () => {
    const challenges = new SeedChallenges(5000);
    challenges.issue(S2, N1, 0);
    assertEquals(challenges.answer(S2, N2, 0), false);
    assertEquals(challenges.answer(S2, N1, 0), true);
  });
  await t.step("a nonce sent to S3 does not prove a link claiming S2", () => {
    const challenges = new SeedChallenges(5000);
    challenges.issue(S3, N1, 0);
    assertEquals(challenges.answer(S2, N1, 0), false);
  });
  await t.step("expired", () => {
    const challenges = new SeedChallenges(5000);
    challenges.issue(S2, N1, 0);
    assertEquals(challenges.answer(S2, N1, 5000), false);
    assertEquals(challenges.pending(S2, 5000), undefined);
  });
  await t.step("a newer challenge replaces the older", () => {
    const challenges = new SeedChallenges(5000);
    challenges.issue(S2, N1, 0);
    challenges.issue(S2, N2, 10);
    assertEquals(challenges.answer(S2, N1, 20), false);
    assertEquals(challenges.answer(S2, N2, 20), true);
  });
  await t.step("clear()", () => {
    const challenges = new SeedChallenges(5000);
    challenges.issue(S2, N1, 0);
    challenges.clear();
    assertEquals(challenges.answer(S2, N1, 0), false);
  });
});
