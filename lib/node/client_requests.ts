/**
 * Answers to the one-question clients of `gossipnet send`, `status` and
 * `members`, shared by both roles: each request carries an id that the
 * reply echoes.
 *
 * @module
 */

import { errorText } from "../util/errors.ts";
import type { FramedConnection } from "../wire/connection.ts";
import { MAX_FRAME_BYTES } from "../wire/frame.ts";
import { type Message, type PublishedMessage, type PublishMessage } from "../wire/messages.ts";
import type { NodeStatus } from "./node_status.ts";

/** What a node offers its clients; an absent entry refuses that request. */
export interface ClientServices {
  /** The node's status document. */
  status(): NodeStatus;
  /** Publishes a payload (peers only). @throws {RangeError} When it is too large. */
  publish?(data: Uint8Array): Omit<PublishedMessage, "kind" | "requestId">;
  /** Sends the reply messages to a members request (seeds only). */
  members?(requestId: number): Message[];
}

/**
 * Handles a client request on `connection`. Returns false for a message
 * that is not a request this node answers (the caller then closes the
 * connection as a protocol error).
 */
export function answerClient(
  connection: FramedConnection,
  message: Message,
  services: ClientServices,
): boolean {
  switch (message.kind) {
    case "status_request":
      connection.send({
        kind: "status",
        requestId: message.requestId,
        json: statusJson(services.status()),
      });
      return true;
    case "publish":
      if (!services.publish) return false;
      publishFor(connection, message, services.publish);
      return true;
    case "members_request":
      if (!services.members) return false;
      for (const part of services.members(message.requestId)) connection.send(part);
      return true;
    default:
      return false;
  }
}

/** Bytes a status document may take: one frame less the type byte and request id. */
const MAX_STATUS_BYTES = MAX_FRAME_BYTES - 1 - 4;

/**
 * The status as JSON that fits one frame: a hub with hundreds of long
 * (IPv6) neighbour addresses lists fewer of them (`neighborCount` stays
 * exact).
 */
export function statusJson(status: NodeStatus): string {
  let json = JSON.stringify(status);
  if (status.role !== "peer") return json;
  let listed = status.neighbors.length;
  const encoder = new TextEncoder();
  while (encoder.encode(json).length > MAX_STATUS_BYTES && listed > 0) {
    listed = Math.floor(listed / 2);
    json = JSON.stringify({ ...status, neighbors: status.neighbors.slice(0, listed) });
  }
  return json;
}

function publishFor(
  connection: FramedConnection,
  message: PublishMessage,
  publish: NonNullable<ClientServices["publish"]>,
): void {
  let result;
  try {
    // The payload is a view into the read buffer; publishing copies it into frames at once.
    result = publish(message.data);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    connection.fail("local", "too_large", errorText(error));
    return;
  }
  connection.send({ kind: "published", requestId: message.requestId, ...result });
}
