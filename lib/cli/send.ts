/**
 * `gossipnet send --peer host:port (<text> | --file F | -)`: publishes
 * through a running peer over a client connection and prints each
 * message's id. Sizes are checked before anything is sent; a seed, or a
 * port where nothing listens, is a one-line error with exit code 1.
 *
 * @module
 */

import { formatMessageId } from "../protocol/message_id.ts";
import { formatAddress } from "../util/address.ts";
import { type Clock, systemClock } from "../util/clock.ts";
import { errorText, RuntimeError, UsageError } from "../util/errors.ts";
import { LineSplitter } from "../util/line_splitter.ts";
import { ClientLink } from "../wire/client.ts";
import { MAX_PAYLOAD_BYTES, type PublishedMessage } from "../wire/messages.ts";
import { tcpTransport, type Transport } from "../wire/transport.ts";
import type { KeyringSource } from "../wire/keyring.ts";
import type { SendInvocation } from "./args.ts";
import { clientKeys } from "./key_env.ts";

const DIAL_TIMEOUT_MS = 3000;

/** Where `send` reads and writes; injected by tests. */
export interface SendContext {
  /** @default {tcpTransport} */
  transport?: Transport;
  /** @default {systemClock} */
  clock?: Clock;
  /** The network keys, from `--key-file` or `GOSSIPNET_KEY`. @default {none: plaintext} */
  keyring?: KeyringSource;
  /** Lines of stdin, for `-`. @default {Deno.stdin} */
  stdin?: ReadableStream<Uint8Array>;
  /** Reads `--file`. @default {Deno.readFile} */
  readFile?: (path: string) => Promise<Uint8Array>;
  /** One line of output (an id). */
  print(line: string): Promise<void>;
  /** One line for stderr (a warning, a skipped line). */
  warn(line: string): Promise<void>;
}

/** The error for a payload over the limit; `what` says which payload. */
export function oversize(what: string, bytes: number): string {
  return `${what} is ${bytes} bytes; a message may carry at most ${MAX_PAYLOAD_BYTES}`;
}

/** Opens a client link to a peer, refusing seeds and clients. */
async function openPeer(invocation: SendInvocation, context: SendContext): Promise<ClientLink> {
  const key = formatAddress(invocation.peer);
  let link: ClientLink;
  try {
    link = await ClientLink.open(invocation.peer, {
      transport: context.transport ?? tcpTransport,
      clock: context.clock ?? systemClock,
      timeoutMs: DIAL_TIMEOUT_MS,
      ...(context.keyring ? { keyring: context.keyring } : {}),
    });
  } catch (error) {
    const why = errorText(error).replace(/^Cannot connect to \S+: /, "");
    throw new RuntimeError(`Cannot reach peer ${key}: ${why}`);
  }
  if (link.remoteRole !== "peer") {
    await link.close();
    throw new RuntimeError(
      `${key} is a ${link.remoteRole}, not a peer: send through a peer (nothing was sent)`,
    );
  }
  return link;
}

async function publish(
  link: ClientLink,
  data: Uint8Array,
  timeoutMs: number,
): Promise<PublishedMessage> {
  const requestId = link.nextRequestId();
  return await link.request(
    { kind: "publish", requestId, data },
    (m) =>
      m.kind === "published" && m.requestId === requestId
        ? { step: "done", value: m }
        : { step: "ignore" },
    timeoutMs,
  );
}

/** Runs `send`; resolves to the exit code (1 if a stdin line was skipped). */
export async function sendMessages(
  invocation: SendInvocation,
  context: SendContext,
): Promise<number> {
  const source = invocation.source;
  let single: Uint8Array | undefined;
  if (source.from === "text") single = new TextEncoder().encode(source.text);
  if (source.from === "file") {
    try {
      single = await (context.readFile ?? Deno.readFile)(source.path);
    } catch (error) {
      throw new UsageError(`Cannot read --file ${source.path}: ${errorText(error)}`);
    }
  }
  if (single && single.length > MAX_PAYLOAD_BYTES) {
    const what = source.from === "file" ? `--file ${source.path}` : "The text";
    throw new UsageError(`Cannot send: ${oversize(what, single.length)}`);
  }
  const link = await openPeer(invocation, context);
  const sendOne = async (data: Uint8Array) => {
    let published: PublishedMessage;
    try {
      published = await publish(link, data, invocation.timeoutMs);
    } catch (error) {
      throw new RuntimeError(`Send through ${link.remoteKey} failed: ${errorText(error)}`);
    }
    const id = formatMessageId(published.originId, published.seq);
    await context.print(id);
    if (published.neighbors === 0) {
      await context.warn(`warning: ${link.remoteKey} has no neighbours yet; nobody received ${id}`);
    }
  };
  try {
    if (single) {
      await sendOne(single);
      return 0;
    }
    return await sendLines(context, sendOne);
  } finally {
    await link.close();
  }
}

async function sendLines(
  context: SendContext,
  sendOne: (data: Uint8Array) => Promise<void>,
): Promise<number> {
  const encoder = new TextEncoder();
  const lines = new LineSplitter();
  let number = 0;
  let skipped = 0;
  const each = async (line: string) => {
    number++;
    const data = encoder.encode(line);
    if (data.length > MAX_PAYLOAD_BYTES) {
      skipped++;
      await context.warn(`skipped: ${oversize(`line ${number}`, data.length)}`);
      return;
    }
    await sendOne(data);
  };
  const input = context.stdin ?? Deno.stdin.readable;
  for await (const chunk of input.pipeThrough(new TextDecoderStream())) {
    for (const line of lines.push(chunk)) await each(line);
  }
  for (const line of lines.flush()) await each(line);
  return skipped > 0 ? 1 : 0;
}

/** `gossipnet send` on the real stdin and stdout. */
export async function runSend(invocation: SendInvocation): Promise<number> {
  const encoder = new TextEncoder();
  const write = async (stream: typeof Deno.stdout, text: string) => {
    const bytes = encoder.encode(text + "\n");
    let written = 0;
    while (written < bytes.length) written += await stream.write(bytes.subarray(written));
  };
  return await sendMessages(invocation, {
    ...await clientKeys(invocation.keyFile),
    print: (line) => write(Deno.stdout, line),
    warn: (line) => write(Deno.stderr, `gossipnet: ${line}`),
  });
}
