/**
 * The IRQL rules explain a finding by the chain that gives the function its IRQL: the role or
 * annotation, each caller across files, the call that changed the IRQL. The chain is the finding's
 * path (JSON) and the SARIF result's code flow, each step in its own file.
 */
import { describe, expect, it } from 'vitest';
import { lintText, prepareProject } from '../../src/lint/linter.js';
import { toSarif } from '../../src/report/sarif.js';
import { allRules } from '../../rules/index.js';
import { withOverrides } from '../../src/ddi/irql.js';

const DPC = `KDEFERRED_ROUTINE MyDpc;
VOID Middle(PVOID c);
VOID MyDpc(PKDPC d, PVOID c, PVOID a, PVOID b)
{
    Middle(c);
}
`;
const MIDDLE = `VOID Leaf(PVOID c);
VOID Middle(PVOID c)
{
    Leaf(c);
}
`;
const LEAF = `VOID Leaf(PVOID c)
{
    ZwClose((HANDLE)c);
}
`;

describe('IRQL explanation chains', () => {
  const inputs = [
    { path: '/drv/dpc.c', text: DPC },
    { path: '/drv/middle.c', text: MIDDLE },
    { path: '/drv/leaf.c', text: LEAF },
  ];
  const project = prepareProject(inputs, '/drv');
  const result = lintText(LEAF, '/drv/leaf.c', { project });
  const finding = result.messages.find((m) => m.ruleId === 'irql-too-high');

  it('the finding in the leaf names the whole chain of callers', () => {
    expect(finding?.line).toBe(3);
    expect(finding?.message).toContain('Leaf is called by Middle at middle.c:4');
    expect(finding?.message).toContain('MyDpc is a KDEFERRED_ROUTINE');
  });

  it('its path has one step per link, in the file of that link', () => {
    const steps = (finding?.path ?? []).map((s) => `${s.file ?? 'leaf.c'}:${s.line}`);
    expect(steps).toEqual(['/drv/dpc.c:1', '/drv/dpc.c:5', '/drv/middle.c:4', 'leaf.c:3']);
  });

  it('the SARIF code flow walks the same chain across artifacts', () => {
    const log = toSarif([{ ...result, source: LEAF }], { cwd: '/drv', rules: allRules.map((r) => r.meta), toolVersion: '0' });
    const r = log.runs[0]!.results!.find((x) => x.ruleId === 'irql-too-high')!;
    const locs = r.codeFlows![0]!.threadFlows[0]!.locations.map((l) => `${l.location!.physicalLocation!.artifactLocation!.uri}:${l.location!.physicalLocation!.region!.startLine}`);
    expect(locs).toEqual(['dpc.c:1', 'dpc.c:5', 'middle.c:4', 'leaf.c:3']);
  });
});

describe('IRQL contracts from the config reach the rules', () => {
  const code = `typedef struct _EXT { KSPIN_LOCK Lock; } EXT, *PEXT;
DRIVER_DISPATCH Disp;
NTSTATUS Disp(PDEVICE_OBJECT D, PIRP Irp)
{
    PEXT e = (PEXT)D->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&e->Lock, &old);
    MyDrvWaitForDevice(e);
    MyDrvPoke(e);
    KeReleaseSpinLock(&e->Lock, old);
    return STATUS_SUCCESS;
}
`;
  it('a routine of the project\'s own table is checked like a DDI (a wait, and a PASSIVE_LEVEL routine)', () => {
    const irqlTable = withOverrides({ MyDrvWaitForDevice: { max: 1, wait: true }, MyDrvPoke: { max: 0 } });
    const project = prepareProject([{ path: '/drv/a.c', text: code }], '/drv', { irqlTable });
    const r = lintText(code, '/drv/a.c', { project });
    expect(r.messages.map((m) => `${m.line} ${m.ruleId}`)).toEqual(['8 irql-wait-at-dispatch', '9 irql-too-high']);
  });
  it('without the config entries the calls are unknown externals: nothing is reported', () => {
    const project = prepareProject([{ path: '/drv/a.c', text: code }], '/drv');
    expect(lintText(code, '/drv/a.c', { project }).messages).toEqual([]);
  });
});

describe('long call chains', () => {
  // F0 ... F(n-1), each calling the next, the first called by a DPC: the last one's wait runs at DISPATCH_LEVEL
  function chain(n: number, reversed: boolean): string {
    const decls = Array.from({ length: n }, (_, i) => `VOID F${i}(PVOID C);\n`).join('');
    const defs = Array.from({ length: n }, (_, i) => `VOID F${i}(PVOID C)\n{\n    ${i === n - 1 ? 'KeWaitForSingleObject(C, Executive, KernelMode, FALSE, NULL);' : `F${i + 1}(C);`}\n}\n`);
    const dpc = 'VOID Dpc(PKDPC D, PVOID C, PVOID A1, PVOID A2)\n{\n    F0(C);\n}\n';
    return `KDEFERRED_ROUTINE Dpc;\n${decls}${reversed ? [...defs].reverse().join('') + dpc : dpc + defs.join('')}`;
  }

  it('3,000 callers deep: the wait is found whatever the order of definition, with a message of bounded length', () => {
    // the analyses recursed into each callee and each caller: about 650 levels overflowed the stack, the failure
    // was met again by every rule (quadratic), and the explanation nested one parenthesis per caller
    for (const reversed of [false, true]) {
      const messages = lintText(chain(3000, reversed), 'chain.c').messages;
      expect(messages.map((m) => m.ruleId)).toEqual(['irql-wait-at-dispatch']);
      expect(messages[0]!.message).toContain('F2999 is called by F2998');
      expect(messages[0]!.message).toContain('2999 callers up the chain: Dpc is a KDEFERRED_ROUTINE');
      expect(messages[0]!.message.length).toBeLessThan(1000);
      expect(messages[0]!.path!.length).toBeLessThanOrEqual(10);
    }
  });

  it('a short chain is explained caller by caller', () => {
    const m = lintText(chain(3, false), 'chain.c').messages[0]!;
    expect(m.message).toContain('F2 is called by F1 at chain.c:');
    expect(m.message).toContain('(F1 is called by F0 at chain.c:');
    expect(m.message).toContain('(F0 is called by Dpc at chain.c:');
    expect(m.message).toContain('(Dpc is a KDEFERRED_ROUTINE');
  });
});
