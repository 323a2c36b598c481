import { assert, assertEquals } from "@std/assert";
import { metricsRenderer } from "../../../lib/api/metrics.ts";
import type { NodeStatus } from "../../../lib/node/node_status.ts";
import { PEER_STATUS, SEED_STATUS } from "../../support/status_samples.ts";

/** Samples of an exposition text by `name{labels}`, checking HELP and TYPE lines. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) (gossipnet_\w+) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") {
        assert(["counter", "gauge"].includes(meta[3]!), line);
        typed.add(meta[2]!);
      }
      continue;
    }
    const sample = /^(gossipnet_\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`Not an exposition line: ${line}`);
    assert(typed.has(sample[1]!), `${sample[1]} has no TYPE line`);
    if (sample[1]!.endsWith("_total")) assert(!sample[1]!.endsWith("_total_total"));
    samples.set(sample[1]! + (sample[2] ?? ""), Number(sample[3]));
  }
  return samples;
}

async function scrape(status: NodeStatus): Promise<Map<string, number>> {
  const metrics = metricsRenderer(() => status);
  assert(metrics.contentType.startsWith("text/plain; version=0.0.4"));
  return parse(await metrics.render());
}

Deno.test("a peer's metrics are its status, in Prometheus text format", async () => {
  const m = await scrape(PEER_STATUS);
  const expected: Record<string, number> = {
    gossipnet_frames_sent_total: 10,
    gossipnet_bytes_received_total: 2000,
    gossipnet_gossip_received_total: 7,
    gossipnet_gossip_duplicates_total: 9,
    gossipnet_messages_published_total: 2,
    gossipnet_messages_received_total: 5,
    gossipnet_dead_reports_sent_total: 1,
    gossipnet_neighbors: 2,
    gossipnet_message_list_entries: 12,
    gossipnet_handler_dropped_total: 4,
    gossipnet_uptime_seconds: 65,
    gossipnet_joined: 1,
  };
  for (const [name, value] of Object.entries(expected)) assertEquals(m.get(name), value, name);
  assertEquals(
    m.get(
      'gossipnet_info{role="peer",node_id="0123456789abcdef",address="127.0.0.1:6001",version="0.1.0"}',
    ),
    1,
  );
  assertEquals(m.has("gossipnet_members"), false);
});

Deno.test("a seed's metrics count votes and removals by label", async () => {
  const m = await scrape(SEED_STATUS);
  assertEquals(m.get('gossipnet_votes_total{answer="yes"}'), 4);
  assertEquals(m.get('gossipnet_votes_total{answer="no"}'), 1);
  assertEquals(m.get('gossipnet_removals_total{reason="dead"}'), 1);
  assertEquals(m.get('gossipnet_removals_total{reason="left"}'), 1);
  assertEquals(m.get("gossipnet_dead_reports_received_total"), 3);
  assertEquals(m.get("gossipnet_members"), 6);
  assertEquals(m.get("gossipnet_seed_links"), 1);
  assertEquals(m.has("gossipnet_neighbors"), false);
});

Deno.test("every scrape reads the status afresh, once", async () => {
  let reads = 0;
  let sent = 0;
  const metrics = metricsRenderer(() => {
    reads++;
    return { ...PEER_STATUS, traffic: { ...PEER_STATUS.traffic, framesSent: sent } };
  });
  const before = reads;
  sent = 5;
  assertEquals(parse(await metrics.render()).get("gossipnet_frames_sent_total"), 5);
  sent = 8;
  assertEquals(parse(await metrics.render()).get("gossipnet_frames_sent_total"), 8);
  assertEquals(reads - before, 2);
});
