/**
 * The persistent maps of the MDL analysis's states (src/analysis/world-maps.ts) against plain maps:
 * whatever the order of changes, the same entries give the same hash and compare equal; the count of
 * paths per object says whether any path holds it; every object that lost its last path is listed for
 * collection; the keys two maps derived from one another may differ in are the ones their change logs
 * name. The merge of a node's many states (`mergeStates`) against a merge computed from scratch. And the
 * analysis built on them grows linearly with the number of MDLs a function keeps locked at once (it
 * copied and sorted every state's maps at every statement before, and merged many states at a label
 * by walking every entry of each).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Objs, Pts, hash2, type Dropped } from '../../src/analysis/world-maps.js';
import { parseSource } from '../../src/parse/parser.js';
import { analyzeFunction, mergeStates, type MdlObj, type World } from '../../src/analysis/mdl-analysis.js';
import { heldMdls } from '../../src/bench/corpus.js';
import { Map as ImmutableMap } from 'immutable';
import { lintSource } from '../../src/lint/linter.js';

type Op = { kind: 'set'; key: string; value: string; tag?: string } | { kind: 'delete'; key: string };

const key = fc.constantFrom('a', 'b', 'c', 'a->Mdl', 'b.x', '$sva:a', '$ret');
const value = fc.constantFrom('m:a', 'a:1:1', 'a:2:1', '#null', 'm:b');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value, tag: fc.option(fc.constantFrom('=0', '!0'), { nil: undefined }) }),
  fc.record({ kind: fc.constant('delete' as const), key }),
);

function apply(ops: Op[]): { pts: Pts; ref: Map<string, [string, string | undefined]>; released: Set<string> } {
  let pts = Pts.EMPTY;
  const ref = new Map<string, [string, string | undefined]>();
  const released = new Set<string>();
  for (const o of ops) {
    const count = (v: string) => [...ref.values()].filter(([x]) => x === v).length;
    if (o.kind === 'set') {
      const old = ref.get(o.key);
      pts = pts.set(o.key, o.value, o.tag);
      ref.set(o.key, [o.value, o.tag]);
      if (old && old[0] !== o.value && count(old[0]) === 0) released.add(old[0]);
    } else {
      const old = ref.get(o.key);
      pts = pts.delete(o.key);
      ref.delete(o.key);
      if (old && count(old[0]) === 0) released.add(old[0]);
    }
  }
  return { pts, ref, released };
}

function droppedIds(d: Dropped | null): Set<string> {
  const out = new Set<string>();
  for (let x = d; x; x = x.next) out.add(x.id);
  return out;
}

describe('persistent points-to map', () => {
  it('holds what a plain map holds, counts references and lists what lost its last one', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { pts, ref, released } = apply(ops);
        expect(new Map([...pts])).toEqual(new Map([...ref].map(([k, [v]]) => [k, v])));
        for (const [k, [, tag]] of ref) expect(pts.tagOf(k)).toBe(tag);
        for (const v of ['m:a', 'a:1:1', 'a:2:1', '#null', 'm:b']) {
          expect(pts.refersTo(v)).toBe([...ref.values()].some(([x]) => x === v));
        }
        // every value that lost its last path is a candidate for collection
        const listed = droppedIds(pts.dropped);
        for (const v of released) if (!pts.refersTo(v)) expect(listed.has(v)).toBe(true);
      }),
      { seed: 20261122, numRuns: 400 },
    );
  });

  it('hashes and compares by content, whatever the order of the changes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.array(op, { maxLength: 30 }), (x, y) => {
        const a = apply(x);
        const b = apply(y);
        const same = JSON.stringify([...a.ref].sort()) === JSON.stringify([...b.ref].sort());
        expect(a.pts.sameEntries(b.pts)).toBe(same);
        if (same) expect([a.pts.h1, a.pts.h2]).toEqual([b.pts.h1, b.pts.h2]);
        // the same entries rebuilt in another order
        const rebuilt = Pts.of([...a.ref].reverse().map(([k, [v]]) => [k, v] as [string, string]), (k) => a.ref.get(k)?.[1]);
        expect(rebuilt.sameEntries(a.pts)).toBe(true);
        expect([rebuilt.h1, rebuilt.h2]).toEqual([a.pts.h1, a.pts.h2]);
      }),
      { seed: 7, numRuns: 400 },
    );
  });

  it('tells a collision from equality: equal hashes, different entries, not the same', () => {
    // a forged pair: two maps whose running hashes agree (one entry's hash added to the other's lanes)
    const a = Pts.EMPTY.set('x', 'm:x');
    const b = Pts.EMPTY.set('y', 'm:y');
    const [a1, a2] = hash2('x\u0001m:x');
    expect([a.h1, a.h2]).toEqual([a1, a2]);
    expect(a.sameEntries(b)).toBe(false);
    expect(a.sameEntries(Pts.EMPTY.set('x', 'm:y').set('x', 'm:x'))).toBe(true);
  });
});

interface O {
  readonly id: string;
  readonly state: string;
  readonly site: number;
}

describe('change logs', () => {
  // a shared history, then two branches of it
  const history = fc.tuple(fc.array(op, { maxLength: 25 }), fc.array(op, { maxLength: 12 }), fc.array(op, { maxLength: 12 }));
  const entriesOf = (p: Pts) => new Map([...p].map(([k, v]) => [k, `${v}|${p.tagOf(k) ?? ''}`]));

  it('name every key whose entry differs between two maps that share a history', () => {
    fc.assert(
      fc.property(history, fc.nat(30), ([common, left, right], budget) => {
        const base = apply(common).pts;
        const run = (from: Pts, ops: Op[]) => ops.reduce((p, o) => (o.kind === 'set' ? p.set(o.key, o.value, o.tag) : p.delete(o.key)), from);
        const a = run(base, left);
        const b = run(base, right);
        const keys = a.changedSince(b, 1000)!;
        const ea = entriesOf(a);
        const eb = entriesOf(b);
        for (const k of new Set([...ea.keys(), ...eb.keys()])) if (ea.get(k) !== eb.get(k)) expect(keys).toContain(k);
        // no more than the changes since the shared version
        expect(keys.length).toBeLessThanOrEqual(left.length + right.length);
        // over the budget: no list (the caller walks the entries instead)
        const within = a.changedSince(b, budget);
        if (keys.length > budget) expect(within).toBeUndefined();
        else expect(within).toEqual(keys);
        // maps built apart: their common version is the empty map
        const c = apply(left).pts;
        const all = a.changedSince(c, 1000)!;
        const ec = entriesOf(c);
        for (const k of new Set([...ea.keys(), ...ec.keys()])) if (ea.get(k) !== ec.get(k)) expect(all).toContain(k);
      }),
      { seed: 5, numRuns: 400 },
    );
  });
});

describe('persistent object map', () => {
  const fragment = (o: O) => `${o.id}:${o.state}`;
  const marked = (o: O) => o.state === 'locked';
  const obj = fc.record({ id: fc.constantFrom('m1', 'm2', 'm3'), state: fc.constantFrom('locked', 'unlocked', 'freed'), site: fc.nat(5) });

  it('hashes objects by their partition part only, and keeps the marked ones at hand', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(obj, fc.constantFrom('m1', 'm2', 'm3')), { maxLength: 30 }), (ops) => {
        let objs = new Objs<O>(fragment, marked);
        const ref = new Map<string, O>();
        for (const o of ops) {
          if (typeof o === 'string') {
            objs = objs.delete(o);
            ref.delete(o);
          } else {
            objs = objs.set(o);
            ref.set(o.id, o);
          }
        }
        expect(new Map([...objs])).toEqual(ref);
        expect(new Set(objs.markedValues())).toEqual(new Set([...ref.values()].filter(marked)));
        // rebuilt from the same objects with other sites: the same partition
        let other = new Objs<O>(fragment, marked);
        for (const o of [...ref.values()].reverse()) other = other.set({ ...o, site: o.site + 1 });
        expect(other.sameFragments(objs)).toBe(true);
        expect([other.h1, other.h2]).toEqual([objs.h1, objs.h2]);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe('merging many states', () => {
  type Step = { kind: 'pts'; op: Op } | { kind: 'obj'; id: string; state: string; owned: boolean } | { kind: 'free'; id: string };
  const ids = fc.constantFrom('m:a', 'a:1:1', 'a:2:1', 'm:b');
  const step: fc.Arbitrary<Step> = fc.oneof(
    op.map((o) => ({ kind: 'pts' as const, op: o })),
    fc.record({ kind: fc.constant('obj' as const), id: ids, state: fc.constantFrom('locked', 'unlocked', 'freed'), owned: fc.boolean() }),
    fc.record({ kind: fc.constant('free' as const), id: ids }),
  );
  const fragment = (o: MdlObj) => `${o.id}:${o.state}${o.owned ? '!' : ''}`;
  const lockedOwned = (o: MdlObj) => o.state === 'locked' && o.owned;
  const empty: World = { pts: Pts.EMPTY, objs: new Objs<MdlObj>(fragment, lockedOwned), vals: ImmutableMap(), conds: ImmutableMap(), trace: null, returnSite: null, imprecise: false };
  const run = (from: World, steps: Step[]): World =>
    steps.reduce((w, s) => {
      if (s.kind === 'pts') return { ...w, pts: s.op.kind === 'set' ? w.pts.set(s.op.key, s.op.value, s.op.tag) : w.pts.delete(s.op.key) };
      if (s.kind === 'free') return { ...w, objs: w.objs.delete(s.id) };
      const o = { id: s.id, state: s.state, owned: s.owned, name: s.id, origin: { kind: 'alloc' } } as unknown as MdlObj;
      return { ...w, objs: w.objs.set(o) };
    }, from);

  /** The merge from scratch: what every state agrees on. */
  function reference(worlds: World[]) {
    const pts = new Map<string, string>();
    for (const [p, o] of worlds[0]!.pts) {
      if (!worlds.every((w) => w.pts.get(p) === o)) continue;
      const tag = worlds[0]!.pts.tagOf(p);
      pts.set(p, `${o}|${worlds.every((w) => w.pts.tagOf(p) === tag) ? (tag ?? '') : ''}`);
    }
    const objs = new Map<string, string>();
    for (const id of new Set(worlds.flatMap((w) => [...w.objs.keys()]))) {
      const vs = worlds.map((w) => w.objs.get(id));
      const f = vs.find((x) => x)!;
      objs.set(id, vs.every((x) => x && x.state === f.state && x.owned === f.owned) ? `${f.state}${f.owned ? '!' : ''}` : 'unknown');
    }
    return { pts, objs };
  }
  const shown = (w: World) => ({
    pts: new Map([...w.pts].map(([k, v]) => [k, `${v}|${w.pts.tagOf(k) ?? ''}`])),
    objs: new Map([...w.objs].map(([k, o]) => [k, `${o.state}${o.owned ? '!' : ''}`])),
  });

  it('gives what a merge from scratch gives, in one merge or in several', () => {
    // states that share a history: a path through a tree of branches
    const branching = fc.array(fc.tuple(fc.nat(8), fc.array(step, { maxLength: 6 })), { minLength: 2, maxLength: 14 });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), branching, fc.nat(12), (common, branches, cut) => {
        const worlds: World[] = [run(empty, common)];
        for (const [from, steps] of branches) worlds.push(run(worlds[from % worlds.length]!, steps));
        const states = worlds.slice(1);
        const once = mergeStates(states);
        expect(shown(once.merged)).toEqual(reference(states));
        // in two merges: the first merge stays first, then the states that came after it
        const k = 1 + (cut % (states.length - 1));
        const early = mergeStates(states.slice(0, k));
        const twice = mergeStates([early.merged, ...states.slice(k)], early);
        expect(shown(twice.merged)).toEqual(reference(states));
        // states built apart (no shared history): the same
        const apart = states.map((w) => run({ ...empty, pts: Pts.EMPTY, objs: new Objs<MdlObj>(fragment, lockedOwned) }, [...[...w.pts].map(([key, value]) => ({ kind: 'pts' as const, op: { kind: 'set' as const, key, value, tag: w.pts.tagOf(key) } }))]));
        const apartObjs = apart.map((w, i) => ({ ...w, objs: states[i]!.objs }));
        expect(shown(mergeStates(apartObjs).merged)).toEqual(reference(apartObjs));
      }),
      { seed: 20261122, numRuns: 500 },
    );
  });
});

function heldAtOnce(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(`  PMDL m${i} = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);`, `  if (!m${i}) goto Exit;`);
    lines.push(`  __try { MmProbeAndLockPages(m${i}, UserMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { goto Exit; }`);
  }
  for (let i = 0; i < n; i++) lines.push(`  MmUnlockPages(m${i});`, `  IoFreeMdl(m${i});`);
  return `#include <wdm.h>\nNTSTATUS F(PVOID Buf, ULONG Len) {\n${lines.join('\n')}\nExit:\n  return STATUS_SUCCESS;\n}\n`;
}

describe('many MDLs at once', () => {
  it('analyzes a function that holds hundreds of locked MDLs at once, and still finds its defects', () => {
    const text = heldAtOnce(200);
    const file = parseSource('held.c', text);
    const a = analyzeFunction(file, file.functions[0]!);
    expect(a.skipped).toBeUndefined();
    // every MDL is live to the end: the state holds them all
    expect(a.peakEntries).toBeGreaterThanOrEqual(400);
    const messages = lintSource(file).messages.map((m) => `${m.ruleId}`);
    // the error paths leave the earlier MDLs locked (goto Exit skips their unlocks)
    expect(messages.length).toBeGreaterThan(0);
    expect(new Set(messages)).toEqual(new Set(['mdl-unmatched-lock']));
  });

  it('merges the states of a label that many error paths reach in proportion to their differences, not their size', () => {
    // MDLs locked one after the other, each failure going to a common exit: the exit gets a state per
    // MDL, each with the MDLs locked before it, and merges them by the hundred
    const work = (n: number) => {
      const file = parseSource('held.c', heldMdls(n));
      const a = analyzeFunction(file, file.functions[0]!);
      expect(a.skipped).toBeUndefined();
      return a.mergeWork!;
    };
    const small = work(300);
    const large = work(600);
    expect(small).toBeGreaterThan(0);
    // linear: twice the MDLs, about twice the work (walking each state's entries: four times)
    expect(large / small).toBeLessThan(2.6);
  });

  it('forgets what lay below an assigned path without walking every state again when recording the function', () => {
    // n pointers mapped, branches, then each written through (`va[0] = ...`): each declaration forgets
    // what lies below its pointer, and once the function is analysed, something lies below every one
    // of them (the recording pass walked the whole state at each declaration: n² entries)
    const n = 80;
    let s = 'VOID\nMapLate(PTRANSFER_CONTEXT Ctx)\n{\n';
    for (let k = 0; k < n; k++) s += `    PULONG va${k} = (PULONG)MmGetSystemAddressForMdlSafe(Ctx->Mdl${k}, NormalPagePriority);\n`;
    for (let k = 0; k < n; k++) s += `    if (Ctx->Counters[${k % 64}] > ${k}) {\n        Ctx->Flags |= ${1 << k % 31};\n    }\n`;
    for (let k = 0; k < n; k++) s += `    va${k}[0] = ${k};\n`;
    const file = parseSource('late.c', `${s}}\n`);
    const a = analyzeFunction(file, file.functions[0]!);
    expect(a.skipped).toBeUndefined();
    expect(a.observations.length).toBeGreaterThan(0);
    // at most a few entries per statement (walking each state at each declaration: over 20,000)
    expect(a.belowWork!).toBeLessThan(10 * n);
  });
});
