/**
 * Codec throughput: encode and decode of gossip frames and of a 1,000-entry
 * peer list. Run with `deno task bench`; per-iteration times convert to
 * frames/s as 1e9 / ns (batched benches divide by the batch size).
 *
 * @module
 */

import { FrameDecoder } from "../lib/wire/frame.ts";
import {
  decodeMessage,
  encodeMessage,
  type GossipMessage,
  type PeerEntry,
  type PeerListMessage,
} from "../lib/wire/messages.ts";

const GOSSIP: GossipMessage = {
  kind: "gossip",
  origin: { host: "127.0.0.1", port: 6001 },
  text: "1732180000000:127.0.0.1:7",
};
const GOSSIP_FRAME = encodeMessage(GOSSIP).slice();

/** Frames per batch in the stream benches. */
const BATCH = 10_000;
const STREAM = (() => {
  const out = new Uint8Array(GOSSIP_FRAME.length * BATCH);
  for (let i = 0; i < BATCH; i++) out.set(GOSSIP_FRAME, i * GOSSIP_FRAME.length);
  return out;
})();
// Realistic reads: 64 KiB chunks, so frames straddle chunk edges.
const CHUNKS = Array.from(
  { length: Math.ceil(STREAM.length / 65536) },
  (_, i) => STREAM.subarray(i * 65536, (i + 1) * 65536),
);

const PEERS: PeerEntry[] = Array.from({ length: 1000 }, (_, i) => ({
  address: { host: `10.0.${i >> 8}.${i & 0xff}`, port: 6000 + i },
  degree: i % 17,
}));
const PEER_LIST: PeerListMessage = { kind: "peer_list", requestId: 1, more: false, peers: PEERS };
const PEER_LIST_FRAME = encodeMessage(PEER_LIST).slice();

Deno.bench({ name: "encode gossip frame", group: "gossip", baseline: true }, () => {
  encodeMessage(GOSSIP);
});

Deno.bench(`decode gossip stream (${BATCH} frames, 64 KiB reads)`, { group: "gossip" }, () => {
  const decoder = new FrameDecoder();
  let n = 0;
  for (const chunk of CHUNKS) {
    for (const frame of decoder.push(chunk).frames) {
      if (decodeMessage(frame).ok) n++;
    }
  }
  if (n !== BATCH) throw new Error(`decoded ${n}`);
});

Deno.bench(`frame-only stream (${BATCH} frames, 64 KiB reads)`, { group: "gossip" }, () => {
  const decoder = new FrameDecoder();
  let n = 0;
  for (const chunk of CHUNKS) n += decoder.push(chunk).frames.length;
  if (n !== BATCH) throw new Error(`framed ${n}`);
});

Deno.bench({ name: "encode peer list (1,000 entries)", group: "peer_list", baseline: true }, () => {
  encodeMessage(PEER_LIST);
});

Deno.bench("decode peer list (1,000 entries)", { group: "peer_list" }, () => {
  const [frame] = new FrameDecoder().push(PEER_LIST_FRAME).frames;
  if (!frame || !decodeMessage(frame).ok) throw new Error("decode failed");
});
