import { assertEquals } from "@std/assert";
import type { LogRecord } from "@logtape/logtape";
import { openFileSink, type SinkFile } from "../../../lib/log/file_sink.ts";

/** A file whose writes fail while `full` is set, as on a full disk. */
class FakeFile implements SinkFile {
  full = false;
  text = "";
  closed = false;
  writes = 0;
  /** Called after each successful write. */
  onWrite: () => void = () => {};
  #decoder = new TextDecoder();

  write(bytes: Uint8Array): Promise<number> {
    if (this.full) return Promise.reject(new Error("No space left on device (os error 28)"));
    this.text += this.#decoder.decode(bytes);
    this.writes++;
    this.onWrite();
    return Promise.resolve(bytes.length);
  }

  close(): void {
    this.closed = true;
  }
}

function record(text: string): LogRecord {
  return {
    category: ["gossipnet", "peer"],
    level: "info",
    message: [text],
    rawMessage: text,
    timestamp: 0,
    properties: {},
  };
}

Deno.test("a file sink on a full disk warns once per outage and keeps taking records", async () => {
  const file = new FakeFile();
  const errors: string[] = [];
  const resumed: number[] = [];
  const sink = openFileSink("peer.jsonl", (r) => `${r.message[0]}\n`, {
    open: () => file,
    onWriteError: (error) => errors.push(String(error)),
    onWriteResumed: (lost) => resumed.push(lost),
  });
  sink(record("a"));
  await sink.flush();
  file.full = true;
  for (const text of ["b", "c", "d"]) {
    sink(record(text));
    await sink.flush();
  }
  assertEquals(errors, ["Error: No space left on device (os error 28)"], "one warning, not three");
  assertEquals(sink.lost, 3);
  file.full = false;
  sink(record("e"));
  await sink.flush();
  assertEquals(resumed, [3]);
  file.full = true;
  sink(record("f"));
  await sink.flush();
  assertEquals(errors.length, 2, "a second outage is told again");
  file.full = false;
  sink(record("g"));
  await sink.close();
  assertEquals(file.text, "a\ne\ng\n");
  assertEquals([sink.lost, file.closed], [4, true]);
});

Deno.test("a file sink with its own flush interval writes an interval's records in one write", async () => {
  const file = new FakeFile();
  const written = new Promise<void>((resolve) => file.onWrite = resolve);
  const sink = openFileSink("peer.jsonl", (r) => `${r.message[0]}\n`, {
    open: () => file,
    flushIntervalMs: 20,
  });
  for (const text of ["a", "b", "c"]) sink(record(text));
  assertEquals(file.writes, 0, "nothing is written before the interval ends");
  await written;
  assertEquals([file.text, file.writes], ["a\nb\nc\n", 1]);
  await sink.close();
});
