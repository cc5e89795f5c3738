/**
 * The local page: one self-contained HTML document (no framework, no external file) that polls
 * `/api/state` every second and draws, per group, the holder, readiness and every vantage's
 * verdict, then the recent timeline. Text is inserted with textContent only.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ha-arbiter local</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f6f7f9; }
  h1 { font-size: 1.2rem; margin: 0 0 1rem; }
  .group { background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: 1rem; margin-bottom: 1rem; }
  .group h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
  .holder { font-weight: 700; font-size: 1.3rem; }
  .ready { color: #1a7f37; } .not-ready { color: #c62828; font-weight: 600; } .pending { color: #8a6d00; }
  table { border-collapse: collapse; margin-top: .5rem; }
  td, th { border-bottom: 1px solid #eceef2; padding: .2rem .7rem .2rem 0; text-align: left; vertical-align: top; }
  .UP, .HEALTHY { color: #1a7f37; } .DOWN { color: #c62828; font-weight: 600; } .UNKNOWN, .stale { color: #8a6d00; }
  #timeline { background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: .5rem 1rem; }
  #timeline div { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; }
  #updated { color: #6b7280; font-size: 12px; }
</style>
</head>
<body>
<h1>ha-arbiter local stack <span id="updated"></span></h1>
<div id="groups"></div>
<h2 style="font-size:1.05rem">Recent timeline</h2>
<div id="timeline"></div>
<script>
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function row(cells) {
  const tr = el('tr');
  for (const c of cells) { const td = el('td', c[0], c[1]); tr.appendChild(td); }
  return tr;
}
function drawGroup(g) {
  const box = el('section', undefined, 'group');
  box.dataset.group = g.group;
  box.appendChild(el('h2', g.group));
  const holder = el('div');
  holder.appendChild(el('span', 'holder: '));
  holder.appendChild(el('span', g.holder || '(none)', 'holder'));
  if (g.recorded && g.recorded !== g.holder) holder.appendChild(el('span', ' (recorded: ' + g.recorded + ')'));
  box.appendChild(holder);
  const r = g.readiness;
  const text = !r ? 'readiness: unknown' : r.status === 'ready' ? 'readiness: READY'
    : r.status === 'pending' ? 'readiness: pending (' + r.reason + ')' : 'readiness: NOT READY: ' + r.reason;
  box.appendChild(el('div', text, 'readiness ' + (r ? r.status : '')));
  const table = el('table');
  table.appendChild(row([['node'], ['health'], ['vantage'], ['verdict'], ['last probe']]));
  for (const n of g.nodes) {
    const verdicts = n.verdicts.length ? n.verdicts : [{ vantage: '-', status: 'no verdict', stale: false }];
    verdicts.forEach((v, i) => {
      table.appendChild(row([
        [i === 0 ? n.id : ''], i === 0 ? [n.health, 'health ' + n.health] : [''],
        [v.vantage], [v.status + (v.stale ? ' (stale)' : ''), 'verdict ' + (v.stale ? 'stale' : v.status)],
        [v.lastProbe || ''],
      ]));
    });
  }
  box.appendChild(table);
  for (const e of g.errors) box.appendChild(el('div', 'could not read ' + e, 'DOWN'));
  return box;
}
async function refresh() {
  try {
    const res = await fetch('/api/state', { cache: 'no-store' });
    const s = await res.json();
    const groups = document.getElementById('groups');
    groups.replaceChildren(...s.groups.map(drawGroup));
    const tl = document.getElementById('timeline');
    tl.replaceChildren(...s.timeline.map((t) => el('div', t.at + '  ' + t.text, 'event ' + t.kind)));
    document.getElementById('updated').textContent = 'updated ' + s.at.slice(11, 19) + 'Z';
  } catch (e) {
    document.getElementById('updated').textContent = 'stack unreachable: ' + e;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
