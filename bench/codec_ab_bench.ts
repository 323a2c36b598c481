/**
 * This checkout's codecs against another checkout's, side by side in one
 * `deno bench` run (so both see the same machine: on a shared one, runs
 * minutes apart differ by more than most changes do). Point it at a
 * worktree of the build to compare with:
 *
 *     git worktree add /tmp/before <commit>
 *     GOSSIPNET_BEFORE=/tmp/before deno bench -A bench/codec_ab_bench.ts
 *
 * Without `GOSSIPNET_BEFORE` it compares this checkout with itself, which
 * shows the noise. Each group's baseline is the other build.
 *
 * @module
 */

import * as here from "../lib/wire/messages.ts";
import { FrameDecoder } from "../lib/wire/frame.ts";
import { beforeUrl } from "./_before.ts";

type Messages = typeof here;
type Decoder = typeof FrameDecoder;

const before: Messages = await import(beforeUrl("lib/wire/messages.ts"));
const BeforeDecoder: Decoder = (await import(beforeUrl("lib/wire/frame.ts"))).FrameDecoder;

const HELLO: here.Message = {
  kind: "hello",
  version: here.PROTOCOL_VERSION,
  role: "peer",
  nodeId: "0123456789abcdef",
  address: { host: "10.1.2.3", port: 6000 },
};
const APP: here.Message = {
  kind: "app_message",
  hops: 3,
  originId: "0123456789abcdef",
  seq: 7,
  origin: { host: "10.1.2.3", port: 6000 },
  data: new TextEncoder().encode("1732180000000:10.1.2.3:7"),
};
// Distinct hosts, as a seed's sample of a large network has them.
const PEER_LIST: here.Message = {
  kind: "peer_list",
  requestId: 1,
  more: false,
  peers: Array.from({ length: 1000 }, (_, i) => ({
    address: { host: `10.${i >> 16}.${(i >> 8) & 0xff}.${i & 0xff}`, port: 6000 },
    degree: i % 17,
  })),
};
const GOSSIP: here.Message = {
  kind: "gossip",
  origin: { host: "127.0.0.1", port: 6001 },
  text: "1732180000000:127.0.0.1:7",
};

for (
  const [name, message] of [["hello", HELLO], ["app_message", APP], [
    "peer list (1,000 entries)",
    PEER_LIST,
  ]] as const
) {
  const bytes = here.encodeMessage(message).slice();
  const frameBefore = new BeforeDecoder().push(bytes).frames[0]!;
  const frameHere = new FrameDecoder().push(bytes).frames[0]!;
  Deno.bench({ name: `decode ${name}, before`, group: `decode ${name}`, baseline: true }, () => {
    if (!before.decodeMessage(frameBefore).ok) throw new Error("undecodable");
  });
  Deno.bench({ name: `decode ${name}, this checkout`, group: `decode ${name}` }, () => {
    if (!here.decodeMessage(frameHere).ok) throw new Error("undecodable");
  });
  Deno.bench({ name: `encode ${name}, before`, group: `encode ${name}`, baseline: true }, () => {
    before.encodeMessage(message);
  });
  Deno.bench({ name: `encode ${name}, this checkout`, group: `encode ${name}` }, () => {
    here.encodeMessage(message);
  });
}

// A stream of 10,000 gossip frames in 64 KiB reads, framing and decoding.
const FRAME = here.encodeMessage(GOSSIP).slice();
const STREAM = new Uint8Array(FRAME.length * 10_000);
for (let i = 0; i < 10_000; i++) STREAM.set(FRAME, i * FRAME.length);
const CHUNKS = Array.from(
  { length: Math.ceil(STREAM.length / 65536) },
  (_, i) => STREAM.subarray(i * 65536, (i + 1) * 65536),
);
function decodeStream(messages: Messages, decoder: InstanceType<Decoder>): void {
  let n = 0;
  for (const chunk of CHUNKS) {
    for (const frame of decoder.push(chunk).frames) if (messages.decodeMessage(frame).ok) n++;
  }
  if (n !== 10_000) throw new Error(`decoded ${n}`);
}
Deno.bench(
  { name: "gossip stream (10,000 frames), before", group: "stream", baseline: true },
  () => {
    decodeStream(before, new BeforeDecoder());
  },
);
Deno.bench({ name: "gossip stream (10,000 frames), this checkout", group: "stream" }, () => {
  decodeStream(here, new FrameDecoder());
});
