/**
 * Programs of several files (`SimProgram.fromFiles`): calls resolve to the calling file's own definition, else
 * to the only non-static definition of another file; roles, registrations and callers are read from every file;
 * faults carry the file of each stack frame. The one-file API is unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/parse/parser.js';
import { runSimulateCommand } from '../../src/sim/cli.js';
import { SimProgram, simulateFunction, simulateSource, type FunctionSimResult } from '../../src/sim/simulate.js';
import { locateFault, validateFixtureProgram } from '../../src/validation/fixtures.js';

const HELPER = `typedef struct _X { HANDLE File; KSPIN_LOCK Lock; ULONG Count; } X, *PX;

NTSTATUS XWrite(PX Ext)
{
    IO_STATUS_BLOCK iosb;
    return ZwWriteFile(Ext->File, NULL, NULL, NULL, &iosb, &Ext->Count, sizeof(ULONG), NULL, NULL);
}

static VOID XLog(PX Ext)
{
    Ext->Count++;
}

VOID XDeclaredElsewhere(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    ZwClose(((PX)Context)->File);
}
`;

const CALLER = `typedef struct _X { HANDLE File; KSPIN_LOCK Lock; ULONG Count; } X, *PX;
NTSTATUS XWrite(PX Ext);
KDEFERRED_ROUTINE XDpc;
KDEFERRED_ROUTINE XDeclaredElsewhere;

static VOID XLog(PX Ext)
{
    ZwClose(Ext->File);
}

VOID XDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PX ext = (PX)Context;
    (VOID)XWrite(ext);
}

VOID XDpcLogs(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    XLog((PX)Context);
}

_IRQL_requires_(PASSIVE_LEVEL)
VOID XInit(PKDPC Dpc, PX Ext)
{
    KeInitializeDpc(Dpc, XDpcLogs, Ext);
}
`;

function program(): SimProgram {
  return SimProgram.fromFiles([parseSource('helper.c', HELPER), parseSource('caller.c', CALLER)]);
}

function run(prog: SimProgram, name: string, file?: string): FunctionSimResult {
  const def = prog.defs.find((d) => d.name === name && (file === undefined || prog.sourceOf(d).path === file));
  if (!def) throw new Error(`no ${name}`);
  return simulateFunction(prog, def);
}

const kinds = (r: FunctionSimResult) => [...new Set(r.faults.map((f) => `${f.kind}@${f.line}${f.stack[0]?.file ? ' ' + f.stack[0].file : ''}`))].sort();

describe('SimProgram of several files', () => {
  it('a helper takes its entry IRQL from its callers in another file', () => {
    const prog = program();
    expect(prog.isHelper('XWrite')).toBe(true);
    const helper = run(prog, 'XWrite');
    expect(helper.entryIrql).toBe(2);
    expect(helper.irqlSource).toMatch(/called by its callers at DISPATCH_LEVEL/);
    expect(helper.file).toBe('helper.c');
    expect(kinds(helper)).toEqual(['irql-api-too-high@6 helper.c']);
    // The caller shows it inside the callee, with the callee's file on the stack.
    const dpc = run(prog, 'XDpc');
    expect(dpc.faults[0]!.stack).toEqual([
      { fn: 'XWrite', line: 6, file: 'helper.c' },
      { fn: 'XDpc', line: 14, file: 'caller.c' },
    ]);
    const own = new Map<string, FunctionSimResult>([
      ['helper.c\0XWrite', helper],
      ['caller.c\0XDpc', dpc],
    ]);
    expect(locateFault(dpc.faults[0]!, 'XDpc', own, 'caller.c')).toEqual({ function: 'XWrite', line: 6, file: 'helper.c' });
  });

  it('a helper\'s callers are simulated within the budget of the simulation that asks (here: loops entered twice)', () => {
    // The only call of H is on the third turn of the loop: reached when loops are entered three times (the default),
    // not within a budget of two. A fuzzing run's small budget must bound the callers' runs too.
    const code = `KDEFERRED_ROUTINE D;
VOID H(VOID) { ZwClose(NULL); }
VOID Caller(ULONG n)
{
    ULONG i;
    KIRQL old;
    for (i = 0; i < n; i++) {
        if (i == 2) {
            KeRaiseIrql(DISPATCH_LEVEL, &old);
            H();
            KeLowerIrql(old);
        }
    }
}
`;
    const helper = (opts: { loopBound?: number }) => simulateSource(parseSource('b.c', code), opts).find((x) => x.function === 'H')!;
    expect(helper({}).irqlSource).toBe('called by its callers at DISPATCH_LEVEL');
    expect(kinds(helper({}))).toEqual(['irql-api-too-high@2']);
    expect(helper({ loopBound: 2 }).irqlSource).toMatch(/^not known here/);
    expect(kinds(helper({ loopBound: 2 }))).toEqual([]);
  });

  it('a static function is visible only in its file; the file\'s own definition wins', () => {
    const prog = program();
    // XDpcLogs (caller.c) calls caller.c's XLog, which closes a handle at DISPATCH_LEVEL; helper.c's XLog does not.
    expect(prog.fnsOf(prog.defs.find((d) => d.name === 'XDpcLogs')!).get('XLog')!.file).toBe('caller.c');
    expect(kinds(run(prog, 'XDpcLogs'))).toEqual(['irql-api-too-high@8 caller.c']);
    expect(kinds(run(prog, 'XLog', 'helper.c'))).toEqual([]);
    expect(prog.fnsOf(prog.defs.find((d) => d.name === 'XWrite')!).get('XLog')!.file).toBe('helper.c');
  });

  it('a role declared in another file applies to the definition', () => {
    const prog = program();
    const r = run(prog, 'XDeclaredElsewhere');
    expect(r.irqlSource).toBe('role type KDEFERRED_ROUTINE');
    expect(kinds(r)).toEqual(['irql-api-too-high@16 helper.c']);
  });

  it('a name defined (non-static) in two other files does not resolve, as in the linter', () => {
    const a = parseSource('a.c', 'VOID Twice(VOID) { ZwClose(NULL); }\n');
    const b = parseSource('b.c', 'VOID Twice(VOID) { }\n');
    const c = parseSource('c.c', 'KDEFERRED_ROUTINE D;\nVOID D(PKDPC Dpc, PVOID C, PVOID A1, PVOID A2) { Twice(); }\n');
    const prog = SimProgram.fromFiles([a, b, c]);
    const d = prog.defs.find((x) => x.name === 'D')!;
    expect(prog.fnsOf(d).has('Twice')).toBe(false);
    expect(simulateFunction(prog, d).faults).toEqual([]);
  });

  it('a one-file program is what it was: no file on the stack or the result', () => {
    const [r] = simulateSource(parseSource('one.c', 'KDEFERRED_ROUTINE D;\nVOID H(VOID) { ZwClose(NULL); }\nVOID D(PKDPC Dpc, PVOID C, PVOID A1, PVOID A2) { H(); }\n')).filter(
      (x) => x.function === 'D',
    );
    expect(r!.file).toBeUndefined();
    expect(r!.faults[0]!.stack).toEqual([
      { fn: 'H', line: 2 },
      { fn: 'D', line: 3 },
    ]);
  });
});

describe('fixture validation and the CLI build one program of several files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ddi-sim-program-'));
  const helperPath = join(dir, 'helper.c');
  const callerPath = join(dir, 'caller.c');
  writeFileSync(helperPath, HELPER.replace('return ZwWriteFile(', 'return ZwWriteFile( // expect: irql-too-high\n        ').replace('ZwClose(((PX)Context)->File);', 'ZwClose(((PX)Context)->File); // expect: irql-too-high'));
  writeFileSync(callerPath, CALLER.replace('    ZwClose(Ext->File);', '    ZwClose(Ext->File); // expect: irql-too-high'));

  it('validateFixtureProgram places each fault in the file of its function', () => {
    const reports = validateFixtureProgram([helperPath, callerPath], dir, new Set(['irql-too-high', 'irql-too-low']));
    expect(reports.map((r) => r.file)).toEqual(['helper.c', 'caller.c']);
    for (const r of reports) {
      expect(r.missing).toEqual([]);
      expect(r.unexpected).toEqual([]);
      expect(r.expected.length).toBeGreaterThan(0);
    }
    // Each file alone: the helper's IRQL is not known, its fault is missing.
    const alone = validateFixtureProgram([helperPath], dir, new Set(['irql-too-high']));
    expect(alone[0]!.missing.map((f) => f.function)).toContain('XWrite');
  });

  it('ddi-lint simulate: the files given are one program; --each-file simulates each alone', async () => {
    const runCli = async (args: string[]) => {
      let out = '';
      let err = '';
      const code = await runSimulateCommand(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
      return { code, out, err };
    };
    try {
      const together = await runCli([helperPath, callerPath, '--entry', 'XWrite']);
      expect(together.code).toBe(1);
      expect(together.out).toMatch(/XWrite — entry IRQL 2 \(called by its callers at DISPATCH_LEVEL\)/);
      const alone = await runCli([helperPath, callerPath, '--entry', 'XWrite', '--each-file']);
      expect(alone.out).toMatch(/no faulting path/);
      expect(alone.err).toMatch(/caller\.c: no function named XWrite/);
      const none = await runCli([helperPath, callerPath, '--entry', 'Nowhere']);
      expect(none.code).toBe(2);
      expect(none.err).toMatch(/no function named Nowhere/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
