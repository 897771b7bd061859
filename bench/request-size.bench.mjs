#!/usr/bin/env node
// Size of the Prometheus requests of a big `*` query (issue 13 P4): a Pods metric over 5,000 pods
// with 43-character names, rendered by prometheus-adapter's default metricsQuery and batched by
// the provider's rule (query.maxRegexBytes 8192, query.maxRequestBytes 8000), for POST and GET.
// Also the size of the merged per-metric query (query.coalesce) that answers the same request.
// Pure computation, no I/O besides rewriting its section of docs/benchmarks.md.
// Run: npm run bench -- request-size
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchNames, batchNamesForRequest, MetricsQuery, queryRequestBytes, ResourceConverter } from '@custom-metrics/backend-prometheus';

const here = dirname(fileURLToPath(import.meta.url));
const PODS = { group: '', resource: 'pods' };
const conv = new ResourceConverter({ overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } }, 'bench');
const query = new MetricsQuery('sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)', conv, 'bench');
const names = Array.from({ length: 5000 }, (_, i) => `checkout-payments-frontend-7cfb596f98-${i.toString(36).padStart(5, 'x')}`);
const build = (b) => query.build({ series: 'http_requests_total', resource: PODS, namespace: 'checkout', names: b, metricSelector: { requirements: [] } });

const lines = [];
for (const method of ['POST', 'GET']) {
  const size = (b) => queryRequestBytes(build(b), method);
  const before = batchNames(names, 8192);
  const after = batchNamesForRequest(names, { maxRegexBytes: 8192, maxRequestBytes: 8000 }, size);
  const maxBefore = Math.max(...before.map(size));
  const maxAfter = Math.max(...after.map(size));
  const line = `| ${method} | ${before.length} | ${maxBefore.toLocaleString('en')} | ${after.length} | **${maxAfter.toLocaleString('en')}** ${maxAfter < 8192 ? '✓' : '✗'} | ${(maxAfter / maxBefore).toFixed(2)} |`;
  console.log(line);
  lines.push(line);
}
// With query.coalesce (default) the same request is answered from a merged query, which names no pods.
const merged = query.buildMerged({ series: 'http_requests_total', resource: PODS, namespaced: true, metricSelector: { requirements: [] } }).promql;
const mergedSizes = ['POST', 'GET'].map((m) => `${queryRequestBytes(merged, m).toLocaleString('en')} bytes ${m}`).join(', ');
console.log(`merged query: ${mergedSizes}`);
const section = [
  '<!-- request-size:start -->',
  '## Prometheus request size of a 5,000-pod `*` query (P4)',
  '',
  `Command: \`npm run bench -- request-size\` (\`node bench/request-size.bench.mjs\`), ${new Date().toISOString().slice(0, 16)}Z. 5,000 pods named like \`${names[0]}\` (43 characters), prometheus-adapter's default \`sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)\`. Size = the form-encoded POST body, or the GET path and query string. **baseline**: batches by \`query.maxRegexBytes\` only (the name regex); **now**: also \`query.maxRequestBytes\` (8000) over the whole encoded request. Goal: every request < 8 kB (8,192 bytes).`,
  '',
  '| method | batches (baseline) | largest request, bytes (baseline) | batches (now) | largest request, bytes (now) | ratio |',
  '|---|---|---|---|---|---|',
  ...lines,
  '',
  `These are the per-request queries (\`query.coalesce: false\`, or a template that cannot be merged). With merged per-metric queries (\`query.coalesce\`, default) the same request is answered from \`${merged}\`, which names no pods: ${mergedSizes}, whatever the pod count.`,
  '<!-- request-size:end -->',
].join('\n');
const docs = join(here, '..', 'docs', 'benchmarks.md');
const text = readFileSync(docs, 'utf8');
const re = /<!-- request-size:start -->[\s\S]*?<!-- request-size:end -->/;
writeFileSync(docs, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
console.log(`wrote ${docs}`);
