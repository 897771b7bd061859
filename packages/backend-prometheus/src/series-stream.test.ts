import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSeriesStream } from './series-stream.js';

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

/** Splits `data` at the given cut points (any positions, sorted and deduplicated). */
async function* cutAt<T extends Uint8Array | string>(data: T, cuts: number[]): AsyncGenerator<T> {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const p of [...points, data.length]) {
    yield data.slice(from, p) as T;
    from = p;
  }
}

async function parseAll(body: AsyncIterable<Uint8Array | string>): Promise<{ count: number; got: Array<Record<string, string>> }> {
  const got: Array<Record<string, string>> = [];
  const count = await parseSeriesStream(body, (s) => got.push(s));
  return { count, got };
}

describe('parseSeriesStream', () => {
  const series = [
    { __name__: 'a', pod: 'x{y}', ns: 'q"u\\o[t]e' },
    { __name__: 'b', label: 'ü😀' },
    { __name__: 'c' },
  ];
  const body = JSON.stringify({ status: 'success', data: series, warnings: ['w{'] });

  it.each([1, 3, 7, 64, 100_000])('emits each series whatever the chunk size (%i bytes)', async (size) => {
    const got: Array<Record<string, string>> = [];
    expect(await parseSeriesStream(chunks(body, size), (s) => got.push(s))).toBe(3);
    expect(got).toEqual(series);
  });

  it('accepts an empty data array and rejects a non-series body or truncation', async () => {
    expect(await parseSeriesStream(chunks('{"status":"success","data":[]}', 5), () => undefined)).toBe(0);
    await expect(parseSeriesStream(chunks('{"status":"error","error":"x"}', 5), () => undefined)).rejects.toThrow(/no data array/);
    await expect(parseSeriesStream(chunks(body.slice(0, 40), 5), () => undefined)).rejects.toThrow(/truncated/);
  });

  it('agrees with JSON.parse on any series document split at any chunk boundaries', async () => {
    // Label text biased towards what matters to a scanner: quotes, backslashes, brackets, control
    // characters, multi-byte and astral characters, plus arbitrary code points.
    const tricky = fc.string({ unit: fc.constantFrom('a', 'Z', '_', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', '\u0000', '\u001f', '/', 'é', '€', '😀'), maxLength: 12 });
    const text = fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('__name__', 'namespace', 'pod', '__proto__', 'constructor', '0', '10'));
    const labelSet = fc.array(fc.tuple(text, text), { maxLength: 6 }).map((pairs) => {
      const o: Record<string, string> = {};
      for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    });
    const doc = fc.record({
      before: fc.array(fc.tuple(fc.constantFrom('status', 'warnings', 'x'), fc.jsonValue({ maxDepth: 2 })), { maxLength: 2 }),
      data: fc.array(labelSet, { maxLength: 12 }),
      after: fc.array(fc.tuple(fc.constantFrom('warnings', 'infos'), fc.jsonValue({ maxDepth: 2 })), { maxLength: 2 }),
      indent: fc.constantFrom(0, 1, 2),
    });
    await fc.assert(
      fc.asyncProperty(doc, fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), async (d, cuts, asBytes) => {
        const top: Record<string, unknown> = {};
        for (const [k, v] of d.before) top[k] = v;
        top.data = d.data;
        for (const [k, v] of d.after) top[k] = v;
        const json = JSON.stringify(top, null, d.indent);
        const bytes = new TextEncoder().encode(json);
        // What JSON.parse reads from the same bytes (lone surrogates become U+FFFD on the wire).
        const expected = (JSON.parse(new TextDecoder().decode(bytes)) as { data: Array<Record<string, string>> }).data;
        const { count, got } = await parseAll(asBytes ? cutAt(bytes, cuts) : cutAt(json, cuts));
        expect(count).toBe(expected.length);
        expect(got.length).toBe(expected.length);
        for (let i = 0; i < got.length; i++) {
          expect(Object.keys(got[i]!)).toEqual(Object.keys(expected[i]!));
          expect(Object.entries(got[i]!)).toEqual(Object.entries(expected[i]!));
          expect(Object.getPrototypeOf(got[i])).toBe(Object.prototype);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with JSON.parse on a large answer in network-sized chunks', async () => {
    const data = Array.from({ length: 5000 }, (_, i) => ({
      __name__: `metric_${i % 37}_total`,
      namespace: `ns-${i % 5}`,
      pod: i % 11 === 0 ? `p\\o"d}-${i}` : `pod-${i}`,
      instance: i % 13 === 0 ? `ünï-${i}-😀` : `10.0.${i % 250}.${i % 7}:9100`,
      ...(i % 17 === 0 ? { extra: '{"nested":"json"}' } : {}),
    }));
    const json = JSON.stringify({ status: 'success', data });
    for (const size of [1500, 16 * 1024, 64 * 1024]) {
      const { count, got } = await parseAll(chunks(json, size));
      expect(count).toBe(data.length);
      expect(got).toEqual(data);
    }
  });

  it('reads a data key written with an escape and keeps a __proto__ label as an own label', async () => {
    const { got } = await parseAll(chunks('{"d\\u0061ta":[{"__proto__":"x","a":"b"}],"status":"success"}', 4));
    expect(got).toHaveLength(1);
    expect(Object.keys(got[0]!)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(got[0], '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(got[0])).toBe(Object.prototype);
  });

  it('rejects every proper prefix of an answer as truncated', async () => {
    const json = JSON.stringify({ status: 'success', data: [{ __name__: 'a', l: 'q"\\😀' }, { __name__: 'b' }] });
    for (let n = 0; n < json.length; n++) {
      await expect(parseAll(chunks(json.slice(0, n), 3)), `prefix of ${n} characters`).rejects.toThrow(/truncated|no data array/);
    }
  });

  it.each([
    ['a number as a label value', '{"data":[{"a":1}]}', /at character 14: expected a label value string/],
    ['a nested object', '{"data":[{"a":{"b":"c"}}]}', /at character 14: expected a label value string/],
    ['a trailing comma in a label set', '{"data":[{"a":"b",}]}', /at character 18: expected a label name string/],
    ['a missing colon', '{"data":[{"a" "b"}]}', /at character 14: expected `:`/],
    ['a non-object in data', '{"data":[1]}', /at character 9: expected a label set object/],
    ['two label sets without a comma', '{"data":[{"a":"b"}{"c":"d"}]}', /at character 18: expected `,` or `]`/],
    ['a trailing comma in data', '{"data":[{"a":"b"},]}', /at character 19: expected a label set object/],
    ['a bad escape', '{"data":[{"a":"\\x"}]}', /expected a valid JSON string/],
    ['text after the answer', '{"data":[]} x', /at character 12: expected nothing after the response object/],
  ])('rejects %s with the position of the problem', async (_what, text, message) => {
    for (const size of [1, 4, 1000]) await expect(parseAll(chunks(text, size))).rejects.toThrow(message);
  });

  it('stops reading the body when the consumer throws', async () => {
    let returned = false;
    async function* body(): AsyncGenerator<string> {
      try {
        yield '{"data":[{"a":"b"},';
        yield '{"a":"c"}]}';
      } finally {
        returned = true;
      }
    }
    await expect(
      parseSeriesStream(body(), () => {
        throw new Error('consumer failed');
      }),
    ).rejects.toThrow('consumer failed');
    expect(returned).toBe(true);
  });
});
