/**
 * A finished IRQL analysis keeps one frozen array per distinct content for its observations' per-entry
 * arrays (`m`, `why`), instead of a copy of the state's arrays at each call, call site and return: the
 * analyses are kept for callers and for their own lint (session 29: about a third of what they held in
 * the middle of a run on the benchmark corpus). The findings do not change (the corpus, Windows-driver-samples).
 */
import { describe, expect, it } from 'vitest';
import { prepareProject } from '../../src/lint/linter.js';
import { irqlEngine } from '../../src/analysis/irql-analysis.js';

const TEXT = `#include <ntddk.h>
VOID Helper(PVOID p);
VOID Work(PKSPIN_LOCK Lock, PVOID p)
{
    KIRQL old;
    KeQueryTickCount(p);
    KeGetCurrentIrql();
    KeAcquireSpinLock(Lock, &old);
    KeQueryTickCount(p);
    KeGetCurrentIrql();
    KeReleaseSpinLock(Lock, old);
    Helper(p);
    if (p == NULL) return;
    Helper(p);
}
VOID Helper(PVOID p)
{
    ExFreePool(p);
}
`;

describe('IRQL observations share their per-entry arrays', () => {
  it('calls made in the same state share one frozen array, and calls in another state another', () => {
    const project = prepareProject([{ path: '/w/a.c', text: TEXT }], '/w');
    const file = project.sourceFor('/w/a.c', TEXT)!;
    const fn = file.functions.find((f) => f.name === 'Work')!;
    const a = irqlEngine(project).analysisOf(file, fn)!;
    const at = (line: number) => a.calls.find((c) => c.line === line)!;
    // lines 6 and 7: before the acquire; 9 and 10: under the lock (DISPATCH_LEVEL)
    expect(at(6).m).toBe(at(7).m);
    expect(at(6).why).toBe(at(7).why);
    expect(at(9).m).toBe(at(10).m);
    expect(at(9).why).toBe(at(10).why);
    expect(at(9).m).not.toBe(at(6).m);
    expect(at(9).m).not.toEqual(at(6).m);
    expect(Object.isFrozen(at(6).m)).toBe(true);
    expect(Object.isFrozen(at(9).why)).toBe(true);
    // the returns and the call sites too
    expect(a.returns.length).toBe(2);
    expect(a.returns[0]!.m).toBe(a.returns[1]!.m);
    const sites = [...a.callSites.values()];
    expect(sites.length).toBe(2);
    // (after the release, the IRQL is the one on entry again, as at the first calls)
    expect(sites[0]!.m).toBe(at(6).m);
    expect(sites[1]!.m).toBe(sites[0]!.m);
  });
});
