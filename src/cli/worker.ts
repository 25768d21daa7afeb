/**
 * A lint worker thread (`--threads`; the pool is `threads.ts`). The run's files are shared out among the
 * workers, and each file is parsed once, by the worker that owns it:
 *
 * 1. `parse`: parse the share (native trees released as it goes) and report what choosing the
 *    program's files reads of each (`ChoiceFacts`);
 * 2. `pack`: hand over the files of the program this worker parsed (the pool chose them from every
 *    worker's facts, with the routine a single thread uses);
 * 3. `lint`: with the program's other files received, build the program as one thread would (the same
 *    files in the same order), computing the helper summaries its files need, and hand those over;
 * 4. `summaries`: with the other workers' summaries received (the program now holds every summary one
 *    thread computes, each computed once in the run), lint the files of the share, posting each result
 *    as it is done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Project, SummaryCache, choiceFacts } from '../analysis/project.js';
import type { Summary } from '../analysis/summary.js';
import { packFile, parsedInPieces, parseReleasedAsync, releaseParsed, unpackFile, type PackedFile } from '../analysis/transfer.js';
import { readWhileHeld } from '../analysis/held-text.js';
import { parseSource } from '../parse/parser.js';
import { keepTextAsPatch } from '../parse/source-text.js';
import { BUILTIN_IRQL_TABLE, irqlTableOf, type IrqlContract } from '../ddi/irql.js';
import { lintSource, lintText } from '../lint/linter.js';
import type { SourceFile } from '../parse/parser.js';
import type { Severity } from '../lint/types.js';
import { packageStamp } from './package-info.js';

export interface WorkerData {
  cwd: string;
  irqlContracts: Record<string, IrqlContract>;
  /** The worker's index in the pool (for the failure tests: DDI_LINT_WORKER_FAULT). */
  index: number;
}
export interface WorkerJob {
  path: string;
  rules: Record<string, { severity: Severity; options?: Record<string, unknown> }>;
}
export type ToWorker =
  | { kind: 'parse'; inputs: { path: string; text: string }[] }
  | { kind: 'pack'; paths: string[] }
  | { kind: 'lint'; chosen: string[]; files: PackedFile[]; raising: string[]; summaries?: string; summarize: string[]; jobs: WorkerJob[] }
  /** The other workers' summaries; `drop`: a worker could not build the program, so none does (as on one thread). */
  | { kind: 'summaries'; entries: [string, Summary | null][]; drop?: boolean };
export type FromWorker =
  | { kind: 'parsed'; facts: ReturnType<typeof choiceFacts>[] }
  | { kind: 'packed'; files: PackedFile[] }
  | { kind: 'summarized'; entries: [string, Summary | null][]; prepareError?: string }
  | { kind: 'result'; path: string; result?: unknown; error?: string }
  | { kind: 'done'; prepareError?: string; summaries?: { reused: number; computed: number } };

const data = workerData as WorkerData;
const irqlTable = irqlTableOf(data.irqlContracts);
/** The texts of the files of the share that could not be parsed (linting them reports why). */
const texts = new Map<string, string>();
const own = new Map<string, SourceFile>();
const post = (m: FromWorker) => parentPort!.postMessage(m);

/**
 * For the tests of the pool's failure handling only: `DDI_LINT_WORKER_FAULT=PHASE:K` makes worker K exit
 * at PHASE (`parse`, `pack`, `lint`, `summaries`: on receiving that request; `result`: after posting its first
 * result). Not a user setting.
 */
const [faultPhase, faultIndex] = (process.env.DDI_LINT_WORKER_FAULT ?? '').split(':');
const faultHere = (phase: string) => {
  if (faultPhase === phase && Number(faultIndex) === data.index) process.exit(3);
};

parentPort!.on('message', (m: ToWorker) => {
  faultHere(m.kind);
  if (m.kind === 'parse') void parseShare(m.inputs);
  else if (m.kind === 'pack') post({ kind: 'packed', files: m.paths.map((p) => packFile(own.get(p)!)) });
  else if (m.kind === 'lint') prepare(m);
  else lintShare(m);
});

async function parseShare(inputs: { path: string; text: string }[]): Promise<void> {
  const facts = [];
  for (const input of inputs) {
    let file: SourceFile | undefined;
    try {
      // (a huge file a piece at a time, letting the event loop free each piece's tree)
      file = parsedInPieces(input.text) ? await parseReleasedAsync(input) : parseSource(input.path, input.text);
    } catch {
      file = undefined; // as on one thread: not part of the program; linting it reports the failure
    }
    if (file) {
      // a failure here (not a parse error) fails this worker: the main thread then does the whole run,
      // where the same failure has the same effect as on one thread
      releaseParsed(file);
      readWhileHeld(file, irqlTable ?? BUILTIN_IRQL_TABLE);
      // (the text is held once: by the file, as a patch over its preprocessed text, see source-text.ts)
      keepTextAsPatch(file);
      own.set(input.path, file);
    } else texts.set(input.path, input.text);
    facts.push(choiceFacts(input, file, irqlTable ?? BUILTIN_IRQL_TABLE));
    // the native binding frees a released tree only when the event loop turns
    await new Promise<void>((r) => setImmediate(r));
  }
  post({ kind: 'parsed', facts });
}

/** What `prepare` built, for `lintShare`. */
let prepared: { project: Project | undefined; prepareError?: string; summaries?: SummaryCache; received: Map<string, SourceFile>; jobs: WorkerJob[] } | undefined;

function prepare(m: Extract<ToWorker, { kind: 'lint' }>): void {
  let project: Project | undefined;
  let prepareError: string | undefined;
  let summaries: SummaryCache | undefined;
  let received = new Map<string, SourceFile>();
  const mine = new Set(m.summarize);
  try {
    if (m.summaries !== undefined) summaries = SummaryCache.fromJSON(m.summaries, data.cwd, packageStamp());
    received = new Map(m.files.map((p) => [p.path, unpackFile(p, (f) => readWhileHeld(f, irqlTable ?? BUILTIN_IRQL_TABLE))]));
    const files = m.chosen.map((p) => own.get(p) ?? received.get(p)!);
    project = new Project(files, { root: data.cwd, raisingMacros: m.raising, summarizeFor: mine, ...(irqlTable ? { irqlTable } : {}), ...(summaries ? { summaryCache: summaries } : {}) });
  } catch (e) {
    project = undefined; // as on one thread: each file on its own
    prepareError = e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  prepared = { project, received, jobs: m.jobs, ...(prepareError !== undefined ? { prepareError } : {}), ...(summaries ? { summaries } : {}) };
  post({ kind: 'summarized', entries: project ? project.summaryEntries(mine) : [], ...(prepareError !== undefined ? { prepareError } : {}) });
}

function lintShare(m: Extract<ToWorker, { kind: 'summaries' }>): void {
  const { received, jobs, prepareError, summaries } = prepared!;
  let project = prepared!.project;
  prepared = undefined;
  if (m.drop) project = undefined;
  else project?.adoptSummaries(m.entries);
  for (const j of jobs) {
    try {
      // its own files, and files of the program another worker parsed (the pool groups callers with callees)
      const file = own.get(j.path) ?? received.get(j.path);
      const text = texts.get(j.path);
      if (!file && text === undefined) continue; // not here (the program could not be rebuilt): no result, the main thread lints it
      // (each job is linted once: see `LintOptions.once`)
      const options = project !== undefined ? { rules: j.rules, project, once: true } : { rules: j.rules, ...(irqlTable ? { irqlTable } : {}) };
      // a file that could not be parsed is parsed again, to report why as one thread does
      const result = file ? lintSource(file, options) : lintText(text!, j.path, options);
      post({ kind: 'result', path: j.path, result });
      faultHere('result');
    } catch (e) {
      post({ kind: 'result', path: j.path, error: (e as Error)?.stack ?? String(e) });
    }
  }
  post({ kind: 'done', ...(prepareError !== undefined ? { prepareError } : {}), ...(summaries && project ? { summaries: { ...project.summaryStats } } : {}) });
}
