/**
 * The __try/__except quick fix for a bare probe: offered where it is safe (and then the finding is gone
 * and nothing new appears), refused where freeing the MDL in the handler would be wrong or the linter
 * finds something new on the fixed program.
 */
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../src/lint/linter.js';
import { DocumentLinter, Program } from '../../src/lsp/program.js';
import { probeQuickFix } from '../../src/lsp/quickfix.js';

function fixFor(body: string, sig = 'NTSTATUS Copy(PVOID Buffer, ULONG Length, PCTX Ctx, PIRP Irp)'): { fixed?: string; ruleIds: string[] } {
  const text = `${sig}\n{\n${body}\n}\n`;
  const program = new Program({ root: '/w' });
  program.setText('/w/a.c', text);
  const doc = new DocumentLinter('/w/a.c');
  const result = doc.lint(program, {})!;
  const finding = result.messages.find((m) => m.ruleId === 'mdl-probe-outside-try');
  if (!finding) return { ruleIds: result.messages.map((m) => m.ruleId!) };
  const fix = probeQuickFix(program.sourceOf('/w/a.c')!, finding, result.messages, (t) => {
    const { project, file } = program.projectWith('/w/a.c', t);
    return lintSource(file, { project }).messages;
  });
  if (!fix) return { ruleIds: result.messages.map((m) => m.ruleId!) };
  const lines = text.split('\n');
  const fixedLines = [...lines.slice(0, fix.range.start.line), fix.newText + lines[fix.range.end.line]!.slice(fix.range.end.character), ...lines.slice(fix.range.end.line + 1)];
  return { fixed: fixedLines.join('\n'), ruleIds: result.messages.map((m) => m.ruleId!) };
}

const ALLOC = '    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);\n    if (mdl == NULL) {\n        return STATUS_INSUFFICIENT_RESOURCES;\n    }\n';
const TAIL = '    MmUnlockPages(mdl);\n    IoFreeMdl(mdl);\n    return STATUS_SUCCESS;';

describe('probe quick fix', () => {
  it('wraps the probe of a local MDL allocated without an IRP; the fixed program has no finding', () => {
    const r = fixFor(`${ALLOC}    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);\n${TAIL}`);
    expect(r.fixed).toContain('    __try {\n        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        IoFreeMdl(mdl);\n        return GetExceptionCode();\n    }\n');
    const program = new Program({ root: '/w' });
    program.setText('/w/a.c', r.fixed!);
    expect(new DocumentLinter('/w/a.c').lint(program, {})!.messages).toEqual([]);
  });

  it('is not offered for an MDL that is a parameter, allocated with the IRP, or handed on before the probe', () => {
    expect(fixFor(`    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);\n    MmUnlockPages(Mdl);\n    return STATUS_SUCCESS;`, 'NTSTATUS Lock(PMDL Mdl)').fixed).toBeUndefined();
    const withIrp = fixFor(`${ALLOC.replace('NULL);', 'Irp);')}    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);\n${TAIL}`);
    expect(withIrp.ruleIds).toContain('mdl-probe-outside-try');
    expect(withIrp.fixed).toBeUndefined();
    const stored = fixFor(`${ALLOC}    Ctx->Mdl = mdl;\n    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);\n${TAIL}`);
    expect(stored.ruleIds).toContain('mdl-probe-outside-try');
    expect(stored.fixed).toBeUndefined();
  });

  it('is not offered when the new return would leave a spin lock held (the fixed program has a new finding)', () => {
    const r = fixFor(`    KIRQL old;\n${ALLOC}    KeAcquireSpinLock(&Ctx->Lock, &old);\n    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);\n    KeReleaseSpinLock(&Ctx->Lock, old);\n${TAIL}`);
    expect(r.ruleIds).toContain('mdl-probe-outside-try');
    expect(r.fixed).toBeUndefined();
  });

  it('is not offered in a function that does not return NTSTATUS', () => {
    expect(fixFor(`${ALLOC.replace('STATUS_INSUFFICIENT_RESOURCES', '')}    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);\n${TAIL.replace('STATUS_SUCCESS', '')}`, 'VOID Copy(PVOID Buffer, ULONG Length, PCTX Ctx, PIRP Irp)').fixed).toBeUndefined();
  });
});
