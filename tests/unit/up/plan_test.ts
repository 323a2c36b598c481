import { assertEquals, assertThrows } from "@std/assert";
import { childArgs, configCsv, findNode, planNetwork } from "../../../lib/up/plan.ts";
import { UsageError } from "../../../lib/util/errors.ts";

Deno.test("planNetwork() puts seeds then peers on consecutive ports", () => {
  const nodes = planNetwork({ seeds: 2, peers: 3, basePort: 7000, host: "127.0.0.1" });
  assertEquals(
    nodes.map((n) => `${n.name} ${n.role} ${n.address}`),
    [
      "s1 seed 127.0.0.1:7000",
      "s2 seed 127.0.0.1:7001",
      "p1 peer 127.0.0.1:7002",
      "p2 peer 127.0.0.1:7003",
      "p3 peer 127.0.0.1:7004",
    ],
  );
  assertEquals(configCsv(nodes).split("\n").slice(1), [
    "host,port",
    "127.0.0.1,7000",
    "127.0.0.1,7001",
    "",
  ]);
});

Deno.test("planNetwork() keeps a given config's seeds and starts peers at the base port", () => {
  const nodes = planNetwork({
    seeds: 9,
    peers: 2,
    basePort: 6000,
    host: "127.0.0.1",
    seedAddresses: [{ host: "127.0.0.1", port: 5000 }],
  });
  assertEquals(nodes.map((n) => `${n.name} ${n.address}`), [
    "s1 127.0.0.1:5000",
    "p1 127.0.0.1:6000",
    "p2 127.0.0.1:6001",
  ]);
});

Deno.test("planNetwork() rejects ports past 65535 and peers on a seed's port", () => {
  assertThrows(
    () => planNetwork({ seeds: 3, peers: 10, basePort: 65530, host: "127.0.0.1" }),
    UsageError,
    "the last would be 65542",
  );
  assertThrows(
    () =>
      planNetwork({
        seeds: 1,
        peers: 2,
        basePort: 5000,
        host: "127.0.0.1",
        seedAddresses: [{ host: "127.0.0.1", port: 5001 }],
      }),
    UsageError,
    "peer p2 would take 127.0.0.1:5001",
  );
});

Deno.test("planNetwork() with advertise: node i is known at the advertised port + i", () => {
  const advertise = { host: "203.0.113.7", port: 9000 };
  const nodes = planNetwork({ seeds: 2, peers: 1, basePort: 5000, host: "0.0.0.0", advertise });
  assertEquals(nodes.map((n) => `${n.name} ${n.host}:${n.port} ${n.address}`), [
    "s1 0.0.0.0:5000 203.0.113.7:9000",
    "s2 0.0.0.0:5001 203.0.113.7:9001",
    "p1 0.0.0.0:5002 203.0.113.7:9002",
  ]);
  // Peers dial the seeds where they are reached, not where they bind.
  assertEquals(configCsv(nodes).split("\n").slice(2, 4), ["203.0.113.7,9000", "203.0.113.7,9001"]);
  const args = childArgs(nodes[2]!, {
    configPath: "c.csv",
    logDir: "logs",
    logLevel: "info",
    peerArgs: [],
  });
  assertEquals(args.slice(0, 5), ["peer", "--port", "5002", "--host", "0.0.0.0"]);
  assertEquals(args[args.indexOf("--advertise") + 1], "203.0.113.7:9002");
  // A given config's seeds keep their addresses; peers still get theirs.
  const withConfig = planNetwork({
    seeds: 0,
    peers: 1,
    basePort: 6000,
    host: "0.0.0.0",
    advertise,
    seedAddresses: [{ host: "198.51.100.1", port: 5000 }],
  });
  assertEquals(withConfig.map((n) => n.address), ["198.51.100.1:5000", "203.0.113.7:9000"]);
  assertThrows(
    () =>
      planNetwork({
        seeds: 3,
        peers: 10,
        basePort: 5000,
        host: "0.0.0.0",
        advertise: { host: "203.0.113.7", port: 65530 },
      }),
    UsageError,
    "Invalid --advertise: port 65530 leaves no room for the 13 nodes",
  );
});

Deno.test("childArgs() passes peer flags to peers only", () => {
  const [seed, peer] = planNetwork({ seeds: 1, peers: 1, basePort: 5000, host: "127.0.0.1" });
  const options = {
    configPath: "c.csv",
    logDir: "l",
    logLevel: "warning" as const,
    peerArgs: ["--gossip-count", "3"],
  };
  assertEquals(childArgs(seed!, options), [
    "seed",
    "--port",
    "5000",
    "--host",
    "127.0.0.1",
    "--config",
    "c.csv",
    "--log-dir",
    "l",
    "--log-level",
    "warning",
    "--exit-on-stdin-close",
  ]);
  assertEquals(childArgs(peer!, options).slice(-3), [
    "--exit-on-stdin-close",
    "--gossip-count",
    "3",
  ]);
});

Deno.test("findNode() finds by name in any case or by address", () => {
  const nodes = planNetwork({ seeds: 1, peers: 3, basePort: 5000, host: "127.0.0.1" });
  assertEquals(findNode(nodes, "P3")?.address, "127.0.0.1:5003");
  assertEquals(findNode(nodes, "127.0.0.1:5000")?.name, "s1");
  assertEquals(findNode(nodes, "p9"), undefined);
});
