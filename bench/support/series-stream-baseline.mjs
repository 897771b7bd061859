/* global TextDecoder */
// BASELINE ONLY — not used by the server. packages/backend-prometheus/src/series-stream.ts as it
// was on main before discovery's per-series work was cached (main at 7170cfc: the allocation-light
// parser, which hands discovery no label-name signature), types stripped (esbuild, no other
// change). bench/prometheus.bench.mjs measures it, with bench/support/discovery-baseline.mjs,
// against the current code in the same run (P2, issue 13) through bench/support/relist.mjs.
async function parseSeriesStream(body, onSeries) {
  const decoder = new TextDecoder();
  const parser = new SeriesParser(onSeries);
  for await (const chunk of body) {
    if (typeof chunk === "string") {
      parser.write(chunk);
      continue;
    }
    for (let start = 0; start < chunk.length; ) {
      let end = start + PIECE_BYTES >= chunk.length ? chunk.length : chunk.indexOf(125, start + PIECE_BYTES) + 1;
      if (end <= 0) end = chunk.length;
      parser.write(decoder.decode(chunk.subarray(start, end), { stream: true }));
      start = end;
    }
  }
  parser.write(decoder.decode());
  return parser.end();
}
const PIECE_BYTES = 1024;
const OUTER = 0;
const DATA = 1;
const KEY_OR_END = 2;
const KEY = 3;
const KEY_STRING = 4;
const COLON = 5;
const VALUE = 6;
const VALUE_STRING = 7;
const NEXT = 8;
const DONE = 9;
const QUOTE = 34;
const BACKSLASH = 92;
function isSpace(c) {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
class SeriesParser {
  #state = OUTER;
  #count = 0;
  #offset = 0;
  // characters consumed by earlier writes (for error messages)
  #sawData = false;
  #onSeries;
  // OUTER: generic JSON skipping, and the last string and key at depth 1 to find `"data": [`.
  #depth = 0;
  #outerString = false;
  #outerEscaped = false;
  #outerText = "";
  #outerLast;
  #outerKey;
  // DATA: 0 = first item or `]`, 1 = `,` or `]`, 2 = an item (after `,`).
  #dataExpect = 0;
  // The string token being read: text from earlier pieces, a pending escape, whether it has one.
  #part = "";
  #partEscaped = false;
  #partHasEscape = false;
  #token = "";
  #tokenRaw = true;
  // #token is the token's text as sent (no escapes), so it can be matched again
  #backslash = -1;
  // index of the next backslash in the current text at or after some position
  // The label set being built; names and values of the previous one by position, for reuse.
  #labels = {};
  #index = 0;
  #name = "";
  #names = [];
  #values = [];
  constructor(onSeries) {
    this.#onSeries = onSeries;
  }
  write(text) {
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
          else if (c === 123 && this.#dataExpect !== 1) {
            this.#state = KEY_OR_END;
            i++;
          } else if (c === 44 && this.#dataExpect === 1) {
            this.#dataExpect = 2;
            i++;
          } else if (c === 93 && this.#dataExpect !== 2) {
            this.#state = OUTER;
            this.#depth = 1;
            this.#outerLast = void 0;
            this.#outerKey = void 0;
            i++;
          } else throw this.#malformed(i, this.#dataExpect === 1 ? "`,` or `]` after a label set" : "a label set object in `data`");
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
            if (cached !== void 0 && text.charCodeAt(start + cached.length) === QUOTE && text.startsWith(cached, start)) {
              this.#name = cached;
              this.#state = COLON;
              i = start + cached.length + 1;
            } else {
              this.#beginString();
              this.#state = KEY_STRING;
              i = start;
            }
          } else if (isSpace(c)) i++;
          else if (c === 125 && this.#state === KEY_OR_END) {
            this.#emit();
            i++;
          } else throw this.#malformed(i, "a label name string");
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
          if (c === 58) {
            this.#state = VALUE;
            i++;
          } else if (isSpace(c)) i++;
          else throw this.#malformed(i, "`:` after a label name");
          break;
        }
        case VALUE: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            const start = i + 1;
            const cached = this.#values[this.#index];
            if (cached !== void 0 && text.charCodeAt(start + cached.length) === QUOTE && text.startsWith(cached, start)) {
              this.#set(cached);
              i = start + cached.length + 1;
            } else {
              this.#beginString();
              this.#state = VALUE_STRING;
              i = start;
            }
          } else if (isSpace(c)) i++;
          else throw this.#malformed(i, "a label value string");
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
          if (c === 44) {
            this.#state = KEY;
            i++;
          } else if (c === 125) {
            this.#emit();
            i++;
          } else if (isSpace(c)) i++;
          else throw this.#malformed(i, "`,` or `}` after a label value");
          break;
        }
        default: {
          if (!isSpace(text.charCodeAt(i))) throw this.#malformed(i, "nothing after the response object");
          i++;
        }
      }
    }
    this.#consumed(n);
  }
  /** Checks the end of the response and returns the number of label sets read. */
  end() {
    if (this.#state !== DONE && (this.#state !== OUTER || this.#depth !== 0 || this.#outerString)) throw new Error("truncated /api/v1/series response");
    if (!this.#sawData) throw new Error("not a /api/v1/series response (no data array)");
    return this.#count;
  }
  #consumed(n) {
    this.#offset += n;
  }
  #malformed(i, expected) {
    return new Error(`malformed /api/v1/series response at character ${this.#offset + i}: expected ${expected}`);
  }
  /**
   * The common case in one step: `"name":"value"` and the `,` or `}` after it, all in `text`, no
   * escapes, no white space. Returns the index after it, or -1 to let the states handle it.
   */
  #label(text, i) {
    const ks = i + 1;
    let name = this.#names[this.#index];
    let ke;
    if (name !== void 0 && text.charCodeAt(ks + name.length) === QUOTE && text.startsWith(name, ks)) ke = ks + name.length;
    else {
      ke = text.indexOf('"', ks);
      if (ke < 0 || this.#escapeBefore(text, ks, ke)) return -1;
      name = void 0;
    }
    if (text.charCodeAt(ke + 1) !== 58 || text.charCodeAt(ke + 2) !== QUOTE) return -1;
    const vs = ke + 3;
    let value = this.#values[this.#index];
    let ve;
    if (value !== void 0 && text.charCodeAt(vs + value.length) === QUOTE && text.startsWith(value, vs)) ve = vs + value.length;
    else {
      ve = text.indexOf('"', vs);
      if (ve < 0 || this.#escapeBefore(text, vs, ve)) return -1;
      value = text.slice(vs, ve);
      this.#values[this.#index] = value;
    }
    const after = text.charCodeAt(ve + 1);
    if (after !== 44 && after !== 125) return -1;
    if (name === void 0) {
      name = text.slice(ks, ke);
      this.#names[this.#index] = name;
    }
    this.#name = name;
    this.#set(value);
    if (after === 44) this.#state = KEY;
    else this.#emit();
    return ve + 2;
  }
  /** Whether `text` has a backslash in [from, to). */
  #escapeBefore(text, from, to) {
    if (this.#backslash < from && this.#backslash !== text.length) {
      const b = text.indexOf("\\", from);
      this.#backslash = b < 0 ? text.length : b;
    }
    return this.#backslash < to;
  }
  #set(value) {
    const name = this.#name;
    if (name === "__proto__") Object.defineProperty(this.#labels, name, { value, enumerable: true, writable: true, configurable: true });
    else this.#labels[name] = value;
    this.#index++;
    this.#state = NEXT;
  }
  #emit() {
    const labels = this.#labels;
    this.#labels = {};
    this.#index = 0;
    this.#count++;
    this.#state = DATA;
    this.#dataExpect = 1;
    this.#onSeries(labels);
  }
  #beginString() {
    this.#part = "";
    this.#partEscaped = false;
    this.#partHasEscape = false;
  }
  /**
   * Reads a string token from `i` (just after its opening quote, or the start of a piece when the
   * token began in an earlier one). Returns the index of the closing quote and sets #token, or -1
   * when the text ends first (the rest is kept in #part).
   */
  #string(text, i) {
    if (!this.#partEscaped) {
      const q = text.indexOf('"', i);
      if (q >= 0) {
        if (!this.#escapeBefore(text, i, q)) {
          return this.#finish(text.slice(i, q), this.#partHasEscape, q);
        }
      }
    }
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
  #finish(tail, hasEscape, end) {
    const raw = this.#part === "" ? tail : this.#part + tail;
    this.#part = "";
    if (!hasEscape) {
      this.#token = raw;
      this.#tokenRaw = true;
      return end;
    }
    try {
      this.#token = JSON.parse(`"${raw}"`);
    } catch {
      throw this.#malformed(end, "a valid JSON string (bad escape or control character)");
    }
    this.#tokenRaw = false;
    return end;
  }
  /** Generic JSON skipping outside `data`; finds `"data": [` at depth 1. Returns the next index. */
  #outer(text, i) {
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
        if (this.#depth === 1 && this.#outerText.length <= 64) this.#outerText += text[i];
        continue;
      }
      if (isSpace(c)) continue;
      if (this.#depth === 1) {
        if (c === 58 && this.#outerLast !== void 0) {
          this.#outerKey = this.#outerLast;
          this.#outerLast = void 0;
          continue;
        }
        if (c === 91 && this.#outerKey !== void 0 && decodeKey(this.#outerKey) === "data") {
          this.#sawData = true;
          this.#state = DATA;
          this.#dataExpect = 0;
          this.#depth = 2;
          return i + 1;
        }
        this.#outerLast = void 0;
        if (c !== QUOTE) this.#outerKey = void 0;
      }
      if (c === QUOTE) {
        this.#outerString = true;
        this.#outerText = "";
      } else if (c === 123 || c === 91) this.#depth++;
      else if (c === 125 || c === 93) {
        this.#depth--;
        if (this.#depth < 0) throw this.#malformed(i, "balanced brackets");
        if (this.#depth === 0) {
          this.#state = DONE;
          return i + 1;
        }
      }
    }
    return i;
  }
}
function decodeKey(raw) {
  if (!raw.includes("\\")) return raw;
  try {
    return JSON.parse(`"${raw}"`);
  } catch {
    return void 0;
  }
}
export {
  parseSeriesStream
};
