import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { Gauge } from 'prom-client';
import type { Logger } from '@custom-metrics/core';
import { backendHealthCheck, closeBackendInstance, createBackendInstance } from '../backends/create-instance.js';
import type { BackendLoader } from '../backends/loader.js';
import type { RegisteredBackend } from '../backends/registry.js';
import { checkConfigFile } from '../cli/validate-config.js';
import type { ServerContainer } from '../container.js';
import { BACKEND_LOADER } from '../tokens.js';
import { ConfigError, isConfigError } from './config-error.js';
import type { BackendConfig, ServerConfig, ServerOptions } from './types.js';
import { watchConfigFile, type ConfigWatcher } from './watch.js';

/** Quiet time after the last change to the config file's directory before it is reloaded. */
export const RELOAD_DEBOUNCE_MS = 500;

/** What one reload did. */
export interface ReloadOutcome {
  /** Whether the file was valid and its backends are now serving (also when nothing changed). */
  readonly ok: boolean;
  /** Why not, with the JSON path of each bad field (when `ok` is false). */
  readonly error?: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Instances rebuilt because their `type` or `config` changed. */
  readonly reconfigured: readonly string[];
  /** Instances kept as they were (their caches and discovery survive). */
  readonly kept: readonly string[];
  /** Fields that changed but only take effect at the next restart (e.g. `server.securePort`). */
  readonly restartRequired: readonly string[];
}

/** What {@link ConfigReloader} works with. */
export interface ConfigReloaderOptions {
  /** The config file; without one there is nothing to reload. */
  readonly file: string | undefined;
  /** The command-line overrides (they keep winning over the file). */
  readonly flags: Partial<ServerOptions>;
  /** The configuration the server started with. */
  readonly config: ServerConfig;
  readonly sc: ServerContainer;
  readonly logger: Logger;
  /** How long replaced instances may keep serving the requests that started on them before they are closed. */
  readonly drainTimeoutMs: number;
  readonly now?: () => Date;
}

interface Live {
  readonly entry: BackendConfig;
  readonly backend: RegisteredBackend;
}

/** The fields of `a` and `b` (server options, standalone kinds and objects) that differ, as JSON paths. */
function restartOnlyChanges(a: ServerConfig, b: ServerConfig): string[] {
  const keys = new Set([...Object.keys(a.server), ...Object.keys(b.server)]) as Set<keyof ServerOptions>;
  const out = [...keys].filter((k) => !isDeepStrictEqual(a.server[k], b.server[k])).map((k) => `server.${k}`);
  // The standalone lookup (its kinds and objects) is built once at start-up, before the backends
  // that read it (the Prometheus backend maps template labels through its kinds): restart-only.
  for (const k of ['resources', 'objects'] as const) if (!isDeepStrictEqual(a.standalone[k], b.standalone[k])) out.push(`standalone.${k}`);
  return out.sort();
}

function describe(e: unknown): string {
  if (isConfigError(e)) return e.problems.map((p) => `${p.path || '(root)'}: ${p.expected}`).join('; ');
  return e instanceof Error ? e.message : String(e);
}

/**
 * ConfigReloader applies a changed config file without a restart. A reload is the dry run of
 * `validate-config` ({@link checkConfigFile}); if it passes, instances whose `type` or `config`
 * changed (and new ones) are built and started, the routing table is checked for conflicts and
 * then swapped atomically ({@link SwappableRegistry.swap}): requests in flight finish on the old
 * instances, which are closed once they are done (bounded by `drainTimeoutMs`). Unchanged
 * instances are kept as they are; a changed `priority` or `lookupOnDemand` only re-routes.
 * Anything failing leaves the last good config serving; the error is logged with the field's
 * path, shown as `config-reload` in `/readyz?verbose` (informational) and exported as
 * `custom_metrics_server_config_last_reload_successful` 0. Changes to `server:` or `standalone:`
 * are logged as not applied until restart. Reloads run one at a time; requests arriving while one
 * runs are coalesced into one more.
 */
export class ConfigReloader {
  readonly #o: ConfigReloaderOptions;
  readonly #now: () => Date;
  readonly #successful: Gauge;
  readonly #successTime: Gauge;
  readonly #retiring = new Set<Promise<void>>();
  #live: Live[];
  #lastError: string | undefined;
  #lastSuccess: Date;
  #running: Promise<unknown> = Promise.resolve();
  #queued: Promise<ReloadOutcome> | undefined;
  #closed = false;

  constructor(options: ConfigReloaderOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#live = options.config.backends.map((entry, i) => ({ entry, backend: options.sc.registry.backends[i] }));
    this.#lastSuccess = this.#now();
    const registers = [options.sc.metrics.registry];
    this.#successful = new Gauge({
      name: 'custom_metrics_server_config_last_reload_successful',
      help: 'Whether the last configuration reload attempt succeeded (1) or the last good configuration is still serving (0).',
      registers,
    });
    this.#successTime = new Gauge({
      name: 'custom_metrics_server_config_last_reload_success_timestamp_seconds',
      help: 'Time of the last successful configuration load (start-up or reload), in seconds since the epoch.',
      registers,
    });
    this.#successful.set(1);
    this.#successTime.set(this.#lastSuccess.getTime() / 1000);
    options.sc.health.addInformational({
      name: 'config-reload',
      check: () =>
        this.#lastError === undefined
          ? undefined
          : `the last reload of ${options.file} failed, the config loaded at ${this.#lastSuccess.toISOString()} keeps serving: ${this.#lastError}`,
    });
  }

  /**
   * reload re-reads the config file and applies it (see the class comment). Never throws: the
   * outcome says what happened. Calls made while a reload is waiting to run share it.
   */
  reload(reason = 'requested'): Promise<ReloadOutcome> {
    if (this.#queued) return this.#queued;
    const next: Promise<ReloadOutcome> = this.#running.then(() => {
      this.#queued = undefined;
      return this.#apply(reason);
    });
    this.#queued = next;
    this.#running = next.catch(() => undefined);
    return next;
  }

  /** Waits for a running reload and for replaced instances to be closed; later reloads do nothing. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
    await Promise.all([...this.#retiring]);
  }

  async #apply(reason: string): Promise<ReloadOutcome> {
    const { file, logger } = this.#o;
    const none = { added: [], removed: [], reconfigured: [], kept: [], restartRequired: [] };
    if (this.#closed) return { ok: false, error: 'the server is shutting down', ...none };
    if (file === undefined) {
      logger.warn({ reason }, 'config reload: the server was started without --config, nothing to reload');
      return { ok: true, ...none };
    }
    const created: RegisteredBackend[] = [];
    try {
      // An empty file is valid at start-up (the defaults, no backends) but on a reload it is
      // almost always a write in progress (truncated, not yet written): never drop every backend for it.
      if ((await readFile(file, 'utf8').catch(() => 'unreadable')).trim() === '') {
        throw new ConfigError([{ path: '', expected: 'a non-empty file (an empty file is not applied on reload: it is usually a write in progress)' }], file);
      }
      // The same dry run as validate-config: a file it rejects is never applied.
      const loader = this.#o.sc.container.resolve<BackendLoader>(BACKEND_LOADER);
      const next = await checkConfigFile(file, this.#o.flags, loader);
      const restartRequired = restartOnlyChanges(this.#o.config, next);
      const previous = new Map(this.#live.map((l) => [l.entry.name, l]));
      const live: Live[] = [];
      const outcome = { added: [] as string[], removed: [] as string[], reconfigured: [] as string[], kept: [] as string[] };
      for (const [i, entry] of next.backends.entries()) {
        const prev = previous.get(entry.name);
        if (prev && prev.entry.type === entry.type && isDeepStrictEqual(prev.entry.config, entry.config)) {
          const same = prev.entry.priority === entry.priority && prev.entry.lookupOnDemand === entry.lookupOnDemand;
          // A lookupOnDemand left unset keeps the plugin's default the instance was built with.
          live.push({ entry, backend: same ? prev.backend : { ...prev.backend, priority: entry.priority, lookupOnDemand: entry.lookupOnDemand ?? prev.backend.lookupOnDemand } });
          outcome.kept.push(entry.name);
          continue;
        }
        const backend = await createBackendInstance(this.#o.sc.container, entry, i, file);
        created.push(backend);
        live.push({ entry, backend });
        (prev ? outcome.reconfigured : outcome.added).push(entry.name);
      }
      for (const b of created) {
        try {
          await b.instance.start?.();
        } catch (e) {
          throw new Error(`backend "${b.name}" failed to start: ${(e as Error).message}`, { cause: e });
        }
      }
      const registry = this.#o.sc.registry.prepare(live.map((l) => l.backend));
      registry.checkConflicts();
      const keptInstances = new Set(live.map((l) => l.backend.instance));
      const retired = this.#live.filter((l) => !keptInstances.has(l.backend.instance));
      outcome.removed.push(...retired.filter((l) => !next.backends.some((b) => b.name === l.entry.name)).map((l) => l.entry.name));

      // The swap: new requests route by the new table from here on.
      const drained = this.#o.sc.registry.swap(registry);
      this.#o.sc.health.replaceInformational('backend:', live.map((l) => backendHealthCheck(l.backend)));
      this.#live = live;
      this.#retire(retired.map((l) => l.backend), drained);
      this.#lastError = undefined;
      this.#lastSuccess = this.#now();
      this.#successful.set(1);
      this.#successTime.set(this.#lastSuccess.getTime() / 1000);
      logger.info({ reason, file, ...outcome }, 'config reloaded');
      if (restartRequired.length > 0) {
        logger.warn({ file, fields: restartRequired }, `config reload: ${restartRequired.join(', ')} changed; not applied until restart`);
      }
      return { ok: true, ...outcome, restartRequired };
    } catch (e) {
      await Promise.all(created.map((b) => closeBackendInstance(b, this.#o.drainTimeoutMs, () => undefined)));
      this.#lastError = describe(e);
      this.#successful.set(0);
      logger.error(
        { reason, file, problems: isConfigError(e) ? e.problems : undefined, err: isConfigError(e) ? undefined : this.#lastError },
        `config reload failed, the last good config keeps serving: ${this.#lastError}`,
      );
      return { ok: false, error: this.#lastError, ...none };
    }
  }

  /** Closes `backends` once the requests pinned to the replaced routing table are done (bounded). */
  #retire(backends: RegisteredBackend[], drained: Promise<void>): void {
    if (backends.length === 0) return;
    const timeoutMs = this.#o.drainTimeoutMs;
    const done = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) this.#o.logger.warn({ backends: backends.map((b) => b.name), timeoutMs }, 'config reload: requests on replaced backend instances still running; closing them anyway');
      await Promise.all(
        backends.map((b) => closeBackendInstance(b, timeoutMs, (e) => this.#o.logger.warn({ backend: b.name, err: (e as Error).message }, 'backend close failed'))),
      );
      this.#o.logger.debug({ backends: backends.map((b) => b.name) }, 'config reload: replaced backend instances closed');
    })();
    this.#retiring.add(done);
    void done.finally(() => this.#retiring.delete(done));
  }
}

/** A started {@link ConfigReloader} with its file watcher. */
export interface ConfigReload {
  /** Reloads now (SIGHUP). */
  reload(reason?: string): Promise<ReloadOutcome>;
  /** Stops watching, waits for a running reload and for replaced instances to be closed. */
  close(): Promise<void>;
}

/**
 * startConfigReload creates the {@link ConfigReloader} and watches the config file's directory
 * ({@link watchConfigFile}), reloading `debounceMs` after the last change.
 */
export function startConfigReload(options: ConfigReloaderOptions & { debounceMs?: number }): ConfigReload {
  const reloader = new ConfigReloader(options);
  let watcher: ConfigWatcher | undefined;
  if (options.file !== undefined) {
    watcher = watchConfigFile(options.file, () => void reloader.reload('file changed'), { debounceMs: options.debounceMs ?? RELOAD_DEBOUNCE_MS, logger: options.logger });
  }
  return {
    reload: (reason = 'SIGHUP') => reloader.reload(reason),
    async close() {
      watcher?.close();
      await reloader.close();
    },
  };
}
