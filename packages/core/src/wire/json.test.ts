import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeJSON, encodeJSONPretty, goMap } from './json.js';

describe('encodeJSON (Go encoding/json)', () => {
  it('is compact with a trailing newline and keeps insertion order', () => {
    expect(encodeJSON({ b: 1, a: [true, null, 'x'], c: {} })).toBe('{"b":1,"a":[true,null,"x"],"c":{}}\n');
  });

  it('escapes HTML characters, U+2028/2029, controls and invalid UTF-16', () => {
    expect(encodeJSON('<a&b>')).toBe('"\\u003ca\\u0026b\\u003e"\n');
    expect(encodeJSON('\u2028\u2029')).toBe('"\\u2028\\u2029"\n');
    expect(encodeJSON('"\\\n\r\t\b\f\u0001\u001f')).toBe('"\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f"\n');
    expect(encodeJSON('\ud800x')).toBe('"\\ufffdx"\n');
    expect(encodeJSON('😀é/')).toBe('"😀é/"\n');
  });

  it('skips undefined members, honours toJSON, writes bigint and numbers like Go', () => {
    expect(encodeJSON({ a: undefined, b: 2n, c: { toJSON: () => 'q' }, d: 1.5, e: 1e21, f: 1e-7 })).toBe(
      '{"b":2,"c":"q","d":1.5,"e":1e+21,"f":1e-7}\n',
    );
  });

  it('refuses NaN and Infinity as Go does', () => {
    expect(() => encodeJSON({ v: NaN })).toThrow(TypeError);
    expect(() => encodeJSON(Infinity)).toThrow(TypeError);
  });

  it('sorts goMap keys by code point, including integer-like keys', () => {
    const m = goMap({ b: '1', '10': 'x', '9': 'y', a: '2', '\uffff': 'z', '😀': 'w' });
    expect(encodeJSON(m)).toBe('{"10":"x","9":"y","a":"2","b":"1","\uffff":"z","😀":"w"}\n');
    expect(JSON.stringify(m)).toContain('"a":"2"'); // still a plain record
  });

  it('writes negative zero as Go does ("-0"), where JSON.stringify writes "0"', () => {
    expect(encodeJSON({ v: -0 })).toBe('{"v":-0}\n');
  });

  it('agrees with JSON.parse for any JSON value (negative zero aside)', () => {
    const noNegativeZero = (_k: string, x: unknown) => (Object.is(x, -0) ? 0 : x);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(encodeJSON(v), noNegativeZero)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeJSONPretty (json.MarshalIndent with two spaces)', () => {
  it('indents and has no trailing newline; empty containers stay compact', () => {
    expect(encodeJSONPretty({ a: [1, 2], b: {}, c: [], d: { e: 'x' } })).toBe(
      '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {},\n  "c": [],\n  "d": {\n    "e": "x"\n  }\n}',
    );
  });
});
