/**
 * The simulator's public API: explore every path of a function (depth-first over fork decisions)
 * and collect the faults with the bug checks a real machine would show.
 */
import type { SourceFile, SyntaxNode } from '../parse/parser.js';
import { Compiler, collectFileScope, type FileScope, type FnDef } from './ast.js';
import type { BugCheck, FaultKind, ThreadContext } from './faults.js';
import { Run, type Decision, type PathRecord, type RawFault, type TraceStep } from './interp.js';
import { BUILTIN_CONSTANTS } from './constants.js';

export interface SimulateOptions {
  /** Simulate only this function (default: every function of the file). */
  entry?: string;
  /** Entry IRQL (default: from the function's role type / IRQL annotation, else PASSIVE_LEVEL). */
  irql?: number;
  /** Driver Verifier outcomes (default: plain kernel). */
  verifier?: boolean;
  /** Cap on explored paths per function (reported when hit). Default 5000. */
  maxPaths?: number;
  /** Unroll count: iterations entered on an unknown loop condition before a path is abandoned. Default 3. */
  loopBound?: number;
  /** Nesting of calls to functions of the same file. Default 3. */
  callDepth?: number;
  /** Statements per path before it is abandoned. Default 20000. */
  maxSteps?: number;
  /** Stop paths that reach a program point in an already explored state (default true). */
  merge?: boolean;
  /** Keep every path's sequence of `if` outcomes (`FunctionSimResult.branchLogs`). */
  logBranches?: boolean;
}

export interface SimPath {
  /** Fork decisions (replayable with {@link tracePath}). */
  choices: number[];
  decisions: Decision[];
  /** Statements executed. */
  length: number;
}

/** A fault as reported: the interpreter's RawFault with the bug check chosen by the knob, and its shortest path. */
export interface SimFault extends Omit<RawFault, 'bugChecks' | 'ddi'> {
  /** The bug check under the selected knob (plain kernel or Driver Verifier). */
  bugCheck: BugCheck | null;
  plainBugCheck: BugCheck | null;
  verifierBugCheck: BugCheck | null;
  /** The shortest path reaching this fault. */
  path: SimPath;
  /** How many explored paths show it. */
  occurrences: number;
}

export interface FunctionSimResult {
  function: string;
  line: number;
  endLine: number;
  entryIrql: number;
  irqlSource: string;
  paths: number;
  faultingPaths: number;
  /** Paths by how they ended. */
  ends: Record<PathRecord['end'], number>;
  /** The path cap was hit: exploration is incomplete. */
  capped: boolean;
  faults: SimFault[];
  /** Lines of the function some explored path executed (statement lines). */
  covered: Set<number>;
  /** Lines where some path took a decision whose label says a call returned NULL. */
  nullReturnLines: Set<number>;
  /** The function is a dispatch routine (role type DRIVER_DISPATCH, or assigned to MajorFunction[] in the file). */
  dispatch: boolean;
  /**
   * The function is a helper: called by other functions of the file and not a dispatch routine or a
   * registered callback. Exceptions escaping it are not faults (its callers show them): see `escapes`.
   */
  helper: boolean;
  /** Helpers: exceptions that escape the function on some path (kind and line, as a fault would be). */
  escapes: SimFault[];
  /** With `logBranches`: each path's steps (see `Run.branchLog`). */
  branchLogs?: number[][];
  /** Exploration stopped on an internal error (reported, never silent). */
  error?: string;
  ms: number;
}

export class SimProgram {
  readonly fns = new Map<string, FnDef>();
  readonly defs: FnDef[] = [];
  readonly scope: FileScope;
  /** Dispatch routines: role type DRIVER_DISPATCH, or assigned to `...->MajorFunction[...]` in the file. */
  readonly dispatch = new Set<string>();
  /** Functions whose address is taken (registered as callbacks: completion routines, DPCs, work items, threads, tables...). */
  readonly addressTaken = new Set<string>();
  /** Functions called by another function of the file. */
  readonly called = new Set<string>();

  constructor(readonly file: SourceFile) {
    const compiler = new Compiler(file);
    this.scope = collectFileScope(file, compiler);
    for (const info of file.functions) {
      const def = compiler.compileFunction(info);
      this.defs.push(def);
      // Later definitions of the same name (#if alternatives) do not replace the first.
      if (!this.fns.has(def.name)) this.fns.set(def.name, def);
    }
    this.analyzeRoles();
  }

  /** Entry points vs helpers, from the file's text: roles, MajorFunction assignments, address-taken names, call sites. */
  private analyzeRoles(): void {
    const short = (n: string) => n.slice(n.lastIndexOf('::') + 1).replace(/^:/, '');
    const names = new Map<string, string>();
    for (const d of this.defs) {
      names.set(d.name, d.name);
      names.set(short(d.name), d.name);
    }
    for (const [fn, role] of this.scope.roles) if (role === 'DRIVER_DISPATCH' && names.has(fn)) this.dispatch.add(names.get(fn)!);
    const strip = (n: SyntaxNode | null): SyntaxNode | null => {
      for (let g = 0; n && g < 8; g++) {
        if (n.type === 'parenthesized_expression') n = n.namedChildren[0] ?? null;
        else if (n.type === 'cast_expression') n = n.childForFieldName('value');
        else if (n.type === 'pointer_expression' && n.childForFieldName('operator')?.text === '&') n = n.childForFieldName('argument');
        else if (n.type === 'assignment_expression') n = n.childForFieldName('right');
        else break;
      }
      return n;
    };
    const enclosingDef = (n: SyntaxNode): FnDef | undefined => this.defs.find((d) => n.startIndex >= d.startIndex && n.endIndex <= d.endIndex);
    const root = this.file.tree.rootNode;
    for (const a of root.descendantsOfType('assignment_expression')) {
      const left = a.childForFieldName('left');
      if (!left || left.type !== 'subscript_expression' || !/MajorFunction\s*$/.test(left.childForFieldName('argument')?.text ?? '')) continue;
      const r = strip(a.childForFieldName('right'));
      if (r && names.has(r.text)) this.dispatch.add(names.get(r.text)!);
    }
    for (const id of root.descendantsOfType(['identifier', 'qualified_identifier'])) {
      const target = names.get(id.text);
      if (!target) continue;
      const parent = id.parent;
      if (!parent) continue;
      if (parent.type === 'call_expression' && parent.childForFieldName('function')?.id === id.id) {
        const caller = enclosingDef(id);
        if (caller && caller.name !== target) this.called.add(target);
        continue;
      }
      // declarators (the definition, prototypes, role-type declarations) are not uses
      if (parent.type === 'function_declarator' || parent.type === 'declaration' || parent.type === 'init_declarator' && parent.childForFieldName('declarator')?.id === id.id) continue;
      if (parent.type === 'qualified_identifier') continue;
      this.addressTaken.add(target);
    }
  }

  /** Called by other functions of the file, and not an entry point the system calls (dispatch, callback, role, DriverEntry). */
  isHelper(name: string): boolean {
    return this.called.has(name) && !this.dispatch.has(name) && !this.addressTaken.has(name) && !this.scope.roles.has(name) && name !== 'DriverEntry';
  }
}

const LEVELS: Record<string, number> = { PASSIVE_LEVEL: 0, APC_LEVEL: 1, DISPATCH_LEVEL: 2, HIGH_LEVEL: 31, DIRQL: 5 };

export function parseIrql(text: string): number | undefined {
  const t = text.trim();
  if (t in LEVELS) return LEVELS[t];
  const c = BUILTIN_CONSTANTS.get(t);
  if (c !== undefined) return c;
  if (/^\d+$/.test(t)) return Number(t);
  return undefined;
}

const ROLE_IRQL: Record<string, number> = {
  DRIVER_STARTIO: 2,
  DRIVER_CANCEL: 2,
  KDEFERRED_ROUTINE: 2,
  IO_DPC_ROUTINE: 2,
  IO_TIMER_ROUTINE: 2,
  DRIVER_CONTROL: 2,
  IO_COMPLETION_ROUTINE: 2,
  KSERVICE_ROUTINE: 5,
  KSYNCHRONIZE_ROUTINE: 5,
};

function entryContext(prog: SimProgram, def: FnDef, index: number): { irql: number; source: string; thread: ThreadContext; changesIrql: boolean } {
  const role = prog.scope.roles.get(def.name);
  let irql: number | undefined;
  let source = 'default (PASSIVE_LEVEL)';
  // IRQL annotations between the previous function and this body.
  const from = index > 0 ? prog.defs[index - 1]!.endIndex : 0;
  const to = def.info.body.startIndex;
  for (const a of prog.file.annotations) {
    if (a.start < from || a.start >= to) continue;
    const m = /^_IRQL_requires_(?:min_)?\(\s*([A-Za-z_0-9]+)\s*\)/.exec(a.text);
    if (m && (a.name === '_IRQL_requires_' || a.name === '_IRQL_requires_min_')) {
      const v = parseIrql(m[1]!);
      if (v !== undefined) {
        irql = v;
        source = a.text.replace(/\s+/g, '');
      }
    }
  }
  if (irql === undefined && role && ROLE_IRQL[role] !== undefined) {
    irql = ROLE_IRQL[role];
    source = `role type ${role}`;
  }
  // Functions annotated to change the IRQL or to acquire / release a lock legitimately exit in another state.
  let changesIrql = false;
  for (const a of prog.file.annotations) {
    if (a.start < from || a.start >= to) continue;
    if (/^_IRQL_(raises|saves|restores|saves_global|restores_global)_$|^__drv_(raisesIRQL|savesIRQL|restoresIRQL|setsIRQL|acquiresResource|releasesResource)$|^_(Acquires|Releases)_(lock|exclusive_lock|shared_lock)_$/.test(a.name)) changesIrql = true;
  }
  let thread: ThreadContext = 'arbitrary';
  const hasIrp = def.params.some((p) => /^(PIRP|IRP|struct _IRP)$/.test(p.type.trim()));
  if (role === 'DRIVER_DISPATCH' || (hasIrp && !role)) thread = 'system-service';
  else if (role === 'KSTART_ROUTINE' || role === 'IO_WORKITEM_ROUTINE' || role === 'WORKER_THREAD_ROUTINE' || role === 'IO_WORKITEM_ROUTINE_EX') thread = 'system-thread';
  return { irql: irql ?? 0, source, thread, changesIrql };
}

function runPath(
  prog: SimProgram,
  def: FnDef,
  ctx: ReturnType<typeof entryContext>,
  o: Required<SimulateOptions>,
  choices: number[],
  counts: number[],
  trace: boolean,
  visited?: Map<string, string>,
): PathRecord {
  const run = new Run(
    prog.fns,
    prog.scope,
    {
      entryIrql: ctx.irql,
      verifier: o.verifier,
      loopBound: o.loopBound,
      callDepth: o.callDepth,
      maxSteps: o.maxSteps,
      trace,
      thread: ctx.thread,
      visited,
      changesIrql: ctx.changesIrql,
      logBranches: o.logBranches,
      dispatch: prog.dispatch.has(def.name),
      helper: prog.isHelper(def.name),
    },
    choices,
    counts,
  );
  const r = run.runEntry(def);
  return {
    choices,
    decisions: run.decisions,
    steps: run.steps,
    faults: run.faults,
    end: r.end,
    exitLine: r.exitLine,
    trace: run.trace,
    covered: run.covered,
    branchLog: run.branchLog,
    escapes: run.escapes,
  };
}

function defaults(opts: SimulateOptions): Required<SimulateOptions> {
  return {
    entry: opts.entry ?? '',
    irql: opts.irql ?? -1,
    verifier: opts.verifier ?? false,
    maxPaths: opts.maxPaths ?? 5000,
    loopBound: opts.loopBound ?? 3,
    callDepth: opts.callDepth ?? 3,
    maxSteps: opts.maxSteps ?? 20000,
    merge: opts.merge ?? true,
    logBranches: opts.logBranches ?? false,
  };
}

export function simulateFunction(prog: SimProgram, def: FnDef, opts: SimulateOptions = {}): FunctionSimResult {
  const o = defaults(opts);
  const t0 = performance.now();
  const index = prog.defs.indexOf(def);
  const ctx = entryContext(prog, def, index);
  if (o.irql >= 0) {
    ctx.irql = o.irql;
    ctx.source = 'given';
  }
  const choices: number[] = [];
  const counts: number[] = [];
  let paths = 0;
  let faultingPaths = 0;
  let capped = false;
  let error: string | undefined;
  const ends: Record<PathRecord['end'], number> = { return: 0, fault: 0, 'loop-bound': 0, 'step-bound': 0, aborted: 0, merged: 0, exception: 0 };
  const faults = new Map<string, SimFault>();
  const escapes = new Map<string, SimFault>();
  const covered = new Set<number>();
  const nullReturnLines = new Set<number>();
  const branchLogs: number[][] = [];
  const visited = o.merge ? new Map<string, string>() : undefined;
  for (;;) {
    if (paths >= o.maxPaths) {
      capped = true;
      break;
    }
    let rec: PathRecord;
    try {
      rec = runPath(prog, def, ctx, o, choices, counts, false, visited);
    } catch (e) {
      // A construct the interpreter cannot execute: stop exploring this function, say so.
      error = `simulator error on path ${paths + 1}: ${e instanceof Error ? e.message : String(e)}`;
      break;
    }
    paths++;
    ends[rec.end]++;
    if (rec.faults.length) faultingPaths++;
    for (const l of rec.covered ?? []) covered.add(l);
    if (rec.branchLog) branchLogs.push(rec.branchLog);
    for (const d of rec.decisions) if (d.label.includes('returns NULL') || d.label.includes('fails (returns NULL)')) nullReturnLines.add(d.line);
    for (const f of rec.faults) addFault(faults, f, rec, o.verifier);
    for (const f of rec.escapes ?? []) addFault(escapes, f, rec, o.verifier);
    // Next path: bump the deepest decision that has an untried alternative.
    let advanced = false;
    while (choices.length) {
      const i = choices.length - 1;
      if (choices[i]! + 1 < counts[i]!) {
        choices[i]!++;
        advanced = true;
        break;
      }
      choices.pop();
      counts.pop();
    }
    if (!advanced) break;
  }
  const list = [...faults.values()].sort((a, b) => a.path.length - b.path.length || a.line - b.line);
  return {
    function: def.name,
    line: def.line,
    endLine: def.endLine,
    entryIrql: ctx.irql,
    irqlSource: ctx.source,
    paths,
    faultingPaths,
    ends,
    capped,
    faults: list,
    covered,
    nullReturnLines,
    dispatch: prog.dispatch.has(def.name),
    helper: prog.isHelper(def.name),
    escapes: [...escapes.values()].sort((a, b) => a.path.length - b.path.length || a.line - b.line),
    branchLogs: o.logBranches ? branchLogs : undefined,
    error,
    ms: performance.now() - t0,
  };
}

function addFault(map: Map<string, SimFault>, f: RawFault, rec: PathRecord, verifier: boolean): void {
  const key = `${f.kind}|${f.line}|${f.entryLine}|${f.function}`;
  const prev = map.get(key);
  if (prev) {
    prev.occurrences++;
    if (rec.steps >= prev.path.length) return;
  }
  map.set(key, {
    kind: f.kind,
    line: f.line,
    column: f.column,
    function: f.function,
    entryLine: f.entryLine,
    message: f.message,
    bugCheck: verifier ? f.bugChecks.verifier : f.bugChecks.plain,
    plainBugCheck: f.bugChecks.plain,
    verifierBugCheck: f.bugChecks.verifier,
    fatal: f.fatal,
    stack: f.stack,
    context: f.context,
    path: { choices: rec.choices.slice(), decisions: rec.decisions, length: rec.steps },
    occurrences: (prev?.occurrences ?? 0) + 1,
  });
}

export function simulateSource(file: SourceFile, opts: SimulateOptions = {}): FunctionSimResult[] {
  const prog = new SimProgram(file);
  const out: FunctionSimResult[] = [];
  for (const def of prog.defs) {
    if (opts.entry && def.name !== opts.entry) continue;
    out.push(simulateFunction(prog, def, opts));
  }
  return out;
}

/** Re-run one path (by its decisions) with a full trace: lines, IRQL and MDL states per step. */
export function tracePath(prog: SimProgram, fnName: string, choices: number[], opts: SimulateOptions = {}): { record: PathRecord; trace: TraceStep[] } {
  const o = defaults(opts);
  const index = prog.defs.findIndex((d) => d.name === fnName);
  const def = prog.defs[index];
  if (!def) throw new Error(`no function ${fnName}`);
  const ctx = entryContext(prog, def, index);
  if (o.irql >= 0) ctx.irql = o.irql;
  const counts: number[] = [];
  const rec = runPath(prog, def, ctx, o, choices.slice(), counts, true);
  return { record: rec, trace: rec.trace ?? [] };
}
