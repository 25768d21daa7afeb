/**
 * Baselines (`--baseline-write FILE`, `--baseline FILE`) with the real linter: recorded findings stay
 * matched across line shifts, reformatting and a renamed function; a fixed finding's entry is counted
 * as gone; a new finding is reported; a bad baseline file is a one-line error.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runIn } from '../support/main-in.js';

const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runIn(dir, args);

const DRIVER = (name: string, pad: string, extra = '') => `typedef struct _EXT { KSPIN_LOCK Lock; HANDLE File; } EXT, *PEXT;
DRIVER_DISPATCH ${name};
${pad}
NTSTATUS ${name}(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, 16, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    KeAcquireSpinLock(&ext->Lock, &old);
    ZwClose(ext->File);
    KeReleaseSpinLock(&ext->Lock, old);${extra}
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
`;

describe('baseline', () => {
  const src = join(dir, 'drv.c');
  const base = join(dir, 'ddi-lint.baseline.json');

  it('--baseline-write records the findings (rule, file, function, fingerprint)', async () => {
    writeFileSync(src, DRIVER('ReadDispatch', ''));
    const r = await run(['drv.c', '--format', 'json', '--baseline-write', 'ddi-lint.baseline.json']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.out)[0].messages.map((m: { ruleId: string; line: number }) => `${m.ruleId}@${m.line}`);
    expect(findings).toEqual(['mdl-probe-outside-try@10', 'irql-too-high@12']);
    const b = JSON.parse(readFileSync(base, 'utf8'));
    expect(b.tool).toBe('ddi-lint');
    expect(b.entries.map((e: { rule: string; file: string; function: string; line: number }) => `${e.file}:${e.function}:${e.rule}@${e.line}`)).toEqual([
      'drv.c:ReadDispatch:mdl-probe-outside-try@10',
      'drv.c:ReadDispatch:irql-too-high@12',
    ]);
    expect(r.err).toContain('wrote 2 findings to the baseline');
  });

  it('with the baseline the same findings are not reported, after lines moved, reformatting and a rename', async () => {
    const shifted = DRIVER('ReadDispatchRenamed', '\n// a comment block added above\n\n').replace('ZwClose(ext->File);', 'ZwClose(  ext->File );');
    writeFileSync(src, shifted);
    const r = await run(['drv.c', '--format', 'json', '--baseline', 'ddi-lint.baseline.json']);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out)[0];
    expect(res.messages).toEqual([]);
    expect(res.suppressedMessages.map((m: { ruleId: string }) => m.ruleId)).toEqual(['mdl-probe-outside-try', 'irql-too-high']);
    expect(r.err).toContain('2 findings in it not reported; 0 of its 2 entries no longer found');
  });

  it('a new finding is reported; a fixed one is counted as gone', async () => {
    // the probe is fixed (now in __try/__except), a second ZwClose under the lock is new
    const changed = DRIVER('ReadDispatch', '', '\n    KeAcquireSpinLock(&ext->Lock, &old);\n    ZwFlushKey(ext->File);\n    KeReleaseSpinLock(&ext->Lock, old);').replace(
      '    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);',
      '    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return STATUS_ACCESS_VIOLATION; }',
    );
    writeFileSync(src, changed);
    const r = await run(['drv.c', '--format', 'unix', '--baseline', 'ddi-lint.baseline.json']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('ZwFlushKey must be called at PASSIVE_LEVEL');
    expect(r.out).not.toContain('ZwClose');
    expect(r.err).toContain('1 finding in it not reported; 1 of its 2 entries no longer found (fixed or changed: --baseline-write ddi-lint.baseline.json tightens it)');
  });

  it('a missing or malformed baseline is a one-line error and exit code 2', async () => {
    const missing = await run(['drv.c', '--baseline', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toContain('cannot read the baseline');
    writeFileSync(join(dir, 'bad.json'), '{"tool": "other"}');
    const bad = await run(['drv.c', '--baseline', 'bad.json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('is not a ddi-lint baseline');
  });
});
