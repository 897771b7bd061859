#!/usr/bin/env node
import 'reflect-metadata';
import type { RunningServer } from './serve.js';
import { runCli } from './run.js';

/** Waits for SIGTERM/SIGINT, then shuts the server down gracefully (a second signal exits at once); SIGHUP reloads the config. */
function untilSignal(server: RunningServer): Promise<number> {
  return new Promise((resolve) => {
    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`received ${signal} again: exiting now\n`);
        process.exit(1);
      }
      server.shutdown().then(
        () => resolve(0),
        (e: unknown) => {
          process.stderr.write(`shutdown failed: ${(e as Error).message}\n`);
          resolve(1);
        },
      );
    };
    // SIGHUP re-reads the config file (as does a change to it); a bad file keeps the last good config.
    process.on('SIGHUP', () => void server.reload());
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  onServing: untilSignal,
});
process.exit(code);
