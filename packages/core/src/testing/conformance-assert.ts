// Assertion helpers shared by the conformance kits. node:assert keeps the kits runner-agnostic.
import assert from 'node:assert/strict';
import { FAILURE_STATUS, type BackendFailureKind } from '../backend-failure.js';
import { isMetricsError } from '../errors.js';

/** Resolves or rejects like `p`, or rejects when `p` has not settled after `ms` (a hang guard). */
export async function settleWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what} did not settle within ${ms} ms` })), ms);
  });
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that `p` rejects with a 404 MetricsError. */
export async function assertNotFound(p: Promise<unknown>, ms: number, what: string): Promise<void> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await settleWithin(p, ms, what) };
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    outcome = { ok: false, error };
  }
  assert.ok(!outcome.ok, `${what}: expected a 404 MetricsError, but it resolved with ${JSON.stringify(outcome.ok && outcome.value)}`);
  const e = outcome.error;
  assert.ok(isMetricsError(e), `${what}: expected a MetricsError (isMetricsError), got ${String(e)}`);
  assert.equal((e as { code: number }).code, 404, `${what}: expected code 404, got ${(e as { code: number }).code}`);
}

/** Asserts that `p` rejects (AbortError or MetricsError) rather than resolving or hanging. */
export async function assertRejectsForAbort(p: Promise<unknown>, ms: number, what: string): Promise<void> {
  let resolved = false;
  try {
    await settleWithin(p, ms, what);
    resolved = true;
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    const name = (error as { name?: unknown } | null)?.name;
    assert.ok(
      name === 'AbortError' || name === 'TimeoutError' || isMetricsError(error),
      `${what}: expected an AbortError or a MetricsError, got ${String(error)}`,
    );
  }
  assert.ok(!resolved, `${what}: resolved although the signal was already aborted`);
}

/** Asserts `|actual - expected|` is within a relative tolerance (absolute near 0). */
export function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.equal(typeof actual, 'number', `${what}: value must be a number, got ${typeof actual}`);
  assert.ok(Number.isFinite(actual), `${what}: value must be finite, got ${actual}`);
  const diff = Math.abs(actual - expected);
  assert.ok(diff <= tolerance * Math.max(1, Math.abs(expected)), `${what}: expected ${expected}, got ${actual}`);
}

/** Asserts a timestamp is a valid Date. */
export function assertTimestamp(t: unknown, what: string): void {
  assert.ok(t instanceof Date && !Number.isNaN(t.getTime()), `${what}: timestamp must be a valid Date, got ${String(t)}`);
}

/** Asserts an optional window is absent or a finite number ≥ 0. */
export function assertWindow(w: unknown, what: string): void {
  assert.ok(w === undefined || (typeof w === 'number' && Number.isFinite(w) && w >= 0), `${what}: windowSeconds must be absent or ≥ 0, got ${String(w)}`);
}

/** Asserts that `p` rejects with a MetricsError of the given code whose message contains `needle` (when given). */
export async function assertRejectsWith(p: Promise<unknown>, code: number, needle: string | undefined, ms: number, what: string): Promise<void> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await settleWithin(p, ms, what) };
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    outcome = { ok: false, error };
  }
  assert.ok(!outcome.ok, `${what}: expected a ${code} MetricsError, but it resolved with ${JSON.stringify(outcome.ok && outcome.value)}`);
  const e = outcome.error;
  assert.ok(isMetricsError(e), `${what}: expected a MetricsError (isMetricsError), got ${String(e)}`);
  assert.equal(e.code, code, `${what}: expected code ${code}, got ${e.code} (${e.message})`);
  if (needle !== undefined) assert.ok(e.message.includes(needle), `${what}: the message must name ${JSON.stringify(needle)}, got ${JSON.stringify(e.message)}`);
}

/** Asserts that `p` fails as core's failure table says a failure of `kind` must (code and reason). */
export async function assertFailureKind(p: Promise<unknown>, kind: BackendFailureKind, ms: number, what: string): Promise<void> {
  const want = FAILURE_STATUS[kind];
  return assertStatus(p, want, ms, what, `a ${kind} backend must answer ${want.code} ${want.reason}`);
}

/** Asserts that `p` rejects with a MetricsError whose Status has `want`'s code and reason. */
export async function assertStatus(p: Promise<unknown>, want: { code: number; reason: string }, ms: number, what: string, rule = `must answer ${want.code} ${want.reason}`): Promise<void> {
  let error: unknown;
  try {
    await settleWithin(p, ms, what);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    error = e;
  }
  assert.ok(error !== undefined, `${what}: the call must fail (${rule})`);
  assert.ok(isMetricsError(error), `${what}: expected a MetricsError, got ${String(error)}`);
  const status = error.toStatus();
  assert.equal(status.code, want.code, `${what}: ${rule}, got ${status.code} (${status.message ?? ''})`);
  assert.equal(status.reason, want.reason, `${what}: reason`);
}

/** Checks a declared deviation is complete (a code, a reason and why) and returns it. */
export function declared<T extends { code: number; reason: string; because: string } | undefined>(d: T, option: string): T {
  if (d === undefined) return d;
  assert.ok(Number.isInteger(d.code) && d.code >= 400 && d.code <= 599, `${option}.code must be an HTTP error code, got ${String(d.code)}`);
  assert.ok(typeof d.reason === 'string' && d.reason !== '', `${option}.reason must name the Status reason`);
  assert.ok(typeof d.because === 'string' && d.because.trim() !== '', `${option}.because must say why the backend answers so`);
  return d;
}
