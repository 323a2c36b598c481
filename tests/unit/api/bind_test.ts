import { assertEquals, assertThrows } from "@std/assert";
import { advertiseProblem, bindNode } from "../../../lib/api/bind.ts";
import { isUnspecifiedHost } from "../../../lib/util/address.ts";
import { ConfigError } from "../../../lib/util/errors.ts";
import type { Address } from "../../../lib/util/address.ts";
import type { LinkListener, Transport } from "../../../lib/wire/transport.ts";

Deno.test("isUnspecifiedHost() knows every spelling of 'every interface'", () => {
  for (const host of ["0.0.0.0", "::", "0::0", "0:0:0:0:0:0:0:0", "::0"]) {
    assertEquals(isUnspecifiedHost(host), true, host);
  }
  for (const host of ["127.0.0.1", "::1", "10.0.0.0", "localhost", "0.0.0.1"]) {
    assertEquals(isUnspecifiedHost(host), false, host);
  }
  assertEquals(advertiseProblem("127.0.0.1"), undefined);
});

/** A transport that binds without sockets: port 0 becomes 4242. */
function fakeTransport(): Transport & { listened: Address[] } {
  const listened: Address[] = [];
  return {
    listened,
    listen(address) {
      listened.push(address);
      const bound = { host: address.host, port: address.port || 4242 };
      return {
        address: bound,
        close() {},
        async *[Symbol.asyncIterator]() {},
      } as LinkListener;
    },
    dial: () => Promise.reject(new Error("no network here")),
  };
}

Deno.test("bindNode() binds once and advertises the real port, or the advertise address", () => {
  const transport = fakeTransport();
  const plain = bindNode(transport, { listen: { host: "127.0.0.1", port: 0 } });
  assertEquals(plain.self, { host: "127.0.0.1", port: 4242 });
  // The node's own listen() gets the listener already bound, exactly once.
  assertEquals(plain.transport.listen({ host: "x", port: 1 }).address.port, 4242);
  assertThrows(() => plain.transport.listen({ host: "x", port: 1 }), Error, "already taken");
  assertEquals(transport.listened.length, 1);

  const natted = bindNode(transport, {
    listen: { host: "0.0.0.0", port: 7000 },
    advertise: { host: "203.0.113.9", port: 17000 },
  });
  assertEquals(natted.listen, { host: "0.0.0.0", port: 7000 });
  assertEquals(natted.self, { host: "203.0.113.9", port: 17000 });
});

Deno.test("bindNode() refuses to advertise every interface, before binding", () => {
  const transport = fakeTransport();
  assertThrows(
    () => bindNode(transport, { listen: { host: "0.0.0.0", port: 7000 } }),
    ConfigError,
    "Cannot advertise 0.0.0.0",
  );
  assertEquals(transport.listened.length, 0);
});
