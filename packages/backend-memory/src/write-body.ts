import { BadRequestError, parseQuantity } from '@custom-metrics/core';

/** A write request's body: the value and (optionally) the series' labels. */
export interface WriteBody {
  value: number;
  labels: Record<string, string>;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new BadRequestError('value must be a finite number');
    return v;
  }
  if (typeof v === 'string') {
    let n: number;
    try {
      // The exact quantity to the nearest double in one rounding: "1e20" stays 1e20 and "8Ei"
      // stays 2^63 (going through a float milli-value would round twice).
      n = parseQuantity(v).toNumber();
    } catch (e) {
      throw new BadRequestError(`value ${JSON.stringify(v.slice(0, 64))} is not a quantity: ${(e as Error).message}`);
    }
    if (!Number.isFinite(n)) {
      throw new BadRequestError(`value ${JSON.stringify(v.slice(0, 64))} is out of range: a written quantity must be below about 1.8e308 in magnitude`);
    }
    return n;
  }
  throw new BadRequestError('value must be a quantity string (e.g. "300m") or a number');
}

/**
 * parseWriteBody parses the body of a write request: a JSON quantity (`"300m"`), a JSON number, or
 * `{"value": <quantity or number>, "labels": {...}}`.
 * @throws {BadRequestError} on anything else.
 */
export function parseWriteBody(text: string): WriteBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequestError('request body must be JSON: a quantity such as "300m", a number, or {"value": ..., "labels": {...}}');
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    const labels = o.labels ?? {};
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
      throw new BadRequestError('labels must be an object of strings');
    }
    return { value: toNumber(o.value), labels: { ...(labels as Record<string, string>) } };
  }
  return { value: toNumber(json), labels: {} };
}
