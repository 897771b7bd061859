// Finds the runnable parts of a Markdown page: fenced ```sh blocks, the files a page tells the
// reader to write, and quoted error messages, each steered by an HTML comment right before it.
//
//   <!-- not-run: REASON -->        the next ```sh block is not run (REASON says why; required)
//   <!-- run: OPTION; OPTION -->    options for the next ```sh block:
//                                     background            started, left running until the page ends
//                                     ready URL             (background) waits until URL answers 200
//                                     wait TEXT             (background) waits until its output has TEXT
//                                     expect TEXT           its output must contain TEXT
//                                     installed             the checkout the test runs in is already
//                                                           installed: a leading `npm ci && ` is run
//                                                           as `true && ` (npm ci would replace the
//                                                           node_modules the test itself runs from)
//   <!-- file: NAME -->             the next fenced block (any language) is written to NAME
//   <!-- message: DIR [without PKG] -->
//                                   the next quote — a fenced block right after the comment, or
//                                   else the first `config.yaml: ...` code span after it — is what `custom-metrics-server
//                                   validate-config config.yaml` prints in test/docs-messages/DIR
//                                   (optionally with the npm package PKG not installed)

/** A step of a page, in page order. */
export type DocStep =
  | { kind: 'sh'; line: number; script: string; background: boolean; ready?: string; wait?: string; expect: string[] }
  | { kind: 'skip'; line: number; script: string; reason: string }
  | { kind: 'file'; line: number; name: string; content: string }
  | { kind: 'message'; line: number; dir: string; without?: string; quote: string[] };

const FENCE = /^(\s*)```(\S*)\s*$/;
const COMMENT = /^\s*<!--\s*(not-run|run|file|message):\s*(.*?)\s*-->\s*$/;

/** Parses `markdown` into its steps; throws on a marker that does not precede what it needs. */
export function docSteps(markdown: string, page: string): DocStep[] {
  const lines = markdown.split('\n');
  const steps: DocStep[] = [];
  let pending: { kind: string; arg: string; line: number } | undefined;
  const fail = (line: number, what: string): never => {
    throw new Error(`${page}:${line}: ${what}`);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const comment = COMMENT.exec(line);
    if (comment) {
      if (pending) fail(pending.line, `<!-- ${pending.kind}: --> is followed by another marker`);
      pending = { kind: comment[1]!, arg: comment[2]!, line: i + 1 };
      if (pending.kind === 'message') {
        // The quote: a fenced block starting on the next non-blank line, else the first `code` span.
        let j = i + 1;
        while (j < lines.length && lines[j]!.trim() === '') j++;
        let quote: string[];
        if (FENCE.test(lines[j] ?? '')) {
          const end = lines.findIndex((l, k) => k > j && /^\s*```\s*$/.test(l));
          if (end < 0) fail(j + 1, 'unterminated fence');
          quote = lines.slice(j + 1, end);
          i = end;
        } else {
          const rest = lines.slice(i + 1).join('\n');
          const m = /`(config\.yaml: [^`]+)`/.exec(rest);
          if (!m) fail(i + 1, '<!-- message: --> is followed by no `config.yaml: ...` quote');
          quote = [m![1]!.replace(/\s*\n\s*/g, ' ')];
        }
        const [dir, without, pkg] = pending.arg.split(/\s+/);
        if (!dir || (without !== undefined && (without !== 'without' || !pkg))) fail(i + 1, `bad <!-- message: ${pending.arg} -->`);
        steps.push({ kind: 'message', line: pending.line, dir: dir!, without: pkg, quote });
        pending = undefined;
      }
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) continue;
    const lang = fence[2]!;
    const end = lines.findIndex((l, k) => k > i && /^\s*```\s*$/.test(l));
    if (end < 0) fail(i + 1, 'unterminated fence');
    const body = lines.slice(i + 1, end).join('\n') + '\n';
    const at = i + 1;
    i = end;
    if (pending?.kind === 'file') {
      steps.push({ kind: 'file', line: at, name: pending.arg, content: body });
      pending = undefined;
      continue;
    }
    if (lang !== 'sh') {
      if (pending) fail(pending.line, `<!-- ${pending.kind}: --> must precede a \`\`\`sh block`);
      continue;
    }
    if (pending?.kind === 'not-run') {
      if (pending.arg.length < 10) fail(pending.line, '<!-- not-run: --> needs a reason');
      steps.push({ kind: 'skip', line: at, script: body, reason: pending.arg });
    } else {
      const opts = (pending?.arg ?? '').split(';').map((o) => o.trim()).filter(Boolean);
      const step: DocStep & { kind: 'sh' } = { kind: 'sh', line: at, script: body, background: false, expect: [] };
      for (const o of opts) {
        const [word, ...rest] = o.split(/\s+/);
        const value = rest.join(' ');
        if (word === 'background' && !value) step.background = true;
        else if (word === 'ready' && value) step.ready = value;
        else if (word === 'wait' && value) step.wait = value;
        else if (word === 'expect' && value) step.expect.push(value);
        else if (word === 'installed' && !value) step.script = step.script.replace(/^npm ci && /gm, 'true && ');
        else fail(pending!.line, `unknown run option "${o}"`);
      }
      if ((step.ready || step.wait) && !step.background) fail(at, '"ready" and "wait" are for background blocks');
      steps.push(step);
    }
    pending = undefined;
  }
  if (pending) fail(pending.line, `<!-- ${pending.kind}: --> precedes nothing`);
  return steps;
}
