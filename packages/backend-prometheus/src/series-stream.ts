/**
 * parseSeriesStream reads a `/api/v1/series` response body (`{"status":"success","data":[{…},…]}`)
 * chunk by chunk and calls `onSeries` with each label set as soon as it is complete, so memory
 * stays bounded by one series, not by the response. Returns the number of series read.
 * @throws {Error} when the body is not a series response.
 */
export async function parseSeriesStream(
  body: AsyncIterable<Uint8Array | string>,
  onSeries: (labels: Record<string, string>) => void,
): Promise<number> {
  const decoder = new TextDecoder();
  let depth = 0;
  let inString = false;
  let escaped = false;
  let capture: string[] | undefined;
  let captureStart = 0;
  let count = 0;
  let sawData = false;
  let head = '';
  const process = (text: string) => {
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
          onSeries(JSON.parse(capture.join('')) as Record<string, string>);
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
