import { assertEquals } from "@std/assert";
import { AdmissionController, ipOfLabel } from "../../../lib/node/admission.ts";

const LIMITS = { maxConnections: 6, maxPending: 4, maxPendingPerIp: 2 };

Deno.test("AdmissionController.open() caps pending connections per IP", () => {
  const admission = new AdmissionController(LIMITS);
  assertEquals(admission.open("10.0.0.1"), undefined);
  assertEquals(admission.open("10.0.0.1"), undefined);
  assertEquals(admission.open("10.0.0.1"), "ip_pending_limit");
  // Another IP is not affected.
  assertEquals(admission.open("10.0.0.2"), undefined);
  assertEquals(admission.pendingFrom("10.0.0.1"), 2);
});

Deno.test("AdmissionController.open() caps pending connections in total", () => {
  const admission = new AdmissionController(LIMITS);
  for (const ip of ["a", "b", "c", "d"]) assertEquals(admission.open(ip), undefined);
  assertEquals(admission.open("e"), "pending_limit");
  assertEquals(admission.pending, 4);
});

Deno.test("AdmissionController.settle() frees a pending slot but not a connection slot", () => {
  const admission = new AdmissionController(LIMITS);
  for (let i = 0; i < 6; i++) {
    assertEquals(admission.open("10.0.0.1"), undefined, `connection ${i}`);
    admission.settle("10.0.0.1");
  }
  assertEquals(admission.pending, 0);
  assertEquals(admission.total, 6);
  assertEquals(admission.open("10.0.0.9"), "connection_limit");
  admission.close("10.0.0.1", true);
  assertEquals(admission.open("10.0.0.9"), undefined);
});

Deno.test("AdmissionController.close() releases what the connection held", async (t) => {
  await t.step("an unsettled connection frees its pending and per-IP slots", () => {
    const admission = new AdmissionController(LIMITS);
    admission.open("10.0.0.1");
    admission.open("10.0.0.1");
    admission.close("10.0.0.1", false);
    assertEquals(admission.pendingFrom("10.0.0.1"), 1);
    assertEquals(admission.open("10.0.0.1"), undefined);
  });
  await t.step("a settled connection does not touch the pending counts", () => {
    const admission = new AdmissionController(LIMITS);
    admission.open("10.0.0.1");
    admission.settle("10.0.0.1");
    admission.open("10.0.0.1");
    admission.close("10.0.0.1", true);
    assertEquals(admission.pending, 1);
    assertEquals(admission.pendingFrom("10.0.0.1"), 1);
    assertEquals(admission.total, 1);
  });
  await t.step("counts never go negative", () => {
    const admission = new AdmissionController(LIMITS);
    admission.close("10.0.0.1", false);
    admission.settle("10.0.0.1");
    assertEquals([admission.total, admission.pending], [0, 0]);
  });
});

Deno.test("ipOfLabel() takes the host of a socket label", () => {
  assertEquals(ipOfLabel("127.0.0.1:5000"), "127.0.0.1");
  assertEquals(ipOfLabel("[2001:db8::1]:5000"), "2001:db8::1");
  assertEquals(ipOfLabel("tcp"), "tcp");
});
