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

function renderOne(template: string, values: Record<string, unknown> = {}, helpers = ''): string {
  const chart = join(dir.path, `c${n++}`);
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "4.5"\n');
  writeFileSync(join(chart, 'values.yaml'), 'a: {b: x, list: [1, 2]}\nflag: false\n');
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
    ['{{ "v" | quote }} {{ toYaml .Values.a | nindent 2 }}', '"v" \n  b: x\n  list:\n  - 1\n  - 2'],
    ['{{ printf "%s-%s" "a" "b" | trunc 2 | trimSuffix "-" }}', 'a'],
    ['{{ $x := "one" }}{{ if eq $x "one" "two" }}eq{{ end }}{{ if and .Values.a (not .Values.flag) }}!{{ end }}', 'eq!'],
    ['{{/* a comment */}}k', 'k'],
  ])('%s', (template, expected) => {
    expect(renderOne(template)).toBe(expected);
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
});
