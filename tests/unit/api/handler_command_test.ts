import { assertEquals, assertThrows } from "@std/assert";
import { checkHandlerCommand, firstProgram, handlerEnv } from "../../../lib/api/handler_command.ts";
import { UsageError } from "../../../lib/util/errors.ts";

Deno.test("firstProgram() finds the program a shell line runs first", () => {
  const cases: Array<[string, string | undefined]> = [
    ["cat", "cat"],
    ["  cat > out.txt ", "cat"],
    ["LANG=C FOO='a b' sort -u", "sort"],
    ["'my tool' --flag", "my tool"],
    ['"/opt/my tool/run" x', "/opt/my tool/run"],
    ["./handle.sh", "./handle.sh"],
    ["", undefined],
    ["A=1", undefined],
  ];
  for (const [line, program] of cases) assertEquals(firstProgram(line), program, line);
});

Deno.test("checkHandlerCommand() accepts shell words without looking anything up", () => {
  // No read or env permission in unit tests: these must not touch PATH.
  for (const line of ["echo hi", "read line; echo $line", "true", "exec cat", "{ cat; }"]) {
    checkHandlerCommand(line);
  }
  assertThrows(() => checkHandlerCommand("   "), UsageError, "the command is empty");
});

Deno.test("handlerEnv() names the message for the handler", () => {
  assertEquals(
    handlerEnv({
      id: "0123456789abcdef-3",
      origin: "127.0.0.1:6001",
      data: new Uint8Array(5),
      hops: 2,
      receivedAt: 0,
      from: "127.0.0.1:6002",
    }),
    {
      GOSSIPNET_ID: "0123456789abcdef-3",
      GOSSIPNET_ORIGIN: "127.0.0.1:6001",
      GOSSIPNET_HOPS: "2",
      GOSSIPNET_FROM: "127.0.0.1:6002",
      GOSSIPNET_BYTES: "5",
    },
  );
});
