/**
 * The findings do not depend on the order in which the functions of a program are linted: a shard, a
 * worker thread and the language server each ask in their own order. Recursive groups were the
 * exception (a cycle was cut where the first question entered it); they are now computed as a whole.
 */
import { describe, expect, it } from 'vitest';
import { lintText, prepareProject } from '../../src/lint/linter.js';

const FILES: Record<string, string> = {
  'dpc.c': `KDEFERRED_ROUTINE EvtDpc;
VOID EvtDpc(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
{
    WalkTree((PNODE)Ctx, 0);
}
`,
  'walk.c': `VOID WalkTree(PNODE Node, ULONG Depth)
{
    if (Node == NULL) {
        return;
    }
    VisitNode(Node, Depth);
}

VOID VisitNode(PNODE Node, ULONG Depth)
{
    PAGED_CODE();
    KeWaitForSingleObject(&Node->Event, Executive, KernelMode, FALSE, NULL);
    WalkTree(Node->Left, Depth + 1);
    WalkTree(Node->Right, Depth + 1);
}
`,
  'passive.c': `_IRQL_requires_(PASSIVE_LEVEL)
VOID Rebuild(PNODE Root)
{
    VisitNode(Root, 0);
}
`,
};

function lintInOrder(order: string[]): string[] {
  const inputs = Object.entries(FILES).map(([path, text]) => ({ path: `/p/${path}`, text }));
  const project = prepareProject(inputs, '/p');
  const out: string[] = [];
  for (const f of order) for (const m of lintText(FILES[f]!, `/p/${f}`, { project }).messages) out.push(`${f}:${m.line}:${m.column} ${m.ruleId} ${m.message}`);
  return out.sort();
}

describe('order independence', () => {
  it('a mutually recursive pair reached from a DPC: the same findings and explanations whatever file is linted first', () => {
    const orders = [
      ['dpc.c', 'walk.c', 'passive.c'],
      ['walk.c', 'dpc.c', 'passive.c'],
      ['passive.c', 'walk.c', 'dpc.c'],
    ];
    const first = lintInOrder(orders[0]!);
    // the DPC brings DISPATCH_LEVEL into the recursive pair: the wait and PAGED_CODE are reported
    expect(first.some((m) => m.includes('irql-wait-at-dispatch'))).toBe(true);
    expect(first.some((m) => m.includes('irql-pageable-at-dispatch'))).toBe(true);
    for (const o of orders.slice(1)) expect(lintInOrder(o)).toEqual(first);
  });

  it('a handler reached only once a recursive helper is known to raise: found whatever the order of definition, linting or threads (found in review)', () => {
    // R1 raises (an unprotected probe); R2 calls it inside __try at DISPATCH_LEVEL, and its handler calls
    // YWrite, which writes a file. The control-flow graph of R2 was kept from the first round of the
    // recursive group's summaries, before R1 was known to raise: the handler stayed unreachable when R1
    // came first in the file, and a worker thread that did not summarize the group found it
    const r1 = 'VOID R1(PMDL Mdl, int n)\n{\n    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n    if (n > 0) R2(Mdl, NULL, n - 1);\n    MmUnlockPages(Mdl);\n}\n';
    const r2 = 'VOID R2(PMDL Mdl, HANDLE h, int n)\n{\n    KIRQL old;\n    KeRaiseIrql(DISPATCH_LEVEL, &old);\n    __try {\n        R1(Mdl, n);\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        YWrite(h);\n    }\n    KeLowerIrql(old);\n}\n';
    const head = '#include <ntddk.h>\nNTSTATUS YWrite(HANDLE h);\nVOID R1(PMDL Mdl, int n);\nVOID R2(PMDL Mdl, HANDLE h, int n);\n';
    const b = '#include <ntddk.h>\nNTSTATUS YWrite(HANDLE h)\n{\n    IO_STATUS_BLOCK iosb;\n    return ZwWriteFile(h, NULL, NULL, NULL, &iosb, NULL, 0, NULL, NULL);\n}\n';
    for (const a of [head + r1 + r2, head + r2 + r1]) {
      const inputs = [{ path: '/q/a.c', text: a }, { path: '/q/b.c', text: b }];
      for (const order of [inputs, [...inputs].reverse()]) {
        const project = prepareProject(inputs, '/q');
        const found = order.flatMap((i) => lintText(i.text, i.path, { project }).messages.map((m) => `${i.path}:${m.line} ${m.ruleId}`));
        expect(found).toContain('/q/b.c:5 irql-too-high');
      }
    }
  });

  it('a level reached through a later caller is reported when the first caller\'s call is unreachable, whichever comes first (found in review)', () => {
    // A calls Work after Fail, which never returns: A's call of Work is unreachable; B's is not
    const head = '#include <ntddk.h>\nVOID Fail(PMDL Mdl);\nVOID Work(HANDLE h);\n';
    const a = 'VOID A(PMDL Mdl, HANDLE h) { KIRQL old; KeRaiseIrql(DISPATCH_LEVEL, &old); Fail(Mdl); Work(h); KeLowerIrql(old); }\n';
    const b = 'VOID B(HANDLE h) { KIRQL old; KeRaiseIrql(DISPATCH_LEVEL, &old); Work(h); KeLowerIrql(old); }\n';
    const tail = 'VOID Fail(PMDL Mdl) { IoFreeMdl(Mdl); ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES); }\nVOID Work(HANDLE h) { IO_STATUS_BLOCK iosb; ZwWriteFile(h, NULL, NULL, NULL, &iosb, NULL, 0, NULL, NULL); }\n';
    for (const text of [head + a + b + tail, head + b + a + tail]) {
      const found = lintText(text, '/r/ab.c').messages.filter((m) => m.ruleId === 'irql-too-high');
      expect(found.map((m) => m.line)).toEqual([6, 7]);
      expect(found[1]!.message).toContain('Work is called by B');
    }
  });

  it('a helper called through a parenthesized name is summarized before its caller, whatever the order (found in review)', () => {
    // `(Lock)(Mdl)`: the analysis reads the call; the call graph, which orders the summaries, missed it
    const lock = 'VOID Lock(PMDL Mdl) { MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); }\n';
    const wrap = 'VOID Wrap(PMDL Mdl, BOOLEAN f) { if (f) { IoFreeMdl(Mdl); return; } (Lock)(Mdl); }\nVOID Top(PMDL Mdl) { Wrap(Mdl, FALSE); IoFreeMdl(Mdl); }\n';
    for (const text of [`#include <ntddk.h>\nVOID Lock(PMDL Mdl);\n${lock}${wrap}`, `#include <ntddk.h>\nVOID Lock(PMDL Mdl);\n${wrap}${lock}`]) {
      expect(lintText(text, '/r/paren.c').messages.map((m) => m.ruleId)).toContain('mdl-free-while-locked');
    }
  });
  it('a helper called as Lock<T>(...), or with a comment before the parenthesis, is summarized before its caller, whatever the order', () => {
    // the analysis reads both calls (calleeName unwraps a template function); the call graph's scan of the
    // text missed them, so the caller could be summarized first and the finding depended on the order
    const lock = 'template <typename T> VOID Lock(PMDL Mdl) { MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); }\nVOID Lock2(PMDL Mdl) { MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); }\n';
    const calls = [
      ['Lock<int>(Mdl);', 'template'],
      ['Lock2 /* the helper */ (Mdl);', 'block comment'],
      ['Lock2 // the helper\n        (Mdl);', 'line comment'],
    ];
    for (const [call, what] of calls) {
      const wrap = `VOID Wrap(PMDL Mdl, BOOLEAN f) { if (f) { IoFreeMdl(Mdl); return; } ${call} }\nVOID Top(PMDL Mdl) { Wrap(Mdl, FALSE); IoFreeMdl(Mdl); }\n`;
      for (const text of [`#include <ntddk.h>\n${lock}${wrap}`, `#include <ntddk.h>\n${wrap}${lock}`]) {
        expect(lintText(text, '/r/tpl.cpp').messages.map((m) => m.ruleId), what).toContain('mdl-free-while-locked');
      }
    }
  });
});
