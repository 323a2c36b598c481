/**
 * gossipnet as a library: run seeds and peers in your program, publish
 * your own payloads to every peer of the network, and receive theirs.
 *
 * A network has a few **seeds**, which keep the membership, and any number
 * of **peers**, which register with a majority of the seeds, link to a few
 * other peers and flood each message to all of them exactly once.
 *
 * ```ts
 * import { startPeer, startSeed } from "./mod.ts";
 *
 * // A one-seed network on free ports, quiet (no demo gossip).
 * await using seed = await startSeed({ port: 0, seeds: [] });
 * const quiet = { port: 0, seeds: [seed.address], gossipCount: 0 };
 * await using alice = await startPeer(quiet);
 * await alice.joined;
 * await using bob = await startPeer(quiet);
 * await bob.joined;
 *
 * const inbox = bob.messages();
 * const id = alice.publish("hello, bob");
 * const { value: message } = await inbox.next();
 * message?.id === id; // true
 * new TextDecoder().decode(message?.data); // "hello, bob"
 * message?.origin === alice.address; // true
 * ```
 *
 * Options mirror the command line's flags, in camelCase and with the same
 * defaults (`gossipnet peer --help`); unlike the command line, a library
 * node writes no log file unless given `logDir` and prints nothing. Its
 * events, the same ones the log file gets, stream from `events()`.
 *
 * A network key keeps everyone else out: with `key` (or `keyFile`, a file
 * of keys one per line, rereadable with `reloadKeys()` for rotation), every
 * link is authenticated and sealed, and nodes without the key get nothing.
 *
 * ```ts
 * import { generateKeyText, startPeer, startSeed } from "./mod.ts";
 *
 * const key = generateKeyText(); // what `gossipnet keygen` prints
 * await using seed = await startSeed({ port: 0, seeds: [], key });
 * await using peer = await startPeer({ port: 0, seeds: [seed.address], key, gossipCount: 0 });
 * await peer.joined;
 * seed.keys().length; // 1: the key's id, 8 hex digits (never the key)
 * ```
 *
 * Message ids are strings, `<origin node id>-<seq>`: print them, log them,
 * compare them. A payload may be up to {@linkcode MAX_PAYLOAD_BYTES} bytes.
 *
 * @module
 */

export { startPeer } from "./lib/api/peer_handle.ts";
export type { PeerHandle, ReceivedMessage } from "./lib/api/peer_handle.ts";
export { startSeed } from "./lib/api/seed_handle.ts";
export type { Member, SeedHandle } from "./lib/api/seed_handle.ts";
export type {
  AddressLike,
  Duration,
  NodeOptions,
  PeerOptions,
  SeedOptions,
} from "./lib/api/options.ts";
export type { SubscribeOptions } from "./lib/log/event_hub.ts";
export { renderEvent } from "./lib/log/events.ts";
export type {
  EventLevel,
  EventLog,
  EventName,
  EventOf,
  LogEvent,
  Throttled,
} from "./lib/log/events.ts";
export type {
  NeighborStatus,
  NodeStatus,
  NodeStatusBase,
  PeerStatus,
  SeedStatus,
  TrafficStatus,
} from "./lib/node/node_status.ts";
export { formatMessageId, parseMessageId } from "./lib/protocol/message_id.ts";
export type { MessageIdParts } from "./lib/protocol/message_id.ts";
export { REMOVAL_REASONS, type RemovalReason } from "./lib/protocol/membership_types.ts";
export type { Address } from "./lib/util/address.ts";
export type { Clock, TimerHandle } from "./lib/util/clock.ts";
export type { Rng } from "./lib/util/random.ts";
export type { ByteStream } from "./lib/wire/connection.ts";
export { MAX_PAYLOAD_BYTES } from "./lib/wire/messages.ts";
export type { Link, LinkListener, Transport } from "./lib/wire/transport.ts";
export { VERSION } from "./lib/util/version.ts";
export { generateKeyText } from "./lib/wire/keyring.ts";
