import { NotFoundError, ServiceUnavailableError, groupResourceString } from '@custom-metrics/core';
import type { GroupResource, GroupVersionKind, Logger } from '@custom-metrics/core';
import type { KubeRest } from './rest.js';

/** One resource type as discovery reports it. */
export interface DiscoveredResource {
  readonly groupResource: GroupResource;
  /** The preferred group-version-kind. */
  readonly gvk: GroupVersionKind;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  /** Discovery's `singularName`, else the lower-cased kind. */
  readonly singular: string;
}

interface APIResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  singularName?: string;
}
interface APIResourceList {
  groupVersion?: string;
  resources?: APIResource[];
}
interface APIGroupList {
  groups?: Array<{ name: string; preferredVersion?: { groupVersion: string; version: string }; versions?: Array<{ version: string }> }>;
}

/** Options of {@link KubeDiscovery}. */
export interface KubeDiscoveryOptions {
  /** Periodic refresh interval (default 5 min). */
  refreshIntervalMs?: number;
  /** Minimum time between refreshes triggered by an unknown resource (default 30 s). */
  missRefreshMs?: number;
  logger?: Logger;
  now?: () => number;
}

/**
 * KubeDiscovery maps group-resources to kinds and scopes from kube-apiserver discovery
 * (`/api/v1`, `/apis`, `/apis/<g>/<preferred version>`), refreshed periodically and — rate
 * limited — when an unknown resource is asked for.
 */
export class KubeDiscovery {
  #byResource = new Map<string, DiscoveredResource>();
  #byKind = new Map<string, DiscoveredResource>();
  #loaded: Promise<void> | undefined;
  #lastRefresh = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  constructor(
    private readonly rest: KubeRest,
    private readonly options: KubeDiscoveryOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Loads discovery now (deduplicated while a refresh is running). */
  refresh(): Promise<void> {
    if (this.#loaded && this.#refreshing) return this.#loaded;
    this.#refreshing = true;
    this.#lastRefresh = this.#now();
    const run = this.#load().finally(() => {
      this.#refreshing = false;
    });
    // Keep the previous mapping when a refresh fails after a successful one.
    this.#loaded = run;
    if (!this.#timer) {
      this.#timer = setInterval(() => {
        this.refresh().catch((e: Error) => this.options.logger?.warn({ err: e.message }, 'discovery refresh failed'));
      }, this.options.refreshIntervalMs ?? 300_000);
      this.#timer.unref();
    }
    return run;
  }
  #refreshing = false;

  async #load(): Promise<void> {
    const byResource = new Map<string, DiscoveredResource>();
    const byKind = new Map<string, DiscoveredResource>();
    const add = (group: string, version: string, list: APIResourceList) => {
      for (const r of list.resources ?? []) {
        if (r.name.includes('/')) continue;
        const d: DiscoveredResource = {
          groupResource: { group, resource: r.name },
          gvk: { group, version, kind: r.kind },
          namespaced: r.namespaced,
          verbs: r.verbs ?? [],
          singular: r.singularName || r.kind.toLowerCase(),
        };
        byResource.set(groupResourceString(d.groupResource), d);
        if (!byKind.has(`${group}/${r.kind}`)) byKind.set(`${group}/${r.kind}`, d);
      }
    };
    add('', 'v1', await this.rest.requestOK<APIResourceList>('GET', '/api/v1'));
    const groups = await this.rest.requestOK<APIGroupList>('GET', '/apis');
    const lists = await Promise.all(
      (groups.groups ?? []).map(async (g) => {
        const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
        if (!version) return undefined;
        try {
          return { group: g.name, version, list: await this.rest.requestOK<APIResourceList>('GET', `/apis/${g.name}/${version}`) };
        } catch (e) {
          this.options.logger?.debug({ group: g.name, err: (e as Error).message }, 'discovery of a group failed');
          return undefined;
        }
      }),
    );
    for (const l of lists) if (l) add(l.group, l.version, l.list);
    this.#byResource = byResource;
    this.#byKind = byKind;
    this.#ready = true;
  }
  #ready = false;

  async #ensure(): Promise<void> {
    if (this.#ready) return;
    try {
      await (this.#refreshing && this.#loaded ? this.#loaded : this.refresh());
    } catch (e) {
      this.options.logger?.warn({ err: (e as Error).message }, 'discovery failed');
      throw new ServiceUnavailableError('unable to discover the resources of the cluster', 5);
    }
  }

  #find(gr: GroupResource): DiscoveredResource | undefined {
    const exact = this.#byResource.get(groupResourceString(gr));
    if (exact || gr.group !== '') return exact;
    for (const d of this.#byResource.values()) if (d.groupResource.resource === gr.resource) return d;
    return undefined;
  }

  /**
   * The discovered resource for `gr` (a group-less name also matches other groups' resources).
   * @throws {NotFoundError} when discovery does not know it.
   */
  async resolve(gr: GroupResource): Promise<DiscoveredResource> {
    await this.#ensure();
    let d = this.#find(gr);
    if (!d && this.#now() - this.#lastRefresh >= (this.options.missRefreshMs ?? 30_000)) {
      await this.refresh().catch(() => undefined);
      d = this.#find(gr);
    }
    if (!d) throw new NotFoundError(`the server doesn't have a resource type "${groupResourceString(gr)}"`);
    return d;
  }

  /**
   * The discovered resource for `gr` as {@link resolve} would answer it at once: `undefined` when
   * discovery has not loaded yet or does not know `gr` (resolve then waits, refreshes or throws).
   */
  resolvedNow(gr: GroupResource): DiscoveredResource | undefined {
    return this.#ready ? this.#find(gr) : undefined;
  }

  /** The resource for a group and kind. @throws {NotFoundError} when unknown. */
  async resolveKind(group: string, kind: string): Promise<DiscoveredResource> {
    await this.#ensure();
    let d = this.#byKind.get(`${group}/${kind}`);
    if (!d && this.#now() - this.#lastRefresh >= (this.options.missRefreshMs ?? 30_000)) {
      await this.refresh().catch(() => undefined);
      d = this.#byKind.get(`${group}/${kind}`);
    }
    if (!d) throw new NotFoundError(`no matches for kind "${kind}" in group "${group}"`);
    return d;
  }

  /**
   * Every discovered resource type (CRDs included), core group first, then groups in the order
   * `/apis` lists them, as of the last successful refresh.
   * @throws {ServiceUnavailableError} when discovery never loaded.
   */
  async list(): Promise<DiscoveredResource[]> {
    await this.#ensure();
    return [...this.#byResource.values()];
  }

  /** Stops the periodic refresh. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
