/** One named health check; it resolves to a failure reason, or `undefined` when healthy. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<string | undefined> | string | undefined;
}

/** The result of one check. */
export interface HealthCheckResult {
  name: string;
  ok: boolean;
  message?: string;
  /** Shown with `?verbose` but never fails the probe (backend health). */
  informational?: boolean;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * HealthChecks holds the checks of `/livez` and `/readyz` (apiserver-style: `[+]name ok` /
 * `[-]name failed: reason` with `?verbose`). `/healthz` runs the readiness checks.
 * Informational checks (each backend's health) are listed by `/readyz?verbose` and
 * `/healthz?verbose` but never fail a probe: a backend outage costs only that backend's metrics
 * (503), never the whole server's readiness (kubernetes#72051).
 */
export class HealthChecks {
  readonly #live: HealthCheck[] = [{ name: 'ping', check: () => undefined }];
  readonly #ready: HealthCheck[] = [{ name: 'ping', check: () => undefined }];
  readonly #informational: HealthCheck[] = [];
  #shuttingDown = false;

  constructor() {
    this.#ready.push({ name: 'shutdown', check: () => (this.#shuttingDown ? 'server is shutting down' : undefined) });
  }

  /** Adds a liveness check (also run for readiness). */
  addLiveness(check: HealthCheck): void {
    this.#live.push(check);
    this.#ready.push(check);
  }

  /** Adds a readiness check. */
  addReadiness(check: HealthCheck): void {
    this.#ready.push(check);
  }

  /** Adds an informational check: listed with `?verbose` on `/readyz` and `/healthz`, never failing them. */
  addInformational(check: HealthCheck): void {
    this.#informational.push(check);
  }

  /**
   * Replaces every informational check whose name starts with `prefix` by `checks` (the config
   * reloader swaps the `backend:` checks with the instances).
   */
  replaceInformational(prefix: string, checks: readonly HealthCheck[]): void {
    const kept = this.#informational.filter((c) => !c.name.startsWith(prefix));
    this.#informational.splice(0, this.#informational.length, ...checks, ...kept);
  }

  /** Runs only the informational checks (for the backend-health self-metric). */
  async runInformational(): Promise<HealthCheckResult[]> {
    return Promise.all(this.#informational.map(async (c) => ({ ...(await runOne(c)), informational: true })));
  }

  /** Marks the server as shutting down: readiness fails from now on. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  /**
   * Runs the checks of `kind`, each bounded in time; a throwing check fails with its message.
   * With `informational`, the informational checks follow (for `/readyz` and `/healthz` only).
   */
  async run(kind: 'livez' | 'readyz' | 'healthz', options: { informational?: boolean } = {}): Promise<HealthCheckResult[]> {
    const checks = kind === 'livez' ? this.#live : this.#ready;
    const own = Promise.all(checks.map((c) => runOne(c)));
    if (!options.informational || kind === 'livez') return own;
    const [a, b] = await Promise.all([own, this.runInformational()]);
    return [...a, ...b];
  }
}

async function runOne(c: HealthCheck): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('check timed out'), CHECK_TIMEOUT_MS);
      timer.unref();
    });
    const message = await Promise.race([Promise.resolve().then(() => c.check()), timeout]);
    return message === undefined ? { name: c.name, ok: true } : { name: c.name, ok: false, message };
  } catch (e) {
    return { name: c.name, ok: false, message: e instanceof Error ? e.message : String(e) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
