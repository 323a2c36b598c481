/**
 * The dashboard's event stream from a real `up --ui` run: every
 * `neighbor_connected` and `gossip_received` line of every peer's log
 * arrives on the Server-Sent Events stream, named, exactly once; and the
 * control routes refuse what they must.
 */

import { assert, assertEquals } from "@std/assert";
import type { StreamEvent, StreamNode } from "../../lib/ui/stream.ts";
import { events } from "../support/jsonl_log.ts";
import { UpProcess } from "../support/up_process.ts";

const FAST = ["--gossip-interval", "150ms", "--gossip-count", "5", "--ping-interval", "100ms"];

/** Reads an SSE stream to its end; returns every event of every `data:` line. */
async function readStream(response: Response): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  let buffer = "";
  for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of message.split("\n")) {
        if (line.startsWith("data: ")) all.push(...JSON.parse(line.slice(6)) as StreamEvent[]);
      }
    }
  }
  return all;
}

// In-process nodes hand their events to up directly instead of through their files: same stream.
for (const mode of [[], ["--in-process"]]) {
  Deno.test({
    name: `up --ui${
      mode.length > 0 ? " --in-process" : ""
    } streams every neighbor_connected and gossip_received of the run`,
    ignore: Deno.build.os === "windows",
    fn: async () => {
      await using up = await UpProcess.start({
        seeds: 1,
        peers: 4,
        args: [...mode, ...FAST, "--ui", "127.0.0.1:0", "--duration", "3s"],
      });
      const [, url] = await up.waitForOutput(/dashboard at (http:\/\/\S+\/)/) as unknown as [
        string,
        string,
      ];
      const stream = readStream(await fetch(`${url}events`));

      // The controls: unknown nodes and actions are 404, a request without the header is refused.
      const noNode = await fetch(`${url}api/nodes/p9/kill`, {
        method: "POST",
        headers: { "X-Gossipnet": "1" },
      });
      assertEquals([noNode.status, (await noNode.json()).error], [404, 'No node "p9"']);
      const noHeader = await fetch(`${url}api/nodes/p1/kill`, { method: "POST" });
      assertEquals(noHeader.status, 403);
      await noHeader.body?.cancel();
      const badAction = await fetch(`${url}api/nodes/p1/explode`, {
        method: "POST",
        headers: { "X-Gossipnet": "1" },
      });
      assertEquals(badAction.status, 404);
      await badAction.body?.cancel();
      const page = await fetch(url);
      assert((await page.text()).includes('<script type="module" src="/app.js">'));

      const { code, output } = await up.finished();
      assertEquals(code, 0, output);
      assert(!output.includes("p1 killed"), "a refused request killed p1");
      // The stream ends when up stops, after its last records.
      const streamed = await stream;

      const nodes = new Map<string, StreamNode>();
      for (const e of streamed) {
        if (e.type === "nodes") { for (const n of e.nodes) nodes.set(n.name, n); }
      }
      assertEquals(nodes.size, 5);
      const address = (name: string) => nodes.get(name)?.address ?? name;
      const fromStream = { links: [] as string[], receipts: [] as string[] };
      for (const e of streamed) {
        if (e.type === "link" && e.up) {
          fromStream.links.push(`${address(e.node)} ${address(e.peer)}`);
        }
        if (e.type === "received") {
          const text = e.id.slice(e.id.indexOf(" ") + 1);
          fromStream.receipts.push(
            `${address(e.node)} ${address(e.origin)} ${text} ${address(e.from)}`,
          );
        }
      }
      const fromLogs = { links: [] as string[], receipts: [] as string[] };
      for (const node of nodes.values()) {
        if (node.role !== "peer") continue;
        const path = `${up.dir}/peer-${node.address.replace(":", "-")}.jsonl`;
        for (const p of events(path, "neighbor_connected")) {
          fromLogs.links.push(`${node.address} ${p.neighbor}`);
        }
        for (const p of events(path, "gossip_received")) {
          fromLogs.receipts.push(`${node.address} ${p.origin} ${p.message} ${p.from}`);
        }
      }
      assert(fromLogs.links.length >= 4, `only ${fromLogs.links.length} links`);
      assert(fromLogs.receipts.length >= 20, `only ${fromLogs.receipts.length} receipts`);
      assertEquals(fromStream.links.sort(), fromLogs.links.sort());
      assertEquals(fromStream.receipts.sort(), fromLogs.receipts.sort());
    },
  });
}
