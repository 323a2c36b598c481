/**
 * A run's directory on disk: `nodes.json` (the manifest `up` keeps: every
 * node's name, address, log file, PIDs and outages, and when the run started
 * and stopped) and one JSON Lines log per node. {@linkcode readRunLogs}
 * turns a directory into the input of `summarizeRun`, so a benchmark or a
 * later look at an old run gets the same figures `up` printed.
 *
 * @module
 */

import { logFileName } from "../log/logger.ts";
import { formatAddress } from "../util/address.ts";
import { ConfigError, errorText, RuntimeError } from "../util/errors.ts";
import { LineSplitter } from "../util/line_splitter.ts";
import { parseRecordLine, type RunRecord } from "./records.ts";
import type { Outage, RunNode } from "./summary.ts";

/** File name of the manifest inside the log directory. */
export const MANIFEST_FILE = "nodes.json";

/** One node in the manifest. */
export interface ManifestNode {
  readonly name: string;
  readonly role: "seed" | "peer";
  /** `host:port`. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** Log file name inside the run directory. */
  readonly log: string;
  /** Every process id this node has had (one more per restart). */
  readonly pids: readonly number[];
  readonly outages: readonly Outage[];
}

/** `nodes.json`. */
export interface RunManifest {
  /** Unix ms when `up` started; older log lines belong to an earlier run. */
  readonly startTs: number;
  /** Unix ms when `up` began to stop its nodes, once it has. */
  readonly stopTs?: number;
  /** The `up` process. */
  readonly pid: number;
  readonly nodes: readonly ManifestNode[];
}

/** A run read back from disk. */
export interface RunLogs {
  readonly nodes: RunNode[];
  /** From the manifest, when there is one. */
  readonly manifest?: RunManifest;
}

/**
 * Writes `nodes.json` atomically (a reader never sees half a file).
 * @throws {RuntimeError} When the directory is not writable.
 */
export function writeRunManifest(dir: string, manifest: RunManifest): void {
  const path = `${dir}/${MANIFEST_FILE}`;
  try {
    Deno.writeTextFileSync(`${path}.tmp`, JSON.stringify(manifest, null, 2) + "\n");
    Deno.renameSync(`${path}.tmp`, path);
  } catch (error) {
    throw new RuntimeError(`Cannot write ${path}: ${errorText(error)}`, { cause: error });
  }
}

function isOutage(value: unknown): value is Outage {
  if (typeof value !== "object" || value === null) return false;
  const o = value as Record<string, unknown>;
  return (o.kind === "kill" || o.kind === "pause") && typeof o.fromTs === "number" &&
    (o.toTs === undefined || typeof o.toTs === "number");
}

function isManifestNode(value: unknown): value is ManifestNode {
  if (typeof value !== "object" || value === null) return false;
  const n = value as Record<string, unknown>;
  return typeof n.name === "string" && (n.role === "seed" || n.role === "peer") &&
    typeof n.address === "string" && typeof n.host === "string" && typeof n.port === "number" &&
    typeof n.log === "string" && !n.log.includes("/") && !n.log.includes("\\") &&
    Array.isArray(n.pids) && n.pids.every((p) => typeof p === "number") &&
    Array.isArray(n.outages) && n.outages.every(isOutage);
}

/**
 * Parses `nodes.json` text; `undefined` when it is not a manifest.
 *
 * @example Usage
 * ```ts
 * import { parseRunManifest } from "./run_logs.ts";
 * parseRunManifest('{"startTs":1,"pid":2,"nodes":[]}')?.pid; // 2
 * parseRunManifest("[]"); // undefined
 * ```
 */
export function parseRunManifest(text: string): RunManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.startTs !== "number" || typeof m.pid !== "number") return undefined;
  if (m.stopTs !== undefined && typeof m.stopTs !== "number") return undefined;
  if (!Array.isArray(m.nodes) || !m.nodes.every(isManifestNode)) return undefined;
  return value as RunManifest;
}

/** Reads a log file's records (skipping bad lines and any before `sinceTs`). */
export async function readLogRecords(path: string, sinceTs = -Infinity): Promise<RunRecord[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new RuntimeError(`Cannot read ${path}: ${errorText(error)}`, { cause: error });
  }
  const splitter = new LineSplitter();
  const records: RunRecord[] = [];
  for (const line of [...splitter.push(text), ...splitter.flush()]) {
    const record = parseRecordLine(line);
    if (record !== undefined && record.ts >= sinceTs) records.push(record);
  }
  return records;
}

/** Log files read at once by {@linkcode readRunLogs}. */
const READ_CONCURRENCY = 8;

const LOG_NAME = /^(seed|peer)-(.+)-(\d{1,5})\.jsonl$/;

async function nodesFromFileNames(dir: string): Promise<ManifestNode[]> {
  const nodes: ManifestNode[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = entry.isFile ? LOG_NAME.exec(entry.name) : null;
    if (!match) continue;
    // logFileName() writes an IPv6 host's ":" as "_".
    const host = (match[2] as string).replaceAll("_", ":");
    const port = Number(match[3]);
    const role = match[1] as "seed" | "peer";
    nodes.push({
      name: "",
      role,
      host,
      port,
      address: formatAddress({ host, port }),
      log: entry.name,
      pids: [],
      outages: [],
    });
  }
  const rank = (n: ManifestNode) => n.role === "seed" ? 0 : 1;
  return nodes.sort((a, b) => rank(a) - rank(b) || a.port - b.port);
}

/**
 * Reads a run directory: the manifest if there is one (names, outages,
 * start and stop), else every `<role>-<host>-<port>.jsonl` file in it.
 *
 * @throws {RuntimeError} When the directory or a log cannot be read.
 */
export async function readRunLogs(dir: string): Promise<RunLogs> {
  let manifest: RunManifest | undefined;
  try {
    manifest = parseRunManifest(await Deno.readTextFile(`${dir}/${MANIFEST_FILE}`));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new RuntimeError(`Cannot read ${dir}/${MANIFEST_FILE}: ${errorText(error)}`);
    }
  }
  let listed: readonly ManifestNode[];
  try {
    listed = manifest?.nodes ?? await nodesFromFileNames(dir);
  } catch (error) {
    throw new RuntimeError(`Cannot read ${dir}: ${errorText(error)}`, { cause: error });
  }
  const nodes: RunNode[] = new Array(listed.length);
  // A few files at a time: a thousand nodes' texts all read at once would
  // sit in memory together (hundreds of MB) before any of them is parsed.
  let next = 0;
  const reader = async () => {
    while (next < listed.length) {
      const i = next++;
      const n = listed[i]!;
      const records = await readLogRecords(`${dir}/${n.log}`, manifest?.startTs);
      const base = { role: n.role, address: n.address, records, outages: n.outages };
      nodes[i] = n.name === "" ? base : { ...base, name: n.name };
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, listed.length) }, reader));
  return manifest === undefined ? { nodes } : { nodes, manifest };
}

/** The manifest entry for a node about to run. */
export function manifestNode(
  node: { name: string; role: "seed" | "peer"; host: string; port: number; address: string },
  pids: readonly number[],
  outages: readonly Outage[],
): ManifestNode {
  return { ...node, log: logFileName(node.role, node.host, node.port), pids, outages };
}

/**
 * Creates the run directory: `given`, or a fresh `logs/run-<timestamp>`.
 * Returns its path without a trailing slash.
 * @throws {ConfigError} When it cannot be created.
 */
export async function prepareRunDir(given: string | undefined): Promise<string> {
  let dir = given;
  if (dir === undefined) {
    const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "-");
    dir = `logs/run-${stamp}`;
    for (let n = 2; await exists(dir); n++) dir = `logs/run-${stamp}-${n}`;
  }
  if (dir.length > 1) dir = dir.replace(/[\\/]+$/, "");
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new ConfigError(`Cannot create log directory ${dir}: ${errorText(error)}`);
  }
  return dir;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a text file of the run.
 * @throws {RuntimeError} Naming the file when it cannot be written.
 */
export async function writeRunFile(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (error) {
    throw new RuntimeError(`Cannot write ${path}: ${errorText(error)}`);
  }
}
