/**
 * The status page: one self-contained HTML document (no external assets, no framework) that
 * fetches /status.json every few seconds and redraws. Every value is inserted as text, never HTML.
 */
export function statusPageHtml(refreshMs: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse status</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1f2328; }
  h1 { font-size: 1.4rem; display: flex; gap: .75rem; align-items: center; }
  .badge { padding: .15rem .6rem; border-radius: 1rem; color: #fff; font-size: .85rem; white-space: nowrap; }
  .note { color: #57606a; font-size: .8rem; font-weight: normal; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
  th { font-size: .8rem; text-transform: uppercase; color: #57606a; }
  td.detail { color: #57606a; word-break: break-word; }
  .SERVING { background: #1a7f37; } .DEGRADED { background: #bf8700; } .NOT_SERVING { background: #cf222e; }
  tr.SERVING, tr.DEGRADED, tr.NOT_SERVING { background: none; }
  tr.NOT_SERVING td.name { color: #cf222e; font-weight: 600; }
  tr.DEGRADED td.name { color: #9a6700; font-weight: 600; }
  footer { margin-top: 1rem; color: #57606a; font-size: .85rem; }
</style>
</head>
<body>
<h1>Gatehouse <span id="overall" class="badge">loading</span></h1>
<table>
  <thead><tr><th>Component</th><th>Status</th><th>Latency</th><th>Since</th><th>Detail</th></tr></thead>
  <tbody id="components"></tbody>
</table>
<footer>Checked <span id="checked">never</span>; refreshes every ${Math.round(refreshMs / 1000)} s. Data: <a href="status.json">status.json</a></footer>
<script>
  const label = (status) => status.replace('_', ' ').toLowerCase();
  const cell = (text, className) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  };
  async function refresh() {
    try {
      const response = await fetch('status.json', { cache: 'no-store' });
      const data = await response.json();
      const overall = document.getElementById('overall');
      overall.textContent = label(data.status);
      overall.className = 'badge ' + data.status;
      const rows = data.components.map((c) => {
        const tr = document.createElement('tr');
        tr.className = c.status;
        tr.dataset.component = c.name;
        const badge = document.createElement('span');
        badge.className = 'badge ' + c.status;
        badge.textContent = label(c.status);
        const statusCell = document.createElement('td');
        statusCell.appendChild(badge);
        const nameCell = cell(c.name, 'name');
        if (!c.critical) {
          const note = document.createElement('div');
          note.className = 'note';
          note.textContent = 'non-critical';
          nameCell.appendChild(note);
        }
        tr.append(nameCell, statusCell,
          cell(c.latency_ms.toFixed(1) + ' ms'), cell(c.since ? new Date(c.since).toLocaleTimeString() : ''),
          cell(c.detail, 'detail'));
        return tr;
      });
      document.getElementById('components').replaceChildren(...rows);
      document.getElementById('checked').textContent = data.checked_at ? new Date(data.checked_at).toLocaleTimeString() : 'never';
    } catch (error) {
      document.getElementById('overall').textContent = 'status unavailable';
      document.getElementById('overall').className = 'badge NOT_SERVING';
    }
  }
  refresh();
  setInterval(refresh, ${refreshMs});
</script>
</body>
</html>
`;
}
