import { ExpositionParseError } from './parse-error.js';
import type { ExpositionFormat, MetricFamilyMeta, MetricType, ParseOptions, ParseResult, ParsedSample } from './sample.js';

const DEFAULT_MAX_LINE = 65_536;
const DEFAULT_MAX_SAMPLES = 100_000;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT = /^-?\d+$/;

const TEXT_TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);
/** Sample-name suffixes that belong to a family of the base name. */
const SUFFIXES = ['_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'];

/** Picks the format from a Content-Type header, or from a trailing `# EOF` line. */
export function detectFormat(text: string, contentType?: string): ExpositionFormat {
  if (contentType !== undefined) {
    if (/^\s*application\/openmetrics-text/i.test(contentType)) return 'openmetrics';
    if (/^\s*text\/plain/i.test(contentType)) return 'text';
  }
  return /(^|\n)# EOF\n?$/.test(text) ? 'openmetrics' : 'text';
}

/**
 * parseExposition parses Prometheus text format 0.0.4 or OpenMetrics 1.0 exposition.
 * It is strict: anything that is not a valid line throws an {@link ExpositionParseError} naming
 * the line. Exemplars are ignored. Bounded by `maxLineLength` and `maxSamples`.
 */
export function parseExposition(text: string, options: ParseOptions = {}): ParseResult {
  const format = options.format ?? detectFormat(text, options.contentType);
  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
  const maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
  const om = format === 'openmetrics';
  const samples: ParsedSample[] = [];
  const families = new Map<string, MetricFamilyMeta>();
  const sampled = new Set<string>();
  const typed = new Set<string>();
  let sawEof = false;
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    if (end - pos > maxLine) throw new ExpositionParseError(`line longer than ${maxLine} characters`, lineNo);
    const raw = text.slice(pos, end);
    pos = end + 1;
    // Text format tolerates leading blanks (as Prometheus' own parser does); OpenMetrics does not.
    const line = om ? raw : raw.replace(/^[ \t]+/, '');
    if (sawEof) throw new ExpositionParseError('content after "# EOF"', lineNo);
    if (om) {
      if (line === '# EOF') {
        sawEof = true;
        continue;
      }
      if (line === '') throw new ExpositionParseError('empty lines are not allowed in OpenMetrics', lineNo);
    } else if (line.trim() === '') {
      continue;
    }
    if (line.startsWith('#')) {
      parseComment(line, lineNo, om, families, sampled, typed);
      continue;
    }
    if (samples.length >= maxSamples) throw new ExpositionParseError(`more than ${maxSamples} samples`, lineNo);
    const s = parseSampleLine(line, lineNo, om);
    sampled.add(familyOf(s.name, families));
    samples.push(s);
  }
  if (om && !sawEof) throw new ExpositionParseError('missing "# EOF" at the end of OpenMetrics text', lineNo);
  return { format, samples, families };
}

/** The family a sample name belongs to: the name itself, or the name without a known suffix. */
function familyOf(name: string, families: Map<string, MetricFamilyMeta>): string {
  if (families.has(name)) return name;
  for (const s of SUFFIXES) {
    if (name.endsWith(s)) {
      const base = name.slice(0, -s.length);
      if (families.has(base)) return base;
    }
  }
  return name;
}

function parseComment(
  line: string,
  lineNo: number,
  om: boolean,
  families: Map<string, MetricFamilyMeta>,
  sampled: Set<string>,
  typed: Set<string>,
): void {
  const m = /^#[ \t]+(HELP|TYPE|UNIT)[ \t]+(\S+)(?:[ \t](.*))?$/.exec(om ? line : line.trimEnd());
  const keyword = m?.[1];
  if (!m || (keyword === 'UNIT' && !om)) {
    if (om) throw new ExpositionParseError(`unexpected comment ${JSON.stringify(truncate(line))}`, lineNo);
    if (/^#[ \t]+(HELP|TYPE)\b/.test(line)) throw new ExpositionParseError(`malformed ${line.split(/[ \t]+/)[1]} line`, lineNo);
    return; // a plain comment in text format
  }
  const name = m[2];
  const rest = m[3] ?? '';
  if (!METRIC_NAME.test(name)) throw new ExpositionParseError(`invalid metric name ${JSON.stringify(name)}`, lineNo);
  let fam = families.get(name);
  if (!fam) {
    fam = { name, type: om ? 'unknown' : 'untyped' };
    families.set(name, fam);
  }
  switch (keyword) {
    case 'HELP':
      if (fam.help !== undefined) throw new ExpositionParseError(`second HELP line for ${name}`, lineNo);
      fam.help = unescapeHelp(rest, lineNo, om);
      return;
    case 'UNIT':
      if (fam.unit !== undefined) throw new ExpositionParseError(`second UNIT line for ${name}`, lineNo);
      if (rest !== '' && !name.endsWith(`_${rest}`)) throw new ExpositionParseError(`unit ${JSON.stringify(rest)} is not a suffix of ${name}`, lineNo);
      fam.unit = rest;
      return;
    default: {
      const type = rest.trim() as MetricType;
      if (!(om ? OM_TYPES : TEXT_TYPES).has(type)) throw new ExpositionParseError(`invalid metric type ${JSON.stringify(rest)}`, lineNo);
      if (typed.has(name)) throw new ExpositionParseError(`second TYPE line for ${name}`, lineNo);
      if (sampled.has(name)) throw new ExpositionParseError(`TYPE line for ${name} after its samples`, lineNo);
      fam.type = type;
      typed.add(name);
    }
  }
}

function unescapeHelp(s: string, lineNo: number, om: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === 'n') out += '\n';
    else if (n === '\\') out += '\\';
    else if (om && n === '"') out += '"';
    else if (n === undefined) throw new ExpositionParseError('HELP text ends with a lone backslash', lineNo);
    else out += `\\${n}`; // text format keeps unknown escapes verbatim
  }
  return out;
}

/** Parses `name{labels} value [timestamp] [# exemplar]`. */
function parseSampleLine(line: string, lineNo: number, om: boolean): ParsedSample {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i])) i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) throw new ExpositionParseError(`invalid metric name at the start of ${JSON.stringify(truncate(line))}`, lineNo);
  let labels: Record<string, string> = {};
  if (line[i] === '{') {
    const r = parseLabels(line, i + 1, lineNo);
    labels = r.labels;
    i = r.next;
  }
  const rest = line.slice(i);
  if (!/^[ \t]/.test(rest)) throw new ExpositionParseError(`expected a space and a value after ${JSON.stringify(name)}`, lineNo);
  let body = rest;
  if (om) {
    if (rest[0] !== ' ' || rest[1] === ' ') throw new ExpositionParseError('OpenMetrics separates fields with exactly one space', lineNo);
    const ex = rest.indexOf(' # ');
    if (ex >= 0) body = rest.slice(0, ex); // exemplar: ignored
  }
  const fields = body.trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '') throw new ExpositionParseError(`expected "value [timestamp]", got ${JSON.stringify(truncate(body.trim()))}`, lineNo);
  const value = parseValue(fields[0], lineNo);
  if (fields.length === 1) return { name, labels, value };
  return { name, labels, value, timestampMs: parseTimestamp(fields[1], lineNo, om) };
}

function parseLabels(line: string, start: number, lineNo: number): { labels: Record<string, string>; next: number } {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = start;
  const skipWs = () => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  for (;;) {
    skipWs();
    if (line[i] === '}') return { labels: { ...labels }, next: i + 1 };
    const nameStart = i;
    while (i < line.length && /[a-zA-Z0-9_]/.test(line[i])) i++;
    const lname = line.slice(nameStart, i);
    if (!LABEL_NAME.test(lname)) throw new ExpositionParseError(`invalid label name at column ${nameStart + 1}`, lineNo);
    skipWs();
    if (line[i] !== '=') throw new ExpositionParseError(`expected "=" after label ${lname}`, lineNo);
    i++;
    skipWs();
    if (line[i] !== '"') throw new ExpositionParseError(`expected a quoted value for label ${lname}`, lineNo);
    i++;
    let value = '';
    for (;;) {
      if (i >= line.length) throw new ExpositionParseError(`unterminated value for label ${lname}`, lineNo);
      const c = line[i++];
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const n = line[i++];
      if (n === '\\') value += '\\';
      else if (n === '"') value += '"';
      else if (n === 'n') value += '\n';
      else throw new ExpositionParseError(`invalid escape "\\${n ?? ''}" in value of label ${lname}`, lineNo);
    }
    if (Object.prototype.hasOwnProperty.call(labels, lname)) throw new ExpositionParseError(`duplicate label ${lname}`, lineNo);
    labels[lname] = value;
    skipWs();
    if (line[i] === ',') {
      i++;
      continue;
    }
    if (line[i] === '}') return { labels: { ...labels }, next: i + 1 };
    throw new ExpositionParseError(`expected "," or "}" after label ${lname}`, lineNo);
  }
}

/** Parses a sample value as Go's strconv.ParseFloat accepts it in exposition (NaN, ±Inf). */
export function parseValue(s: string, lineNo: number): number {
  switch (s.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
  }
  if (!FLOAT.test(s)) throw new ExpositionParseError(`invalid value ${JSON.stringify(truncate(s))}`, lineNo);
  return Number(s);
}

function parseTimestamp(s: string, lineNo: number, om: boolean): number {
  if (om) {
    if (!FLOAT.test(s)) throw new ExpositionParseError(`invalid timestamp ${JSON.stringify(truncate(s))}`, lineNo);
    return Math.round(Number(s) * 1000);
  }
  if (!INT.test(s)) throw new ExpositionParseError(`invalid timestamp ${JSON.stringify(truncate(s))} (milliseconds expected)`, lineNo);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new ExpositionParseError(`timestamp ${s} out of range`, lineNo);
  return n;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
