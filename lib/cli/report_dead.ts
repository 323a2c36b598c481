/**
 * `gossipnet report-dead`: sends the Dead Node report a peer would send,
 * waits for the seeds' decision and prints it. Exit 0 whatever the decision
 * (removed, rejected because the peer answered, not in the list); 1 when the
 * seed cannot be reached or does not answer in time.
 *
 * @module
 */

import { formatDeadReport } from "../peer/dead_report.ts";
import { formatAddress } from "../util/address.ts";
import { RuntimeError } from "../util/errors.ts";
import { newNodeId } from "../util/random.ts";
import { FramedConnection } from "../wire/connection.ts";
import { type DecisionMessage, PROTOCOL_VERSION } from "../wire/messages.ts";
import { tcpTransport } from "../wire/transport.ts";
import type { ReportDeadInvocation } from "./args.ts";

const DIAL_TIMEOUT_MS = 3000;

/** Sends the report and prints the decision; resolves to the exit code. */
export async function runReportDead(invocation: ReportDeadInvocation): Promise<number> {
  const seedKey = formatAddress(invocation.seed);
  const deadKey = formatAddress(invocation.dead);
  let link;
  try {
    link = await tcpTransport.dial(invocation.seed, { timeoutMs: DIAL_TIMEOUT_MS });
  } catch (error) {
    throw new RuntimeError(`Cannot reach seed ${seedKey}: ${reason(error)}`);
  }
  const raw = formatDeadReport({
    dead: invocation.dead,
    timestampMs: Date.now(),
    reporterHost: link.localHost,
  });
  let decided: (message: DecisionMessage) => void = () => {};
  const decision = new Promise<DecisionMessage>((resolve) => decided = resolve);
  const connection = new FramedConnection(link.stream, {
    direction: "out",
    remoteLabel: seedKey,
    localHello: {
      kind: "hello",
      version: PROTOCOL_VERSION,
      role: "client",
      nodeId: newNodeId(),
      address: { host: link.localHost, port: 0 },
    },
    handler: {
      onHello: (conn, hello) => {
        if (hello.role !== "seed") return { code: "unexpected_message", text: "Expected a seed" };
        conn.send({ kind: "dead_node", text: raw });
        return undefined;
      },
      onMessage: (_conn, message) => {
        if (message.kind === "decision") decided(message);
      },
      onClose: () => {},
    },
  });
  connection.start();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    decision,
    connection.closed.then((info) => `connection closed: ${info.detail}`),
    new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`no decision within ${invocation.timeoutMs}ms`),
        invocation.timeoutMs,
      );
    }),
  ]);
  clearTimeout(timer);
  connection.close("local", "done");
  if (typeof outcome === "string") {
    throw new RuntimeError(`Seed ${seedKey} gave no decision: ${outcome}`);
  }
  const lines: Record<string, string> = {
    removed: `removed: ${deadKey} is no longer in the peer list`,
    rejected: `rejected: ${deadKey} stays (it answered, or the seeds did not agree)`,
    not_member: `not in the peer list: ${deadKey} (nothing to remove)`,
    invalid: "invalid report",
  };
  const headline = lines[outcome.outcome] ?? `${outcome.outcome}: ${deadKey}`;
  await writeLine(`${headline}\n  report: ${raw}\n  seeds: ${outcome.text}\n`);
  return 0;
}

function reason(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (error instanceof DOMException && error.name === "TimeoutError") return "timed out";
  return error instanceof Error ? error.message : String(error);
}

async function writeLine(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}
