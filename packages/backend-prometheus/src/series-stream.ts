/**
 * parseSeriesStream reads a `/api/v1/series` response body (`{"status":"success","data":[{…},…]}`)
 * chunk by chunk and calls `onSeries` with each label set as soon as it is complete, so memory
 * stays bounded by one series, not by the response. Returns the number of series read.
 *
 * `onSeries` also gets the series' label-name signature ({@link labelNamesKey} of its label names
 * in the order sent): the same string object for consecutive series with the same names, built
 * only when the names change, so a consumer can cache work per label-name set at the cost of one
 * map lookup.
 *
 * The label sets are read by a small incremental scanner (no JSON.parse per series, no joining of
 * chunks): a label set is built directly from the text, a string token split across chunks is
 * carried over on its own, and a label name or value equal to the one at the same position in the
 * previous series is reused instead of being copied again. A byte chunk is decoded in pieces of
 * about {@link PIECE_BYTES} bytes ending after a `}`, so a label value the caller keeps references
 * at most one small piece of the response, never a whole network chunk.
 * Every label value must be a JSON string, as Prometheus sends it.
 * @throws {Error} when the body is not a series response (`no data array`), ends early
 *   (`truncated`) or is not well-formed JSON where a label set is expected (`malformed`, with the
 *   character offset).
 */
export async function parseSeriesStream(
  body: AsyncIterable<Uint8Array | string>,
  onSeries: (labels: Record<string, string>, names: string) => void,
): Promise<number> {
  const decoder = new TextDecoder();
  const parser = new SeriesParser(onSeries);
  for await (const chunk of body) {
    if (typeof chunk === 'string') {
      parser.write(chunk);
      continue;
    }
    // Pieces end just after a `}` (usually the end of a label set), so few string tokens straddle two.
    for (let start = 0; start < chunk.length; ) {
      let end = start + PIECE_BYTES >= chunk.length ? chunk.length : chunk.indexOf(0x7d, start + PIECE_BYTES) + 1;
      if (end <= 0) end = chunk.length;
      parser.write(decoder.decode(chunk.subarray(start, end), { stream: true }));
      start = end;
    }
  }
  parser.write(decoder.decode());
  return parser.end();
}

/**
 * labelNamesKey is the label-name signature {@link parseSeriesStream} hands its consumer: each name
 * prefixed by its length, so two different lists of names never have the same key.
 */
export function labelNamesKey(names: readonly string[]): string {
  let key = '';
  for (const n of names) key += `${n.length}:${n}`;
  return key;
}

/** Target size of the decoded pieces of a byte chunk (see {@link parseSeriesStream}). */
const PIECE_BYTES = 1024;

// Scanner states.
const OUTER = 0; // the response object around `data` (skipped generically)
const DATA = 1; // inside the `data` array, between label sets
const KEY_OR_END = 2; // after `{` of a label set
const KEY = 3; // after `,` in a label set
const KEY_STRING = 4; // inside a label name
const COLON = 5;
const VALUE = 6;
const VALUE_STRING = 7; // inside a label value
const NEXT = 8; // after a label value: `,` or `}`
const DONE = 9; // after the response object

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The series response scanner: `write` decoded text in order, then `end`. */
class SeriesParser {
  #state = OUTER;
  #count = 0;
  #offset = 0; // characters consumed by earlier writes (for error messages)
  #sawData = false;
  readonly #onSeries: (labels: Record<string, string>, names: string) => void;

  // OUTER: generic JSON skipping, and the last string and key at depth 1 to find `"data": [`.
  #depth = 0;
  #outerString = false;
  #outerEscaped = false;
  #outerText = '';
  #outerLast: string | undefined;
  #outerKey: string | undefined;

  // DATA: 0 = first item or `]`, 1 = `,` or `]`, 2 = an item (after `,`).
  #dataExpect = 0;

  // The string token being read: text from earlier pieces, a pending escape, whether it has one.
  #part = '';
  #partEscaped = false;
  #partHasEscape = false;
  #token = '';
  #tokenRaw = true; // #token is the token's text as sent (no escapes), so it can be matched again
  #backslash = -1; // index of the next backslash in the current text at or after some position

  // The label set being built; names and values of the previous one by position, for reuse.
  #labels: Record<string, string> = {};
  #index = 0;
  #name = '';
  readonly #names: string[] = [];
  readonly #values: string[] = [];
  // The label names of the series being built (by position), of the last one emitted, and its key.
  readonly #shapeNames: string[] = [];
  #shapeLength = -1;
  #shapeChanged = true;
  #shape = '';

  constructor(onSeries: (labels: Record<string, string>, names: string) => void) {
    this.#onSeries = onSeries;
  }

  write(text: string): void {
    const n = text.length;
    let i = 0;
    this.#backslash = -1;
    while (i < n) {
      switch (this.#state) {
        case OUTER:
          i = this.#outer(text, i);
          break;
        case DATA: {
          const c = text.charCodeAt(i);
          if (isSpace(c)) i++;
          else if (c === 0x7b && this.#dataExpect !== 1) {
            this.#state = KEY_OR_END;
            i++;
          } else if (c === 0x2c && this.#dataExpect === 1) {
            this.#dataExpect = 2;
            i++;
          } else if (c === 0x5d && this.#dataExpect !== 2) {
            this.#state = OUTER;
            this.#depth = 1;
            this.#outerLast = undefined;
            this.#outerKey = undefined;
            i++;
          } else throw this.#malformed(i, this.#dataExpect === 1 ? '`,` or `]` after a label set' : 'a label set object in `data`');
          break;
        }
        case KEY_OR_END:
        case KEY: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            const next = this.#label(text, i);
            if (next >= 0) {
              i = next;
              break;
            }
            const start = i + 1;
            const cached = this.#names[this.#index];
            if (cached !== undefined && text.charCodeAt(start + cached.length) === QUOTE && text.startsWith(cached, start)) {
              this.#name = cached;
              this.#state = COLON;
              i = start + cached.length + 1;
            } else {
              this.#beginString();
              this.#state = KEY_STRING;
              i = start;
            }
          } else if (isSpace(c)) i++;
          else if (c === 0x7d && this.#state === KEY_OR_END) {
            this.#emit();
            i++;
          } else throw this.#malformed(i, 'a label name string');
          break;
        }
        case KEY_STRING: {
          const end = this.#string(text, i);
          if (end < 0) return this.#consumed(n);
          this.#name = this.#token;
          if (this.#tokenRaw) this.#names[this.#index] = this.#token;
          this.#state = COLON;
          i = end + 1;
          break;
        }
        case COLON: {
          const c = text.charCodeAt(i);
          if (c === 0x3a) {
            this.#state = VALUE;
            i++;
          } else if (isSpace(c)) i++;
          else throw this.#malformed(i, '`:` after a label name');
          break;
        }
        case VALUE: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            const start = i + 1;
            const cached = this.#values[this.#index];
            if (cached !== undefined && text.charCodeAt(start + cached.length) === QUOTE && text.startsWith(cached, start)) {
              this.#set(cached);
              i = start + cached.length + 1;
            } else {
              this.#beginString();
              this.#state = VALUE_STRING;
              i = start;
            }
          } else if (isSpace(c)) i++;
          else throw this.#malformed(i, 'a label value string');
          break;
        }
        case VALUE_STRING: {
          const end = this.#string(text, i);
          if (end < 0) return this.#consumed(n);
          if (this.#tokenRaw) this.#values[this.#index] = this.#token;
          this.#set(this.#token);
          i = end + 1;
          break;
        }
        case NEXT: {
          const c = text.charCodeAt(i);
          if (c === 0x2c) {
            this.#state = KEY;
            i++;
          } else if (c === 0x7d) {
            this.#emit();
            i++;
          } else if (isSpace(c)) i++;
          else throw this.#malformed(i, '`,` or `}` after a label value');
          break;
        }
        default: {
          // DONE: only white space may follow the response object.
          if (!isSpace(text.charCodeAt(i))) throw this.#malformed(i, 'nothing after the response object');
          i++;
        }
      }
    }
    this.#consumed(n);
  }

  /** Checks the end of the response and returns the number of label sets read. */
  end(): number {
    if (this.#state !== DONE && (this.#state !== OUTER || this.#depth !== 0 || this.#outerString)) throw new Error('truncated /api/v1/series response');
    if (!this.#sawData) throw new Error('not a /api/v1/series response (no data array)');
    return this.#count;
  }

  #consumed(n: number): void {
    this.#offset += n;
  }

  #malformed(i: number, expected: string): Error {
    return new Error(`malformed /api/v1/series response at character ${this.#offset + i}: expected ${expected}`);
  }

  /**
   * The common case in one step: `"name":"value"` and the `,` or `}` after it, all in `text`, no
   * escapes, no white space. Returns the index after it, or -1 to let the states handle it.
   */
  #label(text: string, i: number): number {
    const ks = i + 1;
    let name: string | undefined = this.#names[this.#index];
    let ke: number;
    if (name !== undefined && text.charCodeAt(ks + name.length) === QUOTE && text.startsWith(name, ks)) ke = ks + name.length;
    else {
      ke = text.indexOf('"', ks);
      if (ke < 0 || this.#escapeBefore(text, ks, ke)) return -1;
      name = undefined;
    }
    if (text.charCodeAt(ke + 1) !== 0x3a || text.charCodeAt(ke + 2) !== QUOTE) return -1;
    const vs = ke + 3;
    let value: string | undefined = this.#values[this.#index];
    let ve: number;
    if (value !== undefined && text.charCodeAt(vs + value.length) === QUOTE && text.startsWith(value, vs)) ve = vs + value.length;
    else {
      ve = text.indexOf('"', vs);
      if (ve < 0 || this.#escapeBefore(text, vs, ve)) return -1;
      value = text.slice(vs, ve);
      this.#values[this.#index] = value;
    }
    const after = text.charCodeAt(ve + 1);
    if (after !== 0x2c && after !== 0x7d) return -1;
    if (name === undefined) {
      name = text.slice(ks, ke);
      this.#names[this.#index] = name;
    }
    this.#name = name;
    this.#set(value);
    if (after === 0x2c) this.#state = KEY;
    else this.#emit();
    return ve + 2;
  }

  /** Whether `text` has a backslash in [from, to). */
  #escapeBefore(text: string, from: number, to: number): boolean {
    if (this.#backslash < from && this.#backslash !== text.length) {
      const b = text.indexOf('\\', from);
      this.#backslash = b < 0 ? text.length : b;
    }
    return this.#backslash < to;
  }

  #set(value: string): void {
    const name = this.#name;
    if (this.#shapeNames[this.#index] !== name) {
      this.#shapeNames[this.#index] = name;
      this.#shapeChanged = true;
    }
    if (name === '__proto__') Object.defineProperty(this.#labels, name, { value, enumerable: true, writable: true, configurable: true });
    else this.#labels[name] = value;
    this.#index++;
    this.#state = NEXT;
  }

  #emit(): void {
    const labels = this.#labels;
    if (this.#shapeChanged || this.#index !== this.#shapeLength) {
      this.#shape = labelNamesKey(this.#shapeNames.slice(0, this.#index));
      this.#shapeLength = this.#index;
      this.#shapeChanged = false;
    }
    this.#labels = {};
    this.#index = 0;
    this.#count++;
    this.#state = DATA;
    this.#dataExpect = 1;
    this.#onSeries(labels, this.#shape);
  }

  #beginString(): void {
    this.#part = '';
    this.#partEscaped = false;
    this.#partHasEscape = false;
  }

  /**
   * Reads a string token from `i` (just after its opening quote, or the start of a piece when the
   * token began in an earlier one). Returns the index of the closing quote and sets #token, or -1
   * when the text ends first (the rest is kept in #part).
   */
  #string(text: string, i: number): number {
    if (!this.#partEscaped) {
      const q = text.indexOf('"', i);
      if (q >= 0) {
        if (!this.#escapeBefore(text, i, q)) {
          // No escape in this token's text here: the common case.
          return this.#finish(text.slice(i, q), this.#partHasEscape, q);
        }
      }
    }
    // An escape, or the token goes on in the next piece: character by character.
    let escaped = this.#partEscaped;
    let hasEscape = this.#partHasEscape;
    for (let j = i; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (escaped) escaped = false;
      else if (c === BACKSLASH) {
        escaped = true;
        hasEscape = true;
      } else if (c === QUOTE) return this.#finish(text.slice(i, j), hasEscape, j);
    }
    this.#part += text.slice(i);
    this.#partEscaped = escaped;
    this.#partHasEscape = hasEscape;
    return -1;
  }

  #finish(tail: string, hasEscape: boolean, end: number): number {
    const raw = this.#part === '' ? tail : this.#part + tail;
    this.#part = '';
    if (!hasEscape) {
      this.#token = raw;
      this.#tokenRaw = true;
      return end;
    }
    try {
      this.#token = JSON.parse(`"${raw}"`) as string;
    } catch {
      throw this.#malformed(end, 'a valid JSON string (bad escape or control character)');
    }
    this.#tokenRaw = false;
    return end;
  }

  /** Generic JSON skipping outside `data`; finds `"data": [` at depth 1. Returns the next index. */
  #outer(text: string, i: number): number {
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.#outerString) {
        if (this.#outerEscaped) this.#outerEscaped = false;
        else if (c === BACKSLASH) this.#outerEscaped = true;
        else if (c === QUOTE) {
          this.#outerString = false;
          if (this.#depth === 1) this.#outerLast = this.#outerText;
          continue;
        }
        // The raw text of a depth-1 string (a key, perhaps `data`); longer ones cannot be `data`.
        if (this.#depth === 1 && this.#outerText.length <= 64) this.#outerText += text[i];
        continue;
      }
      if (isSpace(c)) continue;
      if (this.#depth === 1) {
        if (c === 0x3a && this.#outerLast !== undefined) {
          this.#outerKey = this.#outerLast;
          this.#outerLast = undefined;
          continue;
        }
        if (c === 0x5b && this.#outerKey !== undefined && decodeKey(this.#outerKey) === 'data') {
          this.#sawData = true;
          this.#state = DATA;
          this.#dataExpect = 0;
          this.#depth = 2;
          return i + 1;
        }
        this.#outerLast = undefined;
        if (c !== QUOTE) this.#outerKey = undefined;
      }
      if (c === QUOTE) {
        this.#outerString = true;
        this.#outerText = '';
      } else if (c === 0x7b || c === 0x5b) this.#depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.#depth--;
        if (this.#depth < 0) throw this.#malformed(i, 'balanced brackets');
        if (this.#depth === 0) {
          this.#state = DONE;
          return i + 1;
        }
      }
    }
    return i;
  }
}

/** The value of a short JSON string's text (`d\u0061ta` is `data`); undefined when invalid. */
function decodeKey(raw: string): string | undefined {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
