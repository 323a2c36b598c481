/**
 * Checks on a `gossipnet report` HTML file shared by the report tests: its
 * markup balances, it reaches for nothing outside itself, and every chart
 * is an SVG.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";

const VOID = new Set(["meta", "br", "hr", "img", "input", "link"]);

/** The charts every report draws, by their SVG's aria-label prefix. */
export const REPORT_CHARTS = [
  "overlay",
  "Degree distribution (log-log)",
  "Dissemination time",
  "Coverage over time",
  "timeline",
] as const;

/** Checks every tag is closed in order (the file's own markup, not a full HTML parser). */
export function assertBalanced(html: string): void {
  const stack: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const [, closing, name, rest] = match as unknown as [string, string, string, string];
    const tag = name.toLowerCase();
    if (VOID.has(tag) || rest.endsWith("/")) continue;
    if (!closing) {
      stack.push(tag);
      continue;
    }
    const open = stack.pop();
    assertEquals(open, tag, `</${tag}> closes <${open}> at ${match.index}`);
  }
  assertEquals(stack, [], "unclosed tags");
}

/** Checks the file is one balanced, self-contained HTML document with an SVG for every chart. */
export function assertSelfContainedReport(html: string): void {
  assert(html.startsWith("<!doctype html>"));
  assertBalanced(html);
  // Self-contained: no scripts, no links or sources, no URL of any kind.
  for (const forbidden of [/<script/i, /\bsrc=/i, /\bhref=/i, /https?:/i, /url\(/i, /@import/i]) {
    assert(!forbidden.test(html), `found ${forbidden}`);
  }
  for (const label of REPORT_CHARTS) {
    assert(html.includes(`role="img" aria-label="${label}`), `no SVG for ${label}`);
  }
}
