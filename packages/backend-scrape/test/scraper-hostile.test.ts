import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../src/config.js';
import { Scraper } from '../src/scrape/scraper.js';
import { SeriesStore } from '../src/window/series-store.js';
import { Recorder } from './support/recorder.js';
import { startExporter, textHandler, type TestExporter } from '@custom-metrics/backend-scrape/testing';

const target = (url: string, key = url, timeoutMs = 500, intervalMs = 200): ResolvedTarget => ({ key, url, labels: { pod: 'p', namespace: 'ns' }, intervalMs, timeoutMs });

function makeScraper(rec: Recorder, opts: { maxSeries?: number; maxBytes?: number; maxConcurrent?: number } = {}) {
  const store = new SeriesStore({ maxSeries: opts.maxSeries ?? 1000, capacity: 16, retentionMs: 60_000 });
  const scraper = new Scraper({
    store,
    logger: rec,
    metrics: rec,
    maxConcurrent: opts.maxConcurrent ?? 4,
    maxResponseBytes: opts.maxBytes ?? 1024 * 1024,
    maxSamplesPerScrape: 10_000,
    maxLineLength: 4096,
  });
  return { store, scraper };
}

describe('Scraper against hostile and broken targets', () => {
  const servers: TestExporter[] = [];
  let good: TestExporter;
  let counter = 0;
  const scrapers: Scraper[] = [];
  beforeAll(async () => {
    good = await startExporter(textHandler(() => `# TYPE ok_total counter\nok_total{a="1"} ${++counter}\n`));
    servers.push(good);
  });
  afterEach(() => {
    for (const s of scrapers.splice(0)) s.close();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('counts a hanging target as a timeout and keeps scraping the others', async () => {
    const hang = await startExporter(() => {
      /* never answers */
    });
    servers.push(hang);
    const rec = new Recorder();
    const { store, scraper } = makeScraper(rec);
    scrapers.push(scraper);
    const [hung, ok] = await Promise.all([scraper.scrapeOnce(target(hang.url, 'hang', 300)), scraper.scrapeOnce(target(good.url))]);
    expect(hung).toBe(false);
    expect(ok).toBe(true);
    expect(rec.c('scrape_errors_timeout')).toBe(1);
    expect(rec.c('scrape_errors')).toBe(1);
    expect(store.fresh('ok_total', Date.now())).toHaveLength(1);
  });

  it('counts garbage as a parse error and stores nothing from it', async () => {
    const junk = await startExporter((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok_total 1\n<html>\u0000\u0001 not metrics</html>\n');
    });
    servers.push(junk);
    const rec = new Recorder();
    const { store, scraper } = makeScraper(rec);
    scrapers.push(scraper);
    expect(await scraper.scrapeOnce(target(junk.url))).toBe(false);
    expect(rec.c('scrape_errors_parse')).toBe(1);
    expect(store.size).toBe(0);
    expect(JSON.stringify(rec.logs)).toMatch(/line 2/);
  });

  it('counts HTTP errors and refused connections', async () => {
    const err = await startExporter((_req, res) => {
      res.writeHead(503);
      res.end('down');
    });
    servers.push(err);
    const closed = await startExporter(() => undefined);
    const closedUrl = closed.url;
    await closed.close();
    const rec = new Recorder();
    const { scraper } = makeScraper(rec);
    scrapers.push(scraper);
    expect(await scraper.scrapeOnce(target(err.url))).toBe(false);
    expect(await scraper.scrapeOnce(target(closedUrl))).toBe(false);
    expect(rec.c('scrape_errors_http_status')).toBe(1);
    expect(rec.c('scrape_errors_connection')).toBe(1);
  });

  it('aborts a 100 MB body at the size limit without buffering it', async () => {
    let sent = 0;
    const huge = await startExporter((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no content-length to reject early
      const chunk = Buffer.from(`big_total{i="x"} 1\n`.repeat(3000)); // ~57 KB
      const total = 100 * 1024 * 1024;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = Math.min(sent, total)));
      pump();
    });
    servers.push(huge);
    const rec = new Recorder();
    const { store, scraper } = makeScraper(rec, { maxBytes: 1024 * 1024 });
    scrapers.push(scraper);
    const mem = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = mem();
    expect(await scraper.scrapeOnce(target(huge.url, 'huge', 10_000))).toBe(false);
    const grown = mem() - before;
    expect(rec.c('scrape_errors_too_large')).toBe(1);
    expect(store.size).toBe(0);
    // The read stopped near the limit: the server could push only what socket buffers hold.
    expect(sent).toBeLessThan(40 * 1024 * 1024);
    expect(grown).toBeLessThan(60 * 1024 * 1024);
    // And the process still scrapes fine.
    expect(await scraper.scrapeOnce(target(good.url))).toBe(true);
  });

  it('rejects a declared Content-Length over the limit before reading', async () => {
    const big = await startExporter((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(50 * 1024 * 1024) });
      res.write('x');
    });
    servers.push(big);
    const rec = new Recorder();
    const { scraper } = makeScraper(rec, { maxBytes: 1024 * 1024 });
    scrapers.push(scraper);
    expect(await scraper.scrapeOnce(target(big.url))).toBe(false);
    expect(rec.c('scrape_errors_too_large')).toBe(1);
  });

  it('bounds concurrent scrapes', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = await startExporter((_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok_total 1\n');
      }, 50);
    });
    servers.push(slow);
    const rec = new Recorder();
    const { scraper } = makeScraper(rec, { maxConcurrent: 2 });
    scrapers.push(scraper);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => scraper.scrapeOnce(target(`${slow.url}?i=${i}`, `k${i}`, 5000))));
    expect(results.every(Boolean)).toBe(true);
    expect(peak).toBeLessThanOrEqual(2);
    expect(slow.requests).toBe(8);
  });

  it('reports the series limit through metrics and a warning, never growing past it', async () => {
    const many = await startExporter(textHandler(() => Array.from({ length: 50 }, (_, i) => `ok_total{i="${i}"} 1`).join('\n') + '\n'));
    servers.push(many);
    const rec = new Recorder();
    const { store, scraper } = makeScraper(rec, { maxSeries: 10 });
    scrapers.push(scraper);
    await scraper.scrapeOnce(target(many.url));
    await scraper.scrapeOnce(target(many.url));
    expect(store.size).toBe(10);
    expect(rec.c('series_limit_exceeded')).toBe(80);
    expect(rec.logs.filter((l) => l.level === 'warn' && /series limit/.test(l.msg ?? ''))).toHaveLength(1);
    expect(rec.gauges.get('series')).toBe(10);
  });

  it('attaches target labels, keeping clashing exposed labels as exported_*', async () => {
    const clash = await startExporter(textHandler(() => 'ok_total{pod="inner",x="1"} 1\n'));
    servers.push(clash);
    const rec = new Recorder();
    const { store, scraper } = makeScraper(rec);
    scrapers.push(scraper);
    await scraper.scrapeOnce(target(clash.url));
    expect(store.fresh('ok_total', Date.now())[0].labels).toEqual({ pod: 'p', namespace: 'ns', exported_pod: 'inner', x: '1' });
  });

  it('keeps hostile label names such as __proto__ as plain labels', async () => {
    const evil = await startExporter(textHandler(() => 'ok_total{__proto__="x",constructor="y"} 1\n'));
    servers.push(evil);
    const rec = new Recorder();
    const { store, scraper } = makeScraper(rec);
    scrapers.push(scraper);
    expect(await scraper.scrapeOnce(target(evil.url))).toBe(true);
    const labels = store.fresh('ok_total', Date.now())[0].labels;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.keys(labels).sort()).toEqual(['__proto__', 'constructor', 'namespace', 'pod']);
  });

  it('scrapes targets on their interval and stops a removed target', async () => {
    const rec = new Recorder();
    const { store, scraper } = makeScraper(rec);
    scrapers.push(scraper);
    const t = target(good.url, 'periodic', 500, 100);
    scraper.setTargets([t]);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (store.fresh('ok_total', Date.now())[0]?.buffer.size ?? 0) < 3) await new Promise((r) => setTimeout(r, 50));
    expect(store.fresh('ok_total', Date.now())[0].buffer.size).toBeGreaterThanOrEqual(3);
    scraper.setTargets([]);
    expect(scraper.targets()).toHaveLength(0);
    const n = good.requests;
    await new Promise((r) => setTimeout(r, 300));
    expect(good.requests).toBeLessThanOrEqual(n + 1);
  });
});
