// The debug page: one self-contained HTML document (inline CSS and JS, no external assets) that
// renders the JSON endpoints /debug/backends, /debug/metrics and /debug/config, and /debug/explain on demand.

/** The debug page's HTML. */
export const DEBUG_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>custom-metrics-server debug</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1f24; }
  h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
  table { border-collapse: collapse; margin: .5em 0; }
  th, td { border: 1px solid #c9d1d9; padding: .25em .6em; text-align: left; vertical-align: top; }
  th { background: #f3f5f7; }
  .ok { color: #116329; font-weight: 600; } .bad { color: #a40e26; font-weight: 600; }
  pre { background: #f6f8fa; padding: .8em; overflow: auto; max-height: 30em; }
  #status { color: #57606a; }
</style>
</head>
<body>
<h1>custom-metrics-server debug</h1>
<p id="status">loading…</p>
<h2>Backends</h2>
<table id="backends"><thead><tr><th>name</th><th>type</th><th>health</th><th>last error</th><th>calls</th><th>errors</th><th>mean latency per operation</th><th>cache</th></tr></thead><tbody></tbody></table>
<h2>Served metrics</h2>
<table id="metrics"><thead><tr><th>API</th><th>metric</th><th>namespaced</th><th>backend</th></tr></thead><tbody></tbody></table>
<h2>Explain HPAs</h2>
<p>Paste autoscaling/v2 HPA manifests, or explain every HPA in the cluster (read with the server's own kubeconfig).</p>
<textarea id="hpa" rows="8" cols="90" placeholder="apiVersion: autoscaling/v2&#10;kind: HorizontalPodAutoscaler&#10;..."></textarea><br>
<button id="explain-pasted">Explain pasted YAML</button> <button id="explain-all">Explain every HPA in the cluster</button>
<pre id="explain"></pre>
<h2>Configuration (secrets redacted)</h2>
<pre id="config"></pre>
<script>
(function () {
  'use strict';
  function cell(row, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
  }
  function get(path) {
    return fetch(path, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error(path + ' answered ' + r.status);
      return r.json();
    });
  }
  function load() {
    return Promise.all([get('/debug/backends'), get('/debug/metrics'), get('/debug/config')]).then(function (all) {
      var bodyB = document.querySelector('#backends tbody');
      bodyB.textContent = '';
      all[0].backends.forEach(function (b) {
        var tr = document.createElement('tr');
        tr.dataset.backend = b.name;
        cell(tr, b.name);
        cell(tr, b.type);
        cell(tr, b.healthy ? 'healthy' : 'unhealthy', b.healthy ? 'ok' : 'bad');
        cell(tr, b.lastError || '');
        cell(tr, String(b.calls));
        cell(tr, String(b.errors));
        cell(tr, b.operations.map(function (o) { return o.operation + ': ' + o.meanMs + ' ms (' + o.calls + ')'; }).join('\\n'));
        cell(tr, Object.keys(b.cache).map(function (k) { return k + ' ' + b.cache[k]; }).join(', '));
        bodyB.appendChild(tr);
      });
      var bodyM = document.querySelector('#metrics tbody');
      bodyM.textContent = '';
      all[1].metrics.forEach(function (m) {
        var tr = document.createElement('tr');
        tr.dataset.metric = m.name;
        cell(tr, m.api);
        cell(tr, m.name);
        cell(tr, m.namespaced ? 'yes' : 'no');
        cell(tr, m.backend);
        bodyM.appendChild(tr);
      });
      document.getElementById('config').textContent = JSON.stringify(all[2].config, null, 2);
      var s = document.getElementById('status');
      s.textContent = 'updated ' + new Date().toISOString();
      document.body.dataset.state = 'ready';
    }).catch(function (e) {
      document.getElementById('status').textContent = 'error: ' + e.message;
      document.body.dataset.state = 'error';
    });
  }
  function showExplain(p) {
    var out = document.getElementById('explain');
    out.textContent = 'explaining…';
    p.then(function (r) { return r.json(); }).then(function (body) {
      if (!body.hpas) { out.textContent = body.message || JSON.stringify(body); return; }
      var lines = [];
      body.hpas.forEach(function (h) {
        lines.push('HPA ' + h.namespace + '/' + h.name + ' -> ' + h.scaleTarget.ref + (h.scaleTarget.selector !== undefined ? ' (selector "' + h.scaleTarget.selector + '", ' + h.scaleTarget.replicas + ' replicas)' : ''));
        if (h.scaleTarget.reason) lines.push('  scale target <unknown> [' + h.scaleTarget.reason.code + '] ' + h.scaleTarget.reason.message);
        h.metrics.forEach(function (m) {
          lines.push('  ' + m.metric + ': target ' + m.target);
          m.requests.forEach(function (r) { lines.push('    ' + r); });
          if (m.values.length) lines.push('    values: ' + m.values.map(function (v) { return v.object + '=' + v.value; }).join(', '));
          if (m.reason) { lines.push('    <unknown> [' + m.reason.code + '] ' + m.reason.message); lines.push('    fix: ' + m.reason.fix); }
          else if (m.proposal) lines.push('    current ' + m.current + ', usage ratio ' + m.proposal.usageRatio.toFixed(3) + ' -> ' + m.proposal.replicas + ' replicas');
        });
        lines.push('  desired replicas: ' + h.decision.desired + ' (' + h.decision.note + ')', '');
      });
      out.textContent = lines.join('\\n') || 'no HorizontalPodAutoscaler found';
    }).catch(function (e) { out.textContent = 'error: ' + e.message; });
  }
  document.getElementById('explain-pasted').addEventListener('click', function () {
    showExplain(fetch('/debug/explain', { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: document.getElementById('hpa').value }));
  });
  document.getElementById('explain-all').addEventListener('click', function () {
    showExplain(fetch('/debug/explain', { headers: { Accept: 'application/json' } }));
  });
  load();
  setInterval(load, 5000);
})();
</script>
</body>
</html>
`;
