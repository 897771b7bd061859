/**
 * compileGoRegex compiles an RE2/Go regular expression as a JavaScript RegExp for the constructs
 * real configs use: `(?P<name>…)` becomes `(?<name>…)`, a leading `(?i)`/`(?s)`/`(?m)` becomes a
 * flag. Other inline flags are rejected. Matching is unanchored, as Go's `MatchString`.
 * @throws {Error} with the reason when the pattern cannot be compiled.
 */
export function compileGoRegex(pattern: string): RegExp {
  let src = pattern;
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(src);
  if (lead) {
    flags = [...new Set(lead[1])].join('');
    src = src.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z-]+[:)]/.test(src)) throw new Error(`unsupported inline flag group in ${JSON.stringify(pattern)}`);
  src = src.replace(/\(\?P</g, '(?<');
  return new RegExp(src, flags);
}

/**
 * expandGoTemplate implements Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` are
 * replaced by the capture (empty when absent), `$$` is a literal `$`, and a malformed reference
 * is copied as is. A bare `$name` takes the longest run of letters, digits and `_`.
 */
export function expandGoTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let end = i;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (/^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        end = close;
      }
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (m) {
        name = m[0];
        end = i + m[0].length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    i = end;
    if (/^[0-9]+$/.test(name)) out += match[Number(name)] ?? '';
    else out += match.groups?.[name] ?? '';
  }
  return out;
}

/** The number of capture groups in a compiled regex. */
export function captureCount(re: RegExp): number {
  return (new RegExp(`${re.source}|`, re.flags).exec('') as RegExpExecArray).length - 1;
}
