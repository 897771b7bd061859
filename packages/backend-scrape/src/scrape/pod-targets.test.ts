import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@custom-metrics/core';
import { podTargets } from './pod-targets.js';

const pod = (name: string, annotations: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace: 'shop',
  labels: {},
  annotations,
  podIP: '10.0.0.7',
  phase: 'Running',
  ...extra,
});

describe('podTargets', () => {
  it('builds targets from the prometheus.io annotations with pod and namespace labels', () => {
    const t = podTargets(
      [
        pod('a', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' }),
        pod('b', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9443', 'prometheus.io/path': 'stats', 'prometheus.io/scheme': 'https' }),
        pod('v6', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8081' }, { podIP: 'fd00::1' }),
      ],
      5000,
      3000,
    );
    expect(t.map((x) => x.url)).toEqual(['http://10.0.0.7:8080/metrics', 'https://10.0.0.7:9443/stats', 'http://[fd00::1]:8081/metrics']);
    expect(t[0].labels).toEqual({ namespace: 'shop', pod: 'a' });
    expect(t[0]).toMatchObject({ intervalMs: 5000, timeoutMs: 3000 });
    expect(new Set(t.map((x) => x.key)).size).toBe(3);
  });

  it('skips pods not opted in, without an IP or port, finished, or with a bad scheme', () => {
    const ok = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' };
    const t = podTargets(
      [
        pod('no', { 'prometheus.io/scrape': 'false', 'prometheus.io/port': '8080' }),
        pod('noport', { 'prometheus.io/scrape': 'true' }),
        pod('badport', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '99999' }),
        pod('noip', ok, { podIP: undefined }),
        pod('done', ok, { phase: 'Succeeded' }),
        pod('ftp', { ...ok, 'prometheus.io/scheme': 'ftp' }),
      ],
      5000,
      3000,
    );
    expect(t).toEqual([]);
  });
});
