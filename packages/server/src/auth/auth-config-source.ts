import { readFileSync } from 'node:fs';
import { ListWatch, Watch, type KubernetesListObject, type V1ConfigMap } from '@kubernetes/client-node';
import type { Logger } from '@custom-metrics/core';
import type { KubeRest } from '../kube/rest.js';
import { AUTH_CONFIGMAP, REQUEST_HEADER_DEFAULTS, type AuthenticationConfig, type RequestHeaderConfig } from './auth-config.js';
import { parsePemBundle } from './x509-verify.js';

/** Authentication flags (named as Kubernetes' own); unset ones come from the ConfigMap. */
export interface AuthenticationFlags {
  clientCAFile?: string;
  requestheaderClientCAFile?: string;
  requestheaderAllowedNames?: string[];
  requestheaderUsernameHeaders?: string[];
  requestheaderUidHeaders?: string[];
  requestheaderGroupHeaders?: string[];
  requestheaderExtraHeadersPrefix?: string[];
  /** `--authentication-tolerate-lookup-failure`: start even when the ConfigMap cannot be read. */
  authenticationTolerateLookupFailure?: boolean;
}

function parseList(data: Record<string, string>, key: string): string[] | undefined {
  const raw = data[key];
  if (raw === undefined || raw === '') return undefined;
  const v = JSON.parse(raw) as unknown;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${key} is not a JSON array of strings`);
  return v;
}

function nonEmpty(list: string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/**
 * Parses the `extension-apiserver-authentication` ConfigMap data (contract §7.3): PEM bundles and
 * JSON string arrays. The requestheader part is absent when the ConfigMap has no requestheader CA.
 * @throws when a PEM bundle or a JSON list is malformed.
 */
export function configFromConfigMap(data: Record<string, string>): AuthenticationConfig {
  const out: { clientCA?: AuthenticationConfig['clientCA']; requestHeader?: RequestHeaderConfig } = {};
  if (data['client-ca-file']) out.clientCA = parsePemBundle(data['client-ca-file']);
  if (data['requestheader-client-ca-file']) {
    out.requestHeader = {
      clientCA: parsePemBundle(data['requestheader-client-ca-file']),
      allowedNames: parseList(data, 'requestheader-allowed-names') ?? [],
      usernameHeaders: nonEmpty(parseList(data, 'requestheader-username-headers')) ?? [...REQUEST_HEADER_DEFAULTS.usernameHeaders],
      uidHeaders: parseList(data, 'requestheader-uid-headers') ?? [],
      groupHeaders: nonEmpty(parseList(data, 'requestheader-group-headers')) ?? [...REQUEST_HEADER_DEFAULTS.groupHeaders],
      extraHeaderPrefixes: nonEmpty(parseList(data, 'requestheader-extra-headers-prefix')) ?? [...REQUEST_HEADER_DEFAULTS.extraHeaderPrefixes],
    };
  }
  return out;
}

/** The settings given by flags alone (CA files are read once). */
export function configFromFlags(flags: AuthenticationFlags): AuthenticationConfig {
  const out: { clientCA?: AuthenticationConfig['clientCA']; requestHeader?: RequestHeaderConfig } = {};
  if (flags.clientCAFile) out.clientCA = parsePemBundle(readFileSync(flags.clientCAFile));
  if (flags.requestheaderClientCAFile) {
    out.requestHeader = {
      clientCA: parsePemBundle(readFileSync(flags.requestheaderClientCAFile)),
      allowedNames: flags.requestheaderAllowedNames ?? [],
      usernameHeaders: nonEmpty(flags.requestheaderUsernameHeaders) ?? [...REQUEST_HEADER_DEFAULTS.usernameHeaders],
      uidHeaders: flags.requestheaderUidHeaders ?? [],
      groupHeaders: nonEmpty(flags.requestheaderGroupHeaders) ?? [...REQUEST_HEADER_DEFAULTS.groupHeaders],
      extraHeaderPrefixes: nonEmpty(flags.requestheaderExtraHeadersPrefix) ?? [...REQUEST_HEADER_DEFAULTS.extraHeaderPrefixes],
    };
  }
  return out;
}

const CM_LIST_PATH = `/api/v1/namespaces/${AUTH_CONFIGMAP.namespace}/configmaps`;
const CM_FIELD_SELECTOR = `metadata.name=${AUTH_CONFIGMAP.name}`;
const RESTART_DELAY_MS = 2_000;

/**
 * AuthenticationConfigSource holds the authentication settings in force: flags first, the rest
 * from ConfigMap `kube-system/extension-apiserver-authentication`, which is watched (a
 * client-node ListWatch on that single object) so CA rotations and header changes apply live.
 */
export class AuthenticationConfigSource {
  #current: AuthenticationConfig;
  readonly #flagConfig: AuthenticationConfig;
  #informer: ListWatch<V1ConfigMap> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #version = 0;

  constructor(
    private readonly flags: AuthenticationFlags,
    private readonly kube?: KubeRest,
    private readonly logger?: Logger,
  ) {
    this.#flagConfig = configFromFlags(flags);
    this.#current = this.#flagConfig;
  }

  /** The settings in force now. */
  get current(): AuthenticationConfig {
    return this.#current;
  }

  /** How many times the ConfigMap settings were applied (for tests and debug pages). */
  get version(): number {
    return this.#version;
  }

  /** Whether the ConfigMap is needed (a CA flag is missing and kube-apiserver is known). */
  get usesConfigMap(): boolean {
    return !!this.kube && (!this.flags.clientCAFile || !this.flags.requestheaderClientCAFile);
  }

  /**
   * Reads the ConfigMap once and starts watching it. Fails when it cannot be read or holds no
   * requestheader CA (unless tolerated by `--authentication-tolerate-lookup-failure`).
   */
  async start(): Promise<void> {
    if (!this.usesConfigMap || !this.kube) return;
    try {
      const cm = await this.kube.requestOK<V1ConfigMap>('GET', `${CM_LIST_PATH}/${AUTH_CONFIGMAP.name}`);
      this.#apply(cm);
      if (!this.#current.requestHeader) throw new Error(`configmap ${AUTH_CONFIGMAP.namespace}/${AUTH_CONFIGMAP.name} has no requestheader-client-ca-file`);
    } catch (e) {
      const msg = `unable to load configmap based request-header-client-ca-file: ${(e as Error).message}`;
      if (!this.flags.authenticationTolerateLookupFailure) throw new Error(msg);
      this.logger?.warn({ err: (e as Error).message }, `${msg}; continuing (--authentication-tolerate-lookup-failure)`);
    }
    await this.#startInformer();
  }

  #apply(cm: V1ConfigMap | undefined): void {
    if (!cm || cm.metadata?.name !== AUTH_CONFIGMAP.name) return;
    let fromMap: AuthenticationConfig;
    try {
      fromMap = configFromConfigMap(cm.data ?? {});
    } catch (e) {
      this.logger?.error({ err: (e as Error).message }, 'ignoring an invalid extension-apiserver-authentication ConfigMap');
      return;
    }
    this.#current = {
      ...((this.#flagConfig.clientCA ?? fromMap.clientCA) ? { clientCA: this.#flagConfig.clientCA ?? fromMap.clientCA } : {}),
      ...((this.#flagConfig.requestHeader ?? fromMap.requestHeader)
        ? { requestHeader: this.#flagConfig.requestHeader ?? fromMap.requestHeader }
        : {}),
    };
    this.#version++;
    this.logger?.info({ version: this.#version }, 'authentication settings loaded from the extension-apiserver-authentication ConfigMap');
  }

  async #startInformer(): Promise<void> {
    const kube = this.kube;
    if (!kube || this.#closed) return;
    const listFn = async () =>
      kube.requestOK<KubernetesListObject<V1ConfigMap>>('GET', `${CM_LIST_PATH}?fieldSelector=${encodeURIComponent(CM_FIELD_SELECTOR)}`);
    const informer = new ListWatch<V1ConfigMap>(CM_LIST_PATH, new Watch(kube.config), listFn, false, undefined, CM_FIELD_SELECTOR);
    informer.on('add', (cm) => this.#apply(cm));
    informer.on('update', (cm) => this.#apply(cm));
    informer.on('error', (err) => {
      if (this.#closed) return;
      this.logger?.warn({ err: String((err as Error | undefined)?.message ?? err) }, 'ConfigMap watch failed; restarting');
      this.#scheduleRestart();
    });
    this.#informer = informer;
    await informer.start();
  }

  #scheduleRestart(): void {
    if (this.#closed || this.#restartTimer) return;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      void this.#informer?.start();
    }, RESTART_DELAY_MS);
    this.#restartTimer.unref();
  }

  /** Stops watching. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    await this.#informer?.stop();
  }
}
