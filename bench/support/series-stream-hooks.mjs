// Module resolve hook for bench/support/relist.mjs: with `parser: "baseline"`, the backend's
// dist/series-stream.js and dist/discovery.js resolve to bench/support/series-stream-baseline.mjs
// and discovery-baseline.mjs instead, so the whole relist path runs as on main before the change. Registered for both measurements so
// the two runs have the same loader overhead.
let baseline = false;
export function initialize(data) {
  baseline = data?.parser === 'baseline';
}
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (baseline && r.url.endsWith('/backend-prometheus/dist/series-stream.js')) {
    return { ...r, url: new URL('./series-stream-baseline.mjs', import.meta.url).href, shortCircuit: true };
  }
  if (baseline && r.url.endsWith('/backend-prometheus/dist/discovery.js')) {
    return { ...r, url: new URL('./discovery-baseline.mjs', import.meta.url).href, shortCircuit: true };
  }
  return r;
}
