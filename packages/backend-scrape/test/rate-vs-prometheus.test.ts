import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, waitFor } from '../../../test-support/index.js';
import { Scraper } from '../src/scrape/scraper.js';
import { applyWindowFunction } from '../src/window/functions.js';
import { SeriesStore } from '../src/window/series-store.js';
import { Recorder } from './support/recorder.js';
import { startExporter, textHandler, type TestExporter } from '@custom-metrics/backend-scrape/testing';
import { startPrometheus, type RealPrometheus } from './support/prometheus.js';

const bin = requireBinary('prometheus', 'apt-get install prometheus');

/**
 * Both the real Prometheus and our scraper scrape the same local exporter every 500 ms; the
 * exporter's counter grows at ~200/s and is reset once. rate() over the same 10 s window, asked at
 * the same instant, must agree within a tolerance that allows for the two scrapers' different
 * sample alignment (each sees different instants of the same counter, and each loses a different
 * part of the increase just before the reset: up to one interval, i.e. ≤ 5 % of the window each).
 */
describe.skipIf(!bin)('rate() compared with the real Prometheus', () => {
  let exporter: TestExporter;
  let prom: RealPrometheus;
  let scraper: Scraper;
  const store = new SeriesStore({ maxSeries: 100, capacity: 64, retentionMs: 60_000 });
  let base = Date.now();
  let resetDone = false;

  beforeAll(async () => {
    exporter = await startExporter(
      textHandler(() => {
        const v = Math.floor((Date.now() - base) / 5); // +200 per second
        return `# TYPE demo_events_total counter\ndemo_events_total{kind="a"} ${v}\n`;
      }),
    );
    prom = await startPrometheus(bin as string, [`127.0.0.1:${exporter.port}`], '500ms');
    const rec = new Recorder();
    scraper = new Scraper({ store, logger: rec, metrics: rec, maxConcurrent: 2, maxResponseBytes: 1 << 20, maxSamplesPerScrape: 1000, maxLineLength: 4096 });
    scraper.setTargets([{ key: 'exp', url: exporter.url, labels: {}, intervalMs: 500, timeoutMs: 450 }]);
  });
  afterAll(async () => {
    scraper?.close();
    await prom?.stop();
    await exporter?.close();
  });

  it('agrees with Prometheus on rate over 10 s, across a counter reset', async () => {
    const ourSamples = () => store.fresh('demo_events_total', Date.now())[0]?.buffer.size ?? 0;
    const promSamples = async (range: string) => {
      const r = await prom.query(`count_over_time(demo_events_total[${range}])`);
      return r.length === 1 ? Number(r[0].value[1]) : 0;
    };
    // Both collect ~5 s (Prometheus starts scraping a little after it reports ready), then the
    // counter is reset, then both collect ~5 s more: the reset is inside both 10 s windows.
    await waitFor('5 s of samples in both', async () => ourSamples() >= 10 && (await promSamples('5s')) >= 9, 30_000, 200);
    base = Date.now();
    resetDone = true;
    const ourAtReset = ourSamples();
    await waitFor('5 s more in both', async () => ourSamples() >= ourAtReset + 10 && (await promSamples('10s')) >= 19, 30_000, 200);
    expect(resetDone).toBe(true);

    const nowMs = Date.now();
    const promRate = Number((await prom.query('rate(demo_events_total[10s])', nowMs / 1000))[0].value[1]);
    const series = store.fresh('demo_events_total', nowMs)[0];
    const ours = applyWindowFunction('rate', series.buffer.range(nowMs - 10_000, nowMs), nowMs, 10_000);
    const promIncrease = Number((await prom.query('increase(demo_events_total[10s])', nowMs / 1000))[0].value[1]);
    const oursIncrease = applyWindowFunction('increase', series.buffer.range(nowMs - 10_000, nowMs), nowMs, 10_000);

    const vs = series.buffer.range(nowMs - 10_000, nowMs).v;
    expect(vs.some((v, i) => i > 0 && v < vs[i - 1])).toBe(true); // the reset is inside the window
    expect(ours).toBeDefined();
    expect(promRate).toBeGreaterThan(100); // sanity: the reset was handled (a naive delta would be negative or tiny)
    expect(Math.abs((ours as number) - promRate) / promRate).toBeLessThan(0.2);
    expect(Math.abs((oursIncrease as number) - promIncrease) / promIncrease).toBeLessThan(0.2);
    // Both see a rate near the true 200/s.
    expect(Math.abs((ours as number) - 200) / 200).toBeLessThan(0.25);
  });
});
