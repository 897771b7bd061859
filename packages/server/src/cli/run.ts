import { Command, CommanderError } from 'commander';
import { isConfigError } from '../config/config-error.js';
import { addServeFlags, flagOverrides } from './flags.js';
import { startServer, type RunningServer } from './serve.js';
import { checkConfigFile } from './validate-config.js';
import { addExplainFlags, runExplain, type ExplainOptions } from './explain.js';
import { HpaManifestError } from '../explain/hpa.js';

/** Exit code of a bad configuration (or bad flags). */
export const EXIT_CONFIG = 2;

/** Where the CLI writes, and what it does with a started server (the real binary waits for signals). */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Called with the running server; resolves with the exit code once it should exit. */
  onServing?(server: RunningServer): Promise<number>;
}

function errorExit(e: unknown, io: CliIO): number {
  if (isConfigError(e)) {
    io.stderr(`invalid configuration:\n${e.message}\n`);
    return EXIT_CONFIG;
  }
  if (e instanceof HpaManifestError) {
    io.stderr(`custom-metrics-server explain: ${e.message}\n`);
    return EXIT_CONFIG;
  }
  io.stderr(`custom-metrics-server: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}

/**
 * runCli runs `custom-metrics-server` with `argv` (without `node` and the script) and resolves
 * with the process exit code: 0 on success, 2 for a bad configuration or bad flags, 1 otherwise.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let code = 0;
  const program = new Command('custom-metrics-server')
    .description('Kubernetes aggregated API server for custom.metrics.k8s.io, external.metrics.k8s.io and metrics.k8s.io')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  addServeFlags(program.command('serve', { isDefault: true }).description('serve the metrics APIs over TLS (the default command)')).action(
    async (_opts: unknown, cmd: Command) => {
      const opts = cmd.opts<{ config?: string }>();
      let running: RunningServer;
      try {
        running = await startServer(opts.config, flagOverrides(cmd));
      } catch (e) {
        code = errorExit(e, io);
        return;
      }
      code = io.onServing ? await io.onServing(running) : 0;
    },
  );

  addServeFlags(
    program
      .command('validate-config')
      .description('dry run of serve: read the config and every file it and the flags name, build every backend instance; no listening, no connections')
      .argument('[file]', 'YAML configuration file (or --config)'),
  ).action(async (file: string | undefined, _opts: unknown, cmd: Command) => {
    try {
      await checkConfigFile(file ?? cmd.opts<{ config?: string }>().config, flagOverrides(cmd));
      io.stdout('config OK\n');
      code = 0;
    } catch (e) {
      code = errorExit(e, io);
    }
  });

  addExplainFlags(
    program
      .command('explain')
      .description('explain each metric of HPAs (-f FILE... or --all) as the HPA controller sees it, and why it shows <unknown>; exit 1 when some metric does not resolve'),
  ).action(async (_opts: unknown, cmd: Command) => {
    try {
      code = await runExplain(cmd.opts<ExplainOptions>(), io);
    } catch (e) {
      code = errorExit(e, io);
    }
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : EXIT_CONFIG;
    return errorExit(e, io);
  }
  return code;
}
