/**
 * Every command's flags, declared once. The parser and the `--help` text are
 * both generated from these tables, so help cannot drift from behaviour.
 *
 * @module
 */

import type { PeerTuning, SeedTuning } from "../config/node_config.ts";
import { CONNECTION_LIMIT_RANGES, PEER_LIMITS, SEED_LIMITS } from "../config/node_config.ts";

/**
 * Above this many peers `up` runs its nodes in-process unless told
 * `--processes`: a node process takes about 52 MB and its own wake-ups, and
 * on a 2-core machine a network of processes stops keeping up near here.
 */
export const IN_PROCESS_ABOVE_PEERS = 64;

/**
 * Above this many peers `up --in-process` spreads its nodes over one worker
 * thread per core. Measured (docs/benchmarks.md): at 100 peers two threads
 * cut coverage p99 by a third for 17% more CPU; at 50 they were even, and
 * one thread used less CPU and memory.
 */
export const WORKERS_ABOVE_PEERS = 64;

/** How a flag's value is read and checked. */
export type FlagKind =
  | "port"
  | "host"
  | "path"
  | "count"
  | "duration"
  | "level"
  | "address"
  | "text"
  /** `host:port` to listen on; port 0 picks a free one, a bare port means 127.0.0.1. */
  | "listen"
  /** `<fraction>@<time>`, e.g. `0.01@60s` (sim --kill). */
  | "share-at"
  /** `<fraction>@<from>-<to>`, e.g. `0.2@30s-40s` (sim --partition). */
  | "share-window"
  /** A decimal number >= 0, e.g. `2.5` (a rate per second). */
  | "rate"
  | "switch";

/** One flag of one command. */
export interface FlagSpec {
  /** Name without dashes, e.g. `gossip-interval`. */
  readonly name: string;
  readonly kind: FlagKind;
  /** Placeholder shown in help, e.g. `<dur>`. */
  readonly value: string;
  /** Default as shown in help; absent when required or "none". */
  readonly defaultText?: string;
  /** One line of help. */
  readonly help: string;
  readonly required?: boolean;
  /** Inclusive range for counts and durations (ms). */
  readonly range?: readonly [number, number];
  /** The tuning knob it sets, if any. */
  readonly knob?: keyof PeerTuning | keyof SeedTuning;
  /** Listed under "advanced" in help. */
  readonly advanced?: boolean;
  /** The value a flag given with no value takes (e.g. `--ui` alone); without it a value is required. */
  readonly bare?: string;
  /** A one-letter alias, e.g. `o` for `-o`. */
  readonly short?: string;
}

const PORT: FlagSpec = {
  name: "port",
  kind: "port",
  value: "<port>",
  help: "TCP port to listen on (1-65535)",
  required: true,
};
const HOST: FlagSpec = {
  name: "host",
  kind: "host",
  value: "<ip>",
  defaultText: "127.0.0.1",
  help: "address to listen on and to advertise (not 0.0.0.0 or ::)",
};
const CONFIG: FlagSpec = {
  name: "config",
  kind: "path",
  value: "<file>",
  defaultText: "config.csv",
  help: "seed list, one host,port per row",
};
const LOG_DIR: FlagSpec = {
  name: "log-dir",
  kind: "path",
  value: "<dir>",
  defaultText: "logs",
  help: "directory for the node's JSON Lines log (created if missing)",
};
const LOG_LEVEL: FlagSpec = {
  name: "log-level",
  kind: "level",
  value: "<level>",
  defaultText: "info",
  help: "lowest level printed on the console: debug, info, warning, error",
  advanced: true,
};
const EXIT_WITH_STDIN: FlagSpec = {
  name: "exit-on-stdin-close",
  kind: "switch",
  value: "",
  help: "stop when stdin reaches end of input (used by `up` for its children)",
  advanced: true,
};

const ADVERTISE: FlagSpec = {
  name: "advertise",
  kind: "address",
  value: "<host:port>",
  defaultText: "the --host and --port",
  help: "address other nodes reach this one at (NAT, containers, --host 0.0.0.0)",
};
const METRICS: FlagSpec = {
  name: "metrics",
  kind: "address",
  value: "<host:port>",
  defaultText: "off",
  help: "serve Prometheus metrics at http://<host:port>/metrics",
};
const ON_MESSAGE: FlagSpec = {
  name: "on-message",
  kind: "text",
  value: "<command>",
  defaultText: "none",
  help: "shell command run for each received message (see below)",
};
const JSON_OUTPUT: FlagSpec = {
  name: "json",
  kind: "switch",
  value: "",
  help: "print JSON instead of a table",
};
const CLIENT_TIMEOUT: FlagSpec = {
  name: "timeout",
  kind: "duration",
  value: "<dur>",
  defaultText: "5s",
  help: "how long to wait for the node's answer",
  range: [1, 600_000],
  advanced: true,
};
/** The network keys; without it (and without GOSSIPNET_KEY) links are plaintext. */
const KEY_FILE: FlagSpec = {
  name: "key-file",
  kind: "path",
  value: "<file>",
  defaultText: "GOSSIPNET_KEY, else none",
  help: "network keys, one a line; the first sends (reread on SIGHUP)",
};
/** `KEY_FILE` for commands that only ask a node one question. */
const CLIENT_KEY_FILE: FlagSpec = {
  ...KEY_FILE,
  help: "network keys, one a line; the first is used (see keygen)",
};

/** What a node lets strangers cost it; seeds and peers both take these (advanced). */
const CONNECTION_FLAGS: readonly FlagSpec[] = [
  {
    name: "max-connections",
    kind: "count",
    value: "<n>",
    defaultText: "4096",
    help: "most inbound connections open at once",
    range: CONNECTION_LIMIT_RANGES.maxConnections,
    knob: "maxConnections",
    advanced: true,
  },
  {
    name: "pending-timeout",
    kind: "duration",
    value: "<dur>",
    defaultText: "10s",
    help: "time an inbound connection has to become a link or finish its request",
    range: CONNECTION_LIMIT_RANGES.pendingTimeoutMs,
    knob: "pendingTimeoutMs",
    advanced: true,
  },
];

/**
 * The peer flags as `up` and `sim` show them: they set every peer's, so
 * "this peer" reads "each peer".
 */
function forEveryPeer(spec: FlagSpec): FlagSpec {
  return { ...spec, help: spec.help.replace("this peer", "each peer") };
}

/** Peer flags that tune timing and topology; `up` passes them on to peers. */
export const PEER_TUNING_FLAGS: readonly FlagSpec[] = [
  {
    name: "max-neighbors",
    kind: "count",
    value: "<n>",
    defaultText: "4",
    help: "most neighbours dialled when joining",
    range: PEER_LIMITS.maxNeighbors,
    knob: "maxNeighbors",
  },
  {
    name: "gossip-interval",
    kind: "duration",
    value: "<dur>",
    defaultText: "5s",
    help: "time between this peer's own gossip messages",
    range: PEER_LIMITS.gossipIntervalMs,
    knob: "gossipIntervalMs",
  },
  {
    name: "gossip-count",
    kind: "count",
    value: "<n>",
    defaultText: "10",
    help: "gossip messages this peer generates (0: relay only)",
    range: PEER_LIMITS.gossipCount,
    knob: "gossipCount",
  },
  {
    name: "ping-interval",
    kind: "duration",
    value: "<dur>",
    defaultText: "13s",
    help: "time between liveness pings to each neighbour",
    range: PEER_LIMITS.pingIntervalMs,
    knob: "pingIntervalMs",
  },
  {
    name: "ping-misses",
    kind: "count",
    value: "<n>",
    defaultText: "3",
    help: "consecutive missed pings before a neighbour is suspected dead",
    range: PEER_LIMITS.pingMisses,
    knob: "pingMisses",
  },
  {
    name: "max-inbound",
    kind: "count",
    value: "<n>",
    defaultText: "64",
    help: "most inbound neighbour links accepted",
    range: PEER_LIMITS.maxInbound,
    knob: "maxInbound",
    advanced: true,
  },
  {
    name: "max-gossip-rate",
    kind: "count",
    value: "<n>",
    defaultText: "200",
    help:
      "new gossip messages a second taken from one neighbour (more: dropped; far more: cut off)",
    range: PEER_LIMITS.gossipRatePerLink,
    knob: "gossipRatePerLink",
    advanced: true,
  },
  {
    name: "repair-interval",
    kind: "duration",
    value: "<dur>",
    defaultText: "2s",
    help: "how often a peer with too few neighbours looks for more",
    range: PEER_LIMITS.repairIntervalMs,
    knob: "repairIntervalMs",
    advanced: true,
  },
];

/** `sim`'s flags: size, link model, scenario, and the peer timing flags. */
const SIM_FLAGS: readonly FlagSpec[] = [
  {
    name: "seeds",
    kind: "count",
    value: "<n>",
    defaultText: "3",
    help: "seeds to simulate",
    range: [1, 100],
  },
  {
    name: "peers",
    kind: "count",
    value: "<n>",
    defaultText: "100",
    help: "peers that join at the start, --join-interval apart",
    range: [1, 1_000_000],
  },
  {
    name: "origins",
    kind: "count",
    value: "<k>",
    defaultText: "1",
    help: "random peers that flood messages once all have joined, taking turns",
    range: [0, 1_000_000],
  },
  {
    name: "messages",
    kind: "count",
    value: "<m>",
    defaultText: "1",
    help: "messages each origin floods, one per --gossip-interval",
    range: [0, 100_000],
  },
  {
    name: "latency",
    kind: "duration",
    value: "<dur>",
    defaultText: "20ms",
    help: "one-way delay of every link",
    range: [0, 600_000],
  },
  {
    name: "jitter",
    kind: "duration",
    value: "<dur>",
    defaultText: "0",
    help: "extra one-way delay per packet, uniform in [0, jitter)",
    range: [0, 600_000],
  },
  {
    name: "kill",
    kind: "share-at",
    value: "<f@t>",
    defaultText: "none",
    help: "crash a share of the joined peers at a virtual time, e.g. 0.01@60s",
  },
  {
    name: "churn",
    kind: "rate",
    value: "<r>",
    defaultText: "0",
    help: "joins plus clean leaves per virtual second (alternating), from the floods on",
  },
  {
    name: "partition",
    kind: "share-window",
    value: "<f@t1-t2>",
    defaultText: "none",
    help: "cut a share of the peers off from the rest between two times, e.g. 0.2@30s-40s",
  },
  {
    name: "seed",
    kind: "count",
    value: "<n>",
    defaultText: "1",
    help: "random seed: the same seed gives the same run and the same output",
    range: [0, 4_294_967_295],
  },
  {
    name: "until",
    kind: "duration",
    value: "<dur>",
    defaultText: "once the scenario has played out",
    help: "virtual time to stop at",
    range: [1, 86_400_000 * 7],
  },
  {
    name: "out",
    kind: "path",
    value: "<file>",
    defaultText: "none",
    help: "write the figures and report data (gossipnet report <file>) as JSON to this file",
  },
  {
    name: "join-interval",
    kind: "duration",
    value: "<dur>",
    defaultText: "10ms, 10s/peers above 1000 peers, at least 1ms",
    help: "virtual time between two peers' starts (closer joins see staler degrees)",
    range: [0, 600_000],
    advanced: true,
  },
  {
    name: "max-heap",
    kind: "count",
    value: "<MiB>",
    defaultText: "V8's own limit",
    help: "bound the simulation's heap; a run that outgrows it stops with an error",
    range: [64, 1_000_000],
  },
  {
    name: "bandwidth",
    kind: "count",
    value: "<bit/s>",
    defaultText: "unlimited",
    help: "bits per second each direction of each link carries",
    range: [1, 1e12],
    advanced: true,
  },
  // The sim's peers only relay by default: the floods are the traffic.
  ...PEER_TUNING_FLAGS.map(forEveryPeer).map((spec) =>
    spec.name === "gossip-count"
      ? {
        ...spec,
        defaultText: "0",
        help:
          "gossip messages each peer generates, one per --gossip-interval, besides the floods (0: none)",
      }
      : spec.name === "gossip-interval"
      ? { ...spec, defaultText: "1s", help: "time between an origin's flood messages" }
      : spec
  ),
];

/** The commands and their flags. */
export const COMMAND_FLAGS: { readonly [command: string]: readonly FlagSpec[] } = {
  seed: [
    PORT,
    HOST,
    CONFIG,
    LOG_DIR,
    {
      name: "max-peers",
      kind: "count",
      value: "<n>",
      defaultText: "unlimited",
      help: "most peers this seed registers",
      range: [0, 1_000_000_000],
      knob: "maxPeers",
    },
    KEY_FILE,
    ADVERTISE,
    METRICS,
    {
      name: "recheck-interval",
      kind: "duration",
      value: "<dur>",
      defaultText: "15s",
      help: "how often the seed probes a few of its members itself",
      range: SEED_LIMITS.recheckIntervalMs,
      knob: "recheckIntervalMs",
      advanced: true,
    },
    ...CONNECTION_FLAGS,
    LOG_LEVEL,
    EXIT_WITH_STDIN,
  ],
  peer: [
    PORT,
    HOST,
    CONFIG,
    LOG_DIR,
    ...PEER_TUNING_FLAGS,
    KEY_FILE,
    ADVERTISE,
    METRICS,
    ON_MESSAGE,
    ...CONNECTION_FLAGS,
    LOG_LEVEL,
    EXIT_WITH_STDIN,
  ],
  up: [
    {
      name: "seeds",
      kind: "count",
      value: "<n>",
      defaultText: "3",
      help: "seeds to start",
      range: [1, 100],
    },
    {
      name: "peers",
      kind: "count",
      value: "<n>",
      defaultText: "10",
      help: "peers to start",
      range: [0, 1000],
    },
    {
      name: "base-port",
      kind: "port",
      value: "<port>",
      defaultText: "5000",
      help: "first port; seeds then peers take consecutive ports",
    },
    {
      name: "log-dir",
      kind: "path",
      value: "<dir>",
      defaultText: "logs/run-<timestamp>",
      help: "where node logs, the run's config.csv, nodes.json and report.html go",
    },
    {
      name: "duration",
      kind: "duration",
      value: "<dur>",
      defaultText: "until exit or Ctrl+C",
      help: "run this long once all nodes listen, then stop and summarise",
      range: [1, 86_400_000 * 7],
    },
    {
      name: "config",
      kind: "path",
      value: "<file>",
      defaultText: "written for the run",
      help: "seed list to start from (instead of --seeds)",
      advanced: true,
    },
    {
      name: "host",
      kind: "host",
      value: "<ip>",
      defaultText: "127.0.0.1",
      help: "address every node listens on (0.0.0.0 or :: only with --advertise)",
      advanced: true,
    },
    {
      ...ADVERTISE,
      defaultText: "the --host and each node's port",
      help: "address the first node (s1) is reached at; the next at port + 1... (NAT, containers)",
      advanced: true,
    },
    {
      ...METRICS,
      help: "serve each node's metrics: the first node (s1) on this port, the next on port + 1...",
    },
    {
      name: "ui",
      kind: "listen",
      value: "[host:port]",
      defaultText: "off; given alone, 127.0.0.1:8080",
      help: "serve a live dashboard at this address (port 0: any free port)",
      bare: "127.0.0.1:8080",
    },
    {
      name: "verbose",
      kind: "switch",
      value: "",
      help: "print every node's log lines, not only membership events",
    },
    {
      ...KEY_FILE,
      help: "network keys for every node (copied into the run; see keys)",
    },
    {
      name: "secure",
      kind: "switch",
      value: "",
      help: "key the run with a new random key (<log-dir>/network.key)",
    },
    {
      name: "in-process",
      kind: "switch",
      value: "",
      defaultText: `on above ${IN_PROCESS_ABOVE_PEERS} peers`,
      help: "run every node inside up's own process (real TCP, same logs and shell)",
    },
    {
      name: "workers",
      kind: "count",
      value: "<n>",
      defaultText: `1, or one per core above ${WORKERS_ABOVE_PEERS} peers`,
      help: "threads that share the nodes with --in-process (1: all on up's own)",
      range: [1, 64],
      advanced: true,
    },
    {
      name: "processes",
      kind: "switch",
      value: "",
      help: "run every node as a child process, even above " +
        `${IN_PROCESS_ABOVE_PEERS} peers`,
      advanced: true,
    },
    ...PEER_TUNING_FLAGS.map(forEveryPeer),
  ],
  sim: SIM_FLAGS,
  report: [
    {
      name: "output",
      kind: "path",
      value: "<file.html>",
      defaultText: "<log-dir>/report.html, or <result>.html next to <result.json>",
      help: "where to write the report (also -o)",
      short: "o",
    },
  ],
  "report-dead": [
    {
      name: "seed",
      kind: "address",
      value: "<host:port>",
      help: "seed to send the report to",
      required: true,
    },
    {
      name: "dead",
      kind: "address",
      value: "<host:port>",
      help: "peer to report as dead",
      required: true,
    },
    CLIENT_KEY_FILE,
    {
      name: "timeout",
      kind: "duration",
      value: "<dur>",
      defaultText: "10s",
      help: "how long to wait for the seeds' decision",
      range: [1, 600_000],
      advanced: true,
    },
  ],
  send: [
    {
      name: "peer",
      kind: "address",
      value: "<host:port>",
      help: "peer to publish through",
      required: true,
    },
    {
      name: "file",
      kind: "path",
      value: "<file>",
      defaultText: "none",
      help: "send the file's bytes as one message (instead of <text>)",
    },
    CLIENT_KEY_FILE,
    CLIENT_TIMEOUT,
  ],
  members: [
    {
      name: "seed",
      kind: "address",
      value: "<host:port>",
      help: "seed whose Peer List to print",
      required: true,
    },
    JSON_OUTPUT,
    CLIENT_KEY_FILE,
    CLIENT_TIMEOUT,
  ],
  status: [
    {
      name: "node",
      kind: "address",
      value: "<host:port>",
      help: "seed or peer to ask",
      required: true,
    },
    JSON_OUTPUT,
    CLIENT_KEY_FILE,
    CLIENT_TIMEOUT,
  ],
  keygen: [],
};

/** Commands that take words after their flags, and what the words are. */
export const COMMAND_ARGUMENTS: { readonly [command: string]: string } = {
  send: "<text>... | -",
  report: "<log-dir> | <result.json>",
};
