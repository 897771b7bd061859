// The chart renderer must follow Helm's (Go text/template + Sprig) semantics for the subset it
// accepts, and refuse the rest: each case states what Helm outputs for the same template.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/index.js';
import { HelmRenderer } from './support/helm-render.js';

const dir = tempDir('chart');
afterAll(() => dir.remove());
let n = 0;

function renderOne(template: string, values: Record<string, unknown> = {}, helpers = '', schema?: object): string {
  const chart = join(dir.path, `c${n++}`);
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "4.5"\n');
  writeFileSync(join(chart, 'values.yaml'), 'a: {b: x, list: [1, 2], m: {k: v, j: w}}\nflag: false\ns: text\n');
  if (schema) writeFileSync(join(chart, 'values.schema.json'), JSON.stringify(schema));
  writeFileSync(join(chart, 'templates/_h.tpl'), helpers);
  writeFileSync(join(chart, 'templates/t.yaml'), template);
  return new HelmRenderer(chart).render(values, { name: 'rel', namespace: 'ns' }).get('t.yaml') ?? '';
}

describe('Helm template subset', () => {
  it.each([
    ['{{ .Values.a.b }}', 'x'],
    ['a  {{- " b " -}}  c', 'a b c'],
    ['{{ .Release.Name }}/{{ .Release.Namespace }}/{{ .Chart.Name }}-{{ .Chart.AppVersion }}', 'rel/ns/demo-4.5'],
    ['{{ if .Values.flag }}yes{{ else if .Values.a }}maybe{{ else }}no{{ end }}', 'maybe'],
    ['{{ range .Values.a.list }}[{{ . }}]{{ end }}', '[1][2]'],
    ['{{ range $i, $v := .Values.a.list }}{{ $i }}={{ $v }};{{ end }}', '0=1;1=2;'],
    ['{{ with .Values.a }}{{ .b }}{{ end }}{{ with .Values.none }}never{{ else }}else{{ end }}', 'xelse'],
    ['{{ default "d" .Values.none }} {{ .Values.none | default "e" }} {{ default "d" .Values.a.b }}', 'd e x'],
    ['{{ "v" | quote }} {{ toYaml .Values.a.list | nindent 2 }}', '"v" \n  - 1\n  - 2'],
    // Helm's toYaml (sigs.k8s.io/yaml) sorts map keys.
    ['{{ toYaml .Values.a.m }}', 'j: w\nk: v'],
    ['{{ printf "%s-%s" "a" "b" | trunc 2 | trimSuffix "-" }}', 'a'],
    ['{{ $x := "one" }}{{ if eq $x "one" "two" }}eq{{ end }}{{ if and .Values.a (not .Values.flag) }}!{{ end }}', 'eq!'],
    ['{{/* a comment */}}k', 'k'],
    ['a \n{{- /* a trimming comment */ -}}\n k', 'ak'],
    ['{{/* a "quote and }} in a comment */}}k', 'k'],
    // Sprig's sha256sum is the hex digest of the string.
    ['{{ "abc" | sha256sum }}', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['{{ kindIs "string" .Values.s }} {{ kindIs "map" .Values.a }} {{ kindIs "slice" .Values.a.list }} {{ kindOf .Values.flag }} {{ kindOf .Values.a.list }}', 'true true true bool slice'],
    // Numbers from a values file are float64 to Go, and a missing value is "invalid".
    ['{{ kindOf (index .Values.a.list 0) }}', null],
    ['{{ kindOf .Values.none }}', 'invalid'],
    ['[{{ "  x \\n" | trim }}]', '[x]'],
    ['{{ range $k, $v := .Values.a.m }}{{ $k }}={{ $v }};{{ end }}', 'j=w;k=v;'],
  ])('%s', (template, expected) => {
    if (expected === null) expect(() => renderOne(template)).toThrow(/outside the supported subset/);
    else expect(renderOne(template)).toBe(expected);
  });

  it('includes named templates with a new dot and pipes them', () => {
    const helpers = '{{- define "x" -}}\nname: {{ .b }}\n{{- end -}}';
    expect(renderOne('m:{{- include "x" .Values.a | nindent 2 }}', {}, helpers)).toBe('m:\n  name: x');
  });

  it('indents every line as Sprig does, empty ones included', () => {
    expect(renderOne('{{ "a\\n\\nb" | indent 2 }}')).toBe('  a\n  \n  b');
  });

  it('merges user values over the defaults', () => {
    expect(renderOne('{{ .Values.a.b }}{{ len }}'.replace('{{ len }}', '{{ .Values.a.c }}'), { a: { c: 'y' } })).toBe('xy');
  });

  it('fails on required values and on anything outside the subset', () => {
    expect(() => renderOne('{{ required "need it" .Values.none }}')).toThrow('need it');
    expect(() => renderOne('{{ lookup "v1" "Secret" "ns" "x" }}')).toThrow(/outside the supported subset/);
    expect(() => renderOne('{{ if .Values.flag }}open')).toThrow(/missing \{\{end\}\}/);
    expect(() => renderOne('{{ .Values.a }}')).toThrow(/toYaml/);
  });

  it('sets $ to the data passed to include and tpl, as Go templates do', () => {
    const helpers = '{{- define "y" -}}{{ $.b }}/{{ .b }}{{- end -}}';
    expect(renderOne('{{ include "y" .Values.a }} {{ tpl "{{ $.b }}-{{ include \\"y\\" . }}" .Values.a }}', {}, helpers)).toBe('x/x x-x/x');
  });

  it("coalesces values as Helm does: maps merge, lists and scalars replace, null deletes", () => {
    const t = '{{ toYaml .Values }}';
    expect(renderOne(t, { a: { m: { k: null, i: 'u' }, list: [3] }, s: { now: 'a map' } })).toBe(
      'a:\n  b: x\n  list:\n  - 3\n  m:\n    i: u\n    j: w\nflag: false\ns:\n  now: a map',
    );
    // A string over a map wins too (that is how --set-file config=FILE replaces a default config map).
    expect(renderOne(t, { a: 'text', flag: null })).toBe('a: text\ns: text');
    // Nested nulls go even where the chart has no such key; a top-level one stays (Helm's coalesce.go).
    expect(renderOne(t, { a: { extra: null }, top: null })).toBe('a:\n  b: x\n  list:\n  - 1\n  - 2\n  m:\n    j: w\n    k: v\nflag: false\ns: text\ntop: null');
  });

  it('validates the coalesced values against values.schema.json, listing every violation', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: { a: { type: 'object', additionalProperties: false, properties: { b: { type: 'string' }, list: { type: 'array' }, m: { type: 'object' } } }, flag: { type: 'boolean' }, s: { type: 'string' } },
    };
    expect(renderOne('ok', {}, '', schema)).toBe('ok');
    // Defaults removed by null are not required to be there.
    expect(renderOne('ok', { s: null }, '', schema)).toBe('ok');
    expect(() => renderOne('ok', { a: { c: 1 }, flag: 'yes', z: 1 }, '', schema)).toThrow(
      "values don't meet the specifications of the schema(s) in the following chart(s):\ndemo:\n" +
        "- at '(root)': additional property 'z' not allowed\n- at '/a': additional property 'c' not allowed\n- at '/flag': must be boolean",
    );
  });
});
