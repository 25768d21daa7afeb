/**
 * The simulator's public API: explore every path of a function (depth-first over fork decisions)
 * and collect the faults with the bug checks a real machine would show.
 */
import { posix } from 'node:path';
import { functionTooDeep } from '../parse/depth.js';
import { quotedIncludes } from '../parse/includes.js';
import type { SourceFile, SyntaxNode } from '../parse/parser.js';
import type { Annotation } from '../parse/preprocess.js';
import { Compiler, collectFileScope, guardExpr, jumpingMacros, namesNamespaceFunction, ppEval, returningMacros, unionFields, type FileScope, type FnDef, type PPMacro } from './ast.js';
import { lockPagedSections, markPageableSections } from './sections.js';
import type { BugCheck, FaultKind, ThreadContext } from './faults.js';
import { newExploration, Run, type Decision, type Exploration, type PathRecord, type DeclaredIrql, type ProgramView, type RawFault, type TraceStep } from './interp.js';
import { BUILTIN_CONSTANTS } from './constants.js';

export interface SimulateOptions {
  /** Simulate only this function (default: every function of the file). */
  entry?: string;
  /**
   * Entry IRQL (default: from the function's IRQL annotations, role type or registration in the file, else
   * PASSIVE_LEVEL; a range is explored level by level where the code makes the level matter).
   */
  irql?: number;
  /** Driver Verifier outcomes (default: plain kernel). */
  verifier?: boolean;
  /** Cap on explored paths per function (reported when hit). Default 5000. */
  maxPaths?: number;
  /** Unroll count: iterations entered on an unknown loop condition before a path is abandoned. Default 3. */
  loopBound?: number;
  /** Nesting of calls to functions of the program. Default 3. */
  callDepth?: number;
  /** Statements per path before it is abandoned. Default 20000. */
  maxSteps?: number;
  /** Stop paths that reach a program point in an already explored state (default true). */
  merge?: boolean;
  /** Keep every path's sequence of `if` outcomes (`FunctionSimResult.branchLogs`). */
  logBranches?: boolean;
  /** Called at every call of a function of the program: the callee, the IRQLs it may be called at, whether in a DPC. */
  onCall?: (callee: string, levels: number[], inDpc: boolean, unknown: boolean, args: (number | 'address' | undefined)[]) => void;
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
  /** The function's file, in a program of several files. */
  file?: string;
  line: number;
  endLine: number;
  /** The (lowest) entry IRQL. */
  entryIrql: number;
  /** Every level the function may be entered at (a range: `_IRQL_requires_max_`, IO_COMPLETION_ROUTINE...). */
  entryIrqls: number[];
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
  /** Characters of the states rendered to merge paths that reach a point in a state already explored (the merging's cost). */
  rendered: number;
}

export class SimProgram {
  /** The program's files, in the order given (a file given twice is read once). */
  readonly files: SourceFile[] = [];
  /** Functions not simulated because they nest too deep to compile recursively (`functionTooDeep`). */
  readonly tooDeep: { name: string; file: string; line: number; depth: number }[] = [];
  /**
   * Functions by name, program-wide: a file's own definition wins inside that file (see `fnsOf`); this map
   * holds, per name, the first non-`static` definition, else the first one.
   */
  readonly fns = new Map<string, FnDef>();
  readonly defs: FnDef[] = [];
  /** The first file's file-scope facts (the whole program's for a one-file program). */
  readonly scope: FileScope;
  /** Role-type declarations of every file (`KDEFERRED_ROUTINE XfTelemetryDpc;` may be in another file than the definition). */
  readonly roles = new Map<string, string>();
  /** Dispatch routines: role type DRIVER_DISPATCH, or assigned to `...->MajorFunction[...]` in the program. */
  readonly dispatch = new Set<string>();
  /** Functions whose address is taken (registered as callbacks: completion routines, DPCs, work items, threads, tables...). */
  readonly addressTaken = new Set<string>();
  /** Functions called by another function of the program. */
  readonly called = new Set<string>();
  /** Callee → the functions of the program that call it. */
  readonly callers = new Map<string, Set<string>>();
  /** Helpers: the IRQLs (and DPC context) their callers call them at, found by simulating the callers (see `callSiteContext`). */
  readonly callSites = new Map<string, { levels: Set<number>; dpc: boolean; unknown: boolean; args?: (number | 'address' | null)[] }>();
  /** Callers already simulated to collect their call sites; functions whose call-site context is being computed. */
  readonly callSitesDone = new Set<string>();
  readonly callSitesBusy = new Set<string>();
  /**
   * Callbacks registered in the program (`KeInitializeDpc(&Dpc, Fn, ...)`, `IoSetCompletionRoutine(Irp, Fn, ...)`,
   * `IoQueueWorkItem(Item, Fn, ...)`, `PsCreateSystemThread(..., Fn, ...)`, KMDF configuration structures...):
   * the levels they are entered at.
   */
  readonly registered = new Map<string, RegisteredCallback>();
  /**
   * KMDF: some object of the program is created with `WdfExecutionLevelPassive` (device, driver or queue
   * attributes): queue and timer callbacks may run at PASSIVE_LEVEL only, and which object a callback belongs
   * to is not tracked, so their IRQL-contract faults are claimed only when they hold at every level of the role.
   */
  readonly kmdfPassiveExecution: boolean;
  /** KMDF: some interrupt object of the program requests passive-level handling (`PassiveHandling = TRUE`). */
  readonly kmdfPassiveInterrupts: boolean;

  private readonly srcOf = new Map<FnDef, SourceFile>();
  private readonly scopes = new Map<SourceFile, FileScope>();
  private readonly byFile = new Map<SourceFile, FnDef[]>();
  private readonly visible = new Map<SourceFile, Map<string, FnDef>>();
  /** Given to the interpreter when the program spans several files. */
  readonly view: ProgramView | undefined;

  /**
   * A program of one file, or of several (`SimProgram.fromFiles`): a call resolves to the calling file's own
   * definition, else to the only non-`static` definition of another file (as the linter's project does);
   * roles, registrations, callers and prototypes' annotations are read from every file.
   */
  constructor(file: SourceFile | readonly SourceFile[]) {
    const list = Array.isArray(file) ? (file as readonly SourceFile[]) : [file as SourceFile];
    const seen = new Set<string>();
    for (const f of list) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      this.files.push(f);
    }
    if (!this.files.length) throw new Error('SimProgram: no file');
    const multi = this.files.length > 1;
    const guards = new Map<FnDef, string>();
    const returning = returningMacros(this.files);
    const unions = unionFields(this.files);
    const jumping = jumpingMacros(this.files);
    for (const f of this.files) {
      const compiler = new Compiler(f, returning, unions, jumping.get(f));
      const scope = collectFileScope(f, compiler);
      this.scopes.set(f, scope);
      for (const [fn, role] of scope.roles) if (!this.roles.has(fn)) this.roles.set(fn, role);
      const own: FnDef[] = [];
      for (const info of f.functions) {
        // too deep to compile recursively: not simulated (calls of it are calls of an unknown function)
        // (the simulator's compiler and evaluator recurse on arithmetic and else-if chains too)
        const deep = functionTooDeep(f, info, { chainsInLoops: false });
        if (deep) {
          this.tooDeep.push({ name: info.name, file: f.path, line: info.line, depth: deep.depth });
          continue;
        }
        const def = compiler.compileFunction(info);
        if (info.guard) guards.set(def, info.guard);
        // The defining file is recorded (and shown in fault stacks) only for programs of several files.
        if (multi) def.file = f.path;
        this.srcOf.set(def, f);
        own.push(def);
        this.defs.push(def);
      }
      this.byFile.set(f, own);
      markPageableSections(f, own);
    }
    if (multi) this.linkIncludedDefines();
    // a function in an `#if` branch its file's macros (its headers' included) rule out is not compiled
    for (const f of this.files) {
      const pp = this.scopes.get(f)!.ppMacros;
      const out = new Set(this.byFile.get(f)!.filter((d) => guards.has(d) && ppEval(guardExpr(guards.get(d)!), pp) === 0));
      if (out.size === 0) continue;
      this.byFile.set(f, this.byFile.get(f)!.filter((d) => !out.has(d)));
      this.defs.splice(0, this.defs.length, ...this.defs.filter((d) => !out.has(d)));
    }
    lockPagedSections(this.files, this.defs);
    this.scope = this.scopes.get(this.files[0]!)!;
    // Per file: its own definitions (the first of a name: later ones are #if alternatives), then the
    // other files' non-static ones when exactly one file defines the name.
    const external = new Map<string, FnDef[]>();
    for (const f of this.files) {
      const firsts = new Map<string, FnDef>();
      for (const d of this.byFile.get(f)!) if (!firsts.has(d.name)) firsts.set(d.name, d);
      for (const d of firsts.values()) {
        if (d.isStatic) continue;
        const l = external.get(d.name);
        if (l) l.push(d);
        else external.set(d.name, [d]);
      }
    }
    for (const f of this.files) {
      const vis = new Map<string, FnDef>();
      for (const [name, ds] of external) {
        const others = ds.filter((d) => this.srcOf.get(d) !== f);
        if (others.length === 1) vis.set(name, others[0]!);
      }
      const mine = new Map<string, FnDef>();
      for (const d of this.byFile.get(f)!) if (!mine.has(d.name)) mine.set(d.name, d);
      for (const [n, d] of mine) vis.set(n, d);
      this.visible.set(f, vis);
    }
    for (const d of this.defs) {
      const cur = this.fns.get(d.name);
      if (!cur || (cur.isStatic && !d.isStatic)) this.fns.set(d.name, d);
    }
    const text = this.files.map((f) => f.text).join('\n');
    this.kmdfPassiveExecution = /\bWdfExecutionLevelPassive\b/.test(text);
    this.kmdfPassiveInterrupts = /\bPassiveHandling\s*=\s*(?!FALSE\b|0\b)/.test(text);
    this.view = multi ? { fnsOf: (d) => this.fnsOf(d), scopeOf: (d) => this.scopeOf(d) } : undefined;
    this.analyzeRoles();
  }

  /**
   * Each file sees the `#define`s and enumerators of the headers it includes, transitively, after its own:
   * quoted includes resolved among the program's files as the compiler resolves them (the including file's
   * directory, then the directories of the files that included it; names compared without regard to case,
   * `\\` a separator), and a name found there in no directory is the program's only file of that name (an
   * include path would find it).
   */
  private linkIncludedDefines(): void {
    const norm = (p: string) => posix.normalize(p.replace(/\\/g, '/')).toLowerCase();
    const byPath = new Map<string, SourceFile>();
    const byBase = new Map<string, SourceFile[]>();
    for (const f of this.files) {
      byPath.set(norm(f.path), f);
      const b = posix.basename(norm(f.path));
      byBase.set(b, [...(byBase.get(b) ?? []), f]);
    }
    const find = (name: string, dirs: readonly string[]): SourceFile | undefined => {
      for (const d of dirs) {
        const hit = byPath.get(norm(posix.join(d, name.replace(/\\/g, '/'))));
        if (hit) return hit;
      }
      const only = byBase.get(posix.basename(norm(name)));
      return only?.length === 1 ? only[0] : undefined;
    };
    // (each file's own macros, before any file takes its headers')
    const ownMacros = new Map(this.files.map((f) => [f, new Map(this.scopes.get(f)!.ppMacros)] as const));
    for (const f of this.files) {
      const defines = this.scopes.get(f)!.defines;
      const macros = this.scopes.get(f)!.macros;
      const dflts = this.scopes.get(f)!.defaults;
      const own = ownMacros.get(f)!;
      const fromHeaders = new Map<string, PPMacro>();
      const seen = new Set<SourceFile>([f]);
      const visit = (from: SourceFile, chain: readonly string[]) => {
        const dirs = [posix.dirname(from.path.replace(/\\/g, '/')), ...chain];
        for (const name of quotedIncludes(from.text)) {
          const h = find(name, dirs);
          if (!h || seen.has(h)) continue;
          seen.add(h);
          for (const [k, v] of this.scopes.get(h)!.defines) if (!defines.has(k)) defines.set(k, v);
          for (const [k, v] of this.scopes.get(h)!.macros) if (!macros.has(k)) macros.set(k, v);
          for (const [k, v] of this.scopes.get(h)!.defaults) if (!dflts.has(k)) dflts.set(k, v);
          // the headers' macros for the file's #if conditions: the file's own first, two headers differing not certain
          for (const [k, v] of ownMacros.get(h)!) {
            if (own.has(k)) continue;
            const prev = fromHeaders.get(k);
            fromHeaders.set(k, prev === undefined || prev === v ? v : 'unknown');
          }
          visit(h, dirs);
        }
      };
      visit(f, []);
      const pp = this.scopes.get(f)!.ppMacros;
      for (const [k, v] of fromHeaders) pp.set(k, v);
    }
  }

  /** A program made of several parsed files (see the constructor). */
  static fromFiles(files: readonly SourceFile[]): SimProgram {
    return new SimProgram(files);
  }

  /** The first file (the only one of a one-file program). */
  get file(): SourceFile {
    return this.files[0]!;
  }

  /** The file that defines `def`. */
  sourceOf(def: FnDef): SourceFile {
    return this.srcOf.get(def) ?? this.files[0]!;
  }

  /** The file-scope facts of `def`'s file. */
  scopeOf(def: FnDef): FileScope {
    return this.scopes.get(this.sourceOf(def)) ?? this.scope;
  }

  private readonly declared = new Map<string, DeclaredIrql | null>();
  /**
   * The IRQL annotations on the prototypes of `name`, a function no file of the program defines (read from
   * every file's declarations): undefined when there are none.
   */
  declaredIrql(name: string): DeclaredIrql | undefined {
    const cached = this.declared.get(name);
    if (cached !== undefined) return cached ?? undefined;
    let out: DeclaredIrql | undefined;
    const texts: string[] = [];
    if (!this.defs.some((d) => d.name === name)) {
      for (const file of this.files) {
        for (const decl of file.tree.rootNode.descendantsOfType('declaration')) {
          let x: SyntaxNode | null | undefined = decl.childForFieldName('declarator');
          for (let g = 0; x && g < 6 && x.type !== 'function_declarator'; g++) x = x.childForFieldName('declarator');
          const id = x?.type === 'function_declarator' ? x.childForFieldName('declarator') : undefined;
          if (!x || id?.type !== 'identifier' || id.text !== name) continue;
          const params = (x.childForFieldName('parameters')?.namedChildren ?? []).filter((q) => q.type === 'parameter_declaration');
          const paramsStart = x.childForFieldName('parameters')?.startIndex ?? decl.endIndex;
          const from = precedingEnd(decl);
          for (const a of file.annotations) {
            if (a.start < from || a.start >= decl.endIndex) continue;
            const arg = /\(\s*([A-Za-z_0-9]+)\s*\)/.exec(a.text)?.[1];
            const v = arg !== undefined ? parseIrql(arg) : undefined;
            const d: DeclaredIrql = (out ??= { text: '' });
            if (a.name === '_IRQL_requires_' && v !== undefined) d.min = d.max = v;
            else if (a.name === '_IRQL_requires_max_' && v !== undefined) d.max = Math.min(d.max ?? 31, v);
            else if (a.name === '_IRQL_requires_min_' && v !== undefined) d.min = Math.max(d.min ?? 0, v);
            else if (a.name === '_IRQL_raises_' && v !== undefined) d.raises = v;
            else if (a.name === '_IRQL_saves_' || a.name === '_IRQL_restores_') {
              // on the function (before its parameter list), or on the parameter the annotation is in
              const k = a.start < paramsStart ? -1 : params.findIndex((q) => q.endIndex > a.start);
              if (a.name === '_IRQL_saves_') d.saves = k < 0 ? 'return' : k;
              else if (k >= 0) d.restores = k;
            } else continue;
            texts.push(a.text.replace(/\s+/g, ''));
          }
        }
      }
    }
    if (out) out.text = [...new Set(texts)].join(' ');
    if (out && out.min === undefined && out.max === undefined && out.raises === undefined && out.restores === undefined) out = undefined;
    this.declared.set(name, out ?? null);
    return out;
  }

  /** The functions a call in `def`'s file resolves to. */
  fnsOf(def: FnDef): Map<string, FnDef> {
    return this.visible.get(this.sourceOf(def)) ?? this.fns;
  }

  /** The definitions of one file of the program. */
  defsOf(file: SourceFile): FnDef[] {
    return this.byFile.get(file) ?? [];
  }

  /** Entry points vs helpers, from the program's text: roles, MajorFunction assignments, address-taken names, call sites, registrations. */
  private analyzeRoles(): void {
    const short = (n: string) => n.slice(n.lastIndexOf('::') + 1).replace(/^:/, '');
    for (const [fn, role] of this.roles) if (role === 'DRIVER_DISPATCH' && this.fns.has(fn)) this.dispatch.add(fn);
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
    const register = (fn: string, levels: number[], as: string, line: number, o: { dpc?: boolean; systemThread?: boolean; role?: string } = {}) => {
      const prev = this.registered.get(fn);
      if (!prev) {
        this.registered.set(fn, { levels: [...levels], as: `${as} at line ${line}`, dpc: !!o.dpc, systemThread: !!o.systemThread, role: o.role });
        return;
      }
      // Registered twice (as different kinds of callback): entered at any of their levels.
      prev.levels = [...new Set([...prev.levels, ...levels])].sort((x, y) => x - y);
      prev.dpc = prev.dpc && !!o.dpc;
      prev.systemThread = prev.systemThread && !!o.systemThread;
      if (prev.role !== o.role) prev.role = undefined;
      prev.as += `; ${as}, line ${line}`;
    };
    for (const file of this.files) {
      const names = new Map<string, string>();
      for (const d of this.visible.get(file)!.values()) {
        names.set(d.name, d.name);
        names.set(short(d.name), d.name);
      }
      const own = this.byFile.get(file)!;
      const where = file.path && this.files.length > 1 ? ` (${file.path})` : '';
      const enclosingDef = (n: SyntaxNode): FnDef | undefined => own.find((d) => n.startIndex >= d.startIndex && n.endIndex <= d.endIndex);
      const root = file.tree.rootNode;
      for (const a of root.descendantsOfType('assignment_expression')) {
        const left = a.childForFieldName('left');
        // DriverObject->DriverStartIo / DriverUnload / DriverExtension->AddDevice = Fn, and the callback members of
        // the KMDF configuration structures (`queueConfig.EvtIoRead = Fn`): entered at the level §2c / the DDI reference gives.
        const slot = left?.type === 'field_expression' ? left.childForFieldName('field')?.text : undefined;
        const slotReg = slot ? (DRIVER_OBJECT_SLOTS[slot] ?? KMDF_SLOTS[slot] ?? FAST_IO_SLOTS[slot]) : undefined;
        const slotFn = slotReg ? strip(a.childForFieldName('right')) : null;
        if (slotReg && slotFn && names.has(slotFn.text)) {
          const fn = names.get(slotFn.text)!;
          if (!this.registered.has(fn) || slot! in KMDF_SLOTS) register(fn, slotReg.levels, `${slotReg.as}${where}`, a.startPosition.row + 1, slotReg);
        }
        if (!left || left.type !== 'subscript_expression' || !/MajorFunction\s*$/.test(left.childForFieldName('argument')?.text ?? '')) continue;
        const r = strip(a.childForFieldName('right'));
        if (r && names.has(r.text)) this.dispatch.add(names.get(r.text)!);
      }
      for (const id of root.descendantsOfType(['identifier', 'qualified_identifier'])) {
        let target = names.get(id.text);
        if (!target && id.type === 'qualified_identifier') {
          // `Memory::Lookup(...)` of a function defined in `namespace Memory`
          const d = this.visible.get(file)!.get(id.text.replace(/\s+/g, '').split('::').pop()!);
          if (d && namesNamespaceFunction(id.text, d)) target = d.name;
        }
        if (!target) continue;
        const parent = id.parent;
        if (!parent) continue;
        if (parent.type === 'call_expression' && parent.childForFieldName('function')?.id === id.id) {
          const caller = enclosingDef(id);
          if (caller && caller.name !== target) {
            this.called.add(target);
            if (!this.callers.has(target)) this.callers.set(target, new Set());
            this.callers.get(target)!.add(caller.name);
          }
          continue;
        }
        // declarators (the definition, prototypes, role-type declarations) are not uses
        if (parent.type === 'function_declarator' || parent.type === 'declaration' || (parent.type === 'init_declarator' && parent.childForFieldName('declarator')?.id === id.id)) continue;
        if (parent.type === 'qualified_identifier') continue;
        this.addressTaken.add(target);
      }
      // Registrations: the routine argument of the DDIs (and KMDF configuration macros) that register a callback.
      for (const call of root.descendantsOfType('call_expression')) {
        // A direct call, or through a function table (`Adapter->DmaOperations->AllocateAdapterChannel(...)`).
        const via = (call.childForFieldName('function')?.text ?? '').replace(/^[\s\S]*(?:->|\.)\s*/, '');
        const roleArgs = ROLE_ARGS.get(via);
        if (roleArgs) {
          const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((n) => n.type !== 'comment');
          for (const [k, role] of Object.entries(roleArgs)) {
            const a = strip(args[Number(k)] ?? null);
            const fn = a ? names.get(a.text) : undefined;
            if (fn && !this.roles.has(fn)) this.roles.set(fn, role);
          }
        }
        const regs = REGISTRATIONS.get(via);
        if (!regs) continue;
        const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((n) => n.type !== 'comment');
        for (const reg of Array.isArray(regs) ? regs : [regs]) {
          const a = strip(args[reg.arg] ?? null);
          const fn = a ? names.get(a.text) : undefined;
          if (!fn) continue;
          register(fn, reg.levels, `${reg.as}, ${via}${where}`, call.startPosition.row + 1, reg);
        }
      }
    }
  }

  /** Called by other functions of the program, and not an entry point the system calls (dispatch, callback, role, DriverEntry). */
  isHelper(name: string): boolean {
    return this.called.has(name) && !this.dispatch.has(name) && !this.addressTaken.has(name) && !this.roles.has(name) && name !== 'DriverEntry';
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

/** The device IRQL the simulator uses for DIRQL (interrupt service and synchronize routines). */
const DIRQL = 5;
const UP_TO_DISPATCH = [0, 1, 2];

/** Entry levels of role types (docs/kernel-semantics.md §2c, "called at"). */
const ROLE_LEVELS: Record<string, number[]> = {
  DRIVER_STARTIO: [2],
  DRIVER_CANCEL: [2],
  KDEFERRED_ROUTINE: [2],
  IO_DPC_ROUTINE: [2],
  IO_TIMER_ROUTINE: [2],
  DRIVER_CONTROL: [2],
  // ≤ DISPATCH_LEVEL (often DISPATCH): every level of the range is explored.
  IO_COMPLETION_ROUTINE: UP_TO_DISPATCH,
  KSERVICE_ROUTINE: [DIRQL],
  KSYNCHRONIZE_ROUTINE: [DIRQL],
  DRIVER_INITIALIZE: [0],
  DRIVER_ADD_DEVICE: [0],
  DRIVER_UNLOAD: [0],
  DRIVER_DISPATCH: [0],
  IO_WORKITEM_ROUTINE: [0],
  IO_WORKITEM_ROUTINE_EX: [0],
  WORKER_THREAD_ROUTINE: [0],
  KSTART_ROUTINE: [0],
  // fast I/O routines (FAST_IO_SLOTS): PASSIVE_LEVEL or APC_LEVEL
  FAST_IO_CHECK_IF_POSSIBLE: [0, 1],
  FAST_IO_READ: [0, 1],
  FAST_IO_WRITE: [0, 1],
  FAST_IO_QUERY_BASIC_INFO: [0, 1],
  FAST_IO_QUERY_STANDARD_INFO: [0, 1],
  FAST_IO_LOCK: [0, 1],
  FAST_IO_UNLOCK_SINGLE: [0, 1],
  FAST_IO_UNLOCK_ALL: [0, 1],
  FAST_IO_UNLOCK_ALL_BY_KEY: [0, 1],
  FAST_IO_DEVICE_CONTROL: [0, 1],
  FAST_IO_ACQUIRE_FILE: [0, 1],
  FAST_IO_RELEASE_FILE: [0, 1],
  FAST_IO_DETACH_DEVICE: [0, 1],
  FAST_IO_QUERY_NETWORK_OPEN_INFO: [0, 1],
  FAST_IO_ACQUIRE_FOR_MOD_WRITE: [0, 1],
  FAST_IO_MDL_READ: [0, 1],
  FAST_IO_MDL_READ_COMPLETE: [0, 1],
  FAST_IO_PREPARE_MDL_WRITE: [0, 1],
  FAST_IO_MDL_WRITE_COMPLETE: [0, 1],
  FAST_IO_READ_COMPRESSED: [0, 1],
  FAST_IO_WRITE_COMPRESSED: [0, 1],
  FAST_IO_MDL_READ_COMPLETE_COMPRESSED: [0, 1],
  FAST_IO_MDL_WRITE_COMPLETE_COMPRESSED: [0, 1],
  FAST_IO_QUERY_OPEN: [0, 1],
  FAST_IO_RELEASE_FOR_MOD_WRITE: [0, 1],
  FAST_IO_ACQUIRE_FOR_CCFLUSH: [0, 1],
  FAST_IO_RELEASE_FOR_CCFLUSH: [0, 1],
  // Process-notify routines (PsSetCreateProcessNotifyRoutine(Ex/Ex2)): "The operating system calls the driver's
  // process-notify routine at PASSIVE_LEVEL inside a critical region with normal kernel APCs disabled"
  // (ddi/ntddk/nf-ntddk-pssetcreateprocessnotifyroutineex; ddi/ntddk/nc-ntddk-pcreate_process_notify_routine(_ex): req.irql
  // PASSIVE_LEVEL). The typedefs are pointer types (`PCREATE_PROCESS_NOTIFY_ROUTINE_EX Fn;` as the reference's syntax block writes it).
  PCREATE_PROCESS_NOTIFY_ROUTINE: [0],
  PCREATE_PROCESS_NOTIFY_ROUTINE_EX: [0],
  CREATE_PROCESS_NOTIFY_ROUTINE: [0],
  CREATE_PROCESS_NOTIFY_ROUTINE_EX: [0],
  // --- KMDF event callbacks (the DDI reference, ddi/wdf*/nc-*: req.irql and Remarks) ---
  // EvtDpcFunc "performs driver-defined operations at IRQL = DISPATCH_LEVEL": ddi/wdfdpc/nc-wdfdpc-evt_wdf_dpc
  EVT_WDF_DPC: [2],
  // EvtInterruptDpc "executes at DISPATCH_LEVEL": ddi/wdfinterrupt/nc-wdfinterrupt-evt_wdf_interrupt_dpc
  EVT_WDF_INTERRUPT_DPC: [2],
  // EvtInterruptIsr / EvtInterruptSynchronize / EvtInterruptEnable / EvtInterruptDisable: the framework raises to the
  // device's DIRQL (PASSIVE_LEVEL for an interrupt object with passive-level handling, KMDF 1.11):
  // ddi/wdfinterrupt/nc-wdfinterrupt-evt_wdf_interrupt_isr, -evt_wdf_interrupt_synchronize, -evt_wdf_interrupt_enable, -evt_wdf_interrupt_disable
  EVT_WDF_INTERRUPT_ISR: [DIRQL],
  EVT_WDF_INTERRUPT_SYNCHRONIZE: [DIRQL],
  EVT_WDF_INTERRUPT_ENABLE: [DIRQL],
  EVT_WDF_INTERRUPT_DISABLE: [DIRQL],
  // EvtInterruptWorkItem, req.irql PASSIVE_LEVEL: ddi/wdfinterrupt/nc-wdfinterrupt-evt_wdf_interrupt_workitem
  EVT_WDF_INTERRUPT_WORKITEM: [0],
  // EvtTimerFunc: a DPC at DISPATCH_LEVEL by default, PASSIVE_LEVEL for a timer with WdfExecutionLevelPassive (KMDF 1.9):
  // ddi/wdftimer/nc-wdftimer-evt_wdf_timer
  EVT_WDF_TIMER: [2],
  // EvtWorkItem "runs at IRQL = PASSIVE_LEVEL in the context of a system worker thread": ddi/wdfworkitem/nc-wdfworkitem-evt_wdf_workitem
  EVT_WDF_WORKITEM: [0],
  // Queue callbacks "can be called at IRQL <= DISPATCH_LEVEL, unless the ExecutionLevel member of the device or driver's
  // WDF_OBJECT_ATTRIBUTES structure is set to WdfExecutionLevelPassive": ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_read (and
  // -io_write, -io_device_control, -io_internal_device_control, -io_default, -io_stop, -io_resume, -io_canceled_on_queue, -state)
  EVT_WDF_IO_QUEUE_IO_DEFAULT: UP_TO_DISPATCH,
  EVT_WDF_IO_QUEUE_IO_READ: UP_TO_DISPATCH,
  EVT_WDF_IO_QUEUE_IO_WRITE: UP_TO_DISPATCH,
  EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL: UP_TO_DISPATCH,
  EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL: UP_TO_DISPATCH,
  EVT_WDF_IO_QUEUE_IO_STOP: UP_TO_DISPATCH,
  EVT_WDF_IO_QUEUE_IO_RESUME: UP_TO_DISPATCH,
  EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE: UP_TO_DISPATCH,
  EVT_WDF_IO_QUEUE_STATE: UP_TO_DISPATCH,
  // req.irql PASSIVE_LEVEL: ddi/wdfdriver/nc-wdfdriver-evt_wdf_driver_device_add, -evt_wdf_driver_unload;
  // ddi/wdfdevice/nc-wdfdevice-evt_wdf_device_prepare_hardware, -release_hardware, -d0_entry, -d0_exit,
  // -d0_entry_post_interrupts_enabled, -d0_exit_pre_interrupts_disabled, -self_managed_io_*, -surprise_removal,
  // -query_remove, -query_stop, -file_create; ddi/wdfdevice/nc-wdfdevice-evt_wdf_file_close, -evt_wdf_file_cleanup
  EVT_WDF_DRIVER_DEVICE_ADD: [0],
  EVT_WDF_DRIVER_UNLOAD: [0],
  EVT_WDF_DEVICE_PREPARE_HARDWARE: [0],
  EVT_WDF_DEVICE_RELEASE_HARDWARE: [0],
  EVT_WDF_DEVICE_D0_ENTRY: [0],
  EVT_WDF_DEVICE_D0_EXIT: [0],
  EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED: [0],
  EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED: [0],
  EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT: [0],
  EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP: [0],
  EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH: [0],
  EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND: [0],
  EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART: [0],
  EVT_WDF_DEVICE_SURPRISE_REMOVAL: [0],
  EVT_WDF_DEVICE_QUERY_REMOVE: [0],
  EVT_WDF_DEVICE_QUERY_STOP: [0],
  EVT_WDF_DEVICE_FILE_CREATE: [0],
  EVT_WDF_FILE_CLOSE: [0],
  EVT_WDF_FILE_CLEANUP: [0],
};

/**
 * KMDF roles whose level depends on the object's execution level: with `WdfExecutionLevelPassive` they run at
 * PASSIVE_LEVEL (queue callbacks, timers). Which object a callback belongs to is not tracked: in a program that
 * creates passive-level objects, their entry levels are uncertain (`EntryContext.unknownLevels`).
 */
const KMDF_EXECUTION_LEVEL_ROLES = new Set([
  'EVT_WDF_TIMER',
  'EVT_WDF_IO_QUEUE_IO_DEFAULT',
  'EVT_WDF_IO_QUEUE_IO_READ',
  'EVT_WDF_IO_QUEUE_IO_WRITE',
  'EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL',
  'EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL',
  'EVT_WDF_IO_QUEUE_IO_STOP',
  'EVT_WDF_IO_QUEUE_IO_RESUME',
  'EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE',
  'EVT_WDF_IO_QUEUE_STATE',
]);
/** KMDF interrupt callbacks: at DIRQL, or at PASSIVE_LEVEL for an interrupt object with passive-level handling. */
const KMDF_INTERRUPT_ROLES = new Set(['EVT_WDF_INTERRUPT_ISR', 'EVT_WDF_INTERRUPT_SYNCHRONIZE', 'EVT_WDF_INTERRUPT_ENABLE', 'EVT_WDF_INTERRUPT_DISABLE']);
/** Role types whose routine runs in a system worker thread. */
const SYSTEM_THREAD_ROLES = new Set(['KSTART_ROUTINE', 'IO_WORKITEM_ROUTINE', 'WORKER_THREAD_ROUTINE', 'IO_WORKITEM_ROUTINE_EX', 'EVT_WDF_WORKITEM', 'EVT_WDF_INTERRUPT_WORKITEM']);

/** Role types whose routine runs in a DPC: a wait there is 0xB8 ATTEMPTED_SWITCH_FROM_DPC. */
const DPC_ROLES = new Set(['KDEFERRED_ROUTINE', 'IO_DPC_ROUTINE', 'IO_TIMER_ROUTINE', 'EVT_WDF_DPC', 'EVT_WDF_INTERRUPT_DPC', 'EVT_WDF_TIMER']);

interface Registration {
  /** Index of the routine argument. */
  arg: number;
  levels: number[];
  dpc?: boolean;
  systemThread?: boolean;
  /** The role type the registration gives the routine (KMDF configuration macros, process-notify routines). */
  role?: string;
  as: string;
}

/**
 * DDIs that give the routines passed to them a role, whatever the level they are entered at: a cancel-safe queue's
 * CsqAcquireLock (the fifth argument of IoCsqInitialize / IoCsqInitializeEx) returns holding the queue's lock, its
 * CsqReleaseLock (the sixth) releases it; the level is that of the lock the driver chose.
 */
const ROLE_ARGS = new Map<string, Record<number, string>>([
  ['IoCsqInitialize', { 4: 'IO_CSQ_ACQUIRE_LOCK', 5: 'IO_CSQ_RELEASE_LOCK' }],
  ['IoCsqInitializeEx', { 4: 'IO_CSQ_ACQUIRE_LOCK', 5: 'IO_CSQ_RELEASE_LOCK' }],
]);

/** DDIs that register a callback, and the levels the callback is entered at (§2c, §3 Remarks; the DDI reference for the others). */
const REGISTRATIONS = new Map<string, Registration | Registration[]>([
  ['KeInitializeDpc', { arg: 1, levels: [2], dpc: true, as: 'DPC routine' }],
  ['IoInitializeDpcRequest', { arg: 1, levels: [2], dpc: true, as: 'DpcForIsr' }],
  ['IoInitializeTimer', { arg: 1, levels: [2], dpc: true, as: 'I/O timer routine' }],
  ['IoSetCompletionRoutine', { arg: 1, levels: UP_TO_DISPATCH, as: 'completion routine (≤ DISPATCH_LEVEL)' }],
  ['IoSetCompletionRoutineEx', { arg: 2, levels: UP_TO_DISPATCH, as: 'completion routine (≤ DISPATCH_LEVEL)' }],
  ['IoQueueWorkItem', { arg: 1, levels: [0], systemThread: true, as: 'work item' }],
  ['IoQueueWorkItemEx', { arg: 1, levels: [0], systemThread: true, as: 'work item' }],
  ['ExInitializeWorkItem', { arg: 1, levels: [0], systemThread: true, as: 'work item' }],
  ['PsCreateSystemThread', { arg: 5, levels: [0], systemThread: true, as: 'system thread start routine' }],
  ['IoConnectInterrupt', { arg: 1, levels: [DIRQL], as: 'interrupt service routine (DIRQL)' }],
  ['IoAllocateController', { arg: 2, levels: [2], as: 'ControllerControl routine (DRIVER_CONTROL)' }],
  ['IoAllocateAdapterChannel', { arg: 3, levels: [2], as: 'AdapterControl routine (DRIVER_CONTROL)' }],
  ['AllocateAdapterChannel', { arg: 3, levels: [2], as: 'AdapterControl routine (DRIVER_CONTROL)' }],
  ['KeSynchronizeExecution', { arg: 1, levels: [DIRQL], as: 'SynchCritSection routine (DIRQL)' }],
  // Process-notify routines run at PASSIVE_LEVEL: ddi/ntddk/nf-ntddk-pssetcreateprocessnotifyroutine(ex, ex2).
  ['PsSetCreateProcessNotifyRoutine', { arg: 0, levels: [0], role: 'PCREATE_PROCESS_NOTIFY_ROUTINE', as: 'process-notify routine (PASSIVE_LEVEL)' }],
  ['PsSetCreateProcessNotifyRoutineEx', { arg: 0, levels: [0], role: 'PCREATE_PROCESS_NOTIFY_ROUTINE_EX', as: 'process-notify routine (PASSIVE_LEVEL)' }],
  ['PsSetCreateProcessNotifyRoutineEx2', { arg: 1, levels: [0], role: 'PCREATE_PROCESS_NOTIFY_ROUTINE_EX', as: 'process-notify routine (PASSIVE_LEVEL)' }],
  // KMDF configuration initializers (ddi/wdfdpc/nf-wdfdpc-wdf_dpc_config_init, ddi/wdfworkitem/nf-wdfworkitem-wdf_workitem_config_init,
  // ddi/wdftimer/nf-wdftimer-wdf_timer_config_init(_periodic), ddi/wdfinterrupt/nf-wdfinterrupt-wdf_interrupt_config_init,
  // ddi/wdfdriver/nf-wdfdriver-wdf_driver_config_init): the routine gets the callback's role type.
  ['WDF_DPC_CONFIG_INIT', { arg: 1, levels: [2], dpc: true, role: 'EVT_WDF_DPC', as: 'EvtDpcFunc (EVT_WDF_DPC)' }],
  ['WDF_WORKITEM_CONFIG_INIT', { arg: 1, levels: [0], systemThread: true, role: 'EVT_WDF_WORKITEM', as: 'EvtWorkItem (EVT_WDF_WORKITEM)' }],
  ['WDF_TIMER_CONFIG_INIT', { arg: 1, levels: [2], dpc: true, role: 'EVT_WDF_TIMER', as: 'EvtTimerFunc (EVT_WDF_TIMER)' }],
  ['WDF_TIMER_CONFIG_INIT_PERIODIC', { arg: 1, levels: [2], dpc: true, role: 'EVT_WDF_TIMER', as: 'EvtTimerFunc (EVT_WDF_TIMER)' }],
  [
    'WDF_INTERRUPT_CONFIG_INIT',
    [
      { arg: 1, levels: [DIRQL], role: 'EVT_WDF_INTERRUPT_ISR', as: 'EvtInterruptIsr (EVT_WDF_INTERRUPT_ISR)' },
      { arg: 2, levels: [2], dpc: true, role: 'EVT_WDF_INTERRUPT_DPC', as: 'EvtInterruptDpc (EVT_WDF_INTERRUPT_DPC)' },
    ],
  ],
  ['WDF_DRIVER_CONFIG_INIT', { arg: 1, levels: [0], role: 'EVT_WDF_DRIVER_DEVICE_ADD', as: 'EvtDriverDeviceAdd (EVT_WDF_DRIVER_DEVICE_ADD)' }],
]);

/** Routines a driver stores in its DRIVER_OBJECT (§2c "called at"). */
const DRIVER_OBJECT_SLOTS: Record<string, Omit<Registration, 'arg'>> = {
  DriverStartIo: { levels: [2], as: 'DriverStartIo (DRIVER_STARTIO)' },
  DriverUnload: { levels: [0], as: 'DriverUnload (DRIVER_UNLOAD)' },
  AddDevice: { levels: [0], as: 'AddDevice (DRIVER_ADD_DEVICE)' },
};

/**
 * The members of a file system's FAST_IO_DISPATCH table (wdm.h; ifs/registering-fast-i-o-dispatch-routines): fast I/O
 * runs synchronously in the requesting thread on cached data and may take a page fault and wait for it
 * (ifs/irps-are-different-from-fast-i-o), so at PASSIVE_LEVEL or APC_LEVEL, the levels the IRPs it stands for are
 * sent at (ifs/dispatch-routine-irql-and-thread-context). Both are explored.
 */
const FAST_IO_SLOTS: Record<string, Omit<Registration, 'arg'>> = Object.fromEntries(
  (
    [
      ['FastIoCheckIfPossible', 'FAST_IO_CHECK_IF_POSSIBLE'],
      ['FastIoRead', 'FAST_IO_READ'],
      ['FastIoWrite', 'FAST_IO_WRITE'],
      ['FastIoQueryBasicInfo', 'FAST_IO_QUERY_BASIC_INFO'],
      ['FastIoQueryStandardInfo', 'FAST_IO_QUERY_STANDARD_INFO'],
      ['FastIoLock', 'FAST_IO_LOCK'],
      ['FastIoUnlockSingle', 'FAST_IO_UNLOCK_SINGLE'],
      ['FastIoUnlockAll', 'FAST_IO_UNLOCK_ALL'],
      ['FastIoUnlockAllByKey', 'FAST_IO_UNLOCK_ALL_BY_KEY'],
      ['FastIoDeviceControl', 'FAST_IO_DEVICE_CONTROL'],
      ['AcquireFileForNtCreateSection', 'FAST_IO_ACQUIRE_FILE'],
      ['ReleaseFileForNtCreateSection', 'FAST_IO_RELEASE_FILE'],
      ['FastIoDetachDevice', 'FAST_IO_DETACH_DEVICE'],
      ['FastIoQueryNetworkOpenInfo', 'FAST_IO_QUERY_NETWORK_OPEN_INFO'],
      ['AcquireForModWrite', 'FAST_IO_ACQUIRE_FOR_MOD_WRITE'],
      ['MdlRead', 'FAST_IO_MDL_READ'],
      ['MdlReadComplete', 'FAST_IO_MDL_READ_COMPLETE'],
      ['PrepareMdlWrite', 'FAST_IO_PREPARE_MDL_WRITE'],
      ['MdlWriteComplete', 'FAST_IO_MDL_WRITE_COMPLETE'],
      ['FastIoReadCompressed', 'FAST_IO_READ_COMPRESSED'],
      ['FastIoWriteCompressed', 'FAST_IO_WRITE_COMPRESSED'],
      ['MdlReadCompleteCompressed', 'FAST_IO_MDL_READ_COMPLETE_COMPRESSED'],
      ['MdlWriteCompleteCompressed', 'FAST_IO_MDL_WRITE_COMPLETE_COMPRESSED'],
      ['FastIoQueryOpen', 'FAST_IO_QUERY_OPEN'],
      ['ReleaseForModWrite', 'FAST_IO_RELEASE_FOR_MOD_WRITE'],
      ['AcquireForCcFlush', 'FAST_IO_ACQUIRE_FOR_CCFLUSH'],
      ['ReleaseForCcFlush', 'FAST_IO_RELEASE_FOR_CCFLUSH'],
    ] as const
  ).map(([member, role]) => [member, { levels: [0, 1], role, as: `the FAST_IO_DISPATCH member ${member}` }]),
);

/** Callback members of the KMDF configuration structures (`queueConfig.EvtIoRead = Fn`): the role they give (ROLE_LEVELS). */
const KMDF_SLOTS: Record<string, Omit<Registration, 'arg'>> = Object.fromEntries(
  (
    [
      ['EvtIoDefault', 'EVT_WDF_IO_QUEUE_IO_DEFAULT'],
      ['EvtIoRead', 'EVT_WDF_IO_QUEUE_IO_READ'],
      ['EvtIoWrite', 'EVT_WDF_IO_QUEUE_IO_WRITE'],
      ['EvtIoDeviceControl', 'EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL'],
      ['EvtIoInternalDeviceControl', 'EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL'],
      ['EvtIoStop', 'EVT_WDF_IO_QUEUE_IO_STOP'],
      ['EvtIoResume', 'EVT_WDF_IO_QUEUE_IO_RESUME'],
      ['EvtIoCanceledOnQueue', 'EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE'],
      ['EvtDpcFunc', 'EVT_WDF_DPC'],
      ['EvtWorkItemFunc', 'EVT_WDF_WORKITEM'],
      ['EvtTimerFunc', 'EVT_WDF_TIMER'],
      ['EvtInterruptIsr', 'EVT_WDF_INTERRUPT_ISR'],
      ['EvtInterruptDpc', 'EVT_WDF_INTERRUPT_DPC'],
      ['EvtInterruptEnable', 'EVT_WDF_INTERRUPT_ENABLE'],
      ['EvtInterruptDisable', 'EVT_WDF_INTERRUPT_DISABLE'],
      ['EvtInterruptWorkItem', 'EVT_WDF_INTERRUPT_WORKITEM'],
      ['EvtDriverDeviceAdd', 'EVT_WDF_DRIVER_DEVICE_ADD'],
      ['EvtDriverUnload', 'EVT_WDF_DRIVER_UNLOAD'],
      ['EvtDevicePrepareHardware', 'EVT_WDF_DEVICE_PREPARE_HARDWARE'],
      ['EvtDeviceReleaseHardware', 'EVT_WDF_DEVICE_RELEASE_HARDWARE'],
      ['EvtDeviceD0Entry', 'EVT_WDF_DEVICE_D0_ENTRY'],
      ['EvtDeviceD0Exit', 'EVT_WDF_DEVICE_D0_EXIT'],
      ['EvtDeviceD0EntryPostInterruptsEnabled', 'EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED'],
      ['EvtDeviceD0ExitPreInterruptsDisabled', 'EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED'],
      ['EvtDeviceSelfManagedIoInit', 'EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT'],
      ['EvtDeviceSelfManagedIoCleanup', 'EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP'],
      ['EvtDeviceSelfManagedIoFlush', 'EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH'],
      ['EvtDeviceSelfManagedIoSuspend', 'EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND'],
      ['EvtDeviceSelfManagedIoRestart', 'EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART'],
      ['EvtDeviceSurpriseRemoval', 'EVT_WDF_DEVICE_SURPRISE_REMOVAL'],
      ['EvtDeviceQueryRemove', 'EVT_WDF_DEVICE_QUERY_REMOVE'],
      ['EvtDeviceQueryStop', 'EVT_WDF_DEVICE_QUERY_STOP'],
    ] as const
  ).map(([field, role]) => [
    field,
    { levels: ROLE_LEVELS[role]!, role, dpc: DPC_ROLES.has(role), systemThread: SYSTEM_THREAD_ROLES.has(role), as: `${field} (${role})` },
  ]),
);

export interface RegisteredCallback {
  levels: number[];
  /** How (and where) it is registered. */
  as: string;
  /** Every registration runs it in a DPC. */
  dpc: boolean;
  /** Every registration runs it in a system thread. */
  systemThread: boolean;
  /** The role type every registration gives it (KMDF configuration, process-notify registration), if any. */
  role?: string;
}

/**
 * The levels of [min, max] the simulator explores: PASSIVE, APC and DISPATCH where the range includes
 * them, and the maximum itself when it is above DISPATCH_LEVEL.
 */
export function levelsInRange(min: number, max: number): number[] {
  const out = UP_TO_DISPATCH.filter((l) => l >= min && l <= max);
  if (max > 2) out.push(max);
  if (!out.length) out.push(min);
  return out;
}

const levelText = (l: number) => (l === 0 ? 'PASSIVE_LEVEL' : l === 1 ? 'APC_LEVEL' : l === 2 ? 'DISPATCH_LEVEL' : `IRQL ${l}`);

/**
 * The annotations of a function: those written before its definition (after the previous declaration or
 * definition) and before its prototypes in any file of the program (`_Use_decl_annotations_` definitions take
 * them from there; a `static` function's prototypes are those of its own file). Annotations of other
 * functions' prototypes written above it are not its own.
 */
/** Where the text a declaration's annotations may be in starts: the end of the node before it. */
function precedingEnd(n: SyntaxNode): number {
  let p = n.previousNamedSibling;
  while (p && p.type === 'comment') p = p.previousNamedSibling;
  return p ? p.endIndex : n.parent && n.parent.type !== 'translation_unit' ? n.parent.startIndex : 0;
}

function ownAnnotations(prog: SimProgram, def: FnDef): Annotation[] {
  const short = (n: string) => n.slice(n.lastIndexOf('::') + 1).replace(/^:/, '');
  const before = (n: SyntaxNode): number => {
    let p = n.previousNamedSibling;
    while (p && p.type === 'comment') p = p.previousNamedSibling;
    return p ? p.endIndex : n.parent && n.parent.type !== 'translation_unit' ? n.parent.startIndex : 0;
  };
  const home = prog.sourceOf(def);
  const out: Annotation[] = [];
  for (const file of prog.files) {
    if (file !== home && def.isStatic) continue;
    const ranges: [number, number][] = [];
    if (file === home) ranges.push([before(def.info.node), def.info.body.startIndex]);
    for (const d of file.tree.rootNode.descendantsOfType('declaration')) {
      let x: SyntaxNode | null | undefined = d.childForFieldName('declarator');
      for (let g = 0; x && g < 6 && x.type !== 'function_declarator'; g++) x = x.childForFieldName('declarator');
      const id = x?.type === 'function_declarator' ? x.childForFieldName('declarator') : undefined;
      if (id && (id.text === def.name || id.text === short(def.name))) ranges.push([before(d), d.endIndex]);
    }
    if (ranges.length) out.push(...file.annotations.filter((a) => ranges.some(([f, t]) => a.start >= f && a.start < t)));
  }
  return out;
}

/**
 * A helper's entry context: the IRQLs its callers call it at (each caller simulated once, recording the
 * IRQL at every call of a function of the file), so that a helper called from a DPC is simulated at
 * DISPATCH_LEVEL on its own, like the linter's call-site inference. Undefined when no call was reached.
 */
function callSiteContext(
  prog: SimProgram,
  name: string,
  budget: SimulateOptions = {},
): { levels: number[]; dpc: boolean; unknown: boolean; params: Map<number, number | 'address'> } | undefined {
  if (prog.callSitesBusy.has(name)) return undefined;
  prog.callSitesBusy.add(name);
  try {
    for (const caller of prog.callers.get(name) ?? []) {
      if (prog.callSitesDone.has(caller) || prog.callSitesBusy.has(caller)) continue;
      prog.callSitesDone.add(caller);
      const def = prog.fns.get(caller);
      if (!def) continue;
      // at most 2,000 paths, and no more than the simulation that asks may explore (a fuzzing run's 64 paths,
      // loops unrolled twice, 20,000 steps a path)
      const within = (asked: number | undefined, cap: number) => Math.min(cap, asked ?? cap);
      simulateFunction(prog, def, {
        maxPaths: within(budget.maxPaths, 2000),
        loopBound: within(budget.loopBound, 3),
        callDepth: within(budget.callDepth, 3),
        maxSteps: within(budget.maxSteps, 20_000),
        onCall: (callee, levels, dpc, unknown, args) => {
          let e = prog.callSites.get(callee);
          if (!e) prog.callSites.set(callee, (e = { levels: new Set(), dpc: true, unknown: false }));
          // each parameter: the constant every call passes, or null
          e.args = e.args ? e.args.map((v, i) => (v !== null && v === args[i] ? v : null)) : args.map((v) => v ?? null);
          for (const l of levels) e.levels.add(l);
          e.dpc &&= dpc;
          // Called from a function whose own IRQL is not known (before it set one): neither is the helper's.
          e.unknown ||= unknown;
        },
      });
    }
  } finally {
    prog.callSitesBusy.delete(name);
  }
  const e = prog.callSites.get(name);
  if (!e || !e.levels.size) return undefined;
  const params = new Map<number, number | 'address'>();
  e.args?.forEach((v, i) => {
    if (v !== null) params.set(i, v);
  });
  return { levels: [...e.levels].sort((a, b) => a - b), dpc: e.dpc, unknown: e.unknown, params };
}

export interface EntryContext {
  /** The lowest entry level (the only one when the entry is not a range). */
  irql: number;
  /** Every level the entry may be entered at (explored lazily where the code makes them matter). */
  irqls: number[];
  source: string;
  thread: ThreadContext;
  changesIrql: boolean;
  inDpc: boolean;
  /** Nothing in the program tells the entry IRQL (see `InterpOptions.entryUnknown`). */
  unknown: boolean;
  /** With `unknown`: the levels the entry may be called at, when known (default PASSIVE, APC and DISPATCH_LEVEL). */
  unknownLevels?: number[];
  /** A helper entered as its callers call it: the parameters every call passes one constant (`InterpOptions.entryParams`). */
  params?: Map<number, number | 'address'>;
}

function entryContext(prog: SimProgram, def: FnDef, index: number, budget: SimulateOptions = {}): EntryContext {
  const reg = prog.registered.get(def.name);
  let declared = prog.roles.get(def.name);
  let levels: number[] | undefined;
  let source = 'default (PASSIVE_LEVEL)';
  // The function's own IRQL annotations (its definition's and its prototypes').
  const own = ownAnnotations(prog, def);
  let exact: number | undefined;
  let min: number | undefined;
  let max: number | undefined;
  const texts: string[] = [];
  for (const a of own) {
    const m = /^(_IRQL_requires_|_IRQL_requires_min_|_IRQL_requires_max_|_Function_class_)\(\s*([A-Za-z_0-9]+)\s*\)/.exec(a.text);
    if (!m || m[1] !== a.name) continue;
    if (a.name === '_Function_class_') {
      declared ??= m[2]!;
      continue;
    }
    const v = parseIrql(m[2]!);
    if (v === undefined) continue;
    texts.push(a.text.replace(/\s+/g, ''));
    if (a.name === '_IRQL_requires_') exact = v;
    else if (a.name === '_IRQL_requires_min_') min = v;
    else max = v;
  }
  // A role type declared in any file of the program (or `_Function_class_`); else the one a KMDF configuration or
  // a process-notify registration gives the routine.
  const role = declared ?? reg?.role;
  let range = false;
  if (exact !== undefined) levels = [exact];
  else if (min !== undefined || max !== undefined) {
    // Any IRQL annotation without an explicit maximum implies DISPATCH_LEVEL (§2b); the minimum is PASSIVE_LEVEL.
    levels = levelsInRange(min ?? 0, max ?? Math.max(2, min ?? 0));
    range = levels.length > 1;
  }
  if (levels) source = texts.join(' ');
  const annotated = !!levels;
  // KMDF callbacks whose level depends on how the program configures the object (WdfExecutionLevelPassive,
  // passive-level interrupt handling): the candidate levels, of which the program does not say which applies.
  let uncertain: number[] | undefined;
  if (!levels && role && ROLE_LEVELS[role]) {
    levels = ROLE_LEVELS[role];
    range = levels.length > 1;
    source = declared === undefined && reg?.role === role ? `registered as ${reg.as} (role type ${role})` : `role type ${role}`;
    if (KMDF_EXECUTION_LEVEL_ROLES.has(role) && prog.kmdfPassiveExecution) {
      uncertain = [...new Set([0, ...levels])].sort((x, y) => x - y);
      source += ` (the program creates WdfExecutionLevelPassive objects: PASSIVE_LEVEL for those)`;
    } else if (KMDF_INTERRUPT_ROLES.has(role) && prog.kmdfPassiveInterrupts) {
      uncertain = [0, ...levels];
      source += ` (the program requests passive-level interrupt handling: PASSIVE_LEVEL for those)`;
    }
  }
  if (reg && !uncertain) {
    if (!levels) {
      levels = reg.levels;
      source = `registered as ${reg.as}`;
    } else if (range) {
      // A range narrowed by how the program registers the function (a `_IRQL_requires_max_(DISPATCH_LEVEL)` DPC).
      const both = levels.filter((l) => reg.levels.includes(l));
      if (both.length) {
        levels = both;
        // (not said twice when the range is the role this registration gave: a FAST_IO_DISPATCH member)
        if (!(declared === undefined && reg.role === role)) source += `, registered as ${reg.as}`;
      }
    }
  }
  // A helper without annotations: entered at the IRQLs its callers call it at.
  let helperDpc = false;
  let helperSource = false;
  let helperUnknown = false;
  let helperParams: Map<number, number | 'address'> | undefined;
  if (!levels && !role && prog.isHelper(def.name)) {
    const cs = callSiteContext(prog, def.name, budget);
    if (cs && cs.unknown) helperUnknown = true;
    else if (cs) {
      levels = cs.levels;
      if (cs.params.size) helperParams = cs.params;
      helperDpc = cs.dpc && cs.levels.every((l) => l === 2);
      source = `called by its callers at ${cs.levels.map(levelText).join(', ')}`;
      if (helperParams) source += `, with ${[...helperParams].map(([i, v]) => `${def.params[i]?.name || `parameter ${i + 1}`} ${v === 'address' ? 'an address' : `= ${v}`}`).join(', ')} at every call`;
      helperSource = true;
    }
  }
  // Dispatch routines assigned to MajorFunction[] and DriverEntry run at PASSIVE_LEVEL (§2c).
  let unknown = helperUnknown || (!levels && !prog.dispatch.has(def.name) && def.name !== 'DriverEntry');
  if (!levels && !unknown) source = 'PASSIVE_LEVEL (dispatch routine / DriverEntry)';
  if (unknown) source = 'not known here: PASSIVE_LEVEL, IRQL-contract faults only if certain at any level';
  if (uncertain && !annotated) {
    // Entered at the lowest candidate; an IRQL-contract fault is claimed, while the IRQL is the entry's, only if
    // it holds at every candidate level.
    unknown = true;
    levels = [uncertain[0]!];
    source += `: IRQL-contract faults at the entry IRQL only if certain at ${uncertain.map(levelText).join(', ')}`;
  }
  levels ??= [0];
  if (levels.length > 1 && !helperSource) source += `; entered at ${levels.map(levelText).join(', ')}`;
  // Functions annotated to change the IRQL or to acquire / release a lock legitimately exit in another state.
  // A cancel-safe queue's CsqAcquireLock returns holding the queue's lock and CsqReleaseLock releases it (wdm.h
  // IO_CSQ_ACQUIRE_LOCK / IO_CSQ_RELEASE_LOCK: the system calls the one before it touches the queue, the other after).
  let changesIrql = role === 'IO_CSQ_ACQUIRE_LOCK' || role === 'IO_CSQ_RELEASE_LOCK';
  for (const a of own) {
    if (/^_IRQL_(raises|saves|restores|saves_global|restores_global)_$|^__drv_(raisesIRQL|savesIRQL|restoresIRQL|savesIRQLGlobal|restoresIRQLGlobal|setsIRQL|acquiresResource|releasesResource|acquiresExclusiveResource|releasesExclusiveResource|acquiresResourceGlobal|releasesResourceGlobal|acquiresExclusiveResourceGlobal|releasesExclusiveResourceGlobal|acquiresCancelSpinLock|releasesCancelSpinLock)$|^_(Acquires|Releases)_(lock|exclusive_lock|shared_lock|nonreentrant_lock)_$/.test(a.name)) changesIrql = true;
  }
  let thread: ThreadContext = 'arbitrary';
  const hasIrp = def.params.some((p) => /^(PIRP|IRP|struct _IRP)$/.test(p.type.trim()));
  if (role === 'DRIVER_DISPATCH' || (hasIrp && !role && !reg)) thread = 'system-service';
  else if ((role !== undefined && SYSTEM_THREAD_ROLES.has(role)) || (!role && reg?.systemThread)) thread = 'system-thread';
  const inDpc =
    !uncertain &&
    (helperDpc || (levels.every((l) => l === 2) && ((role !== undefined && DPC_ROLES.has(role)) || (!!reg?.dpc && (role === undefined || DPC_ROLES.has(role))))));
  return { irql: levels[0]!, irqls: levels, source, thread, changesIrql, inDpc, unknown, unknownLevels: unknown ? uncertain : undefined, ...(helperParams ? { params: helperParams } : {}) };
}

function runPath(
  prog: SimProgram,
  def: FnDef,
  ctx: EntryContext,
  o: Required<SimulateOptions>,
  choices: number[],
  counts: number[],
  trace: boolean,
  exploration?: Exploration,
): PathRecord {
  const run = new Run(
    prog.fnsOf(def),
    prog.scopeOf(def),
    {
      entryIrql: ctx.irql,
      entryIrqls: ctx.irqls,
      inDpc: ctx.inDpc,
      entryUnknown: ctx.unknown,
      entryUnknownLevels: ctx.unknownLevels,
      ...(ctx.params ? { entryParams: ctx.params } : {}),
      passiveInterrupts: prog.kmdfPassiveInterrupts,
      program: prog.view,
      declaredIrql: (n) => prog.declaredIrql(n),
      verifier: o.verifier,
      loopBound: o.loopBound,
      callDepth: o.callDepth,
      maxSteps: o.maxSteps,
      trace,
      thread: ctx.thread,
      exploration,
      changesIrql: ctx.changesIrql,
      logBranches: o.logBranches,
      onCall: o.onCall,
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
    rendered: run.rendered,
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
    onCall: opts.onCall ?? (() => {}),
  };
}

export function simulateFunction(prog: SimProgram, def: FnDef, opts: SimulateOptions = {}): FunctionSimResult {
  const o = defaults(opts);
  const t0 = performance.now();
  const index = prog.defs.indexOf(def);
  const ctx = entryContext(prog, def, index, opts);
  if (o.irql >= 0) {
    ctx.irql = o.irql;
    ctx.irqls = [o.irql];
    ctx.unknown = false;
    ctx.source = 'given';
  }
  const choices: number[] = [];
  const counts: number[] = [];
  let paths = 0;
  let faultingPaths = 0;
  let rendered = 0;
  let capped = false;
  let error: string | undefined;
  const ends: Record<PathRecord['end'], number> = { return: 0, fault: 0, 'loop-bound': 0, 'step-bound': 0, aborted: 0, merged: 0, exception: 0 };
  const faults = new Map<string, SimFault>();
  const escapes = new Map<string, SimFault>();
  const covered = new Set<number>();
  const nullReturnLines = new Set<number>();
  const branchLogs: number[][] = [];
  const exploration = o.merge ? newExploration() : undefined;
  for (;;) {
    if (paths >= o.maxPaths) {
      capped = true;
      break;
    }
    let rec: PathRecord;
    try {
      rec = runPath(prog, def, ctx, o, choices, counts, false, exploration);
    } catch (e) {
      // A construct the interpreter cannot execute: stop exploring this function, say so.
      error = `simulator error on path ${paths + 1}: ${e instanceof Error ? e.message : String(e)}`;
      break;
    }
    paths++;
    rendered += rec.rendered ?? 0;
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
    ...(def.file !== undefined ? { file: def.file } : {}),
    line: def.line,
    endLine: def.endLine,
    entryIrql: ctx.irql,
    entryIrqls: ctx.irqls,
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
    rendered,
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

/** Every function of a file, or of a program of several files (`SimProgram.fromFiles`). */
export function simulateSource(file: SourceFile | readonly SourceFile[], opts: SimulateOptions = {}): FunctionSimResult[] {
  const prog = new SimProgram(file);
  const out: FunctionSimResult[] = [];
  for (const def of prog.defs) {
    if (opts.entry && def.name !== opts.entry) continue;
    out.push(simulateFunction(prog, def, opts));
  }
  return out;
}

/** Re-run one path (by its decisions) with a full trace: lines, IRQL and MDL states per step. */
export function tracePath(prog: SimProgram, fn: string | FnDef, choices: number[], opts: SimulateOptions = {}): { record: PathRecord; trace: TraceStep[] } {
  const o = defaults(opts);
  const index = typeof fn === 'string' ? prog.defs.findIndex((d) => d.name === fn) : prog.defs.indexOf(fn);
  const def = prog.defs[index];
  if (!def) throw new Error(`no function ${typeof fn === 'string' ? fn : fn.name}`);
  const ctx = entryContext(prog, def, index, opts);
  if (o.irql >= 0) {
    ctx.irql = o.irql;
    ctx.irqls = [o.irql];
    ctx.unknown = false;
  }
  const counts: number[] = [];
  const rec = runPath(prog, def, ctx, o, choices.slice(), counts, true);
  return { record: rec, trace: rec.trace ?? [] };
}
