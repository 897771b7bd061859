import type { KubeObject } from '@custom-metrics/core';
import type { ResolvedTarget } from '../config.js';

/** Annotations read from pods, as Prometheus' conventional Kubernetes scrape config uses them. */
export const SCRAPE_ANNOTATIONS = {
  scrape: 'prometheus.io/scrape',
  port: 'prometheus.io/port',
  path: 'prometheus.io/path',
  scheme: 'prometheus.io/scheme',
} as const;

/**
 * podTargets turns pods into scrape targets: pods annotated `prometheus.io/scrape: "true"` with a
 * pod IP, a valid `prometheus.io/port`, not finished (Succeeded/Failed). `prometheus.io/path`
 * defaults to `/metrics`, `prometheus.io/scheme` to `http`. Each target attaches `namespace` and
 * `pod` labels to its series.
 */
export function podTargets(pods: readonly KubeObject[], intervalMs: number, timeoutMs: number): ResolvedTarget[] {
  const out: ResolvedTarget[] = [];
  for (const p of pods) {
    const a = p.annotations;
    if (a[SCRAPE_ANNOTATIONS.scrape] !== 'true' || !p.podIP || !p.namespace) continue;
    if (p.phase === 'Succeeded' || p.phase === 'Failed') continue;
    const port = Number(a[SCRAPE_ANNOTATIONS.port]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
    const scheme = (a[SCRAPE_ANNOTATIONS.scheme] ?? 'http').toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') continue;
    let path = a[SCRAPE_ANNOTATIONS.path] ?? '/metrics';
    if (!path.startsWith('/')) path = `/${path}`;
    const host = p.podIP.includes(':') ? `[${p.podIP}]` : p.podIP;
    let url: string;
    try {
      url = new URL(`${scheme}://${host}:${port}${path}`).href;
    } catch {
      continue;
    }
    const labels = { namespace: p.namespace, pod: p.name };
    out.push({ key: `pod:${p.namespace}/${p.name}:${url}`, url, labels, intervalMs, timeoutMs });
  }
  return out;
}
