import { describe, expect, it } from 'vitest';
import { isMetricsError } from './errors.js';
import { isSelectorParseError, SelectorParseError } from './selector-error.js';
import { labelSelectorToSelector, parseSelector, Selector, selectorToLabelSelector } from './selector.js';

const parseError = (text: string): string => {
  try {
    parseSelector(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SelectorParseError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
};

const KEY_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const PREFIX_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('parseSelector normalises to the canonical String() form (contract §6.1)', () => {
  it.each([
    ['tier=web,app=foo', 'app=foo,tier=web'],
    ['app in (b,a),tier=web', 'app in (a,b),tier=web'],
    ['app in (a, b)', 'app in (a,b)'],
    ['  app = foo ,  tier  ', 'app=foo,tier'],
    ['app=sample-app,tier in (cache,db),!canary', 'app=sample-app,!canary,tier in (cache,db)'],
    ['app==foo', 'app==foo'],
    ['app!=foo', 'app!=foo'],
    ['', ''],
    ['   \t\r\n ', ''],
    ['app in (b,a,b,a)', 'app in (a,b)'],
    ['app notin (z,y)', 'app notin (y,z)'],
    ['x>1', 'x>1'],
    ['x<5', 'x<5'],
    ['x > 007', 'x>007'],
    ['!app', '!app'],
    ['app , ! tier', 'app,!tier'],
    ['b=2,a=1,b=1', 'a=1,b=2,b=1'],
    ['example.com/app=foo', 'example.com/app=foo'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
  ])('%j → %j', (input, canonical) => {
    expect(parseSelector(input).toString()).toBe(canonical);
  });

  it('keeps requirements sorted by key, duplicate keys as separate requirements in input order', () => {
    const s = parseSelector('z=1,a in (c,b),a=2,m');
    expect(s.requirements).toEqual([
      { key: 'a', operator: 'in', values: ['b', 'c'] },
      { key: 'a', operator: '=', values: ['2'] },
      { key: 'm', operator: 'exists', values: [] },
      { key: 'z', operator: '=', values: ['1'] },
    ]);
    expect(Object.isFrozen(s.requirements)).toBe(true);
    expect(Object.isFrozen(s.requirements[0])).toBe(true);
  });

  it('treats in/notin as keywords only in operator position', () => {
    expect(parseSelector('in=foo').toString()).toBe('in=foo');
    expect(parseSelector('app in (in,notin)').toString()).toBe('app in (in,notin)');
    expect(parseSelector('notin notin (x)').toString()).toBe('notin notin (x)');
    expect(parseSelector('in').requirements).toEqual([{ key: 'in', operator: 'exists', values: [] }]);
    expect(parseSelector('a=notin').toString()).toBe('a=notin');
  });

  it('lexes special symbols by longest match among ! != = == > < ( ) ,', () => {
    expect(parseSelector('a!=b').requirements[0].operator).toBe('!=');
    expect(parseSelector('a==b').requirements[0].operator).toBe('==');
    expect(parseSelector('a=b').requirements[0].operator).toBe('=');
    expect(parseError('a!==b')).toBe("unable to parse requirement: found '=', expected: identifier");
    expect(parseError('a=>1')).toBe("unable to parse requirement: found '>', expected: identifier");
    expect(parseError('a<=1')).toBe("unable to parse requirement: found '=', expected: identifier");
    expect(parseError('!!a')).toBe("unable to parse requirement: found '!', expected: identifier");
  });

  it('accepts the documented edge cases (contract §6.3)', () => {
    expect(parseSelector('app=').requirements).toEqual([{ key: 'app', operator: '=', values: [''] }]);
    expect(parseSelector('app==').requirements).toEqual([{ key: 'app', operator: '==', values: [''] }]);
    expect(parseSelector('app in ()').requirements).toEqual([{ key: 'app', operator: 'in', values: [''] }]);
    expect(parseSelector('app in (,a)').requirements).toEqual([{ key: 'app', operator: 'in', values: ['', 'a'] }]);
    expect(parseSelector('app in (a,)').requirements).toEqual([{ key: 'app', operator: 'in', values: ['', 'a'] }]);
    expect(parseSelector('app in (a,,b)').requirements).toEqual([{ key: 'app', operator: 'in', values: ['', 'a', 'b'] }]);
    expect(parseSelector('app,!tier').toString()).toBe('app,!tier');
    expect(parseSelector('x>1').requirements).toEqual([{ key: 'x', operator: 'gt', values: ['1'] }]);
    expect(parseSelector('x<5').requirements).toEqual([{ key: 'x', operator: 'lt', values: ['5'] }]);
    expect(parseSelector(`a=${'v'.repeat(63)}`).requirements[0].values).toEqual(['v'.repeat(63)]);
    expect(parseSelector(`${'p'.repeat(253)}/${'n'.repeat(63)}`).requirements[0].key).toHaveLength(317);
  });

  it('treats a NUL byte as Go does: it ends a token, and at a token start it ends the input', () => {
    expect(parseError('a=b\u0000c')).toBe("found 'c', expected: ',' or 'end of string'");
    expect(parseSelector('a \u0000 garbage ((').toString()).toBe('a');
    expect(parseSelector('a=\u0000b').toString()).toBe('a=b');
  });
});

describe('parseSelector rejects bad selectors with apimachinery messages, verbatim (contract §6.3)', () => {
  it.each([
    ['app in a', "unable to parse requirement: found 'a' expected: '('"],
    ['app in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['app=foo,', "found '', expected: identifier after ','"],
    [',app=foo', "found ',', expected: !, identifier, or 'end of string'"],
    ['app=foo bar', "found 'bar', expected: ',' or 'end of string'"],
    ['app=foo=bar', "found '=', expected: ',' or 'end of string'"],
    ['app!foo', "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
    ['!app=foo', "found '=', expected: ',' or 'end of string'"],
    ['app=!a', "unable to parse requirement: found '!', expected: identifier"],
    ['x>a', 'unable to parse requirement: values[0]: Invalid value: "a": for \'Gt\', \'Lt\' operators, the value must be an integer'],
    ['Example.com/app=foo', `unable to parse requirement: <nil>: Invalid value: "Example.com/app": prefix part ${PREFIX_MSG}`],
    ['app-=foo', `unable to parse requirement: <nil>: Invalid value: "app-": name part ${KEY_NAME_MSG}`],
    ['app=foo_', `unable to parse requirement: values[0][app]: Invalid value: "foo_": ${VALUE_MSG}`],
    [`app=${'a'.repeat(64)}`, `unable to parse requirement: values[0][app]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 bytes`],
    // Beyond the contract table, derived from the same code paths:
    ['app in (a,,)', "unable to parse requirement: found ')', expected: ',', or identifier"],
    ['app in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['app in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['app in', "unable to parse requirement: found '' expected: '('"],
    ['app notin (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['app=a,,b', "found ',', expected: identifier after ','"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a/b/c', `unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key ${KEY_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ['/a', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    ['a/', `unable to parse requirement: <nil>: Invalid value: "a/": name part must be non-empty; name part ${KEY_NAME_MSG}`],
    [`${'k'.repeat(64)}`, `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 bytes`],
    [`${'p'.repeat(254)}/k`, `unable to parse requirement: <nil>: Invalid value: "${'p'.repeat(254)}/k": prefix part must be no more than 253 bytes`],
    ['x>', 'unable to parse requirement: values[0]: Invalid value: "": for \'Gt\', \'Lt\' operators, the value must be an integer'],
    ['x>9223372036854775808', 'unable to parse requirement: values[0]: Invalid value: "9223372036854775808": for \'Gt\', \'Lt\' operators, the value must be an integer'],
    ['x>-1', `unable to parse requirement: values[0][x]: Invalid value: "-1": ${VALUE_MSG}`],
    ['x>a_', `unable to parse requirement: [values[0]: Invalid value: "a_": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: "a_": ${VALUE_MSG}]`],
    ['a\u0001=b', `unable to parse requirement: <nil>: Invalid value: "a\\x01": name part ${KEY_NAME_MSG}`],
    ['a=b\u000bc', `unable to parse requirement: values[0][a]: Invalid value: "b\\vc": ${VALUE_MSG}`],
    ['a=é"\\', `unable to parse requirement: values[0][a]: Invalid value: "é\\"\\\\": ${VALUE_MSG}`],
    ['a=\u200b', `unable to parse requirement: values[0][a]: Invalid value: "\\u200b": ${VALUE_MSG}`],
  ])('%j', (input, message) => {
    expect(parseError(input)).toBe(message);
  });

  it('is brand-checkable and keeps the input', () => {
    try {
      parseSelector('app in a');
      expect.unreachable();
    } catch (e) {
      expect(isSelectorParseError(e)).toBe(true);
      expect((e as SelectorParseError).selector).toBe('app in a');
    }
    expect(isSelectorParseError(new Error('x'))).toBe(false);
  });
});

describe('Selector.matches (contract §6.2)', () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['', {}, true],
    ['', { a: 'b' }, true],
    ['app=foo', { app: 'foo' }, true],
    ['app=foo', { app: 'bar' }, false],
    ['app=foo', {}, false],
    ['app==foo', { app: 'foo' }, true],
    ['app=', { app: '' }, true],
    ['app=', {}, false],
    ['app in (a,b)', { app: 'b' }, true],
    ['app in (a,b)', { app: 'c' }, false],
    ['app in (a,b)', {}, false],
    ['app in ()', { app: '' }, true],
    ['app!=foo', { app: 'foo' }, false],
    ['app!=foo', { app: 'bar' }, true],
    ['app!=foo', {}, true],
    ['app notin (a,b)', { app: 'a' }, false],
    ['app notin (a,b)', { app: 'c' }, true],
    ['app notin (a,b)', {}, true],
    ['app', { app: '' }, true],
    ['app', {}, false],
    ['!app', {}, true],
    ['!app', { app: 'x' }, false],
    ['x>1', { x: '2' }, true],
    ['x>1', { x: '1' }, false],
    ['x>1', { x: 'a' }, false],
    ['x>1', {}, false],
    ['x>1', { x: '+5' }, true],
    ['x<5', { x: '-3' }, true],
    ['x<5', { x: '5' }, false],
    ['x<5', { x: '9223372036854775808' }, false],
    ['x>9223372036854775806', { x: '9223372036854775807' }, true],
    ['x<1', { x: '' }, false],
    ['app=foo,tier=web', { app: 'foo', tier: 'web' }, true],
    ['app=foo,tier=web', { app: 'foo' }, false],
    ['a=1,a=2', { a: '1' }, false],
    ['constructor', {}, false],
    ['toString=x', {}, false],
  ];
  it.each(cases)('%j matches %j → %s', (sel, labels, want) => {
    expect(parseSelector(sel).matches(labels)).toBe(want);
  });

  it('Selector.everything() matches all and is empty', () => {
    expect(Selector.everything().matches({ any: 'thing' })).toBe(true);
    expect(Selector.everything().isEmpty()).toBe(true);
    expect(Selector.everything().toString()).toBe('');
    expect(parseSelector('a').isEmpty()).toBe(false);
  });
});

describe('Selector.fromRequirements', () => {
  it('validates like NewRequirement and sorts by key', () => {
    const s = Selector.fromRequirements([
      { key: 'b', operator: 'in', values: ['y', 'x', 'y'] },
      { key: 'a', operator: 'exists' },
    ]);
    expect(s.toString()).toBe('a,b in (x,y)');
    expect(() => Selector.fromRequirements([{ key: 'a', operator: 'in', values: [] }])).toThrow(
      "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(() => Selector.fromRequirements([{ key: 'a', operator: '=', values: ['x', 'y'] }])).toThrow(
      'values: Invalid value: ["x","y"]: exact-match compatibility requires one single value',
    );
    expect(() => Selector.fromRequirements([{ key: 'Bad Key', operator: 'exists' }])).toThrow(
      `key: Invalid value: "Bad Key": name part ${KEY_NAME_MSG}`,
    );
  });
});

describe('selectorToLabelSelector (metav1.ParseToLabelSelector)', () => {
  it.each([
    ['', null],
    ['verb=GET', { matchLabels: { verb: 'GET' } }],
    ['verb==GET,a=b', { matchLabels: { a: 'b', verb: 'GET' } }],
    [
      'a in (y,x),b notin (z),c,!d',
      {
        matchExpressions: [
          { key: 'a', operator: 'In', values: ['x', 'y'] },
          { key: 'b', operator: 'NotIn', values: ['z'] },
          { key: 'c', operator: 'Exists' },
          { key: 'd', operator: 'DoesNotExist' },
        ],
      },
    ],
    ['a=1,b in (x)', { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['x'] }] }],
  ])('%j', (text, want) => {
    expect(selectorToLabelSelector(parseSelector(text))).toEqual(want);
  });

  it.each([
    ['a!=b', '"!=" is not a valid label selector operator'],
    ['x>1', `"gt" isn't supported in label selectors`],
    ['x<1', `"lt" isn't supported in label selectors`],
  ])('%j throws a 400 BadRequestError', (text, message) => {
    let err: unknown;
    try {
      selectorToLabelSelector(parseSelector(text));
    } catch (e) {
      err = e;
    }
    expect(isMetricsError(err)).toBe(true);
    expect((err as { code: number }).code).toBe(400);
    expect((err as Error).message).toBe(message);
  });
});

describe('labelSelectorToSelector (metav1.LabelSelectorAsSelector)', () => {
  it('builds k=v and set-based requirements, sorted', () => {
    const s = labelSelectorToSelector({
      matchLabels: { verb: 'GET', app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
      ],
    });
    expect(s.toString()).toBe('app=web,!canary,env notin (dev),tier in (a,b),verb=GET,zone');
    expect(labelSelectorToSelector({}).isEmpty()).toBe(true);
  });

  it('round-trips with selectorToLabelSelector', () => {
    const text = 'app=web,!canary,tier in (a,b),zone';
    const ls = selectorToLabelSelector(parseSelector(text));
    expect(ls).not.toBeNull();
    expect(labelSelectorToSelector(ls!).toString()).toBe(text);
  });

  it('rejects invalid input with apimachinery messages', () => {
    expect(() => labelSelectorToSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' as 'In' }] })).toThrow(
      '"Foo" is not a valid label selector operator',
    );
    expect(() => labelSelectorToSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] })).toThrow(
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(() => labelSelectorToSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toThrow(
      'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    );
    expect(() => labelSelectorToSelector({ matchLabels: { a: 'b c' } })).toThrow(`values[0][a]: Invalid value: "b c": ${VALUE_MSG}`);
  });
});
