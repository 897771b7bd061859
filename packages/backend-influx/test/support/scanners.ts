// Minimal tokenisers of InfluxQL and Flux, written from the languages' lexical rules, for the
// injection property tests: they split a query into quoted strings / identifiers / regexes and
// the rest, so a test can check that a value stays inside one literal and decodes to itself.

/** A token: a quoted literal (decoded) or a run of other text. */
export type Token = { kind: 'string' | 'ident' | 'regex'; value: string } | { kind: 'code'; value: string };

const INFLUXQL_ESC: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n' };
const FLUX_ESC: Record<string, string> = { '\\': '\\', '"': '"', $: '$', n: '\n', r: '\r', t: '\t' };

/**
 * Tokenises InfluxQL: `'…'` strings and `"…"` identifiers (escapes \\ \' \" \n; a raw newline or
 * unknown escape is an error, as in the InfluxQL scanner) and `/…/` regexes after `=~`/`!~`.
 */
export function scanInfluxQL(text: string): Token[] {
  return scan(text, {
    quotes: { "'": 'string', '"': 'ident' },
    escapes: INFLUXQL_ESC,
    regexAfter: /[=!]~\s*$/,
    interpolation: false,
  });
}

/** Tokenises Flux: `"…"` strings (escapes \\ \" \$ \n \r \t; a raw `${` is interpolation: error) and `/…/` regexes after `=~`/`!~`. */
export function scanFlux(text: string): Token[] {
  return scan(text, { quotes: { '"': 'string' }, escapes: FLUX_ESC, regexAfter: /[=!]~\s*$/, interpolation: true });
}

interface ScanRules {
  quotes: Record<string, 'string' | 'ident'>;
  escapes: Record<string, string>;
  regexAfter: RegExp;
  interpolation: boolean;
}

function scan(text: string, rules: ScanRules): Token[] {
  const out: Token[] = [];
  let code = '';
  let i = 0;
  const flush = () => {
    if (code) out.push({ kind: 'code', value: code });
    code = '';
  };
  while (i < text.length) {
    const ch = text[i];
    const kind = rules.quotes[ch];
    if (kind) {
      flush();
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated ${kind} in ${JSON.stringify(text)}`);
        const c = text[i];
        if (c === ch) break;
        if (c === '\n' && !rules.interpolation) throw new Error('raw newline in literal');
        if (c === '\\') {
          const e = rules.escapes[text[i + 1]];
          if (e === undefined) throw new Error(`bad escape \\${text[i + 1]}`);
          v += e;
          i += 2;
          continue;
        }
        if (rules.interpolation && c === '$' && text[i + 1] === '{') throw new Error('string interpolation in literal');
        v += c;
        i++;
      }
      i++;
      out.push({ kind, value: v });
      continue;
    }
    if (ch === '/' && rules.regexAfter.test(code)) {
      flush();
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated regex');
        const c = text[i];
        if (c === '/') break;
        if (c === '\n') throw new Error('raw newline in regex');
        if (c === '\\' && text[i + 1] === '/') {
          v += '/';
          i += 2;
          continue;
        }
        if (c === '\\') {
          v += c + (text[i + 1] ?? '');
          i += 2;
          continue;
        }
        v += c;
        i++;
      }
      i++;
      out.push({ kind: 'regex', value: v });
      continue;
    }
    code += ch;
    i++;
  }
  flush();
  return out;
}

/** The query's structure: literals replaced by their kind, so two queries can be compared. */
export function skeleton(tokens: Token[]): string {
  return tokens.map((t) => (t.kind === 'code' ? t.value : `<${t.kind}>`)).join('');
}

/** Compiles a decoded Go-regexp body as a JS RegExp (enough for the escapes the builders emit). */
export function goRegexToJs(body: string): RegExp {
  return new RegExp(body.replace(/\\x\{([0-9a-f]+)\}/g, '\\u{$1}'), 'u');
}
