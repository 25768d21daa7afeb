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
});
