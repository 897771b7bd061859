import { ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { ServiceUnavailableError, groupResourceString } from '@custom-metrics/core';
import type { GroupResource, GroupVersionKind, KubeLookup, KubeObject, Logger, ResourceInfo, Selector } from '@custom-metrics/core';
import { KubeDiscovery, type DiscoveredResource, type KubeDiscoveryOptions } from './discovery.js';
import type { KubeRest } from './rest.js';

/** The object fields the lookup reads (metadata, a pod's status/spec, any other object's spec). */
interface RawObject extends KubernetesObject {
  status?: { podIP?: string; phase?: string };
  spec?: { nodeName?: string } & Record<string, unknown>;
}

/** Options of {@link InformerKubeLookup}. */
export interface InformerKubeLookupOptions extends KubeDiscoveryOptions {
  /** Page size of the informers' initial LIST (default 500). */
  listPageSize?: number;
  /** Delay before an informer whose watch failed is restarted (default 2 s). */
  restartDelayMs?: number;
}

interface Entry {
  readonly resource: DiscoveredResource;
  readonly informer: ListWatch<RawObject>;
  ready: Promise<void>;
  /** Set once `ready` has resolved: the entry is read without awaiting it. */
  synced: boolean;
  /**
   * The lists answered since the informer's cache last changed, by namespace and selector text
   * ({@link listKey}); emptied by every add, update and delete event.
   */
  readonly lists: Map<string, readonly KubeObject[]>;
  restartTimer?: NodeJS.Timeout;
}

/**
 * How many (namespace, selector) lists one resource keeps between two changes of its cache; the
 * oldest is dropped beyond it (more questions than this in rotation are answered as before: each
 * list computed on demand).
 */
const MAX_KEPT_LISTS = 512;

/** The key of a kept list: namespace and selector text (a namespace name never holds `\n`). */
function listKey(namespace: string, selector: Selector): string {
  return selector.isEmpty() ? namespace : `${namespace}\n${selector.toString()}`;
}

const MAX_PAGES = 10_000;

/**
 * The KubeObject of each informer object, kept while the informer holds that object (an update
 * replaces the object, so its entry goes with it): a list does not copy every object's labels and
 * annotations again. The KubeObjects are frozen, as they are shared by every request.
 */
const converted = new WeakMap<RawObject, KubeObject>();

function toKubeObject(o: RawObject, gvk: GroupVersionKind, namespaced: boolean, isPod: boolean): KubeObject {
  const cached = converted.get(o);
  if (cached && cached.gvk === gvk && (cached.namespace !== undefined) === (namespaced && !!o.metadata?.namespace)) return cached;
  const obj = convert(o, gvk, namespaced, isPod);
  Object.freeze(obj.labels);
  Object.freeze(obj.annotations);
  converted.set(o, Object.freeze(obj));
  return obj;
}

function convert(o: RawObject, gvk: GroupVersionKind, namespaced: boolean, isPod: boolean): KubeObject {
  const m = o.metadata ?? {};
  const obj: {
    -readonly [K in keyof KubeObject]: KubeObject[K];
  } = {
    gvk,
    name: m.name ?? '',
    labels: { ...(m.labels ?? {}) },
    annotations: { ...(m.annotations ?? {}) },
  };
  if (namespaced && m.namespace) obj.namespace = m.namespace;
  if (m.uid) obj.uid = m.uid;
  if (isPod) {
    if (o.status?.podIP) obj.podIP = o.status.podIP;
    if (o.status?.phase) obj.phase = o.status.phase;
    if (o.spec?.nodeName) obj.nodeName = o.spec.nodeName;
  } else if (o.spec !== null && typeof o.spec === 'object' && !Array.isArray(o.spec)) {
    obj.spec = o.spec;
  }
  return obj;
}

function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const an = a.namespace ?? '';
  const bn = b.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * InformerKubeLookup implements core's `KubeLookup` over @kubernetes/client-node informers: the
 * first use of a resource starts one informer for it (LIST, then WATCH from that
 * resourceVersion, across all namespaces); later calls read its cache, never LIST per request.
 * Kinds and scopes come from discovery ({@link KubeDiscovery}).
 */
export class InformerKubeLookup implements KubeLookup {
  readonly discovery: KubeDiscovery;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(
    private readonly rest: KubeRest,
    private readonly options: InformerKubeLookupOptions = {},
  ) {
    this.discovery = new KubeDiscovery(rest, options);
  }

  get #log(): Logger | undefined {
    return this.options.logger;
  }

  /** Path of the all-namespaces collection of a resource. */
  static collectionPath(r: DiscoveredResource): string {
    const { group, version } = r.gvk;
    return `${group === '' ? `/api/${version}` : `/apis/${group}/${version}`}/${r.groupResource.resource}`;
  }

  async #list(path: string): Promise<KubernetesListObject<RawObject>> {
    const items: RawObject[] = [];
    let cont = '';
    let resourceVersion = '';
    for (let page = 0; page < MAX_PAGES; page++) {
      const q = new URLSearchParams({ limit: String(this.options.listPageSize ?? 500) });
      if (cont) q.set('continue', cont);
      const res = await this.rest.requestOK<KubernetesListObject<RawObject>>('GET', `${path}?${q.toString()}`);
      items.push(...(res.items ?? []));
      if (page === 0) resourceVersion = res.metadata?.resourceVersion ?? '';
      cont = res.metadata?._continue ?? (res.metadata as { continue?: string } | undefined)?.continue ?? '';
      if (!cont) break;
    }
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
  }

  #start(resource: DiscoveredResource): Entry {
    const key = groupResourceString(resource.groupResource);
    const existing = this.#entries.get(key);
    if (existing) return existing;
    const path = InformerKubeLookup.collectionPath(resource);
    const informer = new ListWatch<RawObject>(path, new Watch(this.rest.config), () => this.#list(path), false);
    let firstError: unknown;
    const entry: Entry = { resource, informer, synced: false, lists: new Map(), ready: Promise.resolve() };
    informer.on('error', (err) => {
      if (!entry.synced) {
        firstError = err;
        return;
      }
      this.#scheduleRestart(entry, err);
    });
    // Every change of the cache fires one of these, after the change: lists kept from before it
    // are stale from then on, and are dropped (with the objects only they still hold).
    const changed = () => entry.lists.clear();
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', changed);
    entry.ready = (async () => {
      await informer.start();
      if (firstError !== undefined) {
        this.#entries.delete(key);
        await informer.stop();
        this.#log?.warn({ resource: key, err: String((firstError as Error)?.message ?? firstError) }, 'informer failed to sync');
        throw new ServiceUnavailableError(`unable to list ${key} from the cluster`, 5);
      }
      entry.synced = true;
      this.#log?.debug({ resource: key }, 'informer synced');
    })();
    this.#entries.set(key, entry);
    return entry;
  }

  #scheduleRestart(entry: Entry, err: unknown): void {
    if (this.#closed || entry.restartTimer) return;
    this.#log?.warn({ resource: groupResourceString(entry.resource.groupResource), err: String((err as Error)?.message ?? err) }, 'informer watch failed; restarting');
    entry.restartTimer = setTimeout(() => {
      entry.restartTimer = undefined;
      if (!this.#closed) void entry.informer.start();
    }, this.options.restartDelayMs ?? 2_000);
    entry.restartTimer.unref();
  }

  async #synced(gr: GroupResource): Promise<Entry> {
    const resource = await this.discovery.resolve(gr);
    const entry = this.#start(resource);
    await entry.ready;
    return entry;
  }

  /**
   * The synced entry of `gr` when discovery has it at hand and its informer has synced (no
   * promise); `undefined` when either would have to wait ({@link #synced} then does).
   */
  #syncedNow(gr: GroupResource): Entry | undefined {
    const resource = this.discovery.resolvedNow(gr);
    if (resource === undefined) return undefined;
    const entry = this.#entries.get(groupResourceString(resource.groupResource));
    return entry?.synced === true ? entry : undefined;
  }

  /**
   * listObjects answers from the informer's cache. The answer is frozen and kept per namespace
   * and selector until the cache next changes: an unchanged cluster view gives every caller the
   * same array (core's `KubeLookup` contract), without filtering, converting and sorting again.
   */
  listObjects(resource: GroupResource, namespace: string, selector: Selector): Promise<readonly KubeObject[]> {
    const now = this.#syncedNow(resource);
    if (now !== undefined) return Promise.resolve(this.#listOf(now, namespace, selector));
    return this.#synced(resource).then((e) => this.#listOf(e, namespace, selector));
  }

  #listOf(e: Entry, namespace: string, selector: Selector): readonly KubeObject[] {
    const { gvk, namespaced } = e.resource;
    const ns = namespaced && namespace !== '' ? namespace : '';
    const key = listKey(ns, selector);
    const kept = e.lists.get(key);
    if (kept !== undefined) return kept;
    const isPod = gvk.group === '' && gvk.kind === 'Pod';
    const items = e.informer.list(ns === '' ? undefined : ns);
    const out: KubeObject[] = [];
    for (const o of items) {
      if (selector.matches(o.metadata?.labels ?? {})) out.push(toKubeObject(o, gvk, namespaced, isPod));
    }
    const objects = Object.freeze(out.sort(byNamespaceThenName));
    if (e.lists.size >= MAX_KEPT_LISTS) e.lists.delete(e.lists.keys().next().value as string);
    e.lists.set(key, objects);
    return objects;
  }

  async getObject(resource: GroupResource, namespace: string, name: string): Promise<KubeObject | undefined> {
    const e = await this.#synced(resource);
    const { gvk, namespaced } = e.resource;
    const o = e.informer.get(name, namespaced ? namespace : undefined);
    return o ? toKubeObject(o, gvk, namespaced, gvk.group === '' && gvk.kind === 'Pod') : undefined;
  }

  /**
   * objects lists the full objects of `resource` in every namespace from its informer's cache (the
   * first call starts the informer), with the apiVersion and kind they are served as: for what a
   * KubeObject does not carry, e.g. the HPAs' specs the debug page explains.
   */
  async objects(resource: GroupResource): Promise<{ apiVersion: string; kind: string; items: readonly KubernetesObject[] }> {
    const e = await this.#synced(resource);
    const { group, version, kind } = e.resource.gvk;
    return { apiVersion: group === '' ? version : `${group}/${version}`, kind, items: e.informer.list() };
  }

  async kindFor(resource: GroupResource): Promise<GroupVersionKind> {
    return (await this.discovery.resolve(resource)).gvk;
  }

  async resourceFor(group: string, kind: string): Promise<GroupResource> {
    return (await this.discovery.resolveKind(group, kind)).groupResource;
  }

  async isNamespaced(resource: GroupResource): Promise<boolean> {
    return (await this.discovery.resolve(resource)).namespaced;
  }

  async resources(): Promise<ResourceInfo[]> {
    return (await this.discovery.list()).map((d) => ({
      group: d.groupResource.group,
      resource: d.groupResource.resource,
      kind: d.gvk.kind,
      namespaced: d.namespaced,
      singular: d.singular,
    }));
  }

  /** How many informers run (one per resource used so far). */
  get informerCount(): number {
    return this.#entries.size;
  }

  /** Stops every informer and the discovery refresh. */
  async close(): Promise<void> {
    this.#closed = true;
    this.discovery.close();
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(
      entries.map(async (e) => {
        if (e.restartTimer) clearTimeout(e.restartTimer);
        await e.ready.catch(() => undefined);
        await e.informer.stop();
      }),
    );
  }
}
