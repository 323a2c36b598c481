import { assertEquals } from "@std/assert";
import { readRunLogs } from "../../lib/up/run_logs.ts";

Deno.test("readRunLogs reads many nodes' files, a few at a time, each into its own place", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gossipnet-run-logs-" });
  try {
    const ports = Array.from({ length: 30 }, (_, i) => 6000 + i);
    for (const port of ports) {
      const role = port < 6003 ? "seed" : "peer";
      // A different number of lines per file, so a record in the wrong node would show.
      const lines = Array.from(
        { length: port % 7 + 1 },
        (_, i) => JSON.stringify({ ts: port * 10 + i, properties: { event: "listening", port } }),
      );
      await Deno.writeTextFile(`${dir}/${role}-127.0.0.1-${port}.jsonl`, lines.join("\n") + "\n");
    }
    const { nodes } = await readRunLogs(dir);
    assertEquals(nodes.map((n) => n.address), ports.map((port) => `127.0.0.1:${port}`));
    assertEquals(nodes.map((n) => n.role), ports.map((port) => port < 6003 ? "seed" : "peer"));
    for (const [i, node] of nodes.entries()) {
      const port = ports[i]!;
      assertEquals(
        node.records.map((r) => r.ts),
        Array.from({ length: port % 7 + 1 }, (_, j) => port * 10 + j),
      );
      assertEquals(node.records.every((r) => r.fields.port === port), true);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
