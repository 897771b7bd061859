import { AGGREGATED_DISCOVERY_CONTENT_TYPE } from '@custom-metrics/core';

/** The Content-Type (and Accept media range) of aggregated discovery v2. */
export const AGGREGATED_V2_MEDIA_TYPE = AGGREGATED_DISCOVERY_CONTENT_TYPE;

/**
 * acceptsAggregatedV2 tells whether an Accept header asks for `APIGroupDiscoveryList` in
 * `apidiscovery.k8s.io/v2` (any media range of type application/json with those parameters).
 */
export function acceptsAggregatedV2(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((p) => p.trim());
    if (type.toLowerCase() !== 'application/json') continue;
    const p = new Map<string, string>();
    for (const kv of params) {
      const eq = kv.indexOf('=');
      if (eq > 0) p.set(kv.slice(0, eq).trim().toLowerCase(), kv.slice(eq + 1).trim().replace(/^"|"$/g, ''));
    }
    if (p.get('g') === 'apidiscovery.k8s.io' && p.get('v') === 'v2' && p.get('as') === 'APIGroupDiscoveryList') return true;
  }
  return false;
}
