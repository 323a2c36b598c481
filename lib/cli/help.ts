/**
 * Help text, generated from the flag tables in `flags.ts`.
 *
 * @module
 */

import { HANDLER_TIMEOUT_MS } from "../api/handler_command.ts";
import { HANDLER_QUEUE_CAPACITY } from "../peer/handler_queue.ts";
import { VERSION } from "../util/version.ts";
import { MAX_PAYLOAD_BYTES } from "../wire/messages.ts";
import { COMMAND_FLAGS, type FlagSpec, IN_PROCESS_ABOVE_PEERS } from "./flags.ts";

export { VERSION };

const KEYS_FOOTER =
  "Keys: --key-file wins over GOSSIPNET_KEY. SIGHUP (or keys reload) rereads the\n" +
  "key file; a bad file keeps the keys in use. Logs show key ids, never keys.";

const SUMMARIES: Readonly<Record<string, { usage: string; about: string; footer?: string }>> = {
  seed: {
    usage: "gossipnet seed --port <port> [flags]",
    about: "Run a seed node: it keeps the peer list, registers joining peers, hands out\n" +
      "peer lists and removes peers reported dead.",
    footer: "Shell commands (stdin, any case): peers, keys [reload], help, exit\n\n" +
      KEYS_FOOTER,
  },
  peer: {
    usage: "gossipnet peer --port <port> [flags]",
    about: "Run a peer node: it registers with a majority of the seeds in the config,\n" +
      "links to peers chosen by preferential attachment, gossips, and reports\n" +
      "neighbours that stop answering pings.",
    footer:
      "Shell commands (stdin, any case): peers, seeds, msg, send <text>, keys [reload], help, exit\n\n" +
      KEYS_FOOTER + "\n\n" +
      "--on-message gets the payload on stdin and GOSSIPNET_ID, GOSSIPNET_ORIGIN,\n" +
      "GOSSIPNET_HOPS, GOSSIPNET_FROM, GOSSIPNET_BYTES in its environment. Handlers run\n" +
      `one at a time from a queue of ${HANDLER_QUEUE_CAPACITY} messages (beyond it messages get no handler\n` +
      `and are counted in the log); one still running after ${
        HANDLER_TIMEOUT_MS / 1000
      }s is killed.`,
  },
  up: {
    usage: "gossipnet up [flags]",
    about: "Run a whole local network (seeds, then peers) as child processes, show its\n" +
      "membership events (joins, lost links, suspicions, reports, votes, removals) and a\n" +
      "status line, and end with a summary of gossip delivery and an HTML report\n" +
      "(<log-dir>/report.html). --verbose prints every node line instead; the logs\n" +
      "always have everything. --ui serves a live dashboard of the overlay.\n" +
      `With --in-process, and by default above ${IN_PROCESS_ABOVE_PEERS} peers, every node runs inside up's\n` +
      "own process instead, on real TCP sockets, with the same logs, summary and shell.",
    footer: "Shell commands (stdin): status, kill <node>, pause <node>, resume <node>,\n" +
      "start <node>, keys [install | use <id> | remove <id> | rotate], help, exit.\n" +
      "Nodes are named s1.. and p1..; keys rotate changes the run's key on every running\n" +
      "node in three steps (install, use, remove), each once every node reread the file.",
  },
  sim: {
    usage: "gossipnet sim [flags]",
    about: "Simulate a network in virtual time: the real seed and peer code over an\n" +
      "in-memory network with latency and jitter. Seeds start first, then --peers\n" +
      "peers join --join-interval apart; 5 s after the last, --origins peers each\n" +
      "flood --messages messages; --kill, --churn and --partition play out on top. Ends\n" +
      "with a summary (delivery, dissemination, hops, duplicates against 2E-2(N-1),\n" +
      "degrees and their power-law fit, detection and removal of killed peers,\n" +
      "consensus, and the frames carried by message kind).\n" +
      "The same --seed gives the same run, summary and --out file.",
    footer: "Times in --kill and --partition are virtual, from the start of the run.\n" +
      "Memory: about 28 KiB per peer live, and V8 lets the heap grow past twice that;\n" +
      "--max-heap bounds it (100,000 peers ran in 3.8 GB with 3600, a third slower).",
  },
  report: {
    usage: "gossipnet report <log-dir> | <result.json> [-o <file.html>]",
    about: "Write one self-contained HTML file (no network access, SVG charts) about a\n" +
      "run from its JSON logs: the final overlay, the degree distribution with its\n" +
      "power-law fit, the dissemination CDF, each message's coverage over time, a\n" +
      "timeline of joins, deaths, reports, votes and removals, and the summary.\n" +
      "Given a `gossipnet sim --out` file instead, it reports the simulation the same\n" +
      "way (virtual times; what the file left out is listed).",
  },
  "report-dead": {
    usage: "gossipnet report-dead --seed <host:port> --dead <host:port> [flags]",
    about: "Send the Dead Node report a peer would send about --dead to the seed --seed,\n" +
      "wait for the seeds' decision and print it. Exit 0 whatever the decision,\n" +
      "1 if the seed cannot be reached.",
  },
  send: {
    usage: "gossipnet send --peer <host:port> (<text>... | --file <file> | -)",
    about: "Publish a message through a running peer: <text> (words are joined by spaces),\n" +
      "the bytes of --file, or with - each line of stdin as its own message. Prints\n" +
      "each message's id (<origin node id>-<seq>). Exit 0 once sent; 1 if the peer\n" +
      "cannot be reached, is a seed, or a stdin line was too long (it is skipped);\n" +
      `2 if <text> or --file is too long. A message carries at most ${MAX_PAYLOAD_BYTES} bytes.`,
  },
  members: {
    usage: "gossipnet members --seed <host:port> [--json]",
    about: "Print a seed's Peer List: every peer with its state (member, or removed as\n" +
      "dead or left), its degree and when its entry last changed.",
  },
  keygen: {
    usage: "gossipnet keygen > network.key",
    about: "Print a new random network key (32 bytes, base64) on one line. Put it in a\n" +
      "key file (mode 0600) and give every node --key-file <file>; see the README's\n" +
      "Security section for rotating keys.",
  },
  status: {
    usage: "gossipnet status --node <host:port> [--json]",
    about: "Print what a running seed or peer says about itself: role, uptime, neighbours\n" +
      "with their ping round trip (peers) or seed links and members (seeds), Message\n" +
      "List size, traffic and event counters.",
  },
};

function flagLine(spec: FlagSpec): string {
  const left = `  --${spec.name}${spec.value ? ` ${spec.value}` : ""}`;
  const suffix = spec.required
    ? " (required)"
    : spec.defaultText
    ? ` (default: ${spec.defaultText})`
    : "";
  return `${left.padEnd(30)} ${spec.help}${suffix}`;
}

/** Help for one command, or `undefined` if there is no such command. */
export function commandHelp(command: string): string | undefined {
  const specs = COMMAND_FLAGS[command];
  const summary = SUMMARIES[command];
  if (!specs || !summary) return undefined;
  const lines = [
    `gossipnet ${command}: ${summary.about}`,
    "",
    `Usage: ${summary.usage}`,
    "",
    "Flags:",
    ...specs.filter((s) => !s.advanced).map(flagLine),
    `  ${"--help".padEnd(28)} show this help`,
  ];
  const advanced = specs.filter((s) => s.advanced);
  if (advanced.length > 0) lines.push("", "Advanced:", ...advanced.map(flagLine));
  const notes: string[] = [];
  if (specs.some((s) => s.kind === "duration")) {
    notes.push("Durations: 200 (milliseconds), 200ms, 1.5s, 2m.");
  }
  if (summary.footer) notes.push(summary.footer);
  if (notes.length > 0) lines.push("", ...notes);
  return lines.join("\n") + "\n";
}

/** The program's top-level help. */
export function programHelp(): string {
  return [
    `gossipnet ${VERSION}: a peer-to-peer gossip network. Seeds keep the membership;`,
    "peers register with a majority of seeds, link up, flood gossip and watch each",
    "other's liveness.",
    "",
    "Usage:",
    "  gossipnet seed --port <port> [flags]         run a seed node",
    "  gossipnet peer --port <port> [flags]         run a peer node",
    "  gossipnet up [flags]                         run a whole local network",
    "  gossipnet sim [flags]                        simulate a network in virtual time",
    "  gossipnet report-dead --seed <host:port> --dead <host:port>",
    "                                               ask the seeds to remove a peer",
    "  gossipnet report <log-dir> [-o <file.html>]  an HTML report of a run's logs",
    "  gossipnet report <result.json> [-o <file.html>]",
    "                                               the same for a sim --out file",
    "  gossipnet send --peer <host:port> <text>     publish a message (or --file, or -)",
    "  gossipnet members --seed <host:port>         print a seed's Peer List",
    "  gossipnet status --node <host:port>          ask a node about itself",
    "  gossipnet keygen                             print a new random network key",
    "  gossipnet <command> --help                   flags of one command",
    "  gossipnet --version                          print the version",
    "",
    "Keys: --key-file <file> (one key a line) or GOSSIPNET_KEY on every command that",
    "connects; the file wins. Without either, links are plaintext, and keyed nodes",
    "refuse them.",
    "Logs: <log-dir>/<role>-<host>-<port>.jsonl, one JSON object per line.",
    "Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.",
    "",
  ].join("\n");
}
