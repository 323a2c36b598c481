import { assertEquals } from "@std/assert";
import { type BudgetHolder, SendBudget } from "../../../lib/wire/send_budget.ts";

class Holder implements BudgetHolder {
  charged = 0;
  closed: string | undefined;
  constructor(readonly budget: SendBudget) {}
  queue(n: number): boolean {
    if (!this.budget.charge(this, n)) return false;
    this.charged += n;
    return true;
  }
  drain(n: number): void {
    this.budget.refund(this, n);
    this.charged -= n;
  }
  overflow(detail: string): void {
    this.closed = detail;
    this.budget.refund(this, this.charged);
    this.charged = 0;
  }
}

Deno.test("SendBudget.charge() within the cap", () => {
  const budget = new SendBudget(100);
  const a = new Holder(budget);
  assertEquals(a.queue(60), true);
  assertEquals(a.queue(40), true);
  assertEquals(budget.total, 100);
  a.drain(100);
  assertEquals(budget.total, 0);
});

Deno.test("SendBudget.charge() past the cap closes the holder with the most queued", async (t) => {
  await t.step("another holder holds the most: it is closed, the charge goes through", () => {
    const budget = new SendBudget(100);
    const reader = new Holder(budget);
    const stuck = new Holder(budget);
    stuck.queue(90);
    reader.queue(5);
    assertEquals(reader.queue(10), true);
    assertEquals(stuck.closed?.includes("held the most (90 bytes)"), true);
    assertEquals(reader.closed, undefined);
    assertEquals(budget.total, 15);
  });
  await t.step("the charging holder would hold the most: it is the one closed", () => {
    const budget = new SendBudget(100);
    const small = new Holder(budget);
    const big = new Holder(budget);
    small.queue(20);
    big.queue(70);
    assertEquals(big.queue(20), false);
    assertEquals(big.closed !== undefined, true);
    assertEquals(small.closed, undefined);
    assertEquals(budget.total, 20);
  });
  await t.step("the charging holder's own queue counts toward its size", () => {
    const budget = new SendBudget(100);
    const busy = new Holder(budget);
    const other = new Holder(budget);
    busy.queue(50);
    other.queue(45);
    assertEquals(busy.queue(10), false, "50 + 10 is more than 45: the busy one goes");
    assertEquals(other.closed, undefined);
  });
});

Deno.test("SendBudget.charge() stops on a holder that does not refund", () => {
  const budget = new SendBudget(10);
  const deaf: BudgetHolder = { charged: 9, overflow() {} };
  budget.charge(deaf, 9);
  const other = new Holder(budget);
  assertEquals(other.queue(5), false, "no way to make room: the charge fails, no endless loop");
});
