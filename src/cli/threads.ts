/**
 * The worker-thread pool of `--threads N` (the workers are `worker.ts`). Each file of the run is parsed
 * once, by one worker:
 *
 * 1. the files are shared out by size (largest first, each to the least loaded worker); each worker
 *    parses its share and reports what choosing the program's files reads of them;
 * 2. this thread chooses the program's files from those facts (`chooseFromFacts`: the routine a single
 *    thread runs while parsing) and asks each owner for its files of the program;
 * 3. each worker receives the program's files it does not own and builds the program as one thread
 *    would (the same files in the same order), computing only the helper summaries of the files it is to
 *    lint (and of the helpers those call); the workers then exchange their summaries, so that each one
 *    is computed once in the run and every worker holds all of them (the same summaries and IRQL
 *    contexts as one thread), and each lints its files, posting each result as it is done.
 *
 * The findings are those of one thread (a test compares them). A worker that fails leaves its files to
 * this thread; a pool that cannot start, or loses a worker before linting begins, leaves every file to it.
 */
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { chooseFromFacts, type ChoiceFacts } from '../analysis/project.js';
import type { PackedFile } from '../analysis/transfer.js';
import type { IrqlContract } from '../ddi/irql.js';
import type { LintResult } from '../lint/types.js';
import type { FromWorker, ToWorker, WorkerData, WorkerJob } from './worker.js';
import { WORKER_STACK_MB, YOUNG_GENERATION_MB } from './thread-limits.js';

export interface ThreadRequest {
  /** Every file of the run (the program), and the ones to lint with their rules. */
  inputs: readonly { path: string; text: string }[];
  jobs: readonly WorkerJob[];
  threads: number;
  cwd: string;
  irqlContracts: Readonly<Record<string, IrqlContract>>;
  /** Helper summaries read from `--summaries FILE` (the file's text). */
  summaries?: string;
  /** Called as each job's result arrives (progress). */
  onResult?: () => void;
}
export interface ThreadOutcome {
  /** Each job's result, or the error that replaced it; a job without an entry is linted by the caller. */
  results: Map<string, LintResult | string>;
  /** Lines for stderr (a worker that failed, summaries that could not be computed). */
  notices: string[];
  /** The `--summaries` store's use (the workers' figures added up: each counts the summaries of the files it summarized). */
  summaries?: { reused: number; computed: number };
}

/** One worker, driven by request and reply. */
class PoolWorker {
  private readonly worker: Worker;
  private failure: Error | undefined;
  private waiting: { kind: FromWorker['kind']; done: (m: FromWorker | undefined) => void; each?: (m: FromWorker) => void } | undefined;
  constructor(data: WorkerData) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: data, resourceLimits: { stackSizeMb: WORKER_STACK_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker.on('message', (m: FromWorker) => {
      const w = this.waiting;
      if (!w) return;
      if (m.kind === w.kind) {
        this.waiting = undefined;
        w.done(m);
      } else w.each?.(m);
    });
    const fail = (e: unknown) => {
      this.failure ??= e instanceof Error ? e : new Error(`worker thread exited (${String(e)})`);
      const w = this.waiting;
      this.waiting = undefined;
      w?.done(undefined);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
    this.worker.on('messageerror', fail); // a reply that cannot be deserialized
    this.fail = fail;
  }
  private readonly fail: (e: unknown) => void;
  private terminated = false;
  /** Send `m`; resolves to the reply of kind `until` (undefined if the worker failed), passing other messages to `each`. */
  ask(m: ToWorker, until: FromWorker['kind'], each?: (m: FromWorker) => void): Promise<FromWorker | undefined> {
    if (this.failure) return Promise.resolve(undefined);
    return new Promise((done) => {
      this.waiting = { kind: until, done, ...(each ? { each } : {}) };
      try {
        this.worker.postMessage(m);
      } catch (e) {
        this.fail(e); // cannot be cloned, or no memory to clone it: as if the worker failed
      }
    });
  }
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.worker.removeAllListeners();
    this.worker.on('error', () => undefined);
    void this.worker.terminate();
  }
}

/** Share out items by weight: largest first, each to the least loaded share (shares keep the input order; `initialLoad`: what each share already holds). */
export function shareOut<T>(items: readonly T[], n: number, weight: (t: T) => number, initialLoad?: readonly number[]): T[][] {
  const load = initialLoad ? [...initialLoad] : new Array<number>(n).fill(0);
  const owner = new Array<number>(items.length);
  const order = items.map((t, i) => ({ w: weight(t), i })).sort((a, b) => b.w - a.w || a.i - b.i);
  for (const { w, i } of order) {
    let k = 0;
    for (let j = 1; j < n; j++) if (load[j]! < load[k]!) k = j;
    load[k]! += w;
    owner[i] = k;
  }
  const shares: T[][] = [...Array(n)].map(() => []);
  items.forEach((t, i) => shares[owner[i]!]!.push(t));
  return shares;
}

/**
 * The run's files shared out among `n` workers: a directory's files together where the directory is
 * small enough (a driver's files call each other's helpers; a worker that holds callers and callees
 * analyses a caller once for its callees' IRQL contexts, where two workers would each analyse it),
 * file by file in directories too big to balance the shares otherwise.
 */
export function shareFiles<T extends { path: string; text: string }>(inputs: readonly T[], n: number): T[][] {
  const weight = (i: T) => i.text.length + 1;
  const total = inputs.reduce((s, i) => s + weight(i), 0);
  const byDir = new Map<string, T[]>();
  for (const i of inputs) {
    const d = dirname(i.path);
    const g = byDir.get(d);
    if (g) g.push(i);
    else byDir.set(d, [i]);
  }
  const units: T[][] = [];
  for (const g of byDir.values()) {
    if (g.reduce((s, i) => s + weight(i), 0) <= total / (2 * n)) units.push(g);
    else for (const i of g) units.push([i]);
  }
  const shares = shareOut(units, n, (u) => u.reduce((s, i) => s + weight(i), 0));
  const order = new Map(inputs.map((i, k) => [i, k]));
  return shares.map((s) => s.flat().sort((a, b) => order.get(a)! - order.get(b)!));
}

/**
 * Which worker lints each file of the program: the program's files grouped by the calls between them
 * (a file calling a function that one other file of the program defines joins that file's group), each
 * group to the least loaded worker, counting the files outside the program that each worker lints where
 * it parsed them. A worker that lints a function and its callers analyses each caller once for the IRQL
 * contexts of its callees; split over two workers, both would analyse it. Any assignment gives the same
 * findings (every worker holds the whole program): this one only saves work. A group too big to balance
 * the workers is shared out file by file.
 */
export function lintAssignment(
  facts: readonly ChoiceFacts[],
  program: readonly string[],
  parsedBy: ReadonlyMap<string, number>,
  size: ReadonlyMap<string, number>,
  linted: ReadonlySet<string>,
  n: number,
): Map<string, number> {
  const inProgram = new Set(program);
  const definedIn = new Map<string, Set<string>>();
  for (const f of facts) {
    if (!inProgram.has(f.path)) continue;
    for (const fn of f.functions ?? []) {
      const at = definedIn.get(fn.short);
      if (at) at.add(f.path);
      else definedIn.set(fn.short, new Set([f.path]));
    }
  }
  const parent = new Map(program.map((p) => [p, p]));
  const root = (p: string): string => {
    let r = p;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let q = p; q !== r; ) {
      const next = parent.get(q)!;
      parent.set(q, r);
      q = next;
    }
    return r;
  };
  for (const f of facts) {
    if (!inProgram.has(f.path)) continue;
    for (const fn of f.functions ?? []) {
      for (const c of fn.calls) {
        const at = definedIn.get(c);
        // a call reaches the file's own definition first, else the only other one
        if (!at || at.has(f.path) || at.size !== 1) continue;
        const [other] = at;
        parent.set(root(other!), root(f.path));
      }
    }
  }
  const weight = (p: string) => (linted.has(p) ? (size.get(p) ?? 1) : 0);
  const groups = new Map<string, string[]>();
  for (const p of program) {
    const r = root(p);
    const g = groups.get(r);
    if (g) g.push(p);
    else groups.set(r, [p]);
  }
  const load = new Array<number>(n).fill(0);
  for (const [p, k] of parsedBy) if (!inProgram.has(p)) load[k]! += weight(p);
  const total = load.reduce((a, b) => a + b, 0) + program.reduce((a, p) => a + weight(p), 0);
  const units: string[][] = [];
  for (const g of groups.values()) {
    if (g.reduce((a, p) => a + weight(p), 0) <= total / n) units.push(g);
    else for (const p of g) units.push([p]);
  }
  const out = new Map<string, number>();
  shareOut(units, n, (u) => u.reduce((a, p) => a + weight(p), 0), load).forEach((share, k) => {
    for (const u of share) for (const p of u) out.set(p, k);
  });
  return out;
}

/** Lint `req.jobs` in worker threads; undefined when the pool could not parse the program (lint everything on this thread). */
export async function lintInThreads(req: ThreadRequest): Promise<ThreadOutcome | undefined> {
  const n = Math.max(1, Math.min(req.threads, req.inputs.length));
  const shares = shareFiles(req.inputs, n);
  const workers: PoolWorker[] = [];
  try {
    for (let k = 0; k < shares.length; k++) {
      try {
        if (process.env.DDI_LINT_WORKER_FAULT === `start:${k}`) throw new Error('worker start refused (DDI_LINT_WORKER_FAULT)'); // the failure tests
        workers.push(new PoolWorker({ cwd: req.cwd, irqlContracts: { ...req.irqlContracts }, index: k }));
      } catch {
        return undefined; // (the ones started are terminated below)
      }
    }
    // 1. parse, each worker its share
    const parsed = await Promise.all(workers.map((w, k) => w.ask({ kind: 'parse', inputs: shares[k]!.map((i) => ({ path: i.path, text: i.text })) }, 'parsed')));
    if (parsed.some((p) => p === undefined)) return undefined;
    const facts: ChoiceFacts[] = [];
    const ownerOf = new Map<string, number>();
    parsed.forEach((p, k) => {
      for (const f of (p as Extract<FromWorker, { kind: 'parsed' }>).facts) {
        facts.push(f);
        ownerOf.set(f.path, k);
      }
    });
    // 2. the program's files, in the order one thread would take them (the facts in input order)
    const order = new Map(req.inputs.map((i, k) => [i.path, k]));
    facts.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
    const { paths: chosen, raising } = chooseFromFacts(facts);
    const packed = await Promise.all(workers.map((w, k) => w.ask({ kind: 'pack', paths: chosen.filter((p) => ownerOf.get(p) === k) }, 'packed')));
    if (packed.some((p) => p === undefined)) return undefined;
    const byOwner: PackedFile[][] = packed.map((p) => (p as Extract<FromWorker, { kind: 'packed' }>).files);
    // 3. lint, each worker its own files
    const out: ThreadOutcome = { results: new Map(), notices: [] };
    const linter = lintAssignment(facts, chosen, ownerOf, new Map(req.inputs.map((i) => [i.path, i.text.length + 1])), new Set(req.jobs.map((j) => j.path)), n);
    const jobsOf = workers.map((): WorkerJob[] => []);
    for (const j of req.jobs) jobsOf[linter.get(j.path) ?? ownerOf.get(j.path) ?? 0]!.push(j);
    // each helper summary is computed by the worker that lints its file (with the helpers that one
    // calls), a file no worker lints by the first that lints any
    const active = workers.map((_, k) => k).filter((k) => jobsOf[k]!.length > 0);
    const summarizeOf = workers.map((): string[] => []);
    for (const p of chosen) {
      const k = linter.get(p)!;
      summarizeOf[jobsOf[k]!.length > 0 ? k : active[0]!]!.push(p);
    }
    // 3a. build the program, computing those summaries (each message is posted before the first await
    // of its function: the packed copies held here can go as soon as every message is on its way, and a
    // worker with nothing to lint gets none)
    const preparing = Promise.all(
      workers.map(async (w, k) => {
        if (jobsOf[k]!.length === 0) {
          w.terminate();
          return undefined;
        }
        const others: PackedFile[] = byOwner.flatMap((files, o) => (o === k ? [] : files));
        const msg: ToWorker = { kind: 'lint', chosen, files: others, raising, summarize: summarizeOf[k]!, jobs: jobsOf[k]!, ...(req.summaries !== undefined ? { summaries: req.summaries } : {}) };
        const reply = await w.ask(msg, 'summarized');
        return reply?.kind === 'summarized' ? reply : null;
      }),
    );
    byOwner.length = 0;
    facts.length = 0;
    const summarized = await preparing;
    if (summarized.some((r) => r === null)) return undefined; // a worker lost before linting began
    // a summary that could not be computed anywhere: no worker uses any (one thread lints each file on its own)
    const prepareError = summarized.find((r) => r?.prepareError !== undefined)?.prepareError;
    // 3b. lint, each worker with every other worker's summaries
    let failed = 0;
    await Promise.all(
      workers.map(async (w, k) => {
        if (!summarized[k]) return;
        const entries = prepareError !== undefined ? [] : summarized.flatMap((r, o) => (o === k || !r ? [] : r.entries));
        const done = await w.ask({ kind: 'summaries', entries, ...(prepareError !== undefined ? { drop: true } : {}) }, 'done', (m) => {
          if (m.kind !== 'result') return;
          out.results.set(m.path, m.error !== undefined ? m.error : (m.result as LintResult));
          req.onResult?.();
        });
        if (!done) failed++;
        else if (done.kind === 'done' && done.summaries) {
          // each summary counted by the worker that computed it for its own files: the figures of one thread
          out.summaries ??= { reused: 0, computed: 0 };
          out.summaries.reused += done.summaries.reused;
          out.summaries.computed += done.summaries.computed;
        }
      }),
    );
    if (prepareError !== undefined) out.notices.push(`cross-file summaries could not be computed (${prepareError}); each file is linted on its own`);
    if (failed) out.notices.push(`${failed} of ${n} worker threads failed; their files are linted on the main thread`);
    return out;
  } finally {
    for (const w of workers) w.terminate();
  }
}
