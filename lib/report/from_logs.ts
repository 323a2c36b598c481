export function reportFromRunLogs(_l: unknown, _o: unknown): unknown {
  return {};
}
