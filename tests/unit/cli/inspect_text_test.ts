import { assertEquals, assertStringIncludes } from "@std/assert";
import {
  formatMembers,
  formatStatus,
  formatUptime,
  membersJson,
} from "../../../lib/cli/inspect_text.ts";
import type { MemberRecord } from "../../../lib/protocol/membership_types.ts";
import { PEER_STATUS, SEED_STATUS } from "../../support/status_samples.ts";

const record = (port: number, state: "member" | "removed", reason?: "dead" | "left") =>
  ({
    address: { host: "127.0.0.1", port },
    state,
    ...(reason ? { reason } : {}),
    version: { stamp: 1_700_000_000_000, origin: "0123456789abcdef" },
    degree: port % 5,
  }) as MemberRecord;

const RECORDS = [record(6010, "member"), record(6002, "removed", "left"), record(6009, "member")];

Deno.test("formatMembers() lists members first, by port, then the removed with why", () => {
  assertEquals(
    formatMembers(RECORDS, "127.0.0.1:5000"),
    "2 members in the Peer List of 127.0.0.1:5000 (1 removed)\n" +
      "peer            state           degree  since\n" +
      "127.0.0.1:6009  member          4       2023-11-14 22:13:20Z\n" +
      "127.0.0.1:6010  member          0       2023-11-14 22:13:20Z\n" +
      "127.0.0.1:6002  removed (left)  2       2023-11-14 22:13:20Z\n",
  );
  assertEquals(formatMembers([], "s"), "0 members in the Peer List of s (0 removed)\n");
});

Deno.test("membersJson() is the table's rows as objects", () => {
  assertEquals(membersJson(RECORDS).map((m) => [m.address, m.state, m.reason]), [
    ["127.0.0.1:6009", "member", undefined],
    ["127.0.0.1:6010", "member", undefined],
    ["127.0.0.1:6002", "removed", "left"],
  ]);
});

Deno.test("formatStatus() shows a peer's neighbours with RTT, Message List and counters", () => {
  const text = formatStatus(PEER_STATUS);
  assertStringIncludes(
    text,
    "peer 127.0.0.1:6001 (node 0123456789abcdef), gossipnet 0.1.0, up 1m 05s\n",
  );
  assertStringIncludes(
    text,
    "joined: yes; registered with 2 seeds (127.0.0.1:5000, 127.0.0.1:5001)\n",
  );
  assertStringIncludes(text, "127.0.0.1:6002  out  0.25ms");
  assertStringIncludes(text, "127.0.0.1:6003  in   -");
  assertStringIncludes(text, "Message List: 12 entries, 9 duplicates dropped\n");
  assertStringIncludes(text, "--on-message: 1 waiting, 4 dropped\n");
  assertStringIncludes(text, "message_received    5\n");
});

Deno.test("formatStatus() shows a seed's links and members", () => {
  const text = formatStatus(SEED_STATUS);
  assertStringIncludes(text, "ready: yes; 6 peers in the Peer List\n");
  assertStringIncludes(text, "seed links: 1 of 2 other seeds (127.0.0.1:5001)\n");
});

Deno.test("formatUptime() picks two units a person reads at a glance", () => {
  assertEquals(
    [3_200, 65_000, 7_380_000, 2 * 86_400_000 + 3_600_000].map(formatUptime),
    ["3.2s", "1m 05s", "2h 03m", "2d 01h"],
  );
});

Deno.test("formatStatus() shows a keyed node's key ids, the sending key first", () => {
  const text = formatStatus({ ...SEED_STATUS, keys: ["aaaaaaaa", "bbbbbbbb"] });
  assertStringIncludes(text, "\nkeys: sending aaaaaaaa, also accepting bbbbbbbb\n");
  assertEquals(formatStatus(SEED_STATUS).includes("keys:"), false);
});
