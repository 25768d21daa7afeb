/**
 * `npm run bench` (issue 2, section 10): lint a corpus and, in the same run, parse the same files with
 * tree-sitter alone (the floor); print files/s, MB/s, peak memory and the ratio lint/floor.
 *
 *   node dist/src/bench/bench.js [--dir PATH] [--seed N] [--size MiB] [--runs N] [--ifs N] [--json]
 *
 * Default corpus: a deterministic generated corpus of driver-like C files (src/bench/corpus.ts), at
 * least 20 MB, in the system temp directory (reused when already there). `--dir PATH`: any directory.
 *
 * Each side runs in its own child process (`--phase floor|lint --list FILE`), so peak memory (the RSS
 * high-water mark, `process.resourceUsage().maxRSS`, and the largest sampled heap) is that side's own.
 * Both sides read every file the same way (`readSourceText`, inside the timed loop) and yield to the
 * event loop every few files: the native binding frees trees only when the loop turns. The lint side
 * does what the CLI does: it reads every file first, computes the cross-file summaries once
 * (`prepareProject`), then lints file by file. The lint side
 * then times the pathological case: one function with 2,000 sequential `if` statements.
 * `--runs N` runs the two sides N times, alternating, and keeps each side's fastest run (shared or
 * loaded machines); peak memory is the largest over the runs.
 *
 * A third side (`--phase copy`) measures what every analysis starts from: each file preprocessed and
 * parsed as the linter parses it, and each function copied out of the native tree (src/parse/compact.ts),
 * then released; no analysis. Its ratio to the floor is the least a lint of the same files can cost here.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, devNull } from 'node:os';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { readSourceText } from '../parse/decode.js';
import { languageForPath, parseRaw, parseSource } from '../parse/parser.js';
import { releaseTree } from '../parse/compact.js';
import { lspLatency } from './lsp-latency.js';
import { checkedLater, distinctLocks, elseIfChain, generateCorpus, gotoMaze, heldMdls, manyFunctions, nestedIfs, sequentialIfs, sequentialMdls, smallFunctions } from './corpus.js';
import { listSourceFiles } from './parse-stats.js';

export interface PhaseResult {
  phase: Side;
  files: number;
  /** Files that could not be read or decoded (skipped by both sides alike). */
  unreadable: number;
  bytes: number;
  ms: number;
  /** RSS high-water mark of the process, bytes. */
  maxRss: number;
  /** Largest heapUsed sampled at the yields, bytes. */
  peakHeap: number;
  /** lint: number of messages, files with messages, files whose lint threw. */
  messages?: number;
  filesWithMessages?: number;
  failures?: number;
  firstFailure?: string;
  /** lint: the pathological case. */
  pathological?: { ifs: number; lintMs: number[]; parseMs: number; messages: number };
  /** lint: each pathological shape at two sizes, n and 2n (linear: the time about doubles). */
  scaling?: { shape: string; small: { n: number; ms: number }; large: { n: number; ms: number }; ratio: number }[];
}

const YIELD_EVERY_FILES = 8;
const YIELD_EVERY_BYTES = 1 << 20;
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

type LintTextFn = (text: string, filePath: string, options?: { project?: unknown }) => { messages: unknown[] };
type PrepareFn = (inputs: readonly { path: string; text: string }[]) => Promise<unknown>;

async function loadLinter(): Promise<{ lintText: LintTextFn; prepareProjectAsync: PrepareFn }> {
  return (await import('../lint/linter.js')) as unknown as { lintText: LintTextFn; prepareProjectAsync: PrepareFn };
}

/** The sides of the benchmark: tree-sitter alone (the floor), the linter's parse and copy, the linter. */
type Side = 'floor' | 'copy' | 'lint';

export async function runPhase(phase: Side, files: string[], ifs: number): Promise<PhaseResult> {
  const linter = phase === 'lint' ? await loadLinter() : undefined;
  const lintText = linter?.lintText;
  let bytes = 0;
  let count = 0;
  let unreadable = 0;
  let messages = 0;
  let filesWithMessages = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  let peakHeap = process.memoryUsage().heapUsed;
  let sinceYield = 0;
  let bytesSinceYield = 0;
  const t0 = performance.now();
  // Like the CLI: the lint side reads every file first and computes the cross-file summaries once (releasing
  // each native tree as it goes).
  let project: unknown;
  const texts = new Map<string, string>();
  if (linter) {
    for (const file of files) {
      const r = await readSourceText(file);
      if (r.ok) texts.set(file, r.text);
    }
    project = await linter.prepareProjectAsync([...texts].map(([path, text]) => ({ path, text })));
  }
  for (const file of files) {
    const r = linter ? (texts.has(file) ? { ok: true as const, text: texts.get(file)! } : { ok: false as const }) : await readSourceText(file);
    if (!r.ok) {
      unreadable++;
      continue;
    }
    const text = r.text;
    count++;
    const size = Buffer.byteLength(text, 'utf8');
    bytes += size;
    if (lintText) {
      try {
        const res = lintText(text, file, project === undefined ? {} : { project });
        messages += res.messages.length;
        if (res.messages.length) filesWithMessages++;
      } catch (e) {
        failures++;
        firstFailure ??= `${file}: ${e instanceof Error ? e.message : String(e)}`;
      }
    } else if (phase === 'copy') {
      // (a file that does not parse is skipped by the linter's parse as by the lint)
      try {
        releaseTree(parseSource(file, text));
      } catch {
        /* counted as read, like the lint side's failures */
      }
    } else {
      parseRaw(text, languageForPath(file) ?? 'c');
    }
    bytesSinceYield += size;
    if (++sinceYield >= YIELD_EVERY_FILES || bytesSinceYield >= YIELD_EVERY_BYTES) {
      sinceYield = 0;
      bytesSinceYield = 0;
      const h = process.memoryUsage().heapUsed;
      if (h > peakHeap) peakHeap = h;
      await yieldToLoop();
    }
  }
  const ms = performance.now() - t0;
  const h = process.memoryUsage().heapUsed;
  if (h > peakHeap) peakHeap = h;
  const result: PhaseResult = {
    phase,
    files: count,
    unreadable,
    bytes,
    ms,
    maxRss: process.resourceUsage().maxRSS * 1024,
    peakHeap,
  };
  if (lintText) {
    Object.assign(result, { messages, filesWithMessages, failures, firstFailure });
    if (ifs > 0) {
      const text = sequentialIfs(ifs);
      const p0 = performance.now();
      parseRaw(text, 'c');
      const parseMs = performance.now() - p0;
      const lintMs: number[] = [];
      let n = 0;
      for (let k = 0; k < 3; k++) {
        await yieldToLoop();
        const l0 = performance.now();
        n = lintText(text, 'pathological-ifs.c').messages.length;
        lintMs.push(performance.now() - l0);
      }
      result.pathological = { ifs, lintMs, parseMs, messages: n };
      // does any shape grow faster than its size? (the best of three runs at n and at 2n)
      const time = async (text: string, name: string): Promise<number> => {
        let best = Infinity;
        for (let k = 0; k < 3; k++) {
          await yieldToLoop();
          const t0 = performance.now();
          lintText(text, name);
          best = Math.min(best, performance.now() - t0);
        }
        return best;
      };
      result.scaling = [];
      for (const [shape, make, n] of [
        ['sequential if statements', sequentialIfs, ifs / 2],
        ['nesting depth', nestedIfs, 250],
        ['lines of a file', manyFunctions, 25_000],
        ['small functions in a file', smallFunctions, 10_000],
        ['else-if chain branches', elseIfChain, 3_000],
        ['goto maze labels', gotoMaze, 1_000],
        ['distinct locks taken in a function', distinctLocks, 1_600],
        ['MDLs locked in turn in a function', sequentialMdls, 800],
        ['MDLs held locked at once', heldMdls, 400],
        ['allocations and mappings checked later', checkedLater, 150],
      ] as const) {
        const small = await time(make(n), `scaling-${n}.c`);
        const large = await time(make(2 * n), `scaling-${2 * n}.c`);
        result.scaling.push({ shape, small: { n, ms: small }, large: { n: 2 * n, ms: large }, ratio: large / small });
      }
    }
  }
  return result;
}

const MiB = 1024 * 1024;
const fmt = (x: number, d = 1) => x.toFixed(d);

function row(label: string, r: PhaseResult): string {
  const s = r.ms / 1000;
  return [
    label.padEnd(16),
    String(r.files).padStart(6),
    fmt(r.bytes / MiB).padStart(8),
    fmt(s, 2).padStart(9),
    fmt(r.files / s, 0).padStart(9),
    fmt(r.bytes / MiB / s, 2).padStart(8),
    fmt(r.maxRss / MiB, 0).padStart(14),
    fmt(r.peakHeap / MiB, 0).padStart(15),
  ].join('  ');
}

interface Args {
  dir?: string;
  seed: number;
  sizeMb: number;
  ifs: number;
  runs: number;
  json: boolean;
  phase?: Side | 'cli';
  list?: string;
  /** --phase cli: the directory linted and the number of threads. */
  target?: string;
  threads?: number;
  /** Edits measured against the language server (0: skip). */
  lspEdits: number;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { seed: 1, sizeMb: 24, ifs: 2000, runs: 1, json: false, lspEdits: 200 };
  for (let k = 0; k < argv.length; k++) {
    const x = argv[k]!;
    const val = () => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    try {
      if (x === '--dir') a.dir = val();
      else if (x === '--seed') a.seed = Number(val());
      else if (x === '--size') a.sizeMb = Number(val());
      else if (x === '--ifs') a.ifs = Number(val());
      else if (x === '--runs') a.runs = Number(val());
      else if (x === '--json') a.json = true;
      else if (x === '--lsp-edits') a.lspEdits = Number(val());
      else if (x === '--no-lsp') a.lspEdits = 0;
      else if (x === '--phase') {
        const p = val();
        if (p !== 'floor' && p !== 'copy' && p !== 'lint' && p !== 'cli') return `--phase must be floor, copy, lint or cli`;
        a.phase = p;
      } else if (x === '--list') a.list = val();
      else if (x === '--target') a.target = val();
      else if (x === '--threads') a.threads = Number(val());
      else if (x === '--help' || x === '-h') return 'help';
      else return `unknown argument ${x}`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (!Number.isFinite(a.seed) || !Number.isFinite(a.sizeMb) || a.sizeMb <= 0 || !Number.isInteger(a.ifs) || a.ifs < 0 || !Number.isInteger(a.runs) || a.runs < 1 || !Number.isInteger(a.lspEdits) || a.lspEdits < 0) return 'bad numeric option';
  return a;
}

const USAGE = 'usage: node dist/src/bench/bench.js [--dir PATH] [--seed N] [--size MiB] [--runs N] [--ifs N] [--lsp-edits N | --no-lsp] [--json]';

async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  if (a === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (typeof a === 'string') {
    console.error(`bench: ${a}\n${USAGE}`);
    return 2;
  }
  if (a.phase === 'cli') {
    // child: the ddi-lint command on a directory, with N worker threads, as bin/ddi-lint.js runs it (in its
    // own thread: launch.ts), the whole command: listing, reading, cross-file preparation, linting, and the
    // JSON output written to the null device
    const { launch } = await import('../cli/launch.js');
    const t0 = performance.now();
    const code = await launch([a.target!, '--threads', String(a.threads ?? 1), '--format', 'json', '--no-progress', '--max-file-size', '64', '-o', devNull]);
    console.log(JSON.stringify({ ms: performance.now() - t0, maxRss: process.resourceUsage().maxRSS * 1024, code }));
    return 0;
  }
  if (a.phase) {
    // child: one side of the benchmark
    if (!a.list) {
      console.error('bench: --phase needs --list FILE');
      return 2;
    }
    const files = readFileSync(a.list, 'utf8').split('\n').filter(Boolean);
    const r = await runPhase(a.phase, files, a.ifs);
    console.log(JSON.stringify(r));
    return 0;
  }

  let files: string[];
  let corpusLabel: string;
  let target: string;
  if (a.dir) {
    const dir = resolve(a.dir);
    files = await listSourceFiles(dir);
    if (files.length === 0) {
      console.error(`bench: no C/C++ source files under ${dir}`);
      return 2;
    }
    corpusLabel = dir;
    target = dir;
  } else {
    const dir = join(tmpdir(), `ddi-lint-bench-corpus-s${a.seed}-${a.sizeMb}mb`);
    const t0 = performance.now();
    const c = generateCorpus(dir, a.seed, Math.round(a.sizeMb * MiB));
    files = c.files;
    target = dir;
    corpusLabel = `generated (seed ${a.seed}, ${fmt(c.bytes / MiB)} MiB) in ${dir} [${fmt((performance.now() - t0) / 1000, 1)} s]`;
  }

  const work = mkdtempSync(join(tmpdir(), 'ddi-lint-bench-'));
  const listFile = join(work, 'files.txt');
  writeFileSync(listFile, files.join('\n'));
  const self = fileURLToPath(import.meta.url);
  const results: Partial<Record<Side, PhaseResult>> = {};
  try {
    for (let run = 0; run < a.runs; run++) {
      for (const phase of ['floor', 'copy', 'lint'] as const) {
        const p = spawnSync(process.execPath, [self, '--phase', phase, '--list', listFile, '--ifs', String(run === a.runs - 1 ? a.ifs : 0)], {
          encoding: 'utf8',
          maxBuffer: 64 * MiB,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        if (p.status !== 0) {
          console.error(`bench: the ${phase} side failed (exit ${p.status ?? p.signal})`);
          return 2;
        }
        const lines = p.stdout.trim().split('\n');
        const r = JSON.parse(lines[lines.length - 1]!) as PhaseResult;
        const best = results[phase];
        if (!best) results[phase] = r;
        else {
          const keep = r.ms < best.ms ? { ...r, pathological: r.pathological ?? best.pathological } : { ...best, pathological: r.pathological ?? best.pathological };
          keep.maxRss = Math.max(r.maxRss, best.maxRss);
          keep.peakHeap = Math.max(r.peakHeap, best.peakHeap);
          results[phase] = keep;
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const floor = results.floor!;
  const copy = results.copy!;
  const lint = results.lint!;
  const ratio = lint.ms / floor.ms;
  // the command with one thread and with one per core (the findings are the same: test/cli/threads.test.ts)
  const cores = availableParallelism();
  const threadRuns: { threads: number; ms: number; maxRss: number }[] = [];
  for (const threads of cores > 1 ? [1, cores] : [1]) {
    const p = spawnSync(process.execPath, [self, '--phase', 'cli', '--target', target, '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 64 * MiB, stdio: ['ignore', 'pipe', 'inherit'] });
    const last = p.stdout.trim().split('\n').pop();
    if (p.status === 0 && last) threadRuns.push({ threads, ...(JSON.parse(last) as { ms: number; maxRss: number }) });
  }
  // one huge file of small functions (generated code): the command's peak memory, against the corpus's per MiB
  // of source (a file of at least 1 MiB is parsed a piece at a time: src/parse/chunks.ts)
  let huge: { functions: number; bytes: number; ms: number; maxRss: number; code: number } | undefined;
  {
    const hugeDir = mkdtempSync(join(tmpdir(), 'ddi-lint-bench-huge-'));
    try {
      const functions = 84_000;
      const text = smallFunctions(functions);
      const path = join(hugeDir, 'generated.c');
      writeFileSync(path, text);
      const p = spawnSync(process.execPath, [self, '--phase', 'cli', '--target', path, '--threads', '1'], { encoding: 'utf8', maxBuffer: 64 * MiB, stdio: ['ignore', 'pipe', 'inherit'] });
      const last = p.stdout.trim().split('\n').pop();
      if (p.status === 0 && last) huge = { functions, bytes: text.length, ...(JSON.parse(last) as { ms: number; maxRss: number; code: number }) };
    } finally {
      rmSync(hugeDir, { recursive: true, force: true });
    }
  }
  // the language server: one-character edit to fresh diagnostics
  const lsp = a.lspEdits > 0 ? await lspLatency(a.lspEdits) : undefined;
  if (a.json) {
    console.log(JSON.stringify({ corpus: corpusLabel, floor, copy, lint, ratio, copyRatio: copy.ms / floor.ms, threads: threadRuns, huge, lsp }, null, 2));
    return 0;
  }
  console.log(`corpus: ${corpusLabel}`);
  console.log(
    `files: ${files.length}${floor.unreadable ? ` (${floor.unreadable} unreadable, skipped by both sides)` : ''}; node ${process.version}, single-threaded${a.runs > 1 ? `; fastest of ${a.runs} alternating runs per side` : ''}`,
  );
  console.log('');
  console.log(['side'.padEnd(16), 'files'.padStart(6), 'MiB'.padStart(8), 'time (s)'.padStart(9), 'files/s'.padStart(9), 'MiB/s'.padStart(8), 'peak RSS (MiB)'.padStart(14), 'peak heap (MiB)'.padStart(15)].join('  '));
  console.log(row('parse (floor)', floor));
  console.log(row('parse + copy', copy));
  console.log(row('lint', lint));
  console.log('');
  console.log(`ratio parse+copy/floor: ${fmt(copy.ms / floor.ms, 2)} (the linter's preprocessing and parse, and each function copied out of the native tree: what any analysis reads, without one)`);
  console.log(`ratio lint/floor: ${fmt(ratio, 2)} (target <= 1.30 on one thread)${ratio > 1.3 ? '  OVER TARGET: profile with `node --cpu-prof dist/src/bench/bench.js --phase lint --list FILE`' : ''}`);
  for (const t of threadRuns) {
    const r = t.ms / floor.ms;
    const goal = t.threads === 1 ? 1.3 : 0.7;
    console.log(
      `ddi-lint command, --threads ${t.threads}: ${fmt(t.ms / 1000, 2)} s, peak RSS ${fmt(t.maxRss / MiB, 0)} MiB, ratio to the single-thread parse floor ${fmt(r, 2)} (target ${t.threads === 1 ? '<= 1.30' : '< 0.70'})${r > goal ? '  OVER TARGET' : ''}`,
    );
  }
  if (huge) {
    const perMiB = (rss: number, bytes: number) => rss / MiB / (bytes / MiB);
    const one = threadRuns.find((t) => t.threads === 1);
    console.log(
      `one generated file of ${huge.functions} small functions (${fmt(huge.bytes / MiB, 1)} MiB), the command on one thread: ${fmt(huge.ms / 1000, 2)} s, peak RSS ${fmt(huge.maxRss / MiB, 0)} MiB ` +
        `(${fmt(perMiB(huge.maxRss, huge.bytes), 0)} MiB per MiB of source${one ? `; the corpus: ${fmt(perMiB(one.maxRss, floor.bytes), 0)}` : ''})`,
    );
  }
  console.log(`findings: ${lint.messages} messages in ${lint.filesWithMessages} files${lint.failures ? `; lint threw on ${lint.failures} files (first: ${lint.firstFailure})` : ''}`);
  for (const c of lint.scaling ?? []) {
    console.log(`scaling, ${c.shape}: ${c.small.n} -> ${fmt(c.small.ms, 0)} ms, ${c.large.n} -> ${fmt(c.large.ms, 0)} ms: x${fmt(c.ratio, 2)} for twice the size${c.ratio > 3 ? '  SUPERLINEAR' : ''}`);
  }
  if (lint.pathological) {
    const p = lint.pathological;
    const sorted = [...p.lintMs].sort((x, y) => x - y);
    console.log(
      `pathological: one function with ${p.ifs} sequential if statements: lint ${fmt(sorted[0]!, 0)} ms (median of 3: ${fmt(sorted[1] ?? sorted[0]!, 0)} ms; tree-sitter parse alone ${fmt(p.parseMs, 0)} ms; ${p.messages} messages)`,
    );
  }
  if (lsp) {
    console.log(
      `language server, ${lsp.lines}-line driver file (${lsp.functions} functions, ${lsp.findings} findings; first diagnostics ${fmt(lsp.firstMs, 0)} ms): ` +
        `edit to fresh diagnostics over stdio, character typed in a body: median ${fmt(lsp.typing.median)} ms, p95 ${fmt(lsp.typing.p95)} ms (${lsp.typing.n} edits, target: median < 30 ms)${lsp.typing.median >= 30 ? '  OVER TARGET' : ''}; ` +
        `new line typed: median ${fmt(lsp.newline.median)} ms, p95 ${fmt(lsp.newline.p95)} ms (${lsp.newline.n} edits)`,
    );
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exitCode = 2;
    },
  );
}
