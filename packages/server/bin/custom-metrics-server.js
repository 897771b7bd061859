#!/usr/bin/env node
// The custom-metrics-server binary. A committed file rather than tsc output, so that npm links it
// executable in a fresh checkout too (`npm ci` links workspace binaries before the first build).
try {
  await import('../dist/cli/main.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/main.js')) {
    process.stderr.write('custom-metrics-server is not built yet: run `npm run build` at the repository root\n');
    process.exit(1);
  }
  throw e;
}
