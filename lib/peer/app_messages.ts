/**
 * Application messages: publishing a user's payload and flooding every
 * message seen for the first time, exactly as gossip is flooded (to every
 * neighbour but the one it came from and its origin, once, deduplicated by
 * the Message List). The one difference on the way through is the hop
 * count, which a relay bumps in its copy of the frame before forwarding;
 * the rest of the frame is forwarded as received, never re-encoded.
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import { formatMessageId } from "../protocol/message_id.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { Clock } from "../util/clock.ts";
import { type Frame, FRAME_HEADER_BYTES } from "../wire/frame.ts";
import {
  APP_HOPS_OFFSET,
  type AppMessageWire,
  encodeMessage,
  MAX_PAYLOAD_BYTES,
  MessageType,
} from "../wire/messages.ts";
import type { MessageList } from "./message_list.ts";
import type { NeighborTable } from "./neighbors.ts";

/** An application message as a receiving peer hands it to the user. */
export interface ReceivedMessage {
  /** `<origin node id>-<seq>`: unique in the network. */
  readonly id: string;
  /** The origin peer's advertised address, `host:port`. */
  readonly origin: string;
  /** The payload, exactly as published. */
  readonly data: Uint8Array;
  /** Links it crossed to get here (1: straight from its origin). */
  readonly hops: number;
  /** When this peer received it (Unix ms). */
  readonly receivedAt: number;
  /** The neighbour it came from, `host:port`. */
  readonly from: string;
}

/** What {@linkcode AppMessages.publish} did. */
export interface Published {
  /** The new message's id. */
  readonly id: string;
  /** Its sequence number at this origin. */
  readonly seq: number;
  /** Neighbours it was sent to; 0 means nobody will receive it. */
  readonly neighbors: number;
}

/** What {@linkcode AppMessages} needs. */
export interface AppMessagesOptions {
  /** This peer's advertised address. */
  self: Address;
  /** This peer's node id. */
  nodeId: string;
  messages: MessageList;
  neighbors: NeighborTable;
  log: EventLog;
  clock: Clock;
  /** Called once per message received for the first time (not for this peer's own). */
  deliver(message: ReceivedMessage): void;
}

const MAX_SEQ = 0xffff_ffff;

/** Publishes and relays application messages. */
export class AppMessages {
  readonly #options: AppMessagesOptions;
  readonly #selfKey: string;
  #seq = 0;

  /** Creates the engine for one peer. */
  constructor(options: AppMessagesOptions) {
    this.#options = options;
    this.#selfKey = formatAddress(options.self);
  }

  /**
   * Sends `data` to every neighbour as a new message.
   * @throws {RangeError} If `data` exceeds {@linkcode MAX_PAYLOAD_BYTES}, or
   * this peer has used all 4294967295 sequence numbers.
   */
  publish(data: Uint8Array): Published {
    if (data.length > MAX_PAYLOAD_BYTES) {
      throw new RangeError(
        `Payload of ${data.length} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`,
      );
    }
    if (this.#seq >= MAX_SEQ) {
      throw new RangeError("This peer has used every message sequence number; restart it");
    }
    const seq = ++this.#seq;
    const { nodeId, self } = this.#options;
    const id = formatMessageId(nodeId, seq);
    this.#options.messages.record(nodeId, id, "self");
    const frame = encodeMessage({
      kind: "app_message",
      hops: 1,
      originId: nodeId,
      seq,
      origin: self,
      data,
    });
    const payload = frame.subarray(FRAME_HEADER_BYTES);
    const neighbors = this.#options.neighbors.list();
    for (const neighbor of neighbors) {
      neighbor.connection.sendFrame(MessageType.AppMessage, payload);
    }
    this.#options.log.emit({
      event: "message_published",
      id,
      bytes: data.length,
      neighbors: neighbors.length,
    });
    return { id, seq, neighbors: neighbors.length };
  }

  /** Handles an `app_message` frame from neighbour `from`. */
  receive(from: string, message: AppMessageWire, frame: Frame): void {
    const id = formatMessageId(message.originId, message.seq);
    if (this.#options.messages.record(message.originId, id, from) === "duplicate") return;
    if (message.originId === this.#options.nodeId) return; // its own, forgotten and back
    const origin = formatAddress(message.origin);
    // One copy per receipt (the frame is only valid during this call): the
    // forwarded frame and the payload handed to the user share it.
    const copy = frame.payload.slice();
    const hops = Math.min(message.hops + 1, 0xffff);
    copy[APP_HOPS_OFFSET] = hops >>> 8;
    copy[APP_HOPS_OFFSET + 1] = hops & 0xff;
    for (const neighbor of this.#options.neighbors.list()) {
      if (neighbor.key === from || neighbor.key === origin || neighbor.key === this.#selfKey) {
        continue;
      }
      neighbor.connection.sendFrame(frame.type, copy);
    }
    const data = copy.subarray(copy.length - message.data.length);
    this.#options.deliver({
      id,
      origin,
      data,
      hops: message.hops,
      receivedAt: this.#options.clock.now(),
      from,
    });
    // As for gossip: the log line waits until the frames are on their way.
    queueMicrotask(() =>
      this.#options.log.emit({
        event: "message_received",
        id,
        origin,
        from,
        bytes: data.length,
        hops: message.hops,
      })
    );
  }
}
