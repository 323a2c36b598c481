/**
 * The dashboard page: layout and styles only. Everything on it is drawn by
 * the bundled script (`/app.js`); nothing is loaded from anywhere else.
 *
 * @module
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#0f172a;background:#f1f5f9}
header{display:flex;align-items:center;gap:18px;padding:8px 16px;background:#0f172a;color:#f8fafc}
header h1{font-size:16px;margin:0;font-weight:650;white-space:nowrap}
#counters{display:flex;flex-wrap:wrap;gap:14px;font-size:13px}
#counters b{font-size:15px;color:#fff}
#counters span{color:#cbd5e1}
#conn{margin-left:auto;font-size:12px;color:#94a3b8;white-space:nowrap}
main{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:10px;padding:10px;height:calc(62vh - 10px);min-height:380px}
#graph-box{position:relative;background:#fff;border:1px solid #e2e8f0;border-radius:8px;overflow:hidden}
#graph{position:absolute;inset:0}
#legend{position:absolute;top:8px;left:8px;background:rgba(255,255,255,.92);border:1px solid #e2e8f0;border-radius:6px;padding:6px 8px;font-size:12px;z-index:2}
#legend div{display:flex;align-items:center;gap:6px;line-height:18px}
#legend i{display:inline-block;width:11px;height:11px;border-radius:50%}
#legend .sep{border-top:1px solid #e2e8f0;margin:4px 0}
#legend .edge{width:16px;height:3px;border-radius:2px}
#caption{position:absolute;left:8px;right:8px;bottom:8px;background:rgba(255,255,255,.92);border:1px solid #e2e8f0;border-radius:6px;padding:5px 8px;font-size:13px;z-index:2}
aside{display:flex;flex-direction:column;gap:10px;overflow:auto}
section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:8px 10px}
section h2{font-size:13px;margin:0 0 6px;text-transform:uppercase;letter-spacing:.04em;color:#475569}
select,button{font:inherit;font-size:13px}
select{width:100%;margin-bottom:6px}
button{padding:3px 10px;border:1px solid #94a3b8;border-radius:5px;background:#f8fafc;cursor:pointer}
button:hover{background:#e2e8f0}
button:disabled{opacity:.45;cursor:default}
.row{display:flex;gap:6px;flex-wrap:wrap;align-items:center}
#failures{font-size:13px;max-height:170px;overflow:auto}
#failures .f{padding:4px 0;border-bottom:1px solid #f1f5f9}
#failures .f b{margin-right:4px}
.muted{color:#64748b}
table{border-collapse:collapse;font-size:12.5px;width:100%}
td,th{text-align:left;padding:1px 6px 1px 0}
#log{font:11.5px/1.35 ui-monospace,monospace;max-height:130px;overflow:auto;background:#f8fafc;border-radius:4px;padding:4px;white-space:pre-wrap;word-break:break-all}
#log .WARN{color:#b45309}#log .ERROR{color:#b91c1c}
#result{font-size:12.5px;margin-top:4px;color:#1e40af}
#charts{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:10px;padding:0 10px 10px;height:calc(38vh - 58px);min-height:230px}
.chart{position:relative;background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:6px}
`;

/** The page's HTML, titled `title`. */
export function dashboardPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>gossipnet live</h1>
  <div id="counters"></div>
  <div id="conn">connecting…</div>
</header>
<main>
  <div id="graph-box">
    <div id="graph"></div>
    <div id="legend"></div>
    <div id="caption">Waiting for the first message…</div>
  </div>
  <aside>
    <section>
      <h2>A message spreading</h2>
      <select id="messages"><option value="">Follow the latest message</option></select>
      <div class="row"><button id="replay">Replay</button>
        <span class="muted">first receipts light up in the order they happened, along the link each came in on</span></div>
    </section>
    <section>
      <h2>Failures and consensus</h2>
      <div id="failures"><span class="muted">No peer suspected yet. Click a peer and Kill it to watch.</span></div>
    </section>
    <section id="panel">
      <h2>Node</h2>
      <div id="node"><span class="muted">Click a node in the graph.</span></div>
    </section>
  </aside>
</main>
<div id="charts">
  <div class="chart"><canvas id="chart-delivery"></canvas></div>
  <div class="chart"><canvas id="chart-cdf"></canvas></div>
  <div class="chart"><canvas id="chart-degrees"></canvas></div>
</div>
<script type="importmap">{"imports":{"node:events":"/node_events.js"}}</script>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
}
