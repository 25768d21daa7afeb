/**
 * Dead locals leave the MDL analysis's state (src/analysis/liveness.ts). A function of many MDL
 * locals, each allocated, locked, unlocked and freed in a few lines, carried every one of them to its
 * end: each step cost in proportion to the number of locals seen so far, quadratic in the function's
 * length (400 MDLs took 1.8 s, 800 several). The state now holds what is still to be used.
 */
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/parse/parser.js';
import { analyzeFunction } from '../../src/analysis/mdl-analysis.js';
import { functionCfg } from '../../src/analysis/function-cfg.js';
import { earlyExitsFirst, liveness, minimumReachable } from '../../src/analysis/liveness.js';
import { lintSource } from '../../src/lint/linter.js';

const HDR = '#include <wdm.h>\n';

function sequential(n: number): string {
  const decls = Array.from({ length: n }, (_, i) => `  PMDL m${i};`).join('\n');
  const body = Array.from(
    { length: n },
    (_, i) => `  m${i} = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
  if (m${i} == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  __try { MmProbeAndLockPages(m${i}, UserMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(m${i}); return STATUS_ACCESS_VIOLATION; }
  MmUnlockPages(m${i});
  IoFreeMdl(m${i});`,
  ).join('\n');
  return `${HDR}NTSTATUS F(PVOID Buf, ULONG Len) {\n${decls}\n${body}\n  return STATUS_SUCCESS;\n}\n`;
}

function analyze(text: string, name = 'F') {
  const file = parseSource('live.c', text);
  const fn = file.functions.find((f) => f.name === name)!;
  return { file, fn, analysis: analyzeFunction(file, fn) };
}

/** The variables dropped on each edge of the function, as `line: names` of the edge's source. */
function dropped(text: string): Map<string, string[]> {
  const file = parseSource('live.c', text);
  const fn = file.functions[0]!;
  const { cfg } = functionCfg(file, fn);
  const locals = new Set(['a', 'b', 'c', 'i', 'm', 'p']);
  const live = liveness(cfg, locals);
  const out = new Map<string, string[]>();
  for (const node of cfg.nodes) {
    for (const e of node.succs) {
      const { lo, hi } = live.dyingOn(node.id, e.to);
      for (let k = lo; k < hi; k++) {
        const key = `${node.line}`;
        out.set(key, [...(out.get(key) ?? []), live.nameAt(k)].sort());
      }
    }
  }
  return out;
}

describe('liveness of locals', () => {
  it('keeps the state of a function of many sequential MDLs from growing with their number', () => {
    const small = analyze(sequential(20)).analysis;
    const large = analyze(sequential(200)).analysis;
    expect(small.skipped).toBeUndefined();
    expect(large.skipped).toBeUndefined();
    // every local stays in the state to the end without the liveness test: 200 locals, 200 objects
    expect(large.peakEntries).toBe(small.peakEntries);
    expect(large.peakEntries).toBeLessThan(8);
  });

  it('still reports an MDL left locked, in the middle or at the end, and nothing in the others', () => {
    // the local is dead after its lock, but a locked MDL the function owns stays in the state: the
    // exit reports it as still locked (with its last reference lost, the message would differ)
    for (const k of [20, 39]) {
      const text = sequential(40).replace(`  MmUnlockPages(m${k});\n  IoFreeMdl(m${k});\n`, '');
      const messages = lintSource(parseSource('seq.c', text)).messages;
      const lockLine = text.split('\n').findIndex((l) => l.includes(`MmProbeAndLockPages(m${k},`)) + 1;
      // one finding per return after the lock: the two error returns of each later MDL, and the last
      expect(messages).toHaveLength(2 * (40 - 1 - k) + 1);
      for (const m of messages) {
        expect(`${m.ruleId}:${m.messageId}`).toBe('mdl-unmatched-lock:stillLocked');
        expect(m.message).toContain(`MDL 'm${k}' locked at line ${lockLine} is still locked`);
      }
    }
  });

  it('reports every return that leaves an MDL locked in a function of more returns than states are kept apart', () => {
    // 60 MDLs, two error returns each: 121 return sites, more than MAX_WORLDS (96). The exit merged
    // its states past that bound, and the merged state's leaks were dropped as imprecise: no finding
    const text = sequential(60).replace('  MmUnlockPages(m30);\n  IoFreeMdl(m30);\n', '');
    const messages = lintSource(parseSource('seq.c', text)).messages;
    expect(messages).toHaveLength(2 * (60 - 1 - 30) + 1);
    expect(new Set(messages.map((m) => m.messageId))).toEqual(new Set(['stillLocked']));
  });

  it('drops a variable after its last use, not inside a loop that uses it, never one whose address is taken', () => {
    const text = `void F(int n) {
  int a = 1;
  int b = 2;
  int c = 3;
  int i;
  G(a);
  for (i = 0; i < n; i++) {
    G(b);
  }
  H(&c);
  G(c);
  G(n);
}
`;
    const d = dropped(text);
    const where = (v: string) => [...d].filter(([, names]) => names.includes(v)).map(([line]) => Number(line));
    // a: last named on line 6, dropped on leaving it
    expect(where('a')).toEqual([6]);
    // b and i: named in the loop, dropped only on the loop's exit edge (from its condition, line 7)
    expect(where('b')).toEqual([7]);
    expect(where('i')).toEqual([7]);
    // c: its address escapes on line 10; a write through that pointer would not show in the syntax
    expect(where('c')).toEqual([]);
  });

  it('drops a variable last named in an error path on that path, and keeps it on the path that goes on', () => {
    const text = `NTSTATUS F(PMDL p, int x) {
  PMDL m = p;
  if (x) {
    G(m);
    return 1;
  }
  G(m);
  return 0;
}
`;
    const d = dropped(text);
    // m leaves the state on each path after its last use there (on the error path, leaving its
    // return), not at the branch where the other path still needs it
    expect([...d].filter(([, n]) => n.includes('m')).map(([l]) => Number(l)).sort((x, y) => x - y)).toEqual([5, 7]);
  });

  it('settles every node once: the smallest number each reaches', () => {
    const text = `void F(int x) {
  int a = 0;
  while (x) {
    if (a) break;
    a++;
  }
  G(a);
}
`;
    const file = parseSource('live.c', text);
    const { cfg } = functionCfg(file, file.functions[0]!);
    const order = earlyExitsFirst(cfg);
    const min = minimumReachable(cfg, order);
    // brute force: the smallest order of the nodes each node reaches
    for (const node of cfg.nodes) {
      if (order[node.id]! >= cfg.nodes.length) continue;
      const seen = new Set([node.id]);
      const stack = [node.id];
      let best = order[node.id]!;
      while (stack.length) {
        for (const e of cfg.nodes[stack.pop()!]!.succs) {
          if (seen.has(e.to)) continue;
          seen.add(e.to);
          stack.push(e.to);
          best = Math.min(best, order[e.to]!);
        }
      }
      expect(min[node.id]).toBe(best);
    }
  });
});
