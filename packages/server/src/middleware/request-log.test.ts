import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Logger } from '@custom-metrics/core';
import { createLogger } from '../observability/logger.js';
import { logRequest } from './request-log.js';

function sink(): { lines: string[]; stream: Parameters<typeof createLogger>[1] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, stream: stream as unknown as Parameters<typeof createLogger>[1] };
}

/** The line with its time (and latency) set to fixed values, to compare the rest byte for byte. */
const fixed = (line: string) => line.replace(/"time":"[^"]*"/, '"time":"T"').replace(/"latencyMs":[0-9.e-]+/, '"latencyMs":0');

describe('logRequest', () => {
  const cases = [
    { method: 'GET', path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/pods/%2A/m', status: 200, state: { user: { name: 'system:serviceaccount:kube-system:hpa' }, auditId: '0b7c6b7a-f589-45e4-97ed-b92f41e7c61c' } },
    { method: 'GET', path: '/apis/x/"quoted"\\back\u0001\u2028é', status: 403, state: { auditId: 'id "with" quotes' } },
    { method: 'POST', path: `/${'p'.repeat(3000)}`, status: 500, state: {} },
  ];

  it("writes exactly the line pino's own serialisation writes, for the loggers createLogger builds", () => {
    const direct = sink();
    const viaPino = sink();
    const logger = createLogger('info', direct.stream);
    const reference = createLogger('info', viaPino.stream);
    // A logger createLogger did not build (same pino output) takes pino's path: the reference.
    const plain: Logger = { info: (o: object, m: string) => reference.info(o, m), debug: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;
    // Repeated and alternating requests too: what is quoted once for a run of equal values.
    const sequence = [...cases, cases[0], cases[0], { ...cases[0], state: { ...cases[0].state, user: { name: 'other' } } }, cases[1], cases[0]];
    for (const c of sequence) {
      logRequest(logger, c, performance.now());
      logRequest(plain, c, performance.now());
    }
    expect(direct.lines).toHaveLength(sequence.length);
    expect(direct.lines.map(fixed)).toEqual(viaPino.lines.map(fixed));
    const first = JSON.parse(direct.lines[0]) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 30, name: 'custom-metrics-server', method: 'GET', status: 200, user: 'system:serviceaccount:kube-system:hpa', msg: 'request' });
    expect(JSON.parse(direct.lines[2]).path).toHaveLength(2049);
  });

  it('follows the logger level, also when it changes at run time, and logs health probes at debug', () => {
    const out = sink();
    const logger = createLogger('warn', out.stream);
    logRequest(logger, cases[0], performance.now());
    expect(out.lines).toHaveLength(0);
    logger.level = 'info';
    logRequest(logger, cases[0], performance.now());
    logRequest(logger, { method: 'GET', path: '/healthz', status: 200, state: {} }, performance.now());
    expect(out.lines).toHaveLength(1);
    logger.level = 'debug';
    logRequest(logger, { method: 'GET', path: '/healthz', status: 200, state: {} }, performance.now());
    expect(out.lines).toHaveLength(2);
    expect(JSON.parse(out.lines[1])).toMatchObject({ level: 20, path: '/healthz' });
  });
});
