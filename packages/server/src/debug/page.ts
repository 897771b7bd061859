// The debug page: one self-contained HTML document (inline CSS and JS, no external assets) that
// renders the JSON endpoints /debug/backends, /debug/metrics, /debug/values and /debug/config
// (every 5 s), the cluster's HPAs explained (/debug/explain, at load and on demand) and pasted
// HPA manifests explained on demand.

/**
 * debugPage is the page's HTML; without a cluster (standalone) it does not ask /debug/explain
 * (which could only answer 503) and says why instead.
 */
export function debugPage(options: { cluster: boolean }): string {
  return options.cluster ? DEBUG_PAGE : DEBUG_PAGE.replace('<body>', '<body data-cluster="none">');
}

/** The debug page's HTML (cluster mode). */
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
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.query { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; word-break: break-all; max-width: 60em; }
  .ok { color: #116329; font-weight: 600; } .bad { color: #a40e26; font-weight: 600; }
  .empty { color: #57606a; font-style: italic; }
  pre { background: #f6f8fa; padding: .8em; overflow: auto; max-height: 30em; }
  pre:empty { display: none; }
  #cluster-hpas, #explain { white-space: pre-wrap; }
  #status, .hint { color: #57606a; }
</style>
</head>
<body>
<h1>custom-metrics-server debug</h1>
<p id="status">loading…</p>
<h2>Backends</h2>
<table id="backends"><thead><tr><th>name</th><th>type</th><th>health</th><th>last error</th><th>calls</th><th>errors</th><th>cache</th></tr></thead><tbody></tbody></table>
<h2>Call latency</h2>
<p class="hint">Per backend and operation: the last call, p50 and p99 over the last 128 calls, and the mean since start. <code>provider.*</code> are the server's calls into the backend; the others are the backend's calls to its system.</p>
<table id="latency"><thead><tr><th>backend</th><th>operation</th><th>last</th><th>p50</th><th>p99</th><th>recent calls</th><th>mean since start (calls)</th></tr></thead><tbody></tbody></table>
<h2>Last backend queries</h2>
<p class="hint">The last queries each backend sent to its system (PromQL, InfluxQL/Flux, Datadog), newest first.</p>
<table id="queries"><thead><tr><th>backend</th><th>finished</th><th>operation</th><th>latency</th><th>outcome</th><th>query</th></tr></thead><tbody></tbody></table>
<h2>Served metrics</h2>
<table id="metrics"><thead><tr><th>API</th><th>metric</th><th>namespaced</th><th>backend</th></tr></thead><tbody></tbody></table>
<h2>Last values served</h2>
<p class="hint">The last value served per object (at most 50 objects per metric), most recently served first.</p>
<table id="values"><thead><tr><th>API</th><th>metric</th><th>backend</th><th>object</th><th>value</th><th>sample time</th><th>served at</th></tr></thead><tbody></tbody></table>
<h2>HPAs in the cluster</h2>
<p class="hint">Every HorizontalPodAutoscaler of the cluster (read from the server's informer cache), explained as the HPA controller sees it. <button id="explain-all">Explain again</button></p>
<pre id="cluster-hpas">loading…</pre>
<h2>Explain pasted HPAs</h2>
<p>Paste autoscaling/v2 HPA manifests; they are explained with the server's own kubeconfig.</p>
<textarea id="hpa" rows="8" cols="90" placeholder="apiVersion: autoscaling/v2&#10;kind: HorizontalPodAutoscaler&#10;..."></textarea><br>
<button id="explain-pasted">Explain pasted YAML</button>
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
    return td;
  }
  function emptyRow(body, columns, text) {
    var tr = document.createElement('tr');
    var td = cell(tr, text, 'empty');
    td.colSpan = columns;
    body.appendChild(tr);
  }
  function get(path) {
    return fetch(path, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error(path + ' answered ' + r.status);
      return r.json();
    });
  }
  function ms(v) { return v + ' ms'; }
  function showBackends(backends) {
    var bodyB = document.querySelector('#backends tbody');
    var bodyQ = document.querySelector('#queries tbody');
    var bodyL = document.querySelector('#latency tbody');
    bodyB.textContent = '';
    bodyQ.textContent = '';
    bodyL.textContent = '';
    backends.forEach(function (b) {
      var tr = document.createElement('tr');
      tr.dataset.backend = b.name;
      cell(tr, b.name);
      cell(tr, b.type);
      cell(tr, b.healthy ? 'healthy' : 'unhealthy', b.healthy ? 'ok' : 'bad');
      cell(tr, b.lastError || '');
      cell(tr, String(b.calls), 'num');
      cell(tr, String(b.errors), 'num');
      cell(tr, Object.keys(b.cache).map(function (k) { return k + ' ' + b.cache[k]; }).join(', '));
      bodyB.appendChild(tr);
      b.latency.forEach(function (l) {
        var lr = document.createElement('tr');
        lr.dataset.latency = b.name + ' ' + l.operation;
        var mean = b.operations.filter(function (o) { return o.operation === l.operation; })[0];
        cell(lr, b.name);
        cell(lr, l.operation);
        cell(lr, ms(l.lastMs) + (l.lastOk ? '' : ' (failed)'), l.lastOk ? 'num' : 'num bad');
        cell(lr, ms(l.p50Ms), 'num');
        cell(lr, ms(l.p99Ms), 'num');
        cell(lr, String(l.samples), 'num');
        cell(lr, mean ? ms(mean.meanMs) + ' (' + mean.calls + ')' : '', 'num');
        bodyL.appendChild(lr);
      });
      b.queries.forEach(function (q) {
        var qr = document.createElement('tr');
        qr.dataset.queryBackend = b.name;
        cell(qr, b.name);
        cell(qr, q.at);
        cell(qr, q.operation);
        cell(qr, ms(q.ms), 'num');
        cell(qr, q.ok ? 'ok' : 'failed', q.ok ? 'ok' : 'bad');
        cell(qr, q.query, 'query');
        bodyQ.appendChild(qr);
      });
    });
    if (!bodyL.children.length) emptyRow(bodyL, 7, 'no call yet');
    if (!bodyQ.children.length) emptyRow(bodyQ, 6, 'no backend query yet (backends that query a system record them: Prometheus, InfluxDB, Datadog)');
  }
  function showMetrics(metrics) {
    var bodyM = document.querySelector('#metrics tbody');
    bodyM.textContent = '';
    metrics.forEach(function (m) {
      var tr = document.createElement('tr');
      tr.dataset.metric = m.name;
      cell(tr, m.api);
      cell(tr, m.name);
      cell(tr, m.namespaced ? 'yes' : 'no');
      cell(tr, m.backend);
      bodyM.appendChild(tr);
    });
  }
  function showValues(values) {
    var bodyV = document.querySelector('#values tbody');
    bodyV.textContent = '';
    values.forEach(function (m) {
      m.objects.forEach(function (o) {
        var tr = document.createElement('tr');
        tr.dataset.valueMetric = m.metric;
        cell(tr, m.api);
        cell(tr, m.metric);
        cell(tr, m.backend);
        cell(tr, o.object);
        cell(tr, o.usage ? 'cpu ' + o.usage.cpu + ', memory ' + o.usage.memory : String(o.value), 'num');
        cell(tr, o.timestamp);
        cell(tr, o.servedAt);
        bodyV.appendChild(tr);
      });
    });
    if (!bodyV.children.length) emptyRow(bodyV, 7, 'nothing served yet');
  }
  function load() {
    return Promise.all([get('/debug/backends'), get('/debug/metrics'), get('/debug/values'), get('/debug/config')]).then(function (all) {
      showBackends(all[0].backends);
      showMetrics(all[1].metrics);
      showValues(all[2].values);
      document.getElementById('config').textContent = JSON.stringify(all[3].config, null, 2);
      document.getElementById('status').textContent = 'updated ' + new Date().toISOString();
      document.body.dataset.state = 'ready';
    }).catch(function (e) {
      document.getElementById('status').textContent = 'error: ' + e.message;
      document.body.dataset.state = 'error';
    });
  }
  function explainText(body) {
    if (!body.hpas) return body.message || JSON.stringify(body);
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
    return lines.join('\\n') || 'no HorizontalPodAutoscaler found';
  }
  function showExplain(out, p) {
    out.textContent = 'explaining…';
    return p.then(function (r) { return r.json(); }).then(function (body) {
      out.textContent = explainText(body);
      out.dataset.state = body.hpas ? 'explained' : 'unavailable';
    }).catch(function (e) {
      out.textContent = 'error: ' + e.message;
      out.dataset.state = 'error';
    });
  }
  function explainCluster() {
    return showExplain(document.getElementById('cluster-hpas'), fetch('/debug/explain', { headers: { Accept: 'application/json' } }));
  }
  document.getElementById('explain-pasted').addEventListener('click', function () {
    showExplain(document.getElementById('explain'), fetch('/debug/explain', { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: document.getElementById('hpa').value }));
  });
  load();
  if (document.body.dataset.cluster === 'none') {
    var standalone = 'the server runs standalone (no kubeconfig): there are no HPAs to read, and explaining needs a cluster; run custom-metrics-server explain with a kubeconfig instead';
    document.getElementById('cluster-hpas').textContent = standalone;
    document.getElementById('cluster-hpas').dataset.state = 'standalone';
    ['explain-all', 'explain-pasted', 'hpa'].forEach(function (id) { document.getElementById(id).disabled = true; });
  } else {
    document.getElementById('explain-all').addEventListener('click', explainCluster);
    explainCluster();
  }
  setInterval(load, 5000);
})();
</script>
</body>
</html>
`;
