/**
 * Turns the command line into a typed invocation, or a {@linkcode UsageError}
 * that names the flag and the bad value. Parsing is done by `@std/cli`;
 * everything it returns is checked here, because its npm build carries no
 * types.
 *
 * @module
 */

import { parseArgs } from "@std/cli/parse-args";
import type { PeerTuning, SeedTuning } from "../config/node_config.ts";
import { parseDuration } from "../config/duration.ts";
import type { EventLevel } from "../log/events.ts";
import {
  type Address,
  canonicalHost,
  formatAddress,
  isValidHost,
  parseAddress,
} from "../util/address.ts";
import { advertiseProblem } from "../api/bind.ts";
import { UsageError } from "../util/errors.ts";
import { quoteInput } from "../util/quote.ts";
import { closestName, didYouMean } from "./did_you_mean.ts";
import {
  parseRate,
  parseShareAt,
  parseShareWindow,
  type SimInvocation,
  simInvocation,
} from "./sim_args.ts";
import {
  COMMAND_ARGUMENTS,
  COMMAND_FLAGS,
  type FlagSpec,
  IN_PROCESS_ABOVE_PEERS,
} from "./flags.ts";

/** Options shared by `seed` and `peer`. */
export interface NodeOptions {
  host: string;
  port: number;
  configPath: string;
  logDir: string;
  logLevel: EventLevel;
  /** Stop when stdin closes (set by `up` for its children). */
  exitOnStdinClose: boolean;
  /** The address others reach this node at, when not `host:port` (`--advertise`). */
  advertise?: Address;
  /** Where to serve Prometheus metrics (`--metrics`). */
  metrics?: Address;
  /** The network key file (`--key-file`); else `GOSSIPNET_KEY`, else no key. */
  keyFile?: string;
}

/** `gossipnet seed`. */
export interface SeedInvocation extends NodeOptions {
  command: "seed";
  tuning: Partial<SeedTuning>;
}

/** `gossipnet peer`. */
export interface PeerInvocation extends NodeOptions {
  command: "peer";
  tuning: Partial<PeerTuning>;
  /** Shell command run for each received message (`--on-message`). */
  onMessage?: string;
}

/** `gossipnet up`. */
export interface UpInvocation {
  command: "up";
  seeds: number;
  peers: number;
  basePort: number;
  host: string;
  logDir: string | undefined;
  durationMs: number | undefined;
  configPath: string | undefined;
  /** Peer timing flags exactly as given, to pass on to every peer. */
  peerArgs: string[];
  peerTuning: Partial<PeerTuning>;
  /** The first node's metrics address; node i serves on port + i. */
  metrics?: Address;
  /** The address the first node is reached at (`--advertise`); node i at port + i. */
  advertise?: Address;
  /** Where to serve the dashboard (`--ui`); port 0 picks one. */
  ui: Address | undefined;
  /** Print every node line, not only membership events (`--verbose`). */
  verbose: boolean;
  /** The network key file for every node (`--key-file`). */
  keyFile?: string;
  /** Key the run with a fresh random key (`--secure`). */
  secure: boolean;
  /**
   * Run every node inside `up`'s process: `--in-process`, or above
   * {@linkcode IN_PROCESS_ABOVE_PEERS} peers unless `--processes`.
   */
  inProcess: boolean;
  /** True when `inProcess` was chosen for the peer count, not asked for. */
  inProcessByDefault: boolean;
  /** Threads that share in-process nodes (`--workers`); unset: chosen by size. */
  workers?: number;
}

/** `gossipnet report <log-dir> | <result.json>`. */
export interface ReportInvocation {
  command: "report";
  /** The run's log directory, or a `gossipnet sim --out` result file. */
  logDir: string;
  /** The HTML file to write; without it `<log-dir>/report.html`, or `<result>.html` beside the file. */
  output?: string;
}

/** `gossipnet report-dead`. */
export interface ReportDeadInvocation {
  command: "report-dead";
  seed: Address;
  dead: Address;
  timeoutMs: number;
  /** The network key file (`--key-file`). */
  keyFile?: string;
}

/** Where `gossipnet send` takes its payloads from. */
export type SendSource =
  | { readonly from: "text"; readonly text: string }
  | { readonly from: "file"; readonly path: string }
  | { readonly from: "stdin" };

/** `gossipnet send`. */
export interface SendInvocation {
  command: "send";
  peer: Address;
  source: SendSource;
  timeoutMs: number;
  /** The network key file (`--key-file`). */
  keyFile?: string;
}

/** `gossipnet members` and `gossipnet status`. */
export interface InspectInvocation {
  command: "members" | "status";
  /** The seed (members) or node (status) to ask. */
  node: Address;
  json: boolean;
  timeoutMs: number;
  /** The network key file (`--key-file`). */
  keyFile?: string;
}

/** What the command line asks for. */
export type Invocation =
  | { command: "help"; topic: string | undefined }
  | { command: "version" }
  | SeedInvocation
  | PeerInvocation
  | UpInvocation
  | ReportDeadInvocation
  | SendInvocation
  | InspectInvocation
  | ReportInvocation
  | { command: "keygen" }
  | SimInvocation;

/** The commands, in help order. */
export const COMMANDS = [
  "seed",
  "peer",
  "up",
  "sim",
  "report-dead",
  "report",
  "send",
  "members",
  "status",
  "keygen",
] as const;

function commandList(): string {
  return `${COMMANDS.slice(0, -1).join(", ")} or ${COMMANDS[COMMANDS.length - 1]}`;
}

const LEVELS: readonly EventLevel[] = ["debug", "info", "warning", "error"];

/**
 * Parses `args` (without the program name).
 *
 * @example Usage
 * ```ts
 * import { parseInvocation } from "./args.ts";
 * const inv = parseInvocation(["seed", "--port", "5000"]);
 * inv.command; // "seed"
 * ```
 *
 * @throws {UsageError} Naming the command, flag and value at fault.
 */
export function parseInvocation(args: readonly string[]): Invocation {
  const [first, ...rest] = args;
  if (first === undefined) {
    throw new UsageError(
      `Missing command: expected ${commandList()} (see gossipnet --help)`,
    );
  }
  if (first === "--help" || first === "-h" || first === "help") {
    return { command: "help", topic: first === "help" ? rest[0] : undefined };
  }
  if (first === "--version" || first === "-V" || first === "version") return { command: "version" };
  if (first.startsWith("-")) {
    throw new UsageError(
      `Unknown flag ${quoteFlag(first)}: flags follow a command (see gossipnet --help)`,
    );
  }
  const specs = COMMAND_FLAGS[first];
  if (!specs) {
    const hint = closestName(first, COMMANDS);
    throw new UsageError(
      `Unknown command ${quoteInput(first)}: ${
        hint ? `did you mean "${hint}"? (commands: ` : "expected "
      }` + `${commandList()}${hint ? ")" : ""}`,
    );
  }
  const read = readFlags(first, specs, rest);
  if (read === "help") return { command: "help", topic: first };
  const { values, words } = read;
  switch (first) {
    case "seed":
      return {
        command: "seed",
        ...nodeOptions(values),
        tuning: tuningOf(specs, values) as Partial<SeedTuning>,
      };
    case "peer":
      return {
        command: "peer",
        ...nodeOptions(values),
        tuning: tuningOf(specs, values) as Partial<PeerTuning>,
        ...optional("onMessage", values.get("on-message") as string | undefined),
      };
    case "up":
      return upInvocation(specs, values);
    case "sim":
      return simInvocation(values, tuningOf(specs, values) as Partial<PeerTuning>);
    case "send":
      return sendInvocation(values, words);
    case "members":
    case "status":
      return {
        command: first,
        node: values.get(first === "members" ? "seed" : "node") as Address,
        json: values.get("json") === true,
        timeoutMs: (values.get("timeout") as number | undefined) ?? 5_000,
        ...keyFileOf(values),
      };
    case "keygen":
      return { command: "keygen" };
    case "report": {
      if (words.length !== 1) {
        throw new UsageError(
          words.length === 0
            ? 'Missing <log-dir> or <result.json>: required for "report" (see gossipnet report --help)'
            : `Unexpected argument ${quoteInput(words[1] ?? "")} for "report" ` +
              "(see gossipnet report --help)",
        );
      }
      const logDir = words[0] as string;
      // Without -o the default depends on whether logDir is a directory: report.ts decides.
      const output = values.get("output") as string | undefined;
      return { command: "report", logDir, ...(output !== undefined ? { output } : {}) };
    }
    default:
      return {
        command: "report-dead",
        seed: values.get("seed") as Address,
        dead: values.get("dead") as Address,
        timeoutMs: (values.get("timeout") as number | undefined) ?? 10_000,
        ...keyFileOf(values),
      };
  }
}

type FlagValue =
  | number
  | string
  | boolean
  | Address
  | { fraction: number; atMs: number }
  | { fraction: number; fromMs: number; toMs: number };

/**
 * `--peers -5` goes to the parser as `--peers=-5`: it would take "-5" for a
 * flag (and --peers for empty). The flag's own check then says what is
 * wrong with the value, not "Unknown flag -5". Nothing after `--` changes.
 */
function joinNegativeValues(specs: readonly FlagSpec[], args: readonly string[]): string[] {
  const out: string[] = [];
  let ended = false;
  for (const arg of args) {
    ended ||= arg === "--";
    const before = out.at(-1);
    const spec = !ended && /^-\d/.test(arg)
      ? specs.find((s) =>
        s.kind !== "switch" && (before === `--${s.name}` || (s.short && before === `-${s.short}`))
      )
      : undefined;
    if (spec) out[out.length - 1] = `--${spec.name}=${arg}`;
    else out.push(arg);
  }
  return out;
}

function readFlags(
  command: string,
  specs: readonly FlagSpec[],
  args: readonly string[],
): { values: Map<string, FlagValue>; words: string[] } | "help" {
  const unknown: string[] = [];
  const aliases: Record<string, string> = { h: "help" };
  for (const spec of specs) if (spec.short) aliases[spec.short] = spec.name;
  const parsed: unknown = parseArgs(joinNegativeValues(specs, args), {
    string: specs.filter((s) => s.kind !== "switch").map((s) => s.name),
    boolean: ["help", ...specs.filter((s) => s.kind === "switch").map((s) => s.name)],
    alias: aliases,
    collect: specs.filter((s) => s.kind !== "switch").map((s) => s.name),
    unknown: (arg: string) => {
      // Words (and "-", for stdin) are kept for the commands that take them.
      if (COMMAND_ARGUMENTS[command] !== undefined && (arg === "-" || !arg.startsWith("-"))) {
        return true;
      }
      unknown.push(arg);
      return false;
    },
  });
  if (typeof parsed !== "object" || parsed === null) {
    throw new UsageError("Cannot parse the command line");
  }
  const record = parsed as Record<string, unknown>;
  if (record.help === true) return "help";
  const positional = (Array.isArray(record._) ? record._ : []).map(String);
  const takesWords = COMMAND_ARGUMENTS[command] !== undefined;
  // Arguments after "--" bypass the unknown-flag hook; they are still stray
  // for a command that takes no words.
  const stray = unknown[0] ?? (!takesWords && positional.length > 0 ? positional[0] : undefined);
  if (stray !== undefined) {
    const name = stray.split("=")[0] as string;
    const known = ["help", ...specs.map((s) => s.name)].map((n) => `--${n}`);
    throw stray.startsWith("-")
      ? new UsageError(
        `Unknown flag ${quoteFlag(name)} for "${command}"${didYouMean(name, known)} ` +
          `(see gossipnet ${command} --help)`,
      )
      : new UsageError(
        `Unexpected argument ${
          quoteInput(stray)
        } for "${command}" (see gossipnet ${command} --help)`,
      );
  }
  const values = new Map<string, FlagValue>();
  for (const spec of specs) {
    const raw = record[spec.name];
    if (spec.kind === "switch") {
      if (raw === true) values.set(spec.name, true);
      continue;
    }
    const list = Array.isArray(raw) ? raw : [];
    if (list.length > 1) {
      throw new UsageError(`Flag --${spec.name} given ${list.length} times; give it once`);
    }
    let text: unknown = list[0];
    if (text === "" && spec.bare !== undefined) text = spec.bare;
    if (text === undefined) {
      if (spec.required) throw new UsageError(`Missing --${spec.name}: required for "${command}"`);
      continue;
    }
    values.set(spec.name, readValue(spec, String(text)));
  }
  return { values, words: positional };
}

// A flag name as typed, shown bare unless it holds something unprintable.
function quoteFlag(flag: string): string {
  const quoted = quoteInput(flag);
  return quoted === `"${flag}"` ? flag : quoted;
}

function readValue(spec: FlagSpec, text: string): FlagValue {
  const bad = (expected: string): never => {
    throw new UsageError(`Invalid --${spec.name}: expected ${expected}, got ${quoteInput(text)}`);
  };
  if (text === "") bad(`a value (${spec.value})`);
  switch (spec.kind) {
    case "port": {
      const port = Number(text);
      if (!/^\d+$/.test(text) || port < 1 || port > 65535) bad("a port 1-65535");
      return port;
    }
    case "host":
      // An unspecified host (0.0.0.0, ::) is checked with --advertise, below.
      return isValidHost(text) ? canonicalHost(text) : bad("an IP address or host name");
    case "path":
    case "text":
      return text;
    case "level":
      return (LEVELS as readonly string[]).includes(text) ? text : bad(LEVELS.join(", "));
    case "address":
      return parseAddress(text) ?? bad("host:port");
    case "listen": {
      if (/^\d{1,5}$/.test(text)) return listenAddress(`127.0.0.1:${text}`) ?? bad("host:port");
      return listenAddress(text) ?? bad("host:port (port 0: any free port)");
    }
    case "count": {
      const [min, max] = spec.range ?? [0, Number.MAX_SAFE_INTEGER];
      if (!/^\d+$/.test(text)) bad(`a whole number ${min}-${max}`);
      const n = Number(text);
      return n < min || n > max ? bad(`a whole number ${min}-${max}`) : n;
    }
    case "duration": {
      const ms = parseDuration(text);
      if (ms === undefined) return bad("a duration such as 200, 200ms, 1.5s or 2m");
      const [min, max] = spec.range ?? [1, Infinity];
      return ms < min || ms > max ? bad(`a duration of ${min}ms to ${max}ms`) : ms;
    }
    case "share-at":
      return parseShareAt(text) ?? bad("<fraction>@<time>, e.g. 0.01@60s (fraction 0-1)");
    case "share-window":
      return parseShareWindow(text) ??
        bad("<fraction>@<from>-<to>, e.g. 0.2@30s-40s (fraction 0-1, from before to)");
    case "rate":
      return parseRate(text) ?? bad("a number >= 0, e.g. 2.5");
    case "switch":
      return true;
  }
}

/** `{ [key]: value }`, or nothing for an unset flag (so invocations hold only what was given). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A `host:port` to listen on, where port 0 (any free port) is allowed. */
function listenAddress(text: string): Address | undefined {
  const zero = /:0$/.test(text);
  const address = parseAddress(zero ? text.replace(/:0$/, ":1") : text);
  return address === undefined ? undefined : { host: address.host, port: zero ? 0 : address.port };
}

function nodeOptions(values: Map<string, FlagValue>): NodeOptions {
  const host = (values.get("host") as string | undefined) ?? "127.0.0.1";
  const advertise = values.get("advertise") as Address | undefined;
  // Listening on every interface is fine; advertising it is not.
  const problem = advertiseProblem(advertise?.host ?? host);
  if (problem) {
    throw new UsageError(
      advertise
        ? `Invalid --advertise ${formatAddress(advertise)}: ${problem}`
        : `Invalid --host ${quoteInput(host)}: ${problem}`,
    );
  }
  return {
    host,
    ...optional("advertise", advertise),
    ...optional("metrics", values.get("metrics") as Address | undefined),
    port: values.get("port") as number,
    configPath: (values.get("config") as string | undefined) ?? "config.csv",
    logDir: (values.get("log-dir") as string | undefined) ?? "logs",
    logLevel: (values.get("log-level") as EventLevel | undefined) ?? "info",
    exitOnStdinClose: values.get("exit-on-stdin-close") === true,
    ...keyFileOf(values),
  };
}

function keyFileOf(values: Map<string, FlagValue>): { keyFile?: string } {
  return optional("keyFile", values.get("key-file") as string | undefined);
}

function tuningOf(
  specs: readonly FlagSpec[],
  values: Map<string, FlagValue>,
): Record<string, number> {
  const tuning: Record<string, number> = {};
  for (const spec of specs) {
    const value = values.get(spec.name);
    if (spec.knob && typeof value === "number") tuning[spec.knob] = value;
  }
  return tuning;
}

function upInvocation(specs: readonly FlagSpec[], values: Map<string, FlagValue>): UpInvocation {
  const peerArgs: string[] = [];
  for (const spec of specs) {
    const value = values.get(spec.name);
    if (!spec.knob || typeof value !== "number") continue;
    peerArgs.push(`--${spec.name}`, spec.kind === "duration" ? `${value}ms` : String(value));
  }
  const host = (values.get("host") as string | undefined) ?? "127.0.0.1";
  const advertise = values.get("advertise") as Address | undefined;
  // Every node of `up` advertises --host (or --advertise), so it must be one
  // the others can dial.
  const problem = advertiseProblem(advertise?.host ?? host);
  if (problem) {
    throw new UsageError(
      advertise
        ? `Invalid --advertise ${formatAddress(advertise)}: ${problem}`
        : `Invalid --host ${quoteInput(host)}: ${problem}`,
    );
  }
  const secure = values.get("secure") === true;
  if (secure && values.has("key-file")) {
    throw new UsageError("Give up either --secure (a new key) or --key-file, not both");
  }
  return {
    command: "up",
    seeds: (values.get("seeds") as number | undefined) ?? 3,
    peers: (values.get("peers") as number | undefined) ?? 10,
    basePort: (values.get("base-port") as number | undefined) ?? 5000,
    host,
    logDir: values.get("log-dir") as string | undefined,
    durationMs: values.get("duration") as number | undefined,
    configPath: values.get("config") as string | undefined,
    peerArgs,
    peerTuning: tuningOf(specs, values) as Partial<PeerTuning>,
    ...optional("metrics", values.get("metrics") as Address | undefined),
    ...optional("advertise", advertise),
    ui: values.get("ui") as Address | undefined,
    verbose: values.get("verbose") === true,
    ...keyFileOf(values),
    secure,
    ...runMode(values),
    ...optional("workers", values.get("workers") as number | undefined),
  };
}

function runMode(
  values: Map<string, FlagValue>,
): { inProcess: boolean; inProcessByDefault: boolean } {
  const asked = values.get("in-process") === true;
  const processes = values.get("processes") === true;
  if (asked && processes) {
    throw new UsageError("Give up either --in-process or --processes, not both");
  }
  const peers = (values.get("peers") as number | undefined) ?? 10;
  const byDefault = !asked && !processes && peers > IN_PROCESS_ABOVE_PEERS;
  if (values.get("workers") !== undefined && !asked && !byDefault) {
    throw new UsageError("--workers is for in-process nodes: give --in-process too");
  }
  return { inProcess: asked || byDefault, inProcessByDefault: byDefault };
}

function sendInvocation(values: Map<string, FlagValue>, words: readonly string[]): SendInvocation {
  const file = values.get("file") as string | undefined;
  const text = words.join(" ");
  if (file !== undefined && words.length > 0) {
    throw new UsageError(`Give send either <text> or --file, not both`);
  }
  const source: SendSource = file !== undefined
    ? { from: "file", path: file }
    : words.length === 1 && words[0] === "-"
    ? { from: "stdin" }
    : words.length > 0
    ? { from: "text", text }
    : (() => {
      throw new UsageError(
        "Missing what to send: give <text>, --file <file>, or - to send each line of stdin",
      );
    })();
  return {
    command: "send",
    peer: values.get("peer") as Address,
    source,
    timeoutMs: (values.get("timeout") as number | undefined) ?? 5_000,
    ...keyFileOf(values),
  };
}
