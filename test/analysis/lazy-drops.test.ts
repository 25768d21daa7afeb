/**
 * The exits, and the returns that lead only to them, take their states with the locals still in them
 * and drop those only when two states of one return site must be told apart (`Analyzer.addLazy` in
 * src/analysis/mdl-analysis.ts). Dropping them on every edge (`eagerDrops`, the reference) cost each
 * of a function's n early returns the n locals live across it: quadratic. The two must give the same
 * analysis: the same observations, summaries and reachable nodes, for every function of the bundled
 * fixtures, for generated programs and for the shapes that exercise each branch of `addLazy`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/parse/parser.js';
import { analyzeFunction, replaceableKey, traceSteps, type FunctionAnalysis, type Step, type Trace } from '../../src/analysis/mdl-analysis.js';
import { checkedLater, heldMdls } from '../../src/bench/corpus.js';
import { generateProgram, render } from '../../src/validation/generator.js';

const HDR = '#include <wdm.h>\n';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(c|cpp|h)$/.test(name)) out.push(p);
  }
  return out;
}

/** A path's steps, as text. */
function steps(t: Trace | null): string[] {
  const out: string[] = [];
  for (let s = t; s; s = s.prev) out.push(`${s.step.site.line}:${s.step.site.column} ${s.step.kind} ${typeof s.step.message === 'string' ? s.step.message : s.step.message()}`);
  return out;
}

/** What an analysis tells its rules and callers, as text (syntax nodes by position, paths by their steps). */
function shown(a: FunctionAnalysis): string {
  return JSON.stringify(
    {
      observations: a.observations,
      summary: a.summary,
      reachable: [...a.reachable].sort((x, y) => x - y),
      imprecise: a.imprecise,
      skipped: a.skipped,
    },
    (key, v: unknown) => {
      if (v && typeof v === 'object' && 'startIndex' in v && 'type' in v) return `${(v as { type: string }).type}@${(v as { startIndex: number }).startIndex}`;
      if (key === 'trace') return steps(v as Trace | null);
      if (key === 'node' && v && typeof v === 'object' && 'id' in v) return `node ${(v as { id: number }).id}`;
      return v;
    },
  );
}

/** The functions of a text whose analyses differ between lazy and eager drops (by name). */
function differing(path: string, text: string): string[] {
  const file = parseSource(path, text);
  const out: string[] = [];
  for (const fn of file.functions) {
    const lazy = analyzeFunction(file, fn, undefined, { summary: true });
    const eager = analyzeFunction(file, fn, undefined, { summary: true, eagerDrops: true });
    if (shown(lazy) !== shown(eager)) out.push(fn.name);
  }
  return out;
}

describe('dropping dead locals at the exits only when states must be told apart', () => {
  it('analyzes every function of the bundled fixtures as dropping them on every edge does', () => {
    const files = sources('fixtures');
    expect(files.length).toBeGreaterThan(100);
    const diff: string[] = [];
    for (const f of files) for (const name of differing(f, readFileSync(f, 'utf8'))) diff.push(`${f}: ${name}`);
    expect(diff).toEqual([]);
  });

  it('analyzes generated programs as dropping them on every edge does', () => {
    const diff: string[] = [];
    for (let i = 0; i < 400; i++) {
      const text = render(generateProgram(20261123, i)).text;
      for (const name of differing(`gen-${i}.c`, text)) diff.push(`program ${i}: ${name}`);
    }
    expect(diff).toEqual([]);
  });

  it('gives the same analysis where a return site gets states that differ in their locals, in the rest, or that cannot be told apart', () => {
    const shapes = [
      // two states at one return that differ only in a dead local (joined with it held)
      `NTSTATUS F(PVOID Buf, ULONG Len, PMDL Other) {
  PMDL m = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
  PVOID va = MmGetSystemAddressForMdlSafe(Other, NormalPagePriority);
  if (m == NULL || va == NULL) {
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  IoFreeMdl(m);
  return STATUS_SUCCESS;
}`,
      // an MDL left locked on one of the paths to a return, its local dead there
      `NTSTATUS F(PMDL a, PMDL b, BOOLEAN lockIt) {
  PMDL m = IoAllocateMdl(NULL, 0x1000, FALSE, FALSE, NULL);
  if (m == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  if (lockIt) {
    __try { MmProbeAndLockPages(m, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(m); return GetExceptionCode(); }
  }
  if (a == NULL || b == NULL) {
    return STATUS_INVALID_PARAMETER;
  }
  if (lockIt) MmUnlockPages(m);
  IoFreeMdl(m);
  return STATUS_SUCCESS;
}`,
      // a flag that keys the states (its value tells them apart), dead at the return
      `NTSTATUS F(PMDL Mdl, PVOID p, PVOID q) {
  BOOLEAN locked = FALSE;
  __try { MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); locked = TRUE; } __except (EXCEPTION_EXECUTE_HANDLER) { locked = FALSE; }
  if (p == NULL || q == NULL) {
    if (locked) MmUnlockPages(Mdl);
    return STATUS_INVALID_PARAMETER;
  }
  if (locked) MmUnlockPages(Mdl);
  return STATUS_SUCCESS;
}`,
      // states of one return that parted long ago (the comparison cannot tell them apart)
      `NTSTATUS F(PTRANSFER_CONTEXT Ctx, PVOID Buf, ULONG Len, ULONG Mode) {
  PMDL m = Mode ? IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL) : NULL;
${Array.from({ length: 40 }, (_, k) => `  PVOID v${k} = MmGetSystemAddressForMdlSafe(Ctx->Mdl${k}, NormalPagePriority);`).join('\n')}
  if (Mode == 3 || v0 == NULL) return STATUS_UNSUCCESSFUL;
  if (m) IoFreeMdl(m);
  return STATUS_SUCCESS;
}`,
      // more states at one return than it holds with their locals
      `NTSTATUS F(PMDL M0, PMDL M1, PMDL M2, PMDL M3, ULONG Bits) {
${Array.from({ length: 4 }, (_, k) => `  PVOID v${k} = MmGetSystemAddressForMdlSafe(M${k}, NormalPagePriority);\n  if (Bits & ${1 << k}) { __try { MmProbeAndLockPages(M${k}, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { return GetExceptionCode(); } }`).join('\n')}
  if (v0 == NULL || v1 == NULL || v2 == NULL || v3 == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  return STATUS_SUCCESS;
}`,
      // a return in a loop
      `NTSTATUS F(PMDL *Mdls, ULONG n) {
  for (ULONG i = 0; i < n; i++) {
    PMDL m = Mdls[i];
    PVOID va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
    if (va == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  }
  return STATUS_SUCCESS;
}`,
    ];
    for (const [i, body] of shapes.entries()) expect(differing(`shape-${i}.c`, `${HDR}${body}\n`), `shape ${i}`).toEqual([]);
    expect(differing('later.c', `${HDR}${checkedLater(40)}`)).toEqual([]);
    expect(differing('held.c', `${HDR}${heldMdls(40)}`)).toEqual([]);
  });

  it('drops the locals of a function of n early returns, and collects what they held, with work linear in n', () => {
    // n allocations and mappings, then n tests each returning early: each return passes the locals
    // tested after it, and dropping them at every return walked about n of them (n² in all); each
    // failed allocation's collection walked every candidate listed since the function's start
    const analysis = (n: number) => {
      const file = parseSource('later.c', `${HDR}${checkedLater(n)}`);
      const a = analyzeFunction(file, file.functions[0]!);
      expect(a.skipped).toBeUndefined();
      return a;
    };
    const work = (n: number) => analysis(n).dropWork!;
    const gc = [analysis(100).gcWork!, analysis(200).gcWork!];
    expect(gc[0]).toBeGreaterThan(0);
    expect(gc[1]! / gc[0]!).toBeLessThan(2.6);
    const eager = (n: number) => {
      const file = parseSource('later.c', `${HDR}${checkedLater(n)}`);
      return analyzeFunction(file, file.functions[0]!, undefined, { eagerDrops: true }).dropWork!;
    };
    const small = work(100);
    const large = work(200);
    expect(small).toBeGreaterThan(0);
    expect(large / small).toBeLessThan(2.6);
    // the reference walks about four times as much for twice the returns
    expect(eager(200) / eager(100)).toBeGreaterThan(3.5);
  });

  it('puts the failure of a mapping or an allocation where the call was, as copying the path did', () => {
    // the reference: the step replaced in a copy of the path (the newest step with the key before it),
    // or added last when there is none
    type Op = { kind: 'step'; step: Step } | { kind: 'replace'; key: string; step: Step };
    const site = (line: number) => ({ line, column: 1 });
    const stepArb = fc.oneof(
      fc.record({ kind: fc.constant('map' as const), line: fc.integer({ min: 1, max: 4 }) }).map((x): Step => ({ site: site(x.line), kind: 'map', message: '' })),
      fc.record({ line: fc.integer({ min: 1, max: 4 }), obj: fc.constantFrom('a', 'b') }).map((x): Step => ({ site: site(x.line), kind: 'alloc', message: `alloc ${x.obj}`, obj: x.obj })),
      fc.integer({ min: 1, max: 9 }).map((line): Step => ({ site: site(line), kind: 'branch', message: `branch ${line}` })),
    );
    const opArb = fc.oneof(
      stepArb.map((step): Op => ({ kind: 'step', step })),
      fc.integer({ min: 1, max: 4 }).map((line): Op => ({ kind: 'replace', key: `map:${line}:1`, step: { site: site(line), kind: 'branch', message: `map ${line} fails` } })),
      fc.record({ line: fc.integer({ min: 1, max: 4 }), obj: fc.constantFrom('a', 'b') }).map((x): Op => ({ kind: 'replace', key: `alloc:${x.obj}:${x.line}:1`, step: { site: site(x.line), kind: 'alloc', message: `alloc ${x.obj} fails` } })),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        let trace: Trace | null = null;
        const copied: Step[] = [];
        for (const op of ops) {
          trace = { step: op.step, prev: trace, len: 0, ...(op.kind === 'replace' ? { replaces: op.key } : {}) };
          let i = -1;
          if (op.kind === 'replace') for (let k = copied.length - 1; k >= 0 && i < 0; k--) if (replaceableKey(copied[k]!) === op.key) i = k;
          if (i >= 0) copied[i] = op.step;
          else copied.push(op.step);
        }
        expect(traceSteps(trace).map((s) => s.message)).toEqual(copied.filter((s) => s.kind !== 'map').map((s) => s.message));
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });
});
