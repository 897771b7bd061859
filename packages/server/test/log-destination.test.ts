import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built logger (npm test builds first), in a process of its own with a real stdout.
const logger = fileURLToPath(new URL('../dist/observability/logger.js', import.meta.url));

function run(script: string, onStdout?: (chunk: Buffer, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(c, child);
    });
    child.stdout.on('error', () => {});
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the stdout log destination (sonic-boom, buffer mode)', () => {
  it('writes every line, in order while the process runs, and flushes what is pending when it exits', async () => {
    const { code, stdout, stderr } = await run(`
      import { createLogger } from ${JSON.stringify(logger)};
      const log = createLogger('info');
      for (let i = 0; i < 3000; i++) {
        log.info({ seq: i, text: 'é ünïcode ✓' }, 'line');
        if (i % 500 === 499) await new Promise((r) => setTimeout(r, 5));
        // Everything logged so far gets written while the process runs.
        if (i === 1999) await new Promise((r) => setTimeout(r, 300));
      }
      log.info({ seq: 3000 }, 'last line, pending at exit');
      process.exit(0);
    `);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; text?: string; name: string });
    expect(lines).toHaveLength(3001);
    expect(new Set(lines.map((l) => l.seq)).size).toBe(3001);
    // In order while the process runs; at exit the lines still queued are written synchronously,
    // possibly before the asynchronous write in flight lands (sonic-boom, as pino's default).
    expect(lines.slice(0, 2000).map((l) => l.seq)).toEqual([...Array(2000).keys()]);
    expect(lines[0]).toMatchObject({ name: 'custom-metrics-server', text: 'é ünïcode ✓' });
  });

  it('stops writing, without failing, when nobody reads stdout any more (EPIPE)', async () => {
    const { code, stderr } = await run(
      `
      import { createLogger } from ${JSON.stringify(logger)};
      const log = createLogger('info');
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        log.info({ filler: 'x'.repeat(200) }, 'line');
        await new Promise((r) => setTimeout(r, 1));
      }
      process.stderr.write('still running\\n');
    `,
      (_chunk, child) => child.stdout?.destroy(),
    );
    expect(stderr).toBe('still running\n');
    expect(code).toBe(0);
  });
});
