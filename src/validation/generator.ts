/**
 * Seeded, deterministic generator of driver-like functions for differential testing of the linter
 * against the simulator. A program is a small statement tree (so it can be shrunk) rendered to C.
 *
 * Extending for a new rule: add a statement kind to `GStmt`, a case to `genStmt` (with a weight in
 * `KINDS`) and to `renderStmt`; shrinking works on any kind (it removes or flattens statements).
 */

export type Buf = 'Buffer' | 'Irp->UserBuffer' | 'pool';
export type Exit = { k: 'return'; status: string } | { k: 'goto' } | { k: 'none' };
export type Filter = 'execute' | 'av-only' | 'continue-search' | 'two-codes';
export type Cond =
  | { k: 'status-failed' }
  | { k: 'status-ok' }
  | { k: 'flag'; i: number }
  | { k: 'not-flag'; i: number }
  | { k: 'length'; n: number }
  | { k: 'ctx-flag'; bit: number }
  | { k: 'mdl-locked'; i: number }
  | { k: 'mdl-nonnull'; i: number };

export type GStmt =
  | { k: 'alloc'; i: number; buf: Buf; onNull: Exit }
  | { k: 'probe-try'; i: number; flag: boolean; filter: Filter; freeInHandler: boolean; exit: Exit }
  | { k: 'probe-bare'; i: number; flag: boolean }
  | { k: 'unlock'; i: number; clearFlag: boolean }
  | { k: 'free'; i: number; guarded: boolean }
  | { k: 'build'; i: number }
  | { k: 'partial'; src: number; dst: number }
  | { k: 'map'; i: number; exit: Exit }
  | { k: 'status-op' }
  | { k: 'set-status'; status: string }
  | { k: 'if'; c: Cond; then: GStmt[]; else?: GStmt[] }
  | { k: 'exit'; e: Exit }
  | { k: 'loop'; n: number; body: GStmt[] }
  | { k: 'spin'; body: GStmt[]; queued: boolean }
  | { k: 'raise-irql'; body: GStmt[] }
  | { k: 'try-finally'; body: GStmt[]; fin: GStmt[]; outerExcept: boolean }
  | { k: 'leave' }
  | { k: 'store-irp'; i: number; clear: boolean }
  | { k: 'complete-irp' }
  | { k: 'helper-lock'; i: number }
  | { k: 'helper-release'; i: number }
  /** The MDL handed to an external function (not defined in the file): it escapes. */
  | { k: 'pass-mdl'; i: number }
  | { k: 'noise' };

export interface GenProgram {
  name: string;
  /** Number of MDL variables. */
  mdls: number;
  /** The buffer each MDL variable describes (pool buffers are probed with KernelMode). */
  bufs: Buf[];
  body: GStmt[];
  cleanup: GStmt[];
  helpers: boolean;
}

/** mulberry32 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    const total = xs.reduce((a, [, w]) => a + w, 0);
    let r = this.next() * total;
    for (const [x, w] of xs) {
      r -= w;
      if (r < 0) return x;
    }
    return xs[xs.length - 1]![0];
  }
}

const STATUSES = ['STATUS_UNSUCCESSFUL', 'STATUS_INVALID_PARAMETER', 'STATUS_BUFFER_TOO_SMALL', 'STATUS_INSUFFICIENT_RESOURCES'];

interface GenCtx {
  rng: Rng;
  mdls: number;
  depth: number;
  budget: number;
  inFinallyTry: boolean;
  inLoop: boolean;
  usesGoto: boolean;
  helpers: boolean;
  /** The IRP is either completed here or given an MDL, once (a second store would drop the first MDL). */
  irpUsed: boolean;
}

function genExit(g: GenCtx, allowNone = true): Exit {
  const r = g.rng.next();
  if (r < 0.45) return { k: 'return', status: g.rng.pick(STATUSES) };
  if (r < 0.8 || !allowNone) {
    if (g.inFinallyTry || g.inLoop) return { k: 'return', status: g.rng.pick(STATUSES) };
    g.usesGoto = true;
    return { k: 'goto' };
  }
  return { k: 'none' };
}

function genCond(g: GenCtx): Cond {
  const i = g.rng.int(g.mdls);
  return g.rng.weighted<Cond>([
    [{ k: 'status-failed' }, 4],
    [{ k: 'status-ok' }, 2],
    [{ k: 'flag', i }, 3],
    [{ k: 'not-flag', i }, 1],
    [{ k: 'length', n: g.rng.pick([16, 64, 4096]) }, 3],
    [{ k: 'ctx-flag', bit: g.rng.pick([1, 2, 4]) }, 3],
    [{ k: 'mdl-locked', i }, 2],
    [{ k: 'mdl-nonnull', i }, 2],
  ]);
}

type Kind = GStmt['k'];
const KINDS: (readonly [Kind, number])[] = [
  ['alloc', 0], // emitted by the skeleton
  ['probe-try', 3],
  ['probe-bare', 0.4],
  ['unlock', 2.5],
  ['free', 1.5],
  ['build', 0.4],
  ['partial', 0.3],
  ['map', 1.5],
  ['status-op', 2],
  ['set-status', 0.6],
  ['if', 3],
  ['exit', 0.8],
  ['loop', 0.6],
  ['spin', 0.7],
  ['raise-irql', 0.4],
  ['try-finally', 0.6],
  ['store-irp', 0.4],
  ['complete-irp', 0.3],
  ['helper-lock', 0.5],
  ['helper-release', 0.4],
  ['pass-mdl', 0.4],
  ['noise', 1],
];

function genBlock(g: GenCtx, n: number): GStmt[] {
  const out: GStmt[] = [];
  for (let k = 0; k < n && g.budget > 0; k++) out.push(genStmt(g));
  return out;
}

function genStmt(g: GenCtx): GStmt {
  g.budget--;
  const rng = g.rng;
  const i = rng.int(g.mdls);
  const nested = g.depth < 2;
  let kind = rng.weighted(KINDS.filter(([k]) => nested || !['if', 'loop', 'spin', 'raise-irql', 'try-finally'].includes(k)));
  if (kind === 'leave' && !g.inFinallyTry) kind = 'noise';
  switch (kind) {
    case 'probe-try':
      return {
        k: 'probe-try',
        i,
        flag: rng.chance(0.6),
        filter: rng.weighted<Filter>([['execute', 12], ['av-only', 1], ['continue-search', 0.5], ['two-codes', 0.5]]),
        freeInHandler: rng.chance(0.4),
        exit: genExit(g),
      };
    case 'probe-bare':
      return { k: 'probe-bare', i, flag: rng.chance(0.5) };
    case 'unlock':
      return { k: 'unlock', i, clearFlag: rng.chance(0.5) };
    case 'free':
      return { k: 'free', i, guarded: rng.chance(0.6) };
    case 'build':
      return { k: 'build', i };
    case 'partial':
      return g.mdls > 1 ? { k: 'partial', src: 0, dst: 1 } : { k: 'noise' };
    case 'map':
      return { k: 'map', i, exit: genExit(g) };
    case 'status-op':
      return { k: 'status-op' };
    case 'set-status':
      return { k: 'set-status', status: rng.pick(STATUSES) };
    case 'if': {
      g.depth++;
      const s: GStmt = { k: 'if', c: genCond(g), then: genBlock(g, 1 + rng.int(3)), else: rng.chance(0.3) ? genBlock(g, 1 + rng.int(2)) : undefined };
      g.depth--;
      return s;
    }
    case 'exit':
      return { k: 'exit', e: genExit(g, false) };
    case 'loop': {
      g.depth++;
      const wasLoop = g.inLoop;
      g.inLoop = true;
      const s: GStmt = { k: 'loop', n: 1 + rng.int(3), body: genBlock(g, 1 + rng.int(4)) };
      g.inLoop = wasLoop;
      g.depth--;
      return s;
    }
    case 'spin': {
      g.depth++;
      const body: GStmt[] = [];
      const n = 1 + rng.int(2);
      for (let k = 0; k < n; k++) body.push(rng.chance(0.5) ? { k: 'unlock', i: rng.int(g.mdls), clearFlag: rng.chance(0.5) } : { k: 'noise' });
      g.depth--;
      return { k: 'spin', body, queued: rng.chance(0.3) };
    }
    case 'raise-irql':
      return { k: 'raise-irql', body: [rng.chance(0.5) ? { k: 'unlock', i, clearFlag: true } : { k: 'noise' }] };
    case 'try-finally': {
      g.depth++;
      const was = g.inFinallyTry;
      g.inFinallyTry = true;
      const body = genBlock(g, 1 + rng.int(3));
      if (rng.chance(0.3)) body.splice(rng.int(body.length + 1), 0, { k: 'if', c: genCond(g), then: [{ k: 'leave' }] });
      g.inFinallyTry = was;
      const fin: GStmt[] = [{ k: 'if', c: { k: 'flag', i }, then: [{ k: 'unlock', i, clearFlag: true }] }];
      g.depth--;
      return { k: 'try-finally', body, fin, outerExcept: rng.chance(0.7) };
    }
    case 'store-irp':
      // Ownership moves to the IRP: the local reference is dropped (keeping and freeing it too is a
      // use-after-free at completion, outside both rules).
      if (g.irpUsed || g.inLoop) return { k: 'noise' };
      g.irpUsed = true;
      return { k: 'store-irp', i, clear: true };
    case 'complete-irp':
      if (g.irpUsed || g.inLoop) return { k: 'noise' };
      g.irpUsed = true;
      return { k: 'complete-irp' };
    case 'helper-lock':
      g.helpers = true;
      return { k: 'helper-lock', i };
    case 'helper-release':
      g.helpers = true;
      return { k: 'helper-release', i };
    case 'pass-mdl':
      return { k: 'pass-mdl', i };
    default:
      return { k: 'noise' };
  }
}

export function generateProgram(seed: number, index: number): GenProgram {
  const rng = new Rng((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const mdls = rng.chance(0.3) ? 2 : 1;
  const g: GenCtx = { rng, mdls, depth: 0, budget: 4 + rng.int(9), inFinallyTry: false, inLoop: false, usesGoto: false, helpers: false, irpUsed: false };
  const body: GStmt[] = [];
  const bufs: Buf[] = [];
  for (let i = 0; i < mdls; i++) {
    const buf: Buf = rng.weighted<Buf>([['Buffer', 4], ['Irp->UserBuffer', 2], ['pool', 1]]);
    bufs.push(buf);
    body.push({ k: 'alloc', i, buf, onNull: genExit(g, false) });
    // The usual shape: a probe right after the allocation, most of the time.
    if (rng.chance(0.75)) body.push({ k: 'probe-try', i, flag: rng.chance(0.6), filter: rng.chance(0.93) ? 'execute' : 'av-only', freeInHandler: rng.chance(0.5), exit: genExit(g) });
  }
  body.push(...genBlock(g, g.budget));
  const cleanup: GStmt[] = [];
  if (g.usesGoto || rng.chance(0.5)) {
    for (let i = 0; i < mdls; i++) {
      const r = rng.next();
      if (r < 0.5) cleanup.push({ k: 'if', c: { k: 'flag', i }, then: [{ k: 'unlock', i, clearFlag: true }] });
      else if (r < 0.65) cleanup.push({ k: 'if', c: { k: 'mdl-locked', i }, then: [{ k: 'unlock', i, clearFlag: true }] });
      else if (r < 0.8) cleanup.push({ k: 'unlock', i, clearFlag: false });
      if (rng.chance(0.8)) cleanup.push({ k: 'free', i, guarded: true });
    }
  }
  return { name: `Gen_${seed}_${index}`, mdls, bufs, body, cleanup, helpers: g.helpers || containsKind(body, 'helper-lock') || containsKind(body, 'helper-release') };
}

export function containsKind(stmts: GStmt[], kind: Kind): boolean {
  for (const s of stmts) {
    if (s.k === kind) return true;
    for (const sub of children(s)) if (containsKind(sub, kind)) return true;
  }
  return false;
}

function children(s: GStmt): GStmt[][] {
  switch (s.k) {
    case 'if':
      return s.else ? [s.then, s.else] : [s.then];
    case 'loop':
    case 'spin':
    case 'raise-irql':
      return [s.body];
    case 'try-finally':
      return [s.body, s.fin];
    default:
      return [];
  }
}

/** Features of a program (statement kinds and variants), for the allow-list. */
export function features(p: GenProgram): Set<string> {
  const f = new Set<string>();
  const bits = new Set<number>();
  const walk = (ss: GStmt[]) => {
    for (const s of ss) {
      f.add(s.k);
      if (s.k === 'probe-try') f.add(`filter:${s.filter}`);
      if (s.k === 'if') f.add(`cond:${s.c.k}`);
      if (s.k === 'if' && s.c.k === 'ctx-flag') {
        if (bits.has(s.c.bit)) f.add('ctx-flag-repeated');
        bits.add(s.c.bit);
      }
      if (s.k === 'try-finally' && !s.outerExcept) f.add('finally-without-except');
      for (const c of children(s)) walk(c);
    }
  };
  walk(p.body);
  walk(p.cleanup);
  if (p.mdls > 1) f.add('two-mdls');
  return f;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const HEADER = `/* Generated by ddi-lint's differential validator. */
typedef struct _GEN_CONTEXT { ULONG Flags; KSPIN_LOCK Lock; ULONG Count; PMDL Kept; } GEN_CONTEXT, *PGEN_CONTEXT;
NTSTATUS GenOperation(PGEN_CONTEXT Ctx, ULONG Length);
VOID GenConsume(PVOID Va, ULONG Length);
VOID GenKeepMdl(PGEN_CONTEXT Ctx, PMDL Mdl);
`;

const HELPERS = `
PMDL GenLockMdl(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return NULL;
    }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return NULL;
    }
    return mdl;
}

VOID GenReleaseMdl(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}
`;

const LOOP_VARS = ['i', 'j', 'k'];
let loopDepth = 0;
/** Access mode per MDL variable of the program being rendered. */
let modes: string[] = [];
const modeOf = (i: number) => modes[i] ?? 'UserMode';

function condText(c: Cond): string {
  switch (c.k) {
    case 'status-failed':
      return '!NT_SUCCESS(status)';
    case 'status-ok':
      return 'NT_SUCCESS(status)';
    case 'flag':
      return `locked${c.i}`;
    case 'not-flag':
      return `!locked${c.i}`;
    case 'length':
      return `Length > ${c.n}`;
    case 'ctx-flag':
      return `(Ctx->Flags & ${c.bit}) != 0`;
    case 'mdl-locked':
      return `mdl${c.i} != NULL && (mdl${c.i}->MdlFlags & MDL_PAGES_LOCKED)`;
    case 'mdl-nonnull':
      return `mdl${c.i} != NULL`;
  }
}

function exitText(e: Exit, ind: string, statusFirst?: string): string[] {
  const pre = statusFirst ? [`${ind}status = ${statusFirst};`] : [];
  switch (e.k) {
    case 'return':
      return [...pre, `${ind}return ${statusFirst ? 'status' : e.status};`];
    case 'goto':
      return [...pre, `${ind}goto cleanup;`];
    case 'none':
      return pre;
  }
}

function renderStmts(ss: GStmt[], ind: string, out: string[]): void {
  for (const s of ss) renderStmt(s, ind, out);
}

/**
 * MDL operations are rendered under `if (mdlN != NULL)`: a variable may be NULL after a free or a
 * failed helper, and a NULL dereference (a crash neither rule is about) would end the simulated
 * path before the exit the rules talk about.
 */
function guarded(i: number | number[], ind: string, out: string[], body: (ind: string) => void): void {
  const is = Array.isArray(i) ? i : [i];
  out.push(`${ind}if (${is.map((x) => `mdl${x} != NULL`).join(' && ')}) {`);
  body(ind + '    ');
  out.push(`${ind}}`);
}

function renderStmt(s: GStmt, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  switch (s.k) {
    case 'alloc': {
      const buf = s.buf === 'pool' ? 'pool' : s.buf;
      out.push(`${ind}mdl${s.i} = IoAllocateMdl(${buf}, Length, FALSE, FALSE, NULL);`);
      out.push(`${ind}if (mdl${s.i} == NULL) {`);
      const e = exitText(s.onNull, i2, 'STATUS_INSUFFICIENT_RESOURCES');
      out.push(...(e.length > 1 ? e : [...e, `${i2}return STATUS_INSUFFICIENT_RESOURCES;`]));
      out.push(`${ind}}`);
      return;
    }
    case 'probe-try':
      guarded(s.i, ind, out, (ind2) => renderProbeTry(s, ind2, out));
      return;
    case 'probe-bare':
      guarded(s.i, ind, out, (ind2) => {
        out.push(`${ind2}MmProbeAndLockPages(mdl${s.i}, KernelMode, IoReadAccess);`);
        if (s.flag) out.push(`${ind2}locked${s.i} = TRUE;`);
      });
      return;
    case 'unlock':
      guarded(s.i, ind, out, (ind2) => {
        out.push(`${ind2}MmUnlockPages(mdl${s.i});`);
        if (s.clearFlag) out.push(`${ind2}locked${s.i} = FALSE;`);
      });
      return;
    case 'build':
      guarded(s.i, ind, out, (ind2) => out.push(`${ind2}MmBuildMdlForNonPagedPool(mdl${s.i});`));
      return;
    case 'partial':
      guarded([s.src, s.dst], ind, out, (ind2) => out.push(`${ind2}IoBuildPartialMdl(mdl${s.src}, mdl${s.dst}, Buffer, 16);`));
      return;
    case 'map':
      guarded(s.i, ind, out, (ind2) => renderMap(s, ind2, out));
      return;
    default:
      renderOther(s, ind, out);
  }
}

function renderProbeTry(s: GStmt & { k: 'probe-try' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  {
    {
      out.push(`${ind}__try {`);
      out.push(`${i2}MmProbeAndLockPages(mdl${s.i}, ${modeOf(s.i)}, IoReadAccess);`);
      if (s.flag) out.push(`${i2}locked${s.i} = TRUE;`);
      const filter =
        s.filter === 'execute'
          ? 'EXCEPTION_EXECUTE_HANDLER'
          : s.filter === 'av-only'
            ? 'GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH'
            : s.filter === 'two-codes'
              ? '(GetExceptionCode() == STATUS_ACCESS_VIOLATION || GetExceptionCode() == STATUS_IN_PAGE_ERROR) ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH'
              : 'EXCEPTION_CONTINUE_SEARCH';
      out.push(`${ind}} __except (${filter}) {`);
      out.push(`${i2}status = GetExceptionCode();`);
      if (s.freeInHandler) {
        out.push(`${i2}IoFreeMdl(mdl${s.i});`);
        out.push(`${i2}mdl${s.i} = NULL;`);
      }
      out.push(...exitText(s.exit, i2));
      out.push(`${ind}}`);
    }
  }
}

function renderMap(s: GStmt & { k: 'map' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  out.push(`${ind}va = MmGetSystemAddressForMdlSafe(mdl${s.i}, NormalPagePriority);`);
  out.push(`${ind}if (va == NULL) {`);
  out.push(...exitText(s.exit, i2, 'STATUS_INSUFFICIENT_RESOURCES'));
  out.push(`${ind}} else {`);
  out.push(`${i2}GenConsume(va, Length);`);
  out.push(`${ind}}`);
}

function renderOther(s: GStmt, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  switch (s.k) {
    case 'free':
      // Always under a NULL test (see `guarded`); `guarded: false` also forgets the flag.
      out.push(`${ind}if (mdl${s.i} != NULL) {`);
      out.push(`${i2}IoFreeMdl(mdl${s.i});`);
      out.push(`${i2}mdl${s.i} = NULL;`);
      if (s.guarded) out.push(`${i2}locked${s.i} = FALSE;`);
      out.push(`${ind}}`);
      return;
    case 'status-op':
      out.push(`${ind}status = GenOperation(Ctx, Length);`);
      return;
    case 'set-status':
      out.push(`${ind}status = ${s.status};`);
      return;
    case 'if':
      out.push(`${ind}if (${condText(s.c)}) {`);
      renderStmts(s.then, i2, out);
      if (s.else) {
        out.push(`${ind}} else {`);
        renderStmts(s.else, i2, out);
      }
      out.push(`${ind}}`);
      return;
    case 'exit':
      out.push(...exitText(s.e, ind));
      return;
    case 'loop': {
      // One counter per nesting depth (a shared counter would make the outer loop's trip count depend on the inner's).
      const v = LOOP_VARS[Math.min(loopDepth, LOOP_VARS.length - 1)]!;
      loopDepth++;
      out.push(`${ind}for (${v} = 0; ${v} < ${s.n}; ${v}++) {`);
      renderStmts(s.body, i2, out);
      out.push(`${ind}}`);
      loopDepth--;
      return;
    }
    case 'spin':
      if (s.queued) out.push(`${ind}KeAcquireInStackQueuedSpinLock(&Ctx->Lock, &lockHandle);`);
      else out.push(`${ind}KeAcquireSpinLock(&Ctx->Lock, &oldIrql);`);
      renderStmts(s.body, ind, out);
      if (s.queued) out.push(`${ind}KeReleaseInStackQueuedSpinLock(&lockHandle);`);
      else out.push(`${ind}KeReleaseSpinLock(&Ctx->Lock, oldIrql);`);
      return;
    case 'raise-irql':
      out.push(`${ind}KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);`);
      renderStmts(s.body, ind, out);
      out.push(`${ind}KeLowerIrql(oldIrql);`);
      return;
    case 'try-finally': {
      const inner = s.outerExcept ? i2 : ind;
      const inner2 = inner + '    ';
      if (s.outerExcept) out.push(`${ind}__try {`);
      out.push(`${inner}__try {`);
      renderStmts(s.body, inner2, out);
      out.push(`${inner}} __finally {`);
      renderStmts(s.fin, inner2, out);
      out.push(`${inner}}`);
      if (s.outerExcept) {
        out.push(`${ind}} __except (EXCEPTION_EXECUTE_HANDLER) {`);
        out.push(`${i2}status = GetExceptionCode();`);
        out.push(`${ind}}`);
      }
      return;
    }
    case 'leave':
      out.push(`${ind}__leave;`);
      return;
    case 'store-irp':
      guarded(s.i, ind, out, (ind2) => {
        out.push(`${ind2}Irp->MdlAddress = mdl${s.i};`);
        if (s.clear) {
          out.push(`${ind2}mdl${s.i} = NULL;`);
          out.push(`${ind2}locked${s.i} = FALSE;`);
        }
      });
      return;
    case 'complete-irp':
      out.push(`${ind}Irp->IoStatus.Status = status;`);
      out.push(`${ind}IoCompleteRequest(Irp, IO_NO_INCREMENT);`);
      return;
    case 'helper-lock':
      out.push(`${ind}mdl${s.i} = GenLockMdl(Buffer, Length);`);
      out.push(`${ind}locked${s.i} = (mdl${s.i} != NULL);`);
      return;
    case 'helper-release':
      out.push(`${ind}if (mdl${s.i} != NULL) {`);
      out.push(`${i2}GenReleaseMdl(mdl${s.i});`);
      out.push(`${i2}mdl${s.i} = NULL;`);
      out.push(`${i2}locked${s.i} = FALSE;`);
      out.push(`${ind}}`);
      return;
    case 'pass-mdl':
      guarded(s.i, ind, out, (ind2) => out.push(`${ind2}GenKeepMdl(Ctx, mdl${s.i});`));
      return;
    case 'noise':
      out.push(`${ind}Ctx->Count++;`);
      return;
    default:
      return;
  }
}

export interface Rendered {
  text: string;
  /** Function names defined in the text, and the line range of the main one. */
  functions: string[];
}

export function render(p: GenProgram): Rendered {
  loopDepth = 0;
  // A UserMode probe of a kernel (pool) buffer always raises: pool buffers are probed with KernelMode.
  modes = p.bufs.map((b) => (b === 'pool' ? 'KernelMode' : 'UserMode'));
  const out: string[] = [HEADER];
  const functions: string[] = [];
  if (p.helpers) {
    out.push(HELPERS);
    functions.push('GenLockMdl', 'GenReleaseMdl');
  }
  out.push(`NTSTATUS ${p.name}(PDEVICE_OBJECT DeviceObject, PIRP Irp, PGEN_CONTEXT Ctx, PVOID Buffer, ULONG Length)`);
  out.push('{');
  const ind = '    ';
  out.push(`${ind}NTSTATUS status = STATUS_SUCCESS;`);
  for (let i = 0; i < p.mdls; i++) {
    out.push(`${ind}PMDL mdl${i} = NULL;`);
    out.push(`${ind}BOOLEAN locked${i} = FALSE;`);
  }
  out.push(`${ind}PVOID va = NULL;`);
  out.push(`${ind}PVOID pool = NULL;`);
  out.push(`${ind}KIRQL oldIrql;`);
  out.push(`${ind}KLOCK_QUEUE_HANDLE lockHandle;`);
  out.push(`${ind}ULONG i, j, k;`);
  out.push('');
  out.push(`${ind}UNREFERENCED_PARAMETER(DeviceObject);`);
  if (usesPool(p)) {
    out.push(`${ind}pool = ExAllocatePool2(POOL_FLAG_NON_PAGED, Length, 'neGG');`);
    out.push(`${ind}if (pool == NULL) {`);
    out.push(`${ind}    return STATUS_INSUFFICIENT_RESOURCES;`);
    out.push(`${ind}}`);
  }
  renderStmts(p.body, ind, out);
  if (p.cleanup.length || containsGoto(p.body)) {
    out.push('');
    out.push('cleanup:');
    renderStmts(p.cleanup, ind, out);
  }
  if (usesPool(p)) out.push(`${ind}ExFreePoolWithTag(pool, 'neGG');`);
  out.push(`${ind}return status;`);
  out.push('}');
  functions.push(p.name);
  return { text: out.join('\n') + '\n', functions };
}

function usesPool(p: GenProgram): boolean {
  const walk = (ss: GStmt[]): boolean => ss.some((s) => (s.k === 'alloc' && s.buf === 'pool') || children(s).some(walk));
  return walk(p.body);
}

function containsGoto(ss: GStmt[]): boolean {
  for (const s of ss) {
    if ((s.k === 'exit' && s.e.k === 'goto') || ((s.k === 'probe-try' || s.k === 'map') && s.exit.k === 'goto') || (s.k === 'alloc' && s.onNull.k === 'goto')) return true;
    if (children(s).some(containsGoto)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Shrinking

/** Smaller variants of a program: one statement removed, or a compound statement flattened. */
export function* shrinkCandidates(p: GenProgram): Generator<GenProgram> {
  const lists: ('body' | 'cleanup')[] = ['body', 'cleanup'];
  for (const which of lists) {
    for (const variant of shrinkList(p[which])) yield { ...p, [which]: variant };
  }
  if (p.mdls > 1 && !mentionsMdl(p, p.mdls - 1)) yield { ...p, mdls: p.mdls - 1 };
}

function* shrinkList(ss: GStmt[]): Generator<GStmt[]> {
  for (let k = 0; k < ss.length; k++) {
    if (ss[k]!.k === 'alloc') continue; // keep the MDLs allocated (and checked)
    yield [...ss.slice(0, k), ...ss.slice(k + 1)];
  }
  for (let k = 0; k < ss.length; k++) {
    const s = ss[k]!;
    const kids = children(s);
    // flatten: replace the compound statement by one of its blocks
    for (const kid of kids) yield [...ss.slice(0, k), ...kid, ...ss.slice(k + 1)];
    // simplify inside
    if (s.k === 'if') {
      for (const v of shrinkList(s.then)) yield [...ss.slice(0, k), { ...s, then: v }, ...ss.slice(k + 1)];
      if (s.else) {
        yield [...ss.slice(0, k), { ...s, else: undefined }, ...ss.slice(k + 1)];
        for (const v of shrinkList(s.else)) yield [...ss.slice(0, k), { ...s, else: v }, ...ss.slice(k + 1)];
      }
    } else if (s.k === 'loop' || s.k === 'spin' || s.k === 'raise-irql') {
      for (const v of shrinkList(s.body)) yield [...ss.slice(0, k), { ...s, body: v }, ...ss.slice(k + 1)];
    } else if (s.k === 'try-finally') {
      for (const v of shrinkList(s.body)) yield [...ss.slice(0, k), { ...s, body: v }, ...ss.slice(k + 1)];
    } else if (s.k === 'probe-try') {
      if (s.exit.k !== 'none') yield [...ss.slice(0, k), { ...s, exit: { k: 'none' } }, ...ss.slice(k + 1)];
      if (s.freeInHandler) yield [...ss.slice(0, k), { ...s, freeInHandler: false }, ...ss.slice(k + 1)];
    }
  }
}

function mentionsMdl(p: GenProgram, i: number): boolean {
  const walk = (ss: GStmt[]): boolean =>
    ss.some((s) => ('i' in s && s.i === i) || (s.k === 'partial' && (s.src === i || s.dst === i)) || (s.k === 'if' && 'i' in s.c && s.c.i === i) || children(s).some(walk));
  return walk(p.body) || walk(p.cleanup);
}
