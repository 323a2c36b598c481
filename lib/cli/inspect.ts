/**
 * `gossipnet members --seed host:port` and `gossipnet status --node
 * host:port`: ask a running node over a client connection and print its
 * answer as a table, or as JSON with `--json`.
 *
 * @module
 */

import { type NodeStatus, parseNodeStatus } from "../node/node_status.ts";
import type { MemberRecord } from "../protocol/membership_types.ts";
import { formatAddress } from "../util/address.ts";
import { type Clock, systemClock } from "../util/clock.ts";
import { errorText, RuntimeError } from "../util/errors.ts";
import { ClientLink } from "../wire/client.ts";
import { tcpTransport, type Transport } from "../wire/transport.ts";
import type { KeyringSource } from "../wire/keyring.ts";
import type { InspectInvocation } from "./args.ts";
import { clientKeys } from "./key_env.ts";
import { formatMembers, formatStatus, membersJson } from "./inspect_text.ts";

const DIAL_TIMEOUT_MS = 3000;

/** Where the inspect commands connect; injected by tests. */
export interface InspectContext {
  /** @default {tcpTransport} */
  transport?: Transport;
  /** @default {systemClock} */
  clock?: Clock;
  /** The network keys, from `--key-file` or `GOSSIPNET_KEY`. @default {none: plaintext} */
  keyring?: KeyringSource;
}

async function open(invocation: InspectInvocation, context: InspectContext): Promise<ClientLink> {
  try {
    return await ClientLink.open(invocation.node, {
      transport: context.transport ?? tcpTransport,
      clock: context.clock ?? systemClock,
      timeoutMs: DIAL_TIMEOUT_MS,
      ...(context.keyring ? { keyring: context.keyring } : {}),
    });
  } catch (error) {
    const why = errorText(error).replace(/^Cannot connect to \S+: /, "");
    throw new RuntimeError(`Cannot reach ${formatAddress(invocation.node)}: ${why}`);
  }
}

async function ask<T>(
  invocation: InspectInvocation,
  context: InspectContext,
  question: (link: ClientLink) => Promise<T>,
): Promise<T> {
  const link = await open(invocation, context);
  try {
    return await question(link);
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    throw new RuntimeError(`${link.remoteKey} gave no answer: ${errorText(error)}`);
  } finally {
    await link.close();
  }
}

/** Fetches a seed's Peer List, removed peers included. */
export function fetchMembers(
  invocation: InspectInvocation,
  context: InspectContext = {},
): Promise<MemberRecord[]> {
  return ask(invocation, context, async (link) => {
    if (link.remoteRole !== "seed") {
      throw new RuntimeError(
        `${link.remoteKey} is a ${link.remoteRole}, not a seed: ask a seed for the members`,
      );
    }
    const requestId = link.nextRequestId();
    const records: MemberRecord[] = [];
    return await link.request({ kind: "members_request", requestId }, (m) => {
      if (m.kind !== "members" || m.requestId !== requestId) return { step: "ignore" };
      records.push(...m.records);
      return m.more ? { step: "more" } : { step: "done", value: records };
    }, invocation.timeoutMs);
  });
}

/** Fetches a node's status document. */
export function fetchStatus(
  invocation: InspectInvocation,
  context: InspectContext = {},
): Promise<NodeStatus> {
  return ask(invocation, context, async (link) => {
    const requestId = link.nextRequestId();
    const json = await link.request(
      { kind: "status_request", requestId },
      (m) =>
        m.kind === "status" && m.requestId === requestId
          ? { step: "done", value: m.json }
          : { step: "ignore" },
      invocation.timeoutMs,
    );
    return parseNodeStatus(json);
  });
}

/** Runs `members` or `status`; resolves to the exit code. */
export async function runInspect(invocation: InspectInvocation): Promise<number> {
  const context = await clientKeys(invocation.keyFile);
  let text: string;
  if (invocation.command === "members") {
    const records = await fetchMembers(invocation, context);
    const seed = formatAddress(invocation.node);
    text = invocation.json
      ? JSON.stringify(membersJson(records), null, 2) + "\n"
      : formatMembers(records, seed);
  } else {
    const status = await fetchStatus(invocation, context);
    text = invocation.json ? JSON.stringify(status, null, 2) + "\n" : formatStatus(status);
  }
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
  return 0;
}
