// Builds a Dockerfile the way `docker build` would, without a Docker engine: the build context is
// materialized through .dockerignore (@balena/dockerignore, Docker's matching rules), each stage gets
// a temporary directory standing for its filesystem, and its COPY/RUN/WORKDIR/ENV run there. RUN
// uses this machine's node and npm (the base image stands for "node is installed"); absolute paths
// inside RUN commands are not remapped, so they must stay relative to WORKDIR. Anything the emulator
// does not understand fails the build rather than being skipped.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import dockerignore from '@balena/dockerignore';

// A CommonJS module whose typings declare an ES default export: under NodeNext the callable is `.default`.
const ignore = dockerignore.default;

/** One Dockerfile instruction (continuation lines joined, comments dropped). */
export interface Instruction {
  op: string;
  args: string;
}

/** A stage after the build: where its filesystem is, its working directory, environment and image config. */
export interface BuiltStage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  /** How long each RUN took, in milliseconds (for the test's log; not asserted). */
  runs: Array<{ command: string; ms: number }>;
}

/** Runs `command` with `sh -c`; rejects with its output's tail when it fails or outlives `timeoutMs` (then it is killed). */
function run(command: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => {
      out = (out + b.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`RUN ${command} failed (${signal ? `killed by ${signal}` : `exit ${code}`}):\n${out}`));
    });
  });
}

/** Parses a Dockerfile into instructions. */
export function parseDockerfile(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

/**
 * materializeContext copies the files of `dir` that `docker build dir` would send (those .dockerignore
 * keeps) into `out`; returns their paths relative to the context, sorted.
 */
export function materializeContext(dir: string, out: string): string[] {
  const rules = existsSync(join(dir, '.dockerignore')) ? readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n') : [];
  const ig = ignore().add(rules);
  // Without exceptions (`!pattern`) nothing below an ignored directory can come back, so it is not walked.
  const prune = !rules.some((r) => r.trim().startsWith('!'));
  const kept: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, path));
      if (st.isDirectory()) {
        if (prune && ig.ignores(path)) continue;
        walk(path);
      } else if (!ig.ignores(path)) {
        mkdirSync(join(out, rel), { recursive: true });
        cpSync(join(dir, path), join(out, path), { verbatimSymlinks: true });
        kept.push(path);
      }
    }
  };
  mkdirSync(out, { recursive: true });
  walk('');
  return kept.sort();
}

function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? m);
}

function execForm(args: string): string[] {
  const v = JSON.parse(args) as unknown;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`expected a JSON array of strings: ${args}`);
  return v;
}

/** Copies `src` (file or directory) to `dest` with Docker's COPY rules; `dest` ending in `/` is a directory. */
function copy(src: string, dest: string, destIsDir: boolean): void {
  if (!existsSync(src)) throw new Error(`COPY: ${src} not found`);
  if (statSync(src).isDirectory()) {
    mkdirSync(dest, { recursive: true });
    cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
  } else {
    const target = destIsDir ? join(dest, basename(src)) : dest;
    mkdirSync(destIsDir ? dest : join(target, '..'), { recursive: true });
    cpSync(src, target);
  }
}

/** Options of {@link buildDockerfile}. */
export interface BuildOptions {
  /** The materialized build context. */
  context: string;
  /** Where the stages' filesystems go (one subdirectory per stage). */
  workDir: string;
  /** Environment of RUN commands, before the stage's ENV. */
  runEnv: Record<string, string>;
  /** Bound on each RUN, in milliseconds. */
  runTimeoutMs: number;
}

/** buildDockerfile runs every stage of `dockerfile` in order; returns the stages, the last one is the image. */
export async function buildDockerfile(dockerfile: string, opts: BuildOptions): Promise<BuiltStage[]> {
  const globalArgs: Record<string, string> = {};
  const stages: BuiltStage[] = [];
  let cur: BuiltStage | undefined;
  const abs = (p: string): string => posix.resolve(cur!.workdir, p);
  for (const { op, args: raw } of parseDockerfile(dockerfile)) {
    const args = substitute(raw, { ...globalArgs, ...(cur?.env ?? {}) });
    if (op === 'ARG') {
      const [k, v = ''] = raw.split('=');
      if (!cur) globalArgs[k!] = v;
      continue;
    }
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`FROM: cannot read "${args}"`);
      if (stages.some((s) => s.name === m[1])) throw new Error(`FROM ${m[1]}: building on an earlier stage is not emulated`);
      const name = m[2] ?? `stage-${stages.length}`;
      cur = { name, root: join(opts.workDir, name), workdir: '/', env: {}, runs: [] };
      mkdirSync(cur.root, { recursive: true });
      stages.push(cur);
      continue;
    }
    if (!cur) throw new Error(`${op} before FROM`);
    switch (op) {
      case 'WORKDIR':
        cur.workdir = abs(args);
        mkdirSync(join(cur.root, cur.workdir), { recursive: true });
        break;
      case 'ENV': {
        const m = /^(\w+)[= ](.*)$/.exec(args);
        if (!m) throw new Error(`ENV: cannot read "${args}"`);
        cur.env[m[1]!] = m[2]!;
        break;
      }
      case 'COPY': {
        const parts = args.split(/\s+/);
        let from: BuiltStage | undefined;
        while (parts[0]?.startsWith('--')) {
          const flag = parts.shift()!;
          if (flag.startsWith('--from=')) {
            from = stages.find((s) => s.name === flag.slice('--from='.length));
            if (!from) throw new Error(`COPY ${flag}: no such stage`);
          } else if (!flag.startsWith('--chown=')) throw new Error(`COPY ${flag} is not emulated`);
        }
        const dest = parts.pop()!;
        if (parts.length === 0) throw new Error(`COPY ${args}: no source`);
        if (parts.some((p) => /[*?[]/.test(p))) throw new Error(`COPY ${args}: wildcards are not emulated`);
        const destIsDir = dest.endsWith('/') || parts.length > 1;
        if (parts.length > 1 && !dest.endsWith('/')) throw new Error(`COPY ${args}: several sources need a destination ending in /`);
        const target = join(cur.root, abs(dest));
        for (const src of parts) copy(from ? join(from.root, posix.resolve('/', src)) : join(opts.context, posix.normalize(src)), target, destIsDir);
        break;
      }
      case 'RUN': {
        const start = Date.now();
        await run(args, join(cur.root, cur.workdir), { ...opts.runEnv, ...cur.env }, opts.runTimeoutMs);
        cur.runs.push({ command: args, ms: Date.now() - start });
        break;
      }
      case 'USER':
        cur.user = args;
        break;
      case 'ENTRYPOINT':
        cur.entrypoint = execForm(args);
        break;
      case 'CMD':
        cur.cmd = execForm(args);
        break;
      case 'EXPOSE':
      case 'LABEL':
        break;
      default:
        throw new Error(`${op} is not emulated`);
    }
  }
  return stages;
}
