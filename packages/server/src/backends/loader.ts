import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BackendPlugin } from '@custom-metrics/core';
import { ConfigError } from '../config/config-error.js';

/**
 * Built-in backend type names and the packages that provide them. Each is an optional peer
 * dependency of the server, imported only when a config names it; a missing one is a config error
 * saying which package to install.
 */
export const BUILTIN_BACKENDS: Readonly<Record<string, string>> = Object.freeze({
  // A regular dependency (the server's own tests and the demo use it), loaded like the others.
  memory: '@custom-metrics/backend-memory',
  prometheus: '@custom-metrics/backend-prometheus',
  datadog: '@custom-metrics/backend-datadog',
  influx: '@custom-metrics/backend-influx',
  scrape: '@custom-metrics/backend-scrape',
});

/** Imports a module by specifier (replaceable in tests). */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

const defaultImporter: ModuleImporter = (specifier) => import(/* @vite-ignore */ specifier) as Promise<Record<string, unknown>>;

/** Whether a `type` names a file rather than a package (`./x.js`, `/abs/x.mjs`, `file:` URLs). */
export function isPathType(type: string): boolean {
  return type.startsWith('.') || isAbsolute(type) || type.startsWith('file:') || /\.(m?js|cjs)$/.test(type);
}

/** Whether `value` has the shape of a {@link BackendPlugin}. */
export function isBackendPlugin(value: unknown): value is BackendPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return typeof p.name === 'string' && typeof p.create === 'function' && typeof p.configSchema === 'object' && p.configSchema !== null;
}

/**
 * BackendLoader resolves `backends[].type` to a {@link BackendPlugin}: a built-in name (the
 * packages of {@link BUILTIN_BACKENDS}, imported on first use), a path to an ES
 * module (relative to `baseDir`), or else an npm package name. The module's default export must be
 * a BackendPlugin.
 */
export class BackendLoader {
  constructor(
    private readonly baseDir: string = process.cwd(),
    private readonly importer: ModuleImporter = defaultImporter,
  ) {}

  /**
   * load imports the plugin for `type` (`index` is the backend's position, for error paths).
   * @throws {ConfigError} at `backends[index].type` when it cannot be imported or is no plugin.
   */
  async load(type: string, index: number): Promise<BackendPlugin> {
    const specifier = BUILTIN_BACKENDS[type] ?? (isPathType(type) ? this.#fileUrl(type) : type);
    let mod: Record<string, unknown>;
    try {
      mod = await this.importer(specifier);
    } catch (e) {
      const pkg = BUILTIN_BACKENDS[type];
      if (pkg && isPackageMissing(e, pkg)) {
        throw new ConfigError([{ path: `backends[${index}].type`, expected: `"${type}" needs the package ${pkg}: npm install ${pkg}` }]);
      }
      const what = BUILTIN_BACKENDS[type] ? `the built-in backend package ${specifier}` : isPathType(type) ? `an ES module at ${specifier}` : `an installed npm package "${type}"`;
      throw new ConfigError([
        {
          path: `backends[${index}].type`,
          expected: `a built-in backend (${Object.keys(BUILTIN_BACKENDS).join(', ')}), an npm package name or a path to an ES module; ${what} could not be loaded: ${(e as Error).message.split('\n')[0]}`,
        },
      ]);
    }
    const plugin = mod.default;
    if (!isBackendPlugin(plugin)) {
      throw new ConfigError([
        { path: `backends[${index}].type`, expected: `a module whose default export is a BackendPlugin ({name, configSchema, create}); "${type}" default-exports ${describe(plugin)}` },
      ]);
    }
    return plugin;
  }

  #fileUrl(type: string): string {
    if (type.startsWith('file:')) return type;
    const abs = resolve(this.baseDir, type);
    // An absolute path is a valid ESM specifier on POSIX; use a file: URL elsewhere.
    return process.platform === 'win32' ? pathToFileURL(abs).href : abs;
  }
}

/** Whether `e` is Node's "cannot find package" for `pkg` itself (not for one of its own imports). */
function isPackageMissing(e: unknown, pkg: string): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') && typeof err.message === 'string' && err.message.includes(`'${pkg}'`);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object with keys [${Object.keys(v).slice(0, 8).join(', ')}]`;
  return `a ${typeof v}`;
}
