import { describe, expect, it } from 'vitest';
import { buildCfg, classifyFilter, type Cfg } from '../../src/cfg/cfg.js';
import { raises } from '../../src/ddi/table.js';
import { toLite } from '../../src/parse/lite.js';
import { parseSource } from '../../src/parse/parser.js';
import { graphReachable } from '../../src/analysis/mdl-analysis.js';

function cfgOf(code: string, file = 't.c'): Cfg {
  const sf = parseSource(file, code);
  const fn = sf.functions[0]!;
  const node = toLite(fn.node, sf.parsedText);
  return buildCfg({ ...fn, node, body: node.childForFieldName('body')! }, { raises });
}

/** Lines of the calls named `name` that some reachable node evaluates. */
function reachableCallLines(cfg: Cfg, name: string): number[] {
  const r = graphReachable(cfg);
  const lines = new Set<number>();
  for (const n of cfg.nodes) {
    if (!r.has(n.id)) continue;
    for (const c of n.calls) if (c.text.startsWith(name + '(')) lines.add(c.startPosition.row + 1);
  }
  return [...lines].sort((a, b) => a - b);
}

/** How many CFG nodes evaluate a call to `name` (copies of __finally blocks count separately). */
function copies(cfg: Cfg, name: string): number {
  return cfg.nodes.filter((n) => n.calls.some((c) => c.text.startsWith(name + '('))).length;
}

describe('control-flow graph', () => {
  it("a local lambda's body runs at each call, not where it is defined; its return ends the call", () => {
    const cfg = cfgOf(
      `int f(int x) {
  auto cleanup = [&]() {
    Unlock();
    if (x) return;
    Free();
  };
  auto fail = [&](int st) { Release(); return st; };
  Lock();
  if (x) {
    cleanup();
    return 1;
  }
  After();
  return fail(2);
}`,
      't.cpp',
    );
    // one copy per call: Unlock and Free at the call on line 10, Release for the return on line 14
    expect(copies(cfg, 'Unlock')).toBe(1);
    expect(copies(cfg, 'Free')).toBe(1);
    expect(copies(cfg, 'Release')).toBe(1);
    // the lambda's early return goes on to the caller's next statement, not to the function's exit
    const unlock = cfg.nodes.find((n) => n.calls.some((c) => c.text.startsWith('Unlock(')))!;
    const lock = cfg.nodes.find((n) => n.calls.some((c) => c.text.startsWith('Lock(')))!;
    expect(unlock.id).toBeGreaterThan(lock.id);
    expect(reachableCallLines(cfg, 'After')).toEqual([13]);
    const returns = cfg.nodes.filter((n) => n.kind === 'return').map((n) => n.line);
    expect(returns.sort()).toEqual([11, 14]);
    // no node evaluates the calls of the lambdas themselves
    expect(copies(cfg, 'cleanup')).toBe(0);
    expect(copies(cfg, 'fail')).toBe(0);
  });

  it('a lambda with a pointer parameter, or one named like a variable of the caller, is not inlined (its parameters are not bound)', () => {
    const cfg = cfgOf(
      `int f(PMDL mdl, PMDL other, int st) {
  auto drop = [](PMDL m) { IoFreeMdl(m); };
  auto fail = [&](int st) { Release(); return st; };
  auto done = [&](NTSTATUS code) { Unlock(); return code; };
  drop(other);
  fail(1);
  return done(st);
}`,
      't.cpp',
    );
    expect(copies(cfg, 'IoFreeMdl')).toBe(0);
    expect(copies(cfg, 'Release')).toBe(0);
    expect(copies(cfg, 'Unlock')).toBe(1);
    expect([...(cfg.lambdas ?? [])].sort()).toEqual(['done', 'drop', 'fail']);
  });

  it('lambdas that call each other twice, nested, are inlined within a budget and the graph stays whole', () => {
    const defs = Array.from({ length: 18 }, (_, k) => `  auto f${k + 1} = [&]() { f${k}(); f${k}(); };`).join('\n');
    const cfg = cfgOf(`void f(PULONG n) {\n  auto f0 = [&]() { (*n)++; };\n${defs}\n  Lock();\n  f18();\n  Unlock();\n}`, 't.cpp');
    expect(cfg.truncated).toBe(false);
    expect(cfg.nodes.length).toBeLessThan(20_000);
    expect(reachableCallLines(cfg, 'Unlock')).toEqual([23]);
  });

  it('code after return is unreachable', () => {
    const cfg = cfgOf(`void f() {\n  A();\n  return;\n  B();\n}`);
    expect(reachableCallLines(cfg, 'A')).toEqual([2]);
    expect(reachableCallLines(cfg, 'B')).toEqual([]);
  });

  it('__finally runs once per kind of exit: fall-through, return, goto, exception', () => {
    const cfg = cfgOf(`void f(int x) {
  __try {
    if (x == 1) return;
    if (x == 2) goto Out;
    MmProbeAndLockPages(m, UserMode, IoReadAccess);
  } __finally {
    Cleanup();
  }
Out:
  Done();
}`);
    // return, goto, exception (probe raises), fall-through
    expect(copies(cfg, 'Cleanup')).toBe(4);
    // the exceptional copy leads to the raise exit, not to Done()
    const raiseExit = cfg.nodes[cfg.raiseExit]!;
    expect(raiseExit.kind).toBe('raise-exit');
    expect(graphReachable(cfg).has(cfg.raiseExit)).toBe(true);
  });

  it('exceptional edges come only from calls that can raise', () => {
    const cfg = cfgOf(`void f() {\n  __try {\n    Unknown();\n  } __except (EXCEPTION_EXECUTE_HANDLER) {\n    Handler();\n  }\n}`);
    expect(reachableCallLines(cfg, 'Handler')).toEqual([]);
    const cfg2 = cfgOf(`void f() {\n  __try {\n    ProbeForRead(p, 4, 1);\n  } __except (EXCEPTION_EXECUTE_HANDLER) {\n    Handler();\n  }\n}`);
    expect(reachableCallLines(cfg2, 'Handler')).toEqual([5]);
    const ex = cfg2.nodes.flatMap((n) => n.succs).filter((e) => e.kind === 'exception');
    expect(ex).toHaveLength(1);
  });

  it('a CONTINUE_SEARCH filter passes the exception outward', () => {
    const cfg = cfgOf(`void f() {
  __try {
    __try { ExRaiseStatus(1); } __except (EXCEPTION_CONTINUE_SEARCH) { Inner(); }
  } __except (EXCEPTION_EXECUTE_HANDLER) { Outer(); }
}`);
    expect(reachableCallLines(cfg, 'Inner')).toEqual([]);
    expect(reachableCallLines(cfg, 'Outer')).toEqual([4]);
  });

  it('__leave jumps to the end of the __try (through __finally)', () => {
    const cfg = cfgOf(`void f(int x) {
  __try {
    if (x) __leave;
    Body();
  } __finally {
    Fin();
  }
  After();
}`);
    expect(reachableCallLines(cfg, 'After')).toEqual([8]);
    expect(copies(cfg, 'Fin')).toBe(1); // __leave and fall-through share the normal exit
  });

  it('#if 0 is never taken; other #if branches are alternatives', () => {
    const cfg = cfgOf(`void f() {
#if 0
  Never();
#else
  Else();
#endif
#ifdef DBG
  Debug();
#endif
  After();
}`);
    expect(reachableCallLines(cfg, 'Never')).toEqual([]);
    expect(reachableCallLines(cfg, 'Else')).toEqual([5]);
    expect(reachableCallLines(cfg, 'Debug')).toEqual([8]);
    const dbg = cfg.nodes.find((n) => n.calls.some((c) => c.text.startsWith('After(')))!;
    expect(dbg).toBeDefined();
  });

  it('switch: fall-through, break and default', () => {
    const cfg = cfgOf(`void f(int x) {
  switch (x) {
  case 1:
    One();
  case 2:
    Two();
    break;
  default:
    Other();
  }
  After();
}`);
    const one = cfg.nodes.find((n) => n.calls.some((c) => c.text.startsWith('One(')))!;
    const two = cfg.nodes.find((n) => n.calls.some((c) => c.text.startsWith('Two(')))!;
    // One() falls through into case 2 (through the case-entry join)
    const next = cfg.nodes[one.succs[0]!.to]!;
    expect(next.kind).toBe('join');
    expect(next.succs.map((e) => e.to)).toContain(two.id);
    expect(reachableCallLines(cfg, 'After')).toEqual([11]);
  });

  it('short-circuit conditions become separate branch nodes', () => {
    const cfg = cfgOf(`void f(int a, int b) {\n  if (a && !b) X();\n}`);
    const branches = cfg.nodes.filter((n) => n.kind === 'branch').map((n) => n.ast!.text);
    expect(branches).toEqual(['a', 'b']);
  });

  it('constant loop conditions have no exit edge', () => {
    const cfg = cfgOf(`void f() {\n  while (TRUE) { Loop(); }\n  After();\n}`);
    expect(reachableCallLines(cfg, 'After')).toEqual([]);
    const cfg2 = cfgOf(`void f() {\n  do { Once(); } while (0);\n  After();\n}`);
    expect(reachableCallLines(cfg2, 'After')).toEqual([3]);
  });

  it('goto out of a __try/__finally runs the __finally first', () => {
    const cfg = cfgOf(`void f(int x) {
  __try {
    if (x) goto Done;
  } __finally {
    Fin();
  }
Done:
  End();
}`);
    expect(copies(cfg, 'Fin')).toBe(2);
  });
});

describe('__except filter classification', () => {
  const filterOf = (f: string) => {
    const sf = parseSource('t.c', `void g() { __try { x(); } __except (${f}) { } }`);
    const clause = sf.tree.rootNode.descendantsOfType('seh_except_clause')[0]!;
    return classifyFilter(toLite(clause, sf.parsedText).childForFieldName('filter'));
  };
  it.each([
    ['EXCEPTION_EXECUTE_HANDLER', 'all'],
    ['1', 'all'],
    ['EXCEPTION_CONTINUE_SEARCH', 'none'],
    ['EXCEPTION_CONTINUE_EXECUTION', 'none'],
    ['GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH', 'narrow'],
    ['GetExceptionCode() != STATUS_ACCESS_VIOLATION ? EXCEPTION_CONTINUE_SEARCH : EXCEPTION_EXECUTE_HANDLER', 'narrow'],
    ['(code = GetExceptionCode()) == STATUS_IN_PAGE_ERROR', 'narrow'],
    ['(Log(GetExceptionInformation()), EXCEPTION_CONTINUE_SEARCH)', 'none'],
    ['(Log(GetExceptionInformation()), EXCEPTION_EXECUTE_HANDLER)', 'all'],
    ['MyFilter(GetExceptionInformation())', 'unknown'],
    ['GetExceptionCode() != STATUS_BREAKPOINT ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH', 'unknown'],
  ])('%s → %s', (filter, kind) => {
    expect(filterOf(filter).kind).toBe(kind);
  });
});
