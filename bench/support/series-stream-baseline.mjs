/* global TextDecoder */
// BASELINE ONLY — not used by the server. A verbatim JavaScript copy of
// packages/backend-prometheus/src/series-stream.ts as it was before the allocation-light parser
// (main at 959ffdb): it scans every character, collects each series' text into an array of chunk
// slices, joins it and JSON.parses it. bench/prometheus.bench.mjs measures it against the current
// parser in the same run (P2, issue 13) through bench/support/relist.mjs.

/**
 * @param {AsyncIterable<Uint8Array | string>} body
 * @param {(labels: Record<string, string>) => void} onSeries
 * @returns {Promise<number>}
 */
export async function parseSeriesStream(body, onSeries) {
  const decoder = new TextDecoder();
  let depth = 0;
  let inString = false;
  let escaped = false;
  let capture;
  let captureStart = 0;
  let count = 0;
  let sawData = false;
  let head = '';
  const process = (text) => {
    captureStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (depth === 1) head = (head + text[i]).slice(-32);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) {
        // '{' or '['
        depth++;
        if (depth === 2 && c === 0x5b) {
          if (/"data"\s*:\s*\[$/.test(head)) sawData = true;
        }
        if (depth === 3 && c === 0x7b && sawData) {
          capture = [];
          captureStart = i;
        }
      } else if (c === 0x7d || c === 0x5d) {
        if (depth === 3 && c === 0x7d && capture !== undefined) {
          capture.push(text.slice(captureStart, i + 1));
          onSeries(JSON.parse(capture.join('')));
          count++;
          capture = undefined;
        }
        depth--;
      }
    }
    if (capture !== undefined) capture.push(text.slice(captureStart));
  };
  for await (const chunk of body) process(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  process(decoder.decode());
  if (depth !== 0 || inString) throw new Error('truncated /api/v1/series response');
  if (!sawData) throw new Error('not a /api/v1/series response (no data array)');
  return count;
}
