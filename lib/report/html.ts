export function renderReport(_r: unknown): string {
  return "";
}
