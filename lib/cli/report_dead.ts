/**
 * `gossipnet report-dead`: sends the Dead Node report a peer would send,
 * waits for the seeds' decision and prints it. Exit 0 whatever the decision
 * (removed, rejected because the peer answered, not in the list); 1 when the
 * seed cannot be reached or does not answer in time.
 *
 * @module
 */

import { formatDeadReport } from "../protocol/dead_report.ts";
import { formatAddress } from "../util/address.ts";
import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
import { errorText, RuntimeError } from "../util/errors.ts";
import { newNodeId } from "../util/random.ts";
import { dialNode } from "../wire/dial.ts";
import { type DecisionMessage, PROTOCOL_VERSION } from "../wire/messages.ts";
import { tcpTransport, type Transport } from "../wire/transport.ts";
import type { KeyringSource } from "../wire/keyring.ts";
import type { ReportDeadInvocation } from "./args.ts";
import { clientKeys } from "./key_env.ts";

const DIAL_TIMEOUT_MS = 3000;

/** What {@linkcode reportDead} needs besides the invocation. */
export interface ReportDeadContext {
  /** @default {tcpTransport} */
  transport?: Transport;
  /** @default {systemClock} */
  clock?: Clock;
  /** The network keys, from `--key-file` or `GOSSIPNET_KEY`. @default {none: plaintext} */
  keyring?: KeyringSource;
}

/** Sends the report and returns the seeds' decision with the report text. */
export async function reportDead(
  invocation: ReportDeadInvocation,
  context: ReportDeadContext = {},
): Promise<{ decision: DecisionMessage; raw: string }> {
  const clock = context.clock ?? systemClock;
  const seedKey = formatAddress(invocation.seed);
  let raw = "";
  let decided: (message: DecisionMessage) => void = () => {};
  const decision = new Promise<DecisionMessage>((resolve) => decided = resolve);
  let connection;
  try {
    connection = await dialNode(invocation.seed, {
      transport: context.transport ?? tcpTransport,
      clock,
      timeoutMs: DIAL_TIMEOUT_MS,
      ...(context.keyring ? { connection: { keyring: context.keyring } } : {}),
      // A client does not listen: it names the address it has on this link.
      localHello: (link) => {
        raw = formatDeadReport({
          dead: invocation.dead,
          timestampMs: clock.now(),
          reporterHost: link.localHost,
        });
        return {
          kind: "hello",
          version: PROTOCOL_VERSION,
          role: "client",
          nodeId: newNodeId(),
          address: { host: link.localHost, port: 0 },
        };
      },
      handler: {
        onHello: (_conn, hello) =>
          hello.role === "seed"
            ? undefined
            : { code: "unexpected_message", text: "Expected a seed" },
        onMessage: (_conn, message) => {
          if (message.kind === "decision") decided(message);
        },
        onClose: () => {},
      },
    });
  } catch (error) {
    const why = errorText(error).replace(/^Cannot connect to \S+: /, "");
    throw new RuntimeError(`Cannot reach seed ${seedKey}: ${why}`);
  }
  connection.send({ kind: "dead_node", text: raw });
  let timer: TimerHandle | undefined;
  const outcome = await Promise.race([
    decision,
    connection.closed.then((info) => `connection closed: ${info.detail}`),
    new Promise<string>((resolve) => {
      timer = clock.setTimeout(
        () => resolve(`no decision within ${invocation.timeoutMs}ms`),
        invocation.timeoutMs,
      );
    }),
  ]);
  clock.clearTimeout(timer);
  connection.close("local", "done");
  if (typeof outcome === "string") {
    throw new RuntimeError(`Seed ${seedKey} gave no decision: ${outcome}`);
  }
  return { decision: outcome, raw };
}

/** The decision as the lines `report-dead` prints. */
export function formatDecision(decision: DecisionMessage, raw: string, deadKey: string): string {
  const lines: Record<string, string> = {
    removed: `removed: ${deadKey} is no longer in the peer list`,
    rejected: `rejected: ${deadKey} stays (it answered, or the seeds did not agree)`,
    not_member: `not in the peer list: ${deadKey} (nothing to remove)`,
    invalid: "invalid report",
  };
  const headline = lines[decision.outcome] ?? `${decision.outcome}: ${deadKey}`;
  return `${headline}\n  report: ${raw}\n  seeds: ${decision.text}\n`;
}

/** Runs `report-dead`; resolves to the exit code. */
export async function runReportDead(invocation: ReportDeadInvocation): Promise<number> {
  const { decision, raw } = await reportDead(invocation, await clientKeys(invocation.keyFile));
  await writeText(formatDecision(decision, raw, formatAddress(invocation.dead)));
  return 0;
}

async function writeText(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}
