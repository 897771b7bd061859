import { describe, expect, it } from 'vitest';
import { TemplateError } from '../errors.js';
import { compileTemplate } from './template.js';

const args = {
  Series: 'http_requests_total',
  LabelMatchers: 'namespace="default",pod=~"a|b"',
  LabelValuesByName: { namespace: 'default', pod: 'a|b' },
  GroupBy: 'pod,container',
  GroupBySlice: ['pod', 'container'],
};
const run = (src: string, data: unknown = args) => compileTemplate(src).execute(data);

describe('compileTemplate', () => {
  it('renders field access with << >> delimiters and leaves PromQL braces alone', () => {
    expect(run('sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[2m])) by (<<.GroupBy>>)')).toBe(
      'sum(rate(http_requests_total{namespace="default",pod=~"a|b",container!="POD"}[2m])) by (pod,container)',
    );
  });

  it('supports index on maps and slices, with a missing map key giving ""', () => {
    expect(run('<<index .LabelValuesByName "namespace">>')).toBe('default');
    expect(run('<<index .GroupBySlice 1>>')).toBe('container');
    expect(run('[<<index .LabelValuesByName "nope">>]')).toBe('[]');
  });

  it('treats a Map as a Go map: field access by key, missing key prints <no value>, index gives ""', () => {
    const m = { M: new Map([['pod', 'a'], ['ns', 'b']]) };
    expect(run('<<.M.pod>>/<<.M.nope>>/[<<index .M "nope">>]', m)).toBe('a/<no value>/[]');
    expect(run('<<range $k, $v := .M>><<$k>>=<<$v>>;<<end>>', m)).toBe('ns=b;pod=a;');
    expect(() => run('<<.Nope>>')).toThrow(TemplateError);
  });

  it('supports join in both argument orders and as a pipeline stage', () => {
    expect(run('<<join .GroupBySlice ";">>')).toBe('pod;container');
    expect(run('<<join "," .GroupBySlice>>')).toBe('pod,container');
    expect(run('<<.GroupBySlice | join "+">>')).toBe('pod+container');
  });

  it('supports range with dot, variables and else', () => {
    expect(run('<<range .GroupBySlice>>[<<.>>]<<end>>')).toBe('[pod][container]');
    expect(run('<<range $i, $l := .GroupBySlice>><<$i>>=<<$l>> <<end>>')).toBe('0=pod 1=container ');
    expect(run('<<range .GroupBySlice>><<$.Series>>.<<.>> <<end>>')).toBe('http_requests_total.pod http_requests_total.container ');
    expect(run('<<range .E>>x<<else>>empty<<end>>', { E: [] })).toBe('empty');
  });

  it('supports if / else if / else with Go truthiness', () => {
    const t = '<<if .A>>a<<else if .B>>b<<else>>c<<end>>';
    expect(run(t, { A: 'x', B: '' })).toBe('a');
    expect(run(t, { A: '', B: ['y'] })).toBe('b');
    expect(run(t, { A: '', B: [] })).toBe('c');
    expect(run('<<if index .LabelValuesByName "pod">>by pod<<end>>')).toBe('by pod');
  });

  it('honours trim markers and prints slices as Go does', () => {
    expect(run('a  <<- .Series ->>  b')).toBe('ahttp_requests_totalb');
    expect(run('<<.GroupBySlice>>')).toBe('[pod container]');
  });

  it.each([
    ['<<with .Series>>x<<end>>', 'with'],
    ['<<define "x">>y<<end>>', 'define'],
    ['<<template "x">>', 'template'],
    ['<<printf "%s" .Series>>', 'printf'],
    ['<<len .GroupBySlice>>', 'len'],
    ['<<$x := .Series>>', 'variable declaration'],
    ['<</* c */>>', 'comment'],
  ])('rejects %s naming the construct', (src, construct) => {
    expect(() => compileTemplate(src)).toThrow(TemplateError);
    expect(() => compileTemplate(src)).toThrow(construct);
  });

  it('reports syntax errors: unclosed actions, unterminated blocks, stray end', () => {
    expect(() => compileTemplate('<<.Series')).toThrow(/unclosed action/);
    expect(() => compileTemplate('<<if .A>>x')).toThrow(/unterminated if/);
    expect(() => compileTemplate('x<<end>>')).toThrow(/unexpected "end"/);
  });

  it('fails at execution on an unknown field', () => {
    expect(() => run('<<.Nope>>')).toThrow(/can't evaluate field Nope/);
  });
});
