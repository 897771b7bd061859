// BASELINE ONLY — not used by the server. packages/backend-prometheus/src/discovery.ts as it was
// on main before its per-series work was cached (main at 7170cfc: naming regexes, Object.keys,
// sort and join for every series), types stripped (esbuild); its one import points at the built
// package. Swapped in with bench/support/series-stream-baseline.mjs by series-stream-hooks.mjs.
import { grKey, isRootScoped, NAMESPACES, pluralize } from "../../packages/backend-prometheus/dist/naming/resource-names.js";
function scoped(gr, known) {
  const r = known.find((x) => x.group === gr.group && x.resource === gr.resource);
  return r !== void 0 ? r.namespaced : !isRootScoped(gr);
}
function resolveLabelResource(label, resources) {
  if (label.exact) return label.resource;
  const name = label.name.toLowerCase();
  const plural = pluralize(name);
  const hits = resources.filter(
    (r) => (r.singular.toLowerCase() === name || r.resource === name || r.resource === plural) && (!label.groupKnown || r.group.replace(/[.-]/g, "_") === label.groupText)
  );
  const hit = hits.find((r) => r.group === "") ?? hits[0];
  return hit === void 0 ? void 0 : { group: hit.group, resource: hit.resource };
}
class DiscoveryRun {
  constructor(now) {
    this.now = now;
  }
  #custom = /* @__PURE__ */ new Map();
  #external = /* @__PURE__ */ new Map();
  /** Rules whose series call succeeded (only their stale entries may be evicted). */
  okCustomRules = /* @__PURE__ */ new Set();
  okExternalRules = /* @__PURE__ */ new Set();
  seriesSeen = 0;
  /** Adds one series returned for custom rule `rule`. */
  addCustomSeries(rule, namer, labels) {
    this.seriesSeen++;
    const name = labels.__name__;
    if (name === void 0 || !namer.keepSeries(name)) return;
    const metric = namer.metricNameFor(name);
    if (metric === void 0 || metric === "") return;
    const cand = [];
    for (const l of Object.keys(labels)) if (l !== "__name__" && namer.resources.resourceForLabel(l) !== void 0) cand.push(l);
    cand.sort();
    const key = `${rule}\0${name}\0${cand.join(",")}`;
    if (!this.#custom.has(key)) this.#custom.set(key, { rule, metric, series: name, labels: cand });
  }
  /** Adds one series returned for external rule `rule`. */
  addExternalSeries(rule, namer, labels) {
    this.seriesSeen++;
    const name = labels.__name__;
    if (name === void 0 || !namer.keepSeries(name)) return;
    const metric = namer.metricNameFor(name);
    if (metric === void 0 || metric === "") return;
    const key = metric.toLowerCase();
    if (!this.#external.has(key)) this.#external.set(key, { info: { metric }, series: name, rule, lastSeen: this.now });
  }
  /**
   * Resolves the collected label sets into custom metric entries: override targets are trusted,
   * template-derived labels are resolved against `resources` (the cluster's, from discovery).
   */
  customEntries(namers, known) {
    const out = [];
    for (const p of this.#custom.values()) {
      const conv = namers[p.rule].resources;
      const resources = [];
      for (const l of p.labels) {
        const r = conv.resourceForLabel(l);
        const gr = r === void 0 ? void 0 : resolveLabelResource(r, known);
        if (gr !== void 0 && !resources.some((x) => grKey(x) === grKey(gr))) resources.push(gr);
      }
      const namespaced = resources.some((r) => grKey(r) === grKey(NAMESPACES));
      for (const gr of resources) {
        out.push({
          info: { groupResource: gr, namespaced: namespaced && scoped(gr, known), metric: p.metric },
          series: p.series,
          rule: p.rule,
          lastSeen: this.now
        });
      }
    }
    return out;
  }
  externalEntries() {
    return [...this.#external.values()];
  }
  /** Distinct (rule, series, label-shape) tuples held: the run's memory footprint. */
  get size() {
    return this.#custom.size + this.#external.size;
  }
}
class MetricRegistry {
  #custom = /* @__PURE__ */ new Map();
  #external = /* @__PURE__ */ new Map();
  static customKey(metric, gr) {
    return `${metric}\0${grKey(gr)}`;
  }
  lookupCustom(metric, gr) {
    return this.#custom.get(MetricRegistry.customKey(metric, gr));
  }
  lookupExternal(metric) {
    return this.#external.get(metric.toLowerCase());
  }
  listCustom() {
    return [...this.#custom.values()].map((e) => e.info);
  }
  listExternal() {
    return [...this.#external.values()].map((e) => e.info);
  }
  get customCount() {
    return this.#custom.size;
  }
  get externalCount() {
    return this.#external.size;
  }
  /** Merges a finished run and evicts entries of successful rules unseen for `maxAgeMs`. */
  apply(run, custom, maxAgeMs) {
    const fresh = /* @__PURE__ */ new Map();
    for (const e of custom) {
      const k = MetricRegistry.customKey(e.info.metric, e.info.groupResource);
      const prev = fresh.get(k);
      if (prev === void 0 || e.rule < prev.rule) fresh.set(k, e);
    }
    for (const [k, e] of fresh) {
      const old = this.#custom.get(k);
      if (old !== void 0 && old.rule === e.rule && old.series === e.series && old.info.namespaced === e.info.namespaced) old.lastSeen = run.now;
      else if (old === void 0 || e.rule <= old.rule || !run.okCustomRules.has(old.rule)) this.#custom.set(k, e);
    }
    for (const e of run.externalEntries()) {
      const k = e.info.metric.toLowerCase();
      const old = this.#external.get(k);
      if (old !== void 0 && old.rule < e.rule) continue;
      if (old !== void 0 && old.rule === e.rule && old.series === e.series) old.lastSeen = run.now;
      else this.#external.set(k, e);
    }
    for (const [k, e] of this.#custom) {
      if (run.okCustomRules.has(e.rule) && run.now - e.lastSeen > maxAgeMs) this.#custom.delete(k);
    }
    for (const [k, e] of this.#external) {
      if (run.okExternalRules.has(e.rule) && run.now - e.lastSeen > maxAgeMs) this.#external.delete(k);
    }
  }
}
export {
  DiscoveryRun,
  MetricRegistry,
  resolveLabelResource
};
