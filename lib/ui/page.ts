/** The dashboard page. */
export function dashboardPage(title: string): string {
  return `<!doctype html><title>${title}</title><script type="module" src="/app.js"></script>`;
}
