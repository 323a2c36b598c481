/**
 * A peer's handling of a received gossip frame, this checkout against
 * another, side by side in one `deno bench` run (see codec_ab_bench.ts):
 *
 *     git worktree add /tmp/before <commit>
 *     GOSSIPNET_BEFORE=/tmp/before deno bench -A bench/gossip_ab_bench.ts
 *
 * A flood sends each peer about 2E/N copies of a message, of which one is
 * new, so the repeat is what a flood mostly costs; the new receipt is
 * timed too (no neighbours to relay to, the log line queued as in a peer).
 *
 * @module
 */

import * as hereGossip from "../lib/peer/gossip.ts";
import * as hereList from "../lib/peer/message_list.ts";
import * as hereNeighbors from "../lib/peer/neighbors.ts";
import type { EventLog } from "../lib/log/events.ts";
import { FrameDecoder } from "../lib/wire/frame.ts";
import { encodeMessage, type GossipMessage } from "../lib/wire/messages.ts";
import { systemClock } from "../lib/util/clock.ts";
import { beforeUrl } from "./_before.ts";

type Builds = {
  gossip: typeof hereGossip;
  list: typeof hereList;
  neighbors: typeof hereNeighbors;
};

const before: Builds = {
  gossip: await import(beforeUrl("lib/peer/gossip.ts")),
  list: await import(beforeUrl("lib/peer/message_list.ts")),
  neighbors: await import(beforeUrl("lib/peer/neighbors.ts")),
};
const here: Builds = { gossip: hereGossip, list: hereList, neighbors: hereNeighbors };

const ORIGIN = { host: "10.1.2.3", port: 6000 };
const FROM = "10.1.2.4:6000";
// A Message List as a peer has it a while into a run: a thousand messages.
const KNOWN = 1000;
// A peer's log formats and writes each event; here the cost is the receipt's own.
const DROP_EVENTS: EventLog = { emit() {} };

function peer(build: Builds) {
  const messages = new build.list.MessageList({ clock: systemClock });
  for (let i = 1; i <= KNOWN; i++) {
    messages.record("10.1.2.3:6000", `1732180000000:10.1.2.3:${i}`, "self");
  }
  return new build.gossip.Gossip({
    self: { host: "10.9.9.9", port: 6000 },
    messages,
    neighbors: new build.neighbors.NeighborTable({ selfKey: "10.9.9.9:6000", maxInbound: 64 }),
    log: DROP_EVENTS,
    clock: systemClock,
    rng: Math.random,
    intervalMs: 1000,
    count: 0,
    ratePerLink: { perSecond: 1e9, burst: 1e9 },
  });
}

function gossipFrame(seq: number) {
  const message: GossipMessage = {
    kind: "gossip",
    origin: ORIGIN,
    text: `1732180000000:10.1.2.3:${seq}`,
  };
  return { message, frame: new FrameDecoder().push(encodeMessage(message).slice()).frames[0]! };
}

const BUILDS = [["before", before, true], ["this checkout", here, false]] as const;

const REPEAT = gossipFrame(KNOWN / 2);
for (const [name, build, baseline] of BUILDS) {
  const repeats = peer(build);
  Deno.bench({ name: `repeat, ${name}`, group: "repeat", baseline }, () => {
    if (repeats.receive(FROM, REPEAT.message, REPEAT.frame) !== "duplicate") {
      throw new Error("not a repeat");
    }
  });
  const news = peer(build);
  let seq = KNOWN;
  Deno.bench({ name: `new, ${name}`, group: "new", baseline }, () => {
    const { message, frame } = gossipFrame(++seq);
    if (news.receive(FROM, message, frame) !== "new") throw new Error("not new");
  });
}
