import { assertEquals } from "@std/assert";
import { defaultReportPath } from "../../../lib/cli/report.ts";

Deno.test("defaultReportPath(): into a log directory, beside a result file", () => {
  assertEquals(defaultReportPath("logs/run-1/", false), "logs/run-1/report.html");
  assertEquals(defaultReportPath("/", false), "./report.html");
  // A directory named like a file is still a directory.
  assertEquals(defaultReportPath("runs/a.json", false), "runs/a.json/report.html");
  assertEquals(defaultReportPath("runs/r.json", true), "runs/r.html");
  assertEquals(defaultReportPath("runs/R.JSON", true), "runs/R.html");
  assertEquals(defaultReportPath("runs/result", true), "runs/result.html");
});
