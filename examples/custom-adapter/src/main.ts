#!/usr/bin/env node
// queue-adapter: an HTTPS aggregated API server serving `queue_length` read from a JSON file {"<queue>": <length>}.
// Usage: queue-adapter <queues.json> [--port 6443] [--cert-dir DIR] [--namespaces a,b] [--client-ca-file F]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from '@custom-metrics/server';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: '6443' }, 'cert-dir': { type: 'string' }, namespaces: { type: 'string', default: 'default' }, 'client-ca-file': { type: 'string' } },
});
const [queueFile] = positionals;
if (!queueFile) {
  process.stderr.write('usage: queue-adapter <queues.json> [--port N] [--cert-dir DIR] [--namespaces a,b] [--client-ca-file F]\n');
  process.exit(2);
}

// The server loads backends by type; a path to an ES module is a type, so our plugin is this package's module.
const dir = mkdtempSync(join(tmpdir(), 'queue-adapter-'));
const configFile = join(dir, 'config.json');
writeFileSync(configFile, JSON.stringify({
  backends: [{ name: 'queue', type: fileURLToPath(new URL('./queue-backend.js', import.meta.url)), config: { file: queueFile } }],
  standalone: { objects: values.namespaces.split(',').map((name) => ({ resource: 'namespaces', name })) },
}));

const server = await startServer(configFile, { standalone: true, securePort: Number(values.port), certDir: values['cert-dir'] ?? dir, logLevel: 'warn', clientCaFile: values['client-ca-file'] });
process.stdout.write(`listening on ${server.port}\n`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void server.shutdown().then(() => process.exit(0)));
