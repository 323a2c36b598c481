import { assertEquals, assertThrows } from "@std/assert";
import { PEER_OPTION_KNOBS, peerTuningOf, toAddress, toMs } from "../../../lib/api/options.ts";
import { PEER_TUNING_FLAGS } from "../../../lib/cli/flags.ts";
import { ConfigError } from "../../../lib/util/errors.ts";

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

Deno.test("every peer tuning flag has a library option of the same name in camelCase", () => {
  for (const flag of PEER_TUNING_FLAGS) {
    const option = camel(flag.name) as keyof typeof PEER_OPTION_KNOBS;
    assertEquals(PEER_OPTION_KNOBS[option], flag.knob, `--${flag.name} → ${option}`);
  }
  assertEquals(Object.keys(PEER_OPTION_KNOBS).length, PEER_TUNING_FLAGS.length);
});

Deno.test("peerTuningOf() reads durations as milliseconds or text", () => {
  assertEquals(
    peerTuningOf({ port: 0, gossipInterval: "1.5s", pingInterval: 200, gossipCount: 0 }),
    {
      gossipIntervalMs: 1500,
      pingIntervalMs: 200,
      gossipCount: 0,
    },
  );
  assertEquals(peerTuningOf({ port: 0 }), {});
});

Deno.test("bad option values are ConfigErrors naming the option", () => {
  assertThrows(
    () => toMs("soon", "pingInterval"),
    ConfigError,
    'Invalid option pingInterval: expected milliseconds or a duration such as 200ms, 1.5s or 2m, got "soon"',
  );
  assertThrows(() => toMs(-1, "pingInterval"), ConfigError, "got -1");
  assertThrows(
    () => toAddress("localhost", "metrics"),
    ConfigError,
    'Invalid option metrics: expected host:port, got "localhost"',
  );
  assertThrows(
    () => toAddress({ host: "a b", port: 1 }, "advertise"),
    ConfigError,
    "Invalid option advertise",
  );
  assertEquals(toAddress("[::1]:5000", "seeds[0]"), { host: "::1", port: 5000 });
  assertEquals(toAddress({ host: "::1", port: 5000 }, "seeds[0]"), { host: "::1", port: 5000 });
});
